/*
 * cert_cache: what every certificate authentication would otherwise rebuild (issue 9). With
 * OpenSSL 3.0 a CA file made into an X509_STORE costs about 0.3 ms (file read, PEM and key
 * decoding) and a peer's certificate decoded from its CERT payload about 0.2 ms, against 0.05
 * ms for the chain verification itself; both were paid by every IKE_AUTH.
 *
 * Stores: one per (CA file, CRL file), kept while both files are what they were: each use
 * stat()s them and builds a new store when device, inode, size, modification or change time
 * differ, so a replaced CA or CRL file counts from the next authentication on, as before
 * (only a rewrite in place to the same size within one tick of the file system's clock after
 * the previous write would go unnoticed; replacing the file by rename, as editors and package
 * tools do, gives it a new inode).
 * Decoded certificates: the last CACHE_CERTS distinct DER encodings up to CACHE_DER_MAX bytes,
 * least recently used out first; a DER seen again shares the decoded X509 (reference counted,
 * not changed by verification). Verification itself (signatures, validity dates, CRL) runs on
 * every use. A mutex guards both tables: any thread may call.
 */
#include "crypto/crypto_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CACHE_STORES  4
#define CACHE_CERTS   32
#define CACHE_DER_MAX 8192

struct file_id {
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

static struct {
	char *ca, *crl; /* NULL crl: none */
	struct file_id ca_id, crl_id;
	X509_STORE *store;
	uint64_t used;
} stores[CACHE_STORES];

static struct {
	uint8_t *der; /* the encoding as received: the key */
	size_t len;
	X509 *x509;
	uint64_t used;
} certs[CACHE_CERTS];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t clock_;

static struct file_id file_id_of(const char *path)
{
	struct stat st;
	struct file_id id = {0};
	if (path && stat(path, &st) == 0)
		id = (struct file_id){true,       st.st_dev,  st.st_ino,
		                      st.st_size, st.st_mtim, st.st_ctim};
	return id;
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && ts_eq(a->mtime, b->mtime) && ts_eq(a->ctime, b->ctime);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void store_slot_clear(unsigned i)
{
	X509_STORE_free(stores[i].store);
	free(stores[i].ca);
	free(stores[i].crl);
	memset(&stores[i], 0, sizeof(stores[i]));
}

X509_STORE *cert_store_get(const char *ca_file, const char *crl_file, char *why, size_t why_len)
{
	struct file_id ca_id = file_id_of(ca_file), crl_id = file_id_of(crl_file);
	X509_STORE *store = NULL;
	unsigned victim = 0;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < CACHE_STORES; i++) {
		if (stores[i].store && str_eq(stores[i].ca, ca_file) &&
		    str_eq(stores[i].crl, crl_file)) {
			if (file_id_eq(&stores[i].ca_id, &ca_id) &&
			    file_id_eq(&stores[i].crl_id, &crl_id) &&
			    X509_STORE_up_ref(stores[i].store)) {
				stores[i].used = ++clock_;
				store = stores[i].store;
				goto out;
			}
			victim = i; /* a file changed: this slot is rebuilt */
			goto build;
		}
		if (stores[i].used < stores[victim].used)
			victim = i;
	}
build:
	store = cert_store_build(ca_file, crl_file, why, why_len);
	if (!store || !ca_id.present || (crl_file && !crl_id.present))
		goto out; /* not kept when a file vanished while it was read */
	store_slot_clear(victim);
	stores[victim].ca = strdup(ca_file);
	stores[victim].crl = crl_file ? strdup(crl_file) : NULL;
	if (!stores[victim].ca || (crl_file && !stores[victim].crl) || !X509_STORE_up_ref(store)) {
		store_slot_clear(victim);
		goto out;
	}
	stores[victim].store = store;
	stores[victim].ca_id = ca_id;
	stores[victim].crl_id = crl_id;
	stores[victim].used = ++clock_;
out:
	pthread_mutex_unlock(&lock);
	return store;
}

X509 *cert_x509_cached(const uint8_t *der, size_t len)
{
	X509 *x = NULL;

	if (len > CACHE_DER_MAX)
		return NULL;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < CACHE_CERTS; i++) {
		if (certs[i].x509 && certs[i].len == len && !memcmp(certs[i].der, der, len) &&
		    X509_up_ref(certs[i].x509)) {
			certs[i].used = ++clock_;
			x = certs[i].x509;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return x;
}

void cert_x509_remember(const uint8_t *der, size_t len, X509 *x)
{
	unsigned victim = 0;
	uint8_t *copy;

	if (len > CACHE_DER_MAX || !(copy = malloc(len)))
		return;
	memcpy(copy, der, len);
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < CACHE_CERTS; i++)
		if (certs[i].used < certs[victim].used)
			victim = i;
	if (!X509_up_ref(x)) {
		pthread_mutex_unlock(&lock);
		free(copy);
		return;
	}
	X509_free(certs[victim].x509);
	free(certs[victim].der);
	certs[victim].der = copy;
	certs[victim].len = len;
	certs[victim].x509 = x;
	certs[victim].used = ++clock_;
	pthread_mutex_unlock(&lock);
}

void cert_cache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < CACHE_STORES; i++)
		store_slot_clear(i);
	for (unsigned i = 0; i < CACHE_CERTS; i++) {
		X509_free(certs[i].x509);
		free(certs[i].der);
		memset(&certs[i], 0, sizeof(certs[i]));
	}
	pthread_mutex_unlock(&lock);
}
