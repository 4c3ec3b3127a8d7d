/* SPDX-License-Identifier: MIT */
/*
 * test_utf8.c: validation and repair of UTF-8 (common/utf8.c).
 *
 * Expected repairs follow the "maximal subpart" examples of the Unicode
 * Standard, ch. 3 (U+FFFD substitution of maximal subparts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* Repair @p len bytes of @p in and check the output and the count. */
static void
check_repair(const char *in, size_t len, const char *want, uint64_t nwant)
{
    gzt_buf out = GZT_BUF_INIT;
    uint64_t n = 0;
    assert_int_equal(gzt_utf8_repair(&out, in, len, &n), GZT_OK);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.p, want, out.len);
    assert_int_equal(n, nwant);
    assert_true(gzt_utf8_valid((const char *)out.p, out.len));
    gzt_buf_free(&out);
}

#define REPAIR(in, want, n) check_repair(in, sizeof(in) - 1, want, n)
#define VALID(s) gzt_utf8_valid(s, sizeof(s) - 1)

static void
test_ascii_and_multibyte_text_is_valid(void **state)
{
    (void)state;
    assert_true(VALID(""));
    assert_true(VALID("Lavrov met Raouf-Sheybani in Tehran on Monday."));
    assert_true(VALID("Iran\xE2\x80\x99s TEHR\xC3\x81N Stra\xC3\x9F"
                      "e \xE4\xB8\xAD\xE5\x9B\xBD \xF0\x9F\x98\x80"));
    assert_true(VALID("a\0b")); /* NUL is well-formed */
}

static void
test_four_byte_maximum_is_valid_and_one_past_is_not(void **state)
{
    (void)state;
    assert_true(VALID("\xF4\x8F\xBF\xBF"));  /* U+10FFFF */
    assert_false(VALID("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(VALID("\xF5\x80\x80\x80"));
    assert_true(VALID("\xF0\x90\x80\x80")); /* U+10000 */
    assert_true(VALID("\xEF\xBF\xBF"));     /* U+FFFF */
}

static void
test_overlong_forms_are_invalid(void **state)
{
    (void)state;
    assert_false(VALID("\xC0\xAF")); /* '/' in two bytes */
    assert_false(VALID("\xC1\xBF"));
    assert_false(VALID("\xE0\x80\xAF"));     /* '/' in three bytes */
    assert_false(VALID("\xE0\x9F\xBF"));     /* U+07FF in three bytes */
    assert_false(VALID("\xF0\x8F\xBF\xBF")); /* U+FFFF in four bytes */
    assert_true(VALID("\xE0\xA0\x80"));      /* U+0800: shortest form */
}

static void
test_surrogates_are_invalid(void **state)
{
    (void)state;
    assert_false(VALID("\xED\xA0\x80")); /* U+D800 */
    assert_false(VALID("\xED\xBF\xBF")); /* U+DFFF */
    assert_true(VALID("\xED\x9F\xBF"));  /* U+D7FF */
    assert_true(VALID("\xEE\x80\x80"));  /* U+E000 */
}

static void
test_invalid_byte_after_a_long_ascii_run_is_found(void **state)
{
    /* The eight-byte fast path must not step over the bad byte. */
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char s[41];
        memset(s, 'x', sizeof s - 1);
        s[40] = 0;
        s[at] = (char)0x80;
        assert_false(gzt_utf8_valid(s, 40));
    }
}

static void
test_lone_continuation_bytes_become_one_replacement_each(void **state)
{
    (void)state;
    REPAIR("a\x80"
           "b",
           "a" FFFD "b", 1);
    REPAIR("\x80\x80\xBF", FFFD FFFD FFFD, 3);
}

static void
test_truncated_sequence_at_end_becomes_one_replacement(void **state)
{
    (void)state;
    REPAIR("abc\xE2\x80", "abc" FFFD, 1);
    REPAIR("abc\xF0\x9F\x98", "abc" FFFD, 1);
    REPAIR("abc\xC3", "abc" FFFD, 1);
    REPAIR("abc\xF0", "abc" FFFD, 1);
}

static void
test_truncated_sequence_before_ascii_keeps_the_ascii(void **state)
{
    (void)state;
    REPAIR("\xE2\x80x", FFFD "x", 1);
    REPAIR("\xF0\x9F\x98 ok", FFFD " ok", 1);
}

static void
test_overlong_is_replaced_byte_by_byte(void **state)
{
    /* C0 can start no well-formed sequence, so its maximal subpart is one
     * byte and the continuation byte after it is a second error. */
    (void)state;
    REPAIR("\xC0\xAF", FFFD FFFD, 2);
    REPAIR("\xE0\x80\xAF", FFFD FFFD FFFD, 3);
}

static void
test_surrogate_is_replaced_byte_by_byte(void **state)
{
    (void)state;
    REPAIR("\xED\xA0\x80", FFFD FFFD FFFD, 3);
}

static void
test_past_max_code_point_is_replaced_byte_by_byte(void **state)
{
    (void)state;
    REPAIR("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4);
    REPAIR("\xFF", FFFD, 1);
}

static void
test_unicode_standard_example_is_repaired_as_specified(void **state)
{
    /* Table 3-8 of the Unicode Standard: 61 F1 80 80 E1 80 C2 62 80 63 80
     * BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d. */
    (void)state;
    REPAIR("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
           "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", 6);
}

static void
test_nul_bytes_become_spaces_and_are_not_counted(void **state)
{
    (void)state;
    REPAIR("a\0b\0\0c", "a b  c", 0);
    REPAIR("0123456789\0abcdefgh", "0123456789 abcdefgh", 0);
}

static void
test_valid_text_is_copied_unchanged(void **state)
{
    (void)state;
    const char s[] = "Iran\xE2\x80\x99s foreign minister, \xF0\x9F\x98\x80 "
                     "TEHR\xC3\x81N \xF4\x8F\xBF\xBF end";
    REPAIR(s, s, 0);
}

static void
test_repair_appends_and_counts_across_calls(void **state)
{
    (void)state;
    gzt_buf out = GZT_BUF_INIT;
    uint64_t n = 5;
    assert_int_equal(gzt_buf_append(&out, "x", 1), GZT_OK);
    assert_int_equal(gzt_utf8_repair(&out, "\x80", 1, &n), GZT_OK);
    assert_int_equal(gzt_utf8_repair(&out, "y\xFE", 2, NULL), GZT_OK);
    assert_int_equal(n, 6);
    assert_int_equal(out.len, 1 + 3 + 1 + 3);
    assert_memory_equal(out.p, "x" FFFD "y" FFFD, out.len);
    gzt_buf_free(&out);
}

static void
test_random_bytes_repair_to_valid_text(void **state)
{
    (void)state;
    uint8_t in[4096];
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            x = x * 1103515245u + 12345u;
            in[i] = (uint8_t)(x >> 16);
            /* bias towards lead and continuation bytes */
            if (round % 2 && (in[i] & 1))
                in[i] |= 0x80;
        }
        size_t len = (size_t)(x % sizeof in);
        gzt_buf out = GZT_BUF_INIT;
        uint64_t n = 0;
        assert_int_equal(gzt_utf8_repair(&out, (const char *)in, len, &n),
                         GZT_OK);
        assert_true(gzt_utf8_valid((const char *)out.p, out.len));
        assert_null(memchr(out.p, 0, out.len));
        if (gzt_utf8_valid((const char *)in, len))
            assert_int_equal(n, 0);
        gzt_buf_free(&out);
    }
}

