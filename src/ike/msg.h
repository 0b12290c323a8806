/*
 * IKEv2 message codec (RFC 7296 §3). Pure: bytes in, structs or an error out; structs in,
 * bytes out. No sockets, no state, no allocation. Every field is read through util/buf.h.
 *
 * Parsed payload structs point into the packet buffer they were parsed from (borrowed): the
 * caller keeps that buffer alive while it uses them.
 *
 * Errors: parse functions return 0 on success or a negative enum ike_parse_err; a message
 * with an unknown payload that has the critical bit set yields IKE_E_CRITICAL with
 * crit_type set so that the caller can answer UNSUPPORTED_CRITICAL_PAYLOAD.
 */
#ifndef MGMTSEC_IKE_MSG_H
#define MGMTSEC_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "ike/wire.h"
#include "util/buf.h"

enum ike_parse_err {
	IKE_OK = 0,
	IKE_E_SHORT = -1,     /* truncated / length fields disagree with the datagram */
	IKE_E_SYNTAX = -2,    /* field values that RFC 7296 forbids */
	IKE_E_VERSION = -3,   /* major version is not 2 */
	IKE_E_CRITICAL = -4,  /* unknown payload with the critical bit */
	IKE_E_LIMIT = -5,     /* more payloads/proposals/transforms/selectors than we hold */
	IKE_E_INTEGRITY = -6, /* SK/SKF checksum or AEAD tag did not verify */
	IKE_E_CRYPTO = -7,    /* crypto library failure */
};
const char *ike_parse_err_name(int err);

