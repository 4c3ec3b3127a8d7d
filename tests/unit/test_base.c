/* SPDX-License-Identifier: MIT */
/*
 * test_base.c: the radix sort of common/base.c against a comparison sort
 * that breaks ties by input order (the radix sort must be stable: the
 * id table relies on it for equal hashes), on keys random in every digit,
 * keys sharing digits (the passes it skips), duplicates, and records whose
 * key is not at their start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base.h"
#include "tests/support/rng.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd64(void)
{
    return gzt_test_rnd64(&rng_state);
}

/* A record of 13 bytes: a tag, its key (little endian) at byte 1, and its
 * input position. */
enum { REC = 13, KEY_OFF = 1 };

static void
put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t
input_pos(const uint8_t *r)
{
    uint32_t v;
    memcpy(&v, r + 9, 4);
    return v;
}

static int
cmp_key_then_pos(const void *a, const void *b)
{
    uint64_t x = gzt_load_u64((const uint8_t *)a + KEY_OFF),
             y = gzt_load_u64((const uint8_t *)b + KEY_OFF);
    if (x != y)
        return x < y ? -1 : 1;
    uint32_t p = input_pos(a), q = input_pos(b);
    return (p > q) - (p < q);
}

/* Sort @p n records with random keys masked to @p mask (drawn from
 * @p distinct values when not 0) both ways, and compare. */
static void
check(size_t n, uint64_t mask, unsigned distinct)
{
    uint8_t *v = malloc(n * REC + 1), *want = malloc(n * REC + 1);
    assert_non_null(v);
    assert_non_null(want);
    uint64_t pool[16];
    for (unsigned k = 0; k < 16; k++)
        pool[k] = rnd64() & mask;
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = v + i * REC;
        uint64_t key = distinct ? pool[rnd64() % distinct] : rnd64() & mask;
        r[0] = (uint8_t)i;
        put_u64(r + KEY_OFF, key);
        uint32_t pos = (uint32_t)i;
        memcpy(r + 9, &pos, 4);
    }
    memcpy(want, v, n * REC);
    qsort(want, n, REC, cmp_key_then_pos);
    assert_int_equal(gzt_radix_sort(v, n, REC, KEY_OFF), GZT_OK);
    assert_memory_equal(v, want, n * REC);
    free(v);
    free(want);
}

static void
test_radix_sort_orders_like_a_stable_comparison_sort(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 100, 2048, 5000};
    static const uint64_t masks[] = {
        UINT64_MAX,            /* every digit varies */
        0xff,                  /* one digit: the others' passes skipped */
        0xffff000000000000ULL, /* the top digits only */
        0x0000fff000000000ULL, /* across a digit boundary */
        0,                     /* every key equal: order kept */
    };
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t m = 0; m < sizeof masks / sizeof *masks; m++) {
            check(sizes[s], masks[m], 0);
            check(sizes[s], masks[m], 3); /* many duplicates */
        }
}

static void
test_radix_sort_failing_to_allocate_leaves_the_records(void **state)
{
    (void)state;
    uint8_t v[4 * REC];
    for (size_t i = 0; i < 4; i++) {
        put_u64(v + i * REC + KEY_OFF, 4 - i);
        v[i * REC] = (uint8_t)i;
        memset(v + i * REC + 9, 0, 4);
    }
    uint8_t before[sizeof v];
    memcpy(before, v, sizeof v);
    gzt_mem_fail_after(1);
    int rc = gzt_radix_sort(v, 4, REC, KEY_OFF);
    gzt_mem_fail_after(0);
    assert_int_equal(rc, GZT_ENOMEM);
    assert_memory_equal(v, before, sizeof v);
    assert_int_equal(gzt_radix_sort(v, 4, REC, KEY_OFF), GZT_OK);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(v[i * REC], 3 - i);
}

/* gzt_mem_eq() (word loads from both ends, for short keys) against a byte
 * loop: equal bytes, and a difference at each position of each length. */
static void
test_mem_eq_finds_a_difference_anywhere(void **state)
{
    (void)state;
    char a[48], b[48];
    for (size_t len = 0; len <= 40; len++) {
        for (size_t i = 0; i < len; i++)
            a[i] = b[i] = (char)rnd64();
        assert_true(gzt_mem_eq(a, b, len));
        for (size_t i = 0; i < len; i++) {
            b[i] ^= (char)(1 + rnd64() % 255);
            assert_false(gzt_mem_eq(a, b, len));
            b[i] = a[i];
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radix_sort_orders_like_a_stable_comparison_sort),
        cmocka_unit_test(
            test_radix_sort_failing_to_allocate_leaves_the_records),
        cmocka_unit_test(test_mem_eq_finds_a_difference_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
