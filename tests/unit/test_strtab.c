/* SPDX-License-Identifier: MIT */
/*
 * test_strtab.c: the string interning table against a brute-force list,
 * through several growths of its slots, and with hashes chosen to collide
 * (the table must compare the bytes, not trust the hash).
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

static void
test_ids_are_dense_stable_and_keep_the_bytes(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t);
    enum { N = 50000 };
    char s[32];
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            int len = snprintf(s, sizeof s, "term%u", i * 7919u);
            int64_t id = gzt_strtab_intern(&t, gzt_hash64(s, (size_t)len), s,
                                           (uint32_t)len);
            assert_int_equal(id, i); /* first insertion order, then again */
            assert_int_equal(t.n, round ? N : i + 1);
        }
    for (uint32_t i = 0; i < N; i++) {
        int len = snprintf(s, sizeof s, "term%u", i * 7919u);
        assert_int_equal(t.ents[i].len, len);
        assert_memory_equal(t.ents[i].s, s, (size_t)len);
        assert_true(t.ents[i].hash == gzt_hash64(s, (size_t)len));
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
    gzt_strtab_init(&t);
    /* every string gets one of two hashes: long probe chains, full tag
     * matches, and prefixes of each other */
    const char *words[] = {"a", "ab", "abc", "b", "", "ba", "abcd", "x"};
    size_t n = sizeof words / sizeof *words;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < n; i++) {
            uint64_t h = (i & 1) ? 0x1234567800000001u : 0x1234567800001001u;
            int64_t id =
                gzt_strtab_intern(&t, h, words[i], (uint32_t)strlen(words[i]));
            assert_int_equal(id, (int64_t)i);
        }
    assert_int_equal(t.n, n);
    gzt_strtab_fini(&t);
}

static void
test_an_empty_table_frees_cleanly(void **state)
{
    GZT_UNUSED(state);
    gzt_strtab t;
    gzt_strtab_init(&t);
    gzt_strtab_fini(&t);
    gzt_strtab_fini(&t); /* twice is harmless */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_dense_stable_and_keep_the_bytes),
        cmocka_unit_test(test_equal_hashes_are_told_apart_by_their_bytes),
        cmocka_unit_test(test_an_empty_table_frees_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
