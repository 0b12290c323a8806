/* Edge cases of the bounds-checked reader and writer: empty, exact, one short, sticky error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/chunk.h"

static void test_empty(void **state)
{
	struct rbuf r;
	rbuf_init(&r, NULL, 5);
	assert_int_equal(rbuf_left(&r), 0);
	assert_int_equal(rbuf_u8(&r), 0);
	assert_false(rbuf_ok(&r));

	rbuf_init(&r, "", 0);
	assert_true(rbuf_skip(&r, 0));
	assert_true(rbuf_ok(&r));
	assert_null(rbuf_ptr(&r, 1));
	assert_false(rbuf_ok(&r));
}

static void test_exact_and_big_endian(void **state)
{
	const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	struct rbuf r;
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_u8(&r), 1);
	assert_int_equal(rbuf_u16(&r), 0x0203);
	assert_int_equal(rbuf_u32(&r), 0x04050607);
	assert_true(rbuf_u64(&r) == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(rbuf_left(&r), 0);
	assert_true(rbuf_ok(&r));
}

static void test_one_short_is_sticky(void **state)
{
	const uint8_t b[] = {0xaa, 0xbb, 0xcc};
	struct rbuf r;
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_u32(&r), 0); /* one short */
	assert_false(rbuf_ok(&r));
	assert_int_equal(rbuf_u8(&r), 0); /* sticky: even a read that would fit fails */
	assert_int_equal(rbuf_left(&r), 0);

	rbuf_init(&r, b, sizeof(b));
	uint8_t out[4] = {9, 9, 9, 9};
	assert_false(rbuf_copy(&r, out, 4));
	assert_int_equal(out[0], 0);
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_u16(&r), 0xaabb);
	assert_int_equal(rbuf_u16(&r), 0);
	assert_false(rbuf_ok(&r));
	const uint8_t seven[7] = {0};
	rbuf_init(&r, seven, sizeof(seven));
	assert_true(rbuf_u64(&r) == 0);
	assert_false(rbuf_ok(&r));
}

static void test_sub_reader(void **state)
{
	const uint8_t b[] = {0, 4, 1, 2, 3, 4, 0xff};
	struct rbuf r, s;
	rbuf_init(&r, b, sizeof(b));
	uint16_t n = rbuf_u16(&r);
	assert_true(rbuf_sub(&r, n, &s));
	assert_int_equal(rbuf_u32(&s), 0x01020304);
	assert_int_equal(rbuf_u8(&s), 0);
	assert_false(rbuf_ok(&s));
	assert_true(rbuf_ok(&r)); /* the parent is unaffected by the child's failure */
	assert_int_equal(rbuf_u8(&r), 0xff);
	/* a length larger than what is left fails and yields an empty, failed child */
	rbuf_init(&r, b, sizeof(b));
	rbuf_skip(&r, 2);
	assert_false(rbuf_sub(&r, 100, &s));
	assert_false(rbuf_ok(&s));
	assert_int_equal(rbuf_left(&s), 0);
	rbuf_init(&r, b, sizeof(b));
	rbuf_skip(&r, 5);
	rbuf_rest(&r, &s);
	assert_int_equal(rbuf_left(&s), 2);
	assert_int_equal(rbuf_left(&r), 0);
}

static void test_writer(void **state)
{
	uint8_t b[8];
	struct wbuf w;
	wbuf_init(&w, b, sizeof(b));
	assert_true(wbuf_u16(&w, 0x0102));
	assert_true(wbuf_u32(&w, 0x03040506));
	assert_true(wbuf_u8(&w, 7));
	assert_true(wbuf_put_u16_at(&w, 0, 0xa0b0));
	assert_false(wbuf_put_u16_at(&w, 6, 1)); /* past what was written */
	assert_false(wbuf_ok(&w));
	assert_int_equal(b[0], 0xa0);
	assert_int_equal(b[2], 3);

	wbuf_init(&w, b, sizeof(b));
	assert_true(wbuf_zero(&w, 8)); /* exact */
	assert_true(wbuf_ok(&w));
	assert_int_equal(wbuf_left(&w), 0);
	assert_false(wbuf_u8(&w, 1)); /* one over */
	assert_false(wbuf_ok(&w));

	wbuf_init(&w, b, sizeof(b));
	wbuf_u8(&w, 1);
	assert_false(wbuf_u64(&w, 5)); /* one short: nothing half-written */
	assert_int_equal(w.len, 1);
	wbuf_init(&w, b, 3);
	assert_null(wbuf_reserve(&w, 4));
	assert_false(wbuf_bytes(&w, "x", 1));
}

static void test_chunk(void **state)
{
	struct chunk a, b, c;
	assert_true(chunk_dup(&a, "ab", 2));
	assert_true(chunk_dup(&b, "cd", 2));
	assert_true(chunk_cat(&c, &a, &b));
	assert_int_equal(c.len, 4);
	assert_memory_equal(c.ptr, "abcd", 4);
	assert_true(chunk_eq_ct(c.ptr, "abcd", 4));
	assert_false(chunk_eq_ct(c.ptr, "abce", 4));
	chunk_clear(&a);
	chunk_clear(&b);
	chunk_clear(&c);
	assert_null(c.ptr);
	assert_int_equal(c.len, 0);
	chunk_clear(NULL);
	chunk_clear(&c); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_exact_and_big_endian),
	    cmocka_unit_test(test_one_short_is_sticky),
	    cmocka_unit_test(test_sub_reader),
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test(test_chunk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