struct ike_hdr {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint8_t next_payload;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

/* One payload as found in the chain: type, critical bit, and its body (after the generic header).
 */
struct ike_payload {
	uint8_t type;
	bool critical;
	const uint8_t *body;
	size_t len;
};

/* A message split into header and payload chain. For an SK payload (which must be last),
 * the chain stops there: sk_* describe it and its inner chain is parsed after decryption. */
struct ike_msg {
	struct ike_hdr hdr;
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	size_t n_pl;
	uint8_t crit_type; /* set with IKE_E_CRITICAL */
	bool has_sk;       /* an SK (46) or SKF (53) payload ended the chain */
	uint8_t sk_type;   /* PL_SK or PL_SKF */
	uint8_t sk_first;  /* next-payload field of the SK header = first inner payload */
	size_t sk_off;     /* offset of the SK generic header within the packet */
	/* Added: RFC 7383 fragment fields, valid when sk_type == PL_SKF (1 <= frag_num <= total).
	 */
	uint16_t frag_num;
	uint16_t frag_total;
};

/* Parses the 28-byte header and the unencrypted payload chain. The header's length field must
 * equal len. An SK/SKF payload must be the last one; it is also recorded as the last entry of
 * m->pl (body = IV, ciphertext and ICV; for SKF after the 4-byte fragment header). */
int ike_msg_parse(const uint8_t *pkt, size_t len, struct ike_msg *m);
/* Parses just the header (for dispatch by SPI before any further work). len is the datagram
 * length: needs len >= 28, major version 2 (else IKE_E_VERSION) and 28 <= length field <= len.
 * Reserved flag bits and the minor version are ignored on receipt (RFC 7296 §3.1). */
int ike_hdr_parse(const uint8_t *pkt, size_t len, struct ike_hdr *h);
/* Parses a chain of payloads (e.g. the decrypted SK contents) starting with type first.
 * Resets m->n_pl and m->crit_type (the header and sk_* fields are left alone, so the same
 * struct may be reused after ike_sk_open); an SK/SKF payload inside the chain is a syntax
 * error. The chain must end exactly at len. */
int ike_chain_parse(const uint8_t *buf, size_t len, uint8_t first, struct ike_msg *m);
/* First payload of a type in m, or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type);

/* ---- payload bodies ---- */
struct ike_transform {
	uint8_t type; /* enum xform_type */
	uint16_t id;
	uint16_t key_bits; /* Key Length attribute, 0 when absent */
	bool unknown_attr; /* an attribute other than Key Length was present */
};

struct ike_proposal {
	uint8_t num;
	uint8_t protocol; /* enum ike_protocol_id */
	uint8_t spi_len;
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint8_t n_xf;
	struct ike_transform xf[IKE_MAX_XFORMS];
};

struct ike_sa_pl {
	uint8_t n_prop;
	struct ike_proposal prop[IKE_MAX_PROPOSALS];
};

struct ike_ke_pl {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_id_pl {
	uint8_t type; /* enum ike_id_type */
	const uint8_t *data;
	size_t len;
	const uint8_t *raw; /* the whole body (type + reserved + data): AUTH signs over this */
	size_t raw_len;
};

struct ike_auth_pl {
	uint8_t method; /* enum ike_auth_method */
	const uint8_t *data;
	size_t len;
};

struct ike_notify_pl {
	uint8_t protocol;
	uint8_t spi_len;
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint16_t type; /* enum ike_notify_type */
	const uint8_t *data;
	size_t len;
};

struct ike_delete_pl {
	uint8_t protocol;
	uint8_t spi_len; /* 0 for IKE, 4 for ESP */
	uint16_t n_spi;
	const uint8_t *spis; /* n_spi * spi_len bytes */
};

struct ike_ts {
	uint8_t type;     /* TS_IPV4_ADDR_RANGE; others are skipped by the parser */
	uint8_t ip_proto; /* 0 = any */
	uint16_t start_port, end_port;
	uint32_t start_addr, end_addr; /* host order */
};

struct ike_ts_pl {
	uint8_t n_ts;
	struct ike_ts ts[IKE_MAX_TS];
	/* Added: selectors of other types (IPv6 range, type 8, length 40; or unknown types) that
	 * were well-formed but skipped and not stored in ts[]. Not used by ike_add_ts. */
	uint8_t n_skipped;
};

struct ike_cert_pl {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

int ike_parse_sa(const struct ike_payload *p, struct ike_sa_pl *out);
int ike_parse_ke(const struct ike_payload *p, struct ike_ke_pl *out);
int ike_parse_nonce(const struct ike_payload *p, const uint8_t **data, size_t *len);
int ike_parse_id(const struct ike_payload *p, struct ike_id_pl *out);
int ike_parse_auth(const struct ike_payload *p, struct ike_auth_pl *out);
int ike_parse_notify(const struct ike_payload *p, struct ike_notify_pl *out);
int ike_parse_delete(const struct ike_payload *p, struct ike_delete_pl *out);
int ike_parse_ts(const struct ike_payload *p, struct ike_ts_pl *out);
int ike_parse_cert(const struct ike_payload *p, struct ike_cert_pl *out); /* CERT and CERTREQ */
/* Added. Vendor ID: any non-empty body. */
int ike_parse_vendor(const struct ike_payload *p, const uint8_t **data, size_t *len);

/* ---- building ---- */
/*
 * A builder writes a message into caller memory. Payloads are appended in order; the builder
 * back-patches each previous payload's next-payload field and the header length.
 * Between ike_build_sk_begin() and ike_build_sk_end(), payloads go inside the SK payload.
 * Any write failure makes the builder fail (sticky); ike_build_end() then returns -1.
 */
struct ike_builder {
	struct wbuf w;
	size_t np_off;    /* where to patch the next payload type (header or last generic hdr) */
	size_t sk_off;    /* offset of the SK generic header, or 0 */
	size_t sk_body;   /* offset where the SK's inner payloads start */
	size_t sk_np_off; /* np_off saved outside SK */
	bool in_sk;
	bool closed; /* added: SK ended; nothing may follow it (sticky failure if tried) */
};

void ike_build_begin(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h);
int ike_add_sa(struct ike_builder *b, const struct ike_sa_pl *sa);
int ike_add_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len);
int ike_add_nonce(struct ike_builder *b, const uint8_t *data, size_t len);
int ike_add_id(struct ike_builder *b, uint8_t pl_type /* PL_IDI/PL_IDR */, uint8_t id_type,
               const uint8_t *data, size_t len);
int ike_add_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len);
int ike_add_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_len,
                   uint16_t type, const uint8_t *data, size_t len);
