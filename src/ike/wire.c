/*
 * Name tables for IKEv2 wire numbers (wire.h), for logs and show commands. Every value that
 * wire.h names has an entry; anything else prints as "UNKNOWN".
 */
#include "ike/wire.h"

#include <stddef.h>

struct wire_name {
	uint16_t v;
	const char *name;
};

#define N(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}

static const struct wire_name exchange_names[] = {
    N(IKE_SA_INIT),
    N(IKE_AUTH),
    N(CREATE_CHILD_SA),
    N(INFORMATIONAL),
};

static const struct wire_name payload_names[] = {
    {PL_NONE, "NONE"}, {PL_SA, "SA"},     {PL_KE, "KE"},           {PL_IDI, "IDi"},
    {PL_IDR, "IDr"},   {PL_CERT, "CERT"}, {PL_CERTREQ, "CERTREQ"}, {PL_AUTH, "AUTH"},
    {PL_NONCE, "No"},  {PL_NOTIFY, "N"},  {PL_DELETE, "D"},        {PL_VENDOR, "V"},
    {PL_TSI, "TSi"},   {PL_TSR, "TSr"},   {PL_SK, "SK"},           {PL_CP, "CP"},
    {PL_EAP, "EAP"},   {PL_SKF, "SKF"},
};

static const struct wire_name notify_names[] = {
    {N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD"},
    {N_INVALID_IKE_SPI, "INVALID_IKE_SPI"},
    {N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION"},
    {N_INVALID_SYNTAX, "INVALID_SYNTAX"},
    {N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID"},
    {N_INVALID_SPI, "INVALID_SPI"},
    {N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN"},
    {N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD"},
    {N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED"},
    {N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED"},
    {N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS"},
    {N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE"},
    {N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED"},
    {N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE"},
    {N_INVALID_SELECTORS, "INVALID_SELECTORS"},
    {N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE"},
    {N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND"},
    {N_INITIAL_CONTACT, "INITIAL_CONTACT"},
    {N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE"},
    {N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE"},
    {N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED"},
    {N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP"},
    {N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP"},
    {N_COOKIE, "COOKIE"},
    {N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE"},
    {N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP_SUPPORTED"},
    {N_REKEY_SA, "REKEY_SA"},
    {N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PADDING_NOT_SUPPORTED"},
    {N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO"},
    {N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED"},
    {N_MULTIPLE_AUTH_SUPPORTED, "MULTIPLE_AUTH_SUPPORTED"},
    {N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED"},
    {N_IKEV2_FRAGMENTATION_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED"},
    {N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS"},
};

static const char *wire_lookup(const struct wire_name *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].v == v)
			return t[i].name;
	}
	return "UNKNOWN";
}

#define LOOKUP(t, v) wire_lookup(t, sizeof(t) / sizeof((t)[0]), v)

const char *ike_exchange_name(uint8_t t)
{
	return LOOKUP(exchange_names, t);
}

const char *ike_payload_name(uint8_t t)
{
	return LOOKUP(payload_names, t);
}

const char *ike_notify_name(uint16_t t)
{
	return LOOKUP(notify_names, t);
}
