/*
 * vecfile: reader for the test vector files in tests/vectors (see tests/vectors/hmac.txt for
 * the format). Test-only helper; failures abort the test through cmocka assertions.
 */
#ifndef MGMTSEC_TEST_VECFILE_H
#define MGMTSEC_TEST_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#define VEC_MAX_FIELDS 12

struct vec_field {
	char *key;
	char *value; /* continuation lines appended, whitespace removed */
};

struct vec {
	struct vec_field f[VEC_MAX_FIELDS];
	size_t n;
};

struct vecset {
	struct vec *v;
	size_t n;
};

/* Loads $MGMTSEC_VECTORS/<file>; fails the test if the file is missing or malformed. */
void vec_load(const char *file, struct vecset *set);
void vec_free(struct vecset *set);
/* The field's text, or NULL when absent. */
const char *vec_str(const struct vec *v, const char *key);
/* The field decoded from hex into a new buffer (free with free()); fails the test when the
 * field is missing or not hex. *len receives the byte count (0 for an empty field). */
uint8_t *vec_hex(const struct vec *v, const char *key, size_t *len);
/* Hex text of bytes, for failure messages (static buffer). */
const char *vec_tohex(const uint8_t *p, size_t len);
/* Fails the test, naming the vector and field, unless got equals exp (len bytes). */
void vec_assert_bytes(const struct vec *v, const char *what, const uint8_t *got, const uint8_t *exp,
                      size_t len);

#endif
