/* SPDX-License-Identifier: MIT */
/*
 * test_strtab.c: the string interning table against a brute-force list,
 * through several growths of its slots, with payloads that must survive
 * growth, hashes chosen to collide (the table must compare the bytes, not
 * trust the hash), and clearing between batches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strtab.h"

typedef struct payload {
    uint64_t a, b, c; /* 24 bytes: rounded up to 32 by the table */
} payload;

static void
test_ids_are_dense_stable_and_keep_bytes_and_payload(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t, sizeof(payload), 16);
    enum { N = 50000 };
    char s[32];
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            int len = snprintf(s, sizeof s, "term%u", i * 7919u);
            uint32_t id = UINT32_MAX;
            payload *p = gzt_strtab_intern(&t, gzt_hash64(s, (size_t)len), s,
                                           (uint32_t)len, &id);
            assert_non_null(p);
            assert_int_equal(id, i); /* first insertion order, then again */
            assert_int_equal(t.n, round ? N : i + 1);
            if (round == 0) {
                assert_true(p->a == 0 && p->b == 0 && p->c == 0);
                p->a = i;
                p->c = ~(uint64_t)i;
            } else {
                assert_true(p->a == i && p->c == ~(uint64_t)i);
            }
            assert_ptr_equal(p, gzt_strtab_payload(&t, i));
        }
    for (uint32_t i = 0; i < N; i++) {
        int len = snprintf(s, sizeof s, "term%u", i * 7919u);
        uint32_t have;
        uint64_t h;
        const char *p = gzt_strtab_str(&t, i, &have, &h);
        assert_int_equal(have, len);
        assert_memory_equal(p, s, (size_t)len);
        assert_true(h == gzt_hash64(s, (size_t)len));
    }
    assert_true(t.nslots >= 2 * t.n);
    assert_true(gzt_strtab_memory(&t) > 0);
    gzt_strtab_fini(&t);
    assert_int_equal(t.n, 0);
}

static void
test_equal_hashes_are_told_apart_by_their_bytes(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t, 0, 16);
    /* every string gets one of two hashes: long probe chains, full hash
     * matches, and prefixes of each other */
    const char *words[] = {"a", "ab", "abc", "b", "", "ba", "abcd", "x"};
    size_t n = sizeof words / sizeof *words;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < n; i++) {
            uint64_t h = (i & 1) ? 0x1234567800000001u : 0x1234567800001001u;
            uint32_t id;
            assert_non_null(gzt_strtab_intern(&t, h, words[i],
                                              (uint32_t)strlen(words[i]), &id));
            assert_int_equal(id, i);
        }
    assert_int_equal(t.n, n);
    gzt_strtab_fini(&t);
}

static void
test_clear_forgets_everything_and_the_table_works_after(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t, sizeof(payload), 16);
    char s[32];
    /* a large batch grows the slots; smaller batches after it must not see
     * any of its strings, and their payloads start zeroed. Batches 1 and 2
     * leave the large table in place and are cleared slot by slot; they
     * take few hash values, so that clearing meets long probe runs, and
     * the same ones, so that a slot left behind would be found; the small
     * batches after them get a table of their size. */
    static const uint32_t sizes[] = {20000, 4500, 5000, 6, 7, 8};
    for (uint32_t batch = 0; batch < 6; batch++) {
        uint32_t n = sizes[batch];
        for (int again = 0; again < 2; again++)
            for (uint32_t i = 0; i < n; i++) {
                int len = snprintf(s, sizeof s, "w%u", i);
                uint64_t h = gzt_hash64(s, (size_t)len);
                if (batch == 1 || batch == 2)
                    h &= 0x3f0000000003f000ULL;
                uint32_t id;
                payload *p = gzt_strtab_intern(&t, h, s, (uint32_t)len, &id);
                assert_non_null(p);
                assert_int_equal(id, i);
                assert_true(p->b == (again ? batch + 1u : 0u));
                p->b = batch + 1u;
            }
        assert_int_equal(t.n, n);
        gzt_strtab_clear(&t);
        assert_int_equal(t.n, 0);
    }
    gzt_strtab_fini(&t);
}

static void
test_an_empty_table_frees_cleanly(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t, 8, 16);
    gzt_strtab_clear(&t);
    gzt_strtab_fini(&t);
    gzt_strtab_fini(&t); /* twice is harmless */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_dense_stable_and_keep_bytes_and_payload),
        cmocka_unit_test(test_equal_hashes_are_told_apart_by_their_bytes),
        cmocka_unit_test(
            test_clear_forgets_everything_and_the_table_works_after),
        cmocka_unit_test(test_an_empty_table_frees_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
