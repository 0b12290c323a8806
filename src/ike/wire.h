/*
 * IKEv2 wire numbers (RFC 7296 §3, RFC 7383, RFC 7427, IANA IKEv2 registries) and protocol
 * limits, in one place, with name tables for logs.
 */
#ifndef MGMTSEC_IKE_WIRE_H
#define MGMTSEC_IKE_WIRE_H

#include <stdint.h>

#define IKE_HDR_LEN            28
#define IKE_GENERIC_HDR_LEN    4
#define IKE_VERSION            0x20 /* major 2, minor 0 */
#define IKE_PORT               500
#define IKE_NATT_PORT          4500
#define IKE_NON_ESP_MARKER_LEN 4
#define IKE_MAX_MSG            65535 /* we never accept or build more than one UDP datagram */

enum ike_exchange_type {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	CREATE_CHILD_SA = 36,
	INFORMATIONAL = 37,
};

enum ike_hdr_flags {
	IKE_FLAG_INITIATOR = 0x08,
	IKE_FLAG_VERSION = 0x10,
	IKE_FLAG_RESPONSE = 0x20,
};

enum ike_payload_type {
	PL_NONE = 0,
	PL_SA = 33,
	PL_KE = 34,
	PL_IDI = 35,
	PL_IDR = 36,
	PL_CERT = 37,
	PL_CERTREQ = 38,
	PL_AUTH = 39,
	PL_NONCE = 40,
	PL_NOTIFY = 41,
	PL_DELETE = 42,
	PL_VENDOR = 43,
	PL_TSI = 44,
	PL_TSR = 45,
	PL_SK = 46,
	PL_CP = 47,
	PL_EAP = 48,
	PL_SKF = 53, /* RFC 7383 encrypted fragment */
};

#define IKE_PL_CRITICAL 0x80

enum ike_protocol_id {
	PROTO_IKE = 1,
	PROTO_AH = 2,
	PROTO_ESP = 3,
};

enum ike_id_type {
	ID_IPV4_ADDR = 1,
	ID_FQDN = 2,
	ID_RFC822_ADDR = 3,
	ID_IPV6_ADDR = 5,
	ID_DER_ASN1_DN = 9,
	ID_DER_ASN1_GN = 10,
	ID_KEY_ID = 11,
};

enum ike_auth_method {
	AUTH_RSA_SIG = 1,
	AUTH_SHARED_KEY_MIC = 2,
	AUTH_DSS_SIG = 3,
	AUTH_DIGITAL_SIGNATURE = 14, /* RFC 7427 */
};

enum ike_cert_encoding {
	CERT_X509_SIGNATURE = 4,
};

enum ike_ts_type {
	TS_IPV4_ADDR_RANGE = 7,
	TS_IPV6_ADDR_RANGE = 8,
};

enum ike_notify_type {
	/* errors (< 16384) */
	N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	N_INVALID_IKE_SPI = 4,
	N_INVALID_MAJOR_VERSION = 5,
	N_INVALID_SYNTAX = 7,
	N_INVALID_MESSAGE_ID = 9,
	N_INVALID_SPI = 11,
	N_NO_PROPOSAL_CHOSEN = 14,
	N_INVALID_KE_PAYLOAD = 17,
	N_AUTHENTICATION_FAILED = 24,
	N_SINGLE_PAIR_REQUIRED = 34,
	N_NO_ADDITIONAL_SAS = 35,
	N_INTERNAL_ADDRESS_FAILURE = 36,
	N_FAILED_CP_REQUIRED = 37,
	N_TS_UNACCEPTABLE = 38,
	N_INVALID_SELECTORS = 39,
	N_TEMPORARY_FAILURE = 43,
	N_CHILD_SA_NOT_FOUND = 44,
	/* status (>= 16384) */
	N_INITIAL_CONTACT = 16384,
	N_SET_WINDOW_SIZE = 16385,
	N_ADDITIONAL_TS_POSSIBLE = 16386,
	N_IPCOMP_SUPPORTED = 16387,
	N_NAT_DETECTION_SOURCE_IP = 16388,
	N_NAT_DETECTION_DESTINATION_IP = 16389,
	N_COOKIE = 16390,
	N_USE_TRANSPORT_MODE = 16391,
	N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	N_REKEY_SA = 16393,
	N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	N_MOBIKE_SUPPORTED = 16396,
	N_MULTIPLE_AUTH_SUPPORTED = 16404,
	N_REDIRECT_SUPPORTED = 16406,
	N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 */
	N_SIGNATURE_HASH_ALGORITHMS = 16431,     /* RFC 7427 */
};
#define N_ERROR_MAX 16383

/* RFC 7427 §4 hash algorithm identifiers. */
enum ike_hash_alg {
	HASH_SHA1 = 1,
	HASH_SHA2_256 = 2,
	HASH_SHA2_384 = 3,
	HASH_SHA2_512 = 4,
};

/* Parser limits: a hostile message can never make us hold more than this. */
#define IKE_MAX_PAYLOADS  64
#define IKE_MAX_PROPOSALS 16
#define IKE_MAX_XFORMS    64 /* per proposal; strongSwan's default proposals carry ~40 */
#define IKE_MAX_TS        16
#define IKE_MAX_NONCE     256
#define IKE_MAX_KE        132 /* the largest KE data of our groups: P-521's x || y */
#define IKE_MIN_NONCE     16
#define IKE_MAX_SPI_LEN   8

const char *ike_exchange_name(uint8_t t);
const char *ike_payload_name(uint8_t t);
const char *ike_notify_name(uint16_t t);

#endif
