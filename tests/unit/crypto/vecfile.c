/* vecfile: see vecfile.h. */
#include "vecfile.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char *vec_strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Appends text to a field value, dropping whitespace (hex may be split for readability). */
static void vec_append(struct vec_field *f, const char *text)
{
	size_t old = f->value ? strlen(f->value) : 0;
	char *v = realloc(f->value, old + strlen(text) + 1);

	assert_non_null(v);
	for (; *text; text++) {
		if (!isspace((unsigned char)*text))
			v[old++] = *text;
	}
	v[old] = '\0';
	f->value = v;
}

static struct vec *vec_new(struct vecset *set)
{
	struct vec *v = realloc(set->v, (set->n + 1) * sizeof(*v));

	assert_non_null(v);
	set->v = v;
	memset(&set->v[set->n], 0, sizeof(set->v[set->n]));
	return &set->v[set->n++];
}

static void vec_line(struct vecset *set, struct vec **cur, char *line)
{
	char *eq;

	if (line[0] == '#')
		return;
	if (isspace((unsigned char)line[0]) && *vec_strip(line) != '\0') {
		assert_non_null(*cur); /* continuation needs a field before it */
		vec_append(&(*cur)->f[(*cur)->n - 1], line);
		return;
	}
	line = vec_strip(line);
	if (*line == '\0') {
		*cur = NULL; /* blank line ends a record */
		return;
	}
	eq = strchr(line, '=');
	assert_non_null(eq);
	*eq = '\0';
	if (!*cur)
		*cur = vec_new(set);
	assert_true((*cur)->n < VEC_MAX_FIELDS);
	(*cur)->f[(*cur)->n].key = strdup(vec_strip(line));
	(*cur)->f[(*cur)->n].value = strdup("");
	vec_append(&(*cur)->f[(*cur)->n], eq + 1);
	(*cur)->n++;
}

void vec_load(const char *file, struct vecset *set)
{
	const char *dir = getenv("MGMTSEC_VECTORS");
	char path[4096], *line = NULL;
	size_t cap = 0;
	struct vec *cur = NULL;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open vector file %s", path);
	set->v = NULL;
	set->n = 0;
	while (getline(&line, &cap, f) >= 0)
		vec_line(set, &cur, line);
	free(line);
	fclose(f);
	for (size_t i = 0; i < set->n; i++)
		assert_non_null(vec_str(&set->v[i], "name"));
}

void vec_free(struct vecset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = 0; j < set->v[i].n; j++) {
			free(set->v[i].f[j].key);
			free(set->v[i].f[j].value);
		}
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

const char *vec_str(const struct vec *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->f[i].key, key) == 0)
			return v->f[i].value;
	}
	return NULL;
}

static int vec_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

uint8_t *vec_hex(const struct vec *v, const char *key, size_t *len)
{
	const char *s = vec_str(v, key);
	size_t n;
	uint8_t *out;

	if (!s)
		fail_msg("vector %s: no field '%s'", vec_str(v, "name"), key);
	n = strlen(s);
	if (n % 2)
		fail_msg("vector %s: field '%s' has odd hex length", vec_str(v, "name"), key);
	out = malloc(n / 2 + 1);
	assert_non_null(out);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = vec_nibble(s[2 * i]), lo = vec_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			fail_msg("vector %s: field '%s' is not hex", vec_str(v, "name"), key);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

const char *vec_tohex(const uint8_t *p, size_t len)
{
	static char buf[2048];
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < sizeof(buf); i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * i] = '\0';
	return buf;
}

void vec_assert_bytes(const struct vec *v, const char *what, const uint8_t *got, const uint8_t *exp,
                      size_t len)
{
	if (len && memcmp(got, exp, len) != 0) {
		print_error("vector %s: %s mismatch\n  got    %s\n", vec_str(v, "name"), what,
		            vec_tohex(got, len));
		print_error("  expect %s\n", vec_tohex(exp, len));
		fail();
	}
}