static void
test_repair_reports_out_of_memory(void **state)
{
    (void)state;
    gzt_buf out = GZT_BUF_INIT;
    gzt_mem_fail_after(1);
    int rc = gzt_utf8_repair(&out, "abc\x80", 4, NULL);
    gzt_mem_fail_after(0);
    assert_int_equal(rc, GZT_ENOMEM);
    gzt_buf_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_and_multibyte_text_is_valid),
        cmocka_unit_test(test_four_byte_maximum_is_valid_and_one_past_is_not),
        cmocka_unit_test(test_overlong_forms_are_invalid),
        cmocka_unit_test(test_surrogates_are_invalid),
        cmocka_unit_test(test_invalid_byte_after_a_long_ascii_run_is_found),
        cmocka_unit_test(
            test_lone_continuation_bytes_become_one_replacement_each),
        cmocka_unit_test(
            test_truncated_sequence_at_end_becomes_one_replacement),
        cmocka_unit_test(test_truncated_sequence_before_ascii_keeps_the_ascii),
        cmocka_unit_test(test_overlong_is_replaced_byte_by_byte),
        cmocka_unit_test(test_surrogate_is_replaced_byte_by_byte),
        cmocka_unit_test(test_past_max_code_point_is_replaced_byte_by_byte),
        cmocka_unit_test(
            test_unicode_standard_example_is_repaired_as_specified),
        cmocka_unit_test(test_nul_bytes_become_spaces_and_are_not_counted),
        cmocka_unit_test(test_valid_text_is_copied_unchanged),
        cmocka_unit_test(test_repair_appends_and_counts_across_calls),
        cmocka_unit_test(test_random_bytes_repair_to_valid_text),
        cmocka_unit_test(test_repair_reports_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