int ike_add_delete(struct ike_builder *b, uint8_t protocol, uint8_t spi_len, const uint8_t *spis,
                   uint16_t n_spi);
int ike_add_ts(struct ike_builder *b, uint8_t pl_type /* PL_TSI/PL_TSR */,
               const struct ike_ts_pl *ts);
int ike_add_cert(struct ike_builder *b, uint8_t pl_type /* PL_CERT/PL_CERTREQ */, uint8_t encoding,
                 const uint8_t *data, size_t len);
int ike_add_vendor(struct ike_builder *b, const uint8_t *data, size_t len);
/* Any payload with a raw body (tests, fuzz seeds). */
int ike_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body,
                size_t len);

/* Keys of one direction of an IKE SA, for SK payload protection. */
struct ike_sk_keys {
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL for AEAD */
	struct cipher *cipher;         /* direction-specific context (encrypt or decrypt) */
	struct mac *mac;               /* NULL for AEAD */
};

int ike_build_sk_begin(struct ike_builder *b);
/* Pads, encrypts and appends the ICV (CBC+HMAC: ICV over the whole message; GCM: AAD = header
 * through the SK generic header, RFC 5282). A fresh random IV per message. */
int ike_build_sk_end(struct ike_builder *b, const struct ike_sk_keys *k);
/* Patches the header length; returns the message length or -1 if anything failed. */
int ike_build_end(struct ike_builder *b);

/*
 * Added: RFC 7383 fragmentation. To fragment a message, build it as usual up to (not including)
 * ike_build_sk_end(), take its inner chain with ike_build_sk_plain(), and cut that into slices
 * of at most ike_skf_max_data(k, size) bytes, each sent with ike_build_skf() as fragment
 * num/total (num 1 carries first = the first inner payload type; later fragments 0).
 */
/* While in the SK: the inner chain written so far (inside b's buffer) and its first type. */
int ike_build_sk_plain(const struct ike_builder *b, const uint8_t **data, size_t *len,
                       uint8_t *first);
/* Bytes that SK/SKF protection adds around the inner data at most: IKE header, generic header
 * (+4 for SKF), IV, worst-case padding + pad length byte, ICV. */
size_t ike_sk_overhead(const struct ike_sk_keys *k, uint8_t sk_type);
/* Largest inner slice that keeps one SKF message within msg_size bytes (0 if none fits). */
size_t ike_skf_max_data(const struct ike_sk_keys *k, size_t msg_size);
/* One whole Encrypted Fragment message (header h, whose next_payload is ignored and set to
 * PL_SKF). AEAD AAD = IKE header through the Total Fragments field (RFC 7383 §2.5). Returns the
 * message length or -1. */
int ike_build_skf(uint8_t *buf, size_t cap, const struct ike_hdr *h, uint8_t first, uint16_t num,
                  uint16_t total, const uint8_t *data, size_t len, const struct ike_sk_keys *k);

/* Verifies and decrypts the SK payload of a message parsed by ike_msg_parse(), in place.
 * On success *plain and *plain_len give the inner payload chain (inside pkt), whose first payload
 * type is m->sk_first. Integrity is checked (constant time) before anything is decrypted.
 * Works for SKF too (*plain is then the fragment's slice of the inner chain). Errors:
 * IKE_E_SHORT (too short for IV/ICV/one block), IKE_E_SYNTAX (ciphertext not a multiple of the
 * block, pad length beyond the plaintext), IKE_E_INTEGRITY (ICV/tag), IKE_E_CRYPTO. */
int ike_sk_open(uint8_t *pkt, size_t len, const struct ike_msg *m, const struct ike_sk_keys *k,
                uint8_t **plain, size_t *plain_len);

#endif
