/*
 * RSA signatures in IKE_AUTH: RFC 7296 §2.15 method 1 (PKCS#1 v1.5 over SHA-1) and RFC 7427
 * method 14 (Digital Signature: 1-byte length, AlgorithmIdentifier, signature), with the hash
 * negotiated through N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 §4). We announce and accept the
 * SHA-2 family only under method 14 (RFC 8247 §3.2: SHA-1 MUST NOT be used there).
 */
#include <stdio.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "util/buf.h"
#include "util/log.h"

#define HASH_BIT(id) ((uint8_t)(1u << (id)))
#define SHA2_BITS    (HASH_BIT(HASH_SHA2_256) | HASH_BIT(HASH_SHA2_384) | HASH_BIT(HASH_SHA2_512))

int ike_sig_add_notify(struct ike_builder *b)
{
	static const uint8_t ids[] = {0, HASH_SHA2_256, 0, HASH_SHA2_384, 0, HASH_SHA2_512};
	return ike_add_notify(b, 0, NULL, 0, N_SIGNATURE_HASH_ALGORITHMS, ids, sizeof(ids));
}

uint8_t ike_sig_parse_notify(const struct ike_notify_pl *n)
{
	struct rbuf r;
	uint8_t set = 0;

	rbuf_init(&r, n->data, n->len);
	while (rbuf_left(&r) >= 2) {
		uint16_t id = rbuf_u16(&r);
		if (id >= 1 && id <= 7)
			set |= HASH_BIT(id);
	}
	return set;
}

int ike_sig_octets(const struct ike_sa *sa, bool ours, const uint8_t *idb, size_t idl,
                   struct chunk *out)
{
	/* the initiator signs message 1 and Nr, the responder message 2 and Ni */
	bool as_init = ours == sa->initiator;
	const struct chunk *msg = as_init ? &sa->msg1 : &sa->msg2;
	const struct chunk *nonce = as_init ? &sa->nr : &sa->ni;
	const struct chunk *skp = as_init ? &sa->sk_pi : &sa->sk_pr;
	uint8_t maced[64];
	size_t ml = sa->prf->out_len;

	if (ml > sizeof(maced) || !msg->len || !nonce->len ||
	    prf(sa->prf, skp->ptr, skp->len, idb, idl, maced) < 0 ||
	    !chunk_alloc(out, msg->len + nonce->len + ml)) {
		memwipe(maced, sizeof(maced));
		return -1;
	}
	memcpy(out->ptr, msg->ptr, msg->len);
	memcpy(out->ptr + msg->len, nonce->ptr, nonce->len);
	memcpy(out->ptr + msg->len + nonce->len, maced, ml);
	memwipe(maced, sizeof(maced));
	return 0;
}

/* Our RFC 7427 scheme: the first of SHA-256/384/512 the peer announced, PSS if configured. */
static bool pick_scheme(const struct ike_sa *sa, enum sig_scheme *s)
{
	static const struct {
		uint8_t hash;
		enum sig_scheme pkcs1, pss;
	} pref[] = {
	    {HASH_SHA2_256, SIG_RSA_PKCS1_SHA256, SIG_RSA_PSS_SHA256},
	    {HASH_SHA2_384, SIG_RSA_PKCS1_SHA384, SIG_RSA_PSS_SHA384},
	    {HASH_SHA2_512, SIG_RSA_PKCS1_SHA512, SIG_RSA_PSS_SHA512},
	};
	for (size_t i = 0; i < sizeof(pref) / sizeof(pref[0]); i++) {
		if (sa->peer_hashes & HASH_BIT(pref[i].hash)) {
			*s = sa->tun->cfg.rsa_pss ? pref[i].pss : pref[i].pkcs1;
			return true;
		}
	}
	return false;
}

/* On whichever thread: only the job's own fields. */
static void sig_job_run(struct ike_job *j)
{
	struct ike_sig_job *sj = (struct ike_sig_job *)j;
	sj->rc = sig_sign(sj->key, sj->scheme, sj->octets.ptr, sj->octets.len, &sj->sig);
}

int ike_sig_job_init(struct ike_sa *sa, struct ike_sig_job *sj, const uint8_t *idb, size_t idl)
{
	const struct ike_creds *cr = sa->tun->creds;

	sj->j.kind = IKE_JOB_SIGN;
	sj->j.run = sig_job_run;
	sj->rc = -1;
	sj->scheme = SIG_RSA_PKCS1_SHA1;
	sj->method = AUTH_RSA_SIG;
	if (pick_scheme(sa, &sj->scheme)) {
		sj->method = AUTH_DIGITAL_SIGNATURE;
		sj->algid = sig_algid_der(sj->scheme, &sj->algid_len);
		if (!sj->algid || sj->algid_len > 255)
			return -1;
	}
	if (!cr || !cr->key || !(sj->key = privkey_ref(cr->key)) ||
	    ike_sig_octets(sa, true, idb, idl, &sj->octets) < 0)
		return -1;
	return 0;
}

int ike_sig_job_auth(const struct ike_sig_job *sj, uint8_t *method, struct chunk *auth)
{
	size_t pre = sj->algid ? 1 + sj->algid_len : 0;
	if (sj->rc < 0 || !chunk_alloc(auth, pre + sj->sig.len))
		return -1;
	if (sj->algid) {
		auth->ptr[0] = (uint8_t)sj->algid_len;
		memcpy(auth->ptr + 1, sj->algid, sj->algid_len);
	}
	memcpy(auth->ptr + pre, sj->sig.ptr, sj->sig.len);
	*method = sj->method;
	return 0;
}

void ike_sig_job_clear(struct ike_sig_job *sj)
{
	chunk_clear(&sj->octets);
	chunk_clear(&sj->sig);
	privkey_free(sj->key);
	sj->key = NULL;
}

static bool scheme_is_sha1(enum sig_scheme s)
{
	return s == SIG_RSA_PKCS1_SHA1;
}

const char *ike_sig_verify(const struct ike_sa *sa, const struct cert *c,
                           const struct ike_id_pl *id, const struct ike_auth_pl *auth)
{
	struct chunk octets = CHUNK_EMPTY;
	enum sig_scheme s = SIG_RSA_PKCS1_SHA1;
	const uint8_t *sig = auth->data;
	size_t sig_len = auth->len;
	const char *why = NULL;

	if (auth->method == AUTH_DIGITAL_SIGNATURE) {
		struct rbuf r;
		rbuf_init(&r, auth->data, auth->len);
		uint8_t alen = rbuf_u8(&r);
		const uint8_t *algid = rbuf_ptr(&r, alen);
		if (!rbuf_ok(&r) || !alen || sig_scheme_from_algid(algid, alen, &s) < 0)
			return "peer's signature algorithm is not supported";
		if (scheme_is_sha1(s))
			return "peer signs with SHA-1 under RFC 7427 (refused)";
		sig_len = rbuf_left(&r);
		sig = rbuf_ptr(&r, sig_len);
	}
	if (!sig || !sig_len)
		return "AUTH payload holds no signature";
	if (ike_sig_octets(sa, false, id->raw, id->raw_len, &octets) < 0)
		return "AUTH computation failed";
	if (sig_verify(c, s, octets.ptr, octets.len, sig, sig_len) < 0)
		why = "AUTH signature does not verify with the peer's certificate";
	chunk_clear(&octets);
	return why;
}
