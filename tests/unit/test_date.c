/* SPDX-License-Identifier: MIT */
/*
 * test_date.c: calendar arithmetic, the date expressions of queries and
 * --since/--until (with a fixed today, 2025-03-15), and sniffing dates from
 * the first bytes of real article texts. Sniffed texts are copied to heap
 * blocks of exactly their length so that ASan catches a read past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/date.h"

#define TODAY 20250315

static void
test_leap_days_are_valid_only_in_leap_years(void **state)
{
    GZT_UNUSED(state);
    assert_true(gzt_date_valid(20240229));
    assert_false(gzt_date_valid(20230229));
    assert_true(gzt_date_valid(20000229));  /* divisible by 400 */
    assert_false(gzt_date_valid(19000229)); /* by 100 but not 400 */
    assert_false(gzt_date_valid(20250230));
    assert_false(gzt_date_valid(20250431));
    assert_true(gzt_date_valid(20251231));
    assert_false(gzt_date_valid(20251301));
    assert_false(gzt_date_valid(20250100));
    assert_false(gzt_date_valid(0));
    assert_false(gzt_date_valid(-20250101));
    assert_true(gzt_date_valid(10101));
    assert_true(gzt_date_valid(99991231));
    assert_false(gzt_date_valid(100000101));
}

static void
test_add_days_crosses_month_year_and_leap_boundaries(void **state)
{
    GZT_UNUSED(state);
    assert_int_equal(gzt_date_add_days(20250131, 1), 20250201);
    assert_int_equal(gzt_date_add_days(20250201, -1), 20250131);
    assert_int_equal(gzt_date_add_days(20241231, 1), 20250101);
    assert_int_equal(gzt_date_add_days(20250101, -1), 20241231);
    assert_int_equal(gzt_date_add_days(20240228, 1), 20240229);
    assert_int_equal(gzt_date_add_days(20240229, 1), 20240301);
    assert_int_equal(gzt_date_add_days(20230228, 1), 20230301);
    assert_int_equal(gzt_date_add_days(20240301, -1), 20240229);
    assert_int_equal(gzt_date_add_days(20240101, 366), 20250101);
    assert_int_equal(gzt_date_add_days(20250101, 365), 20260101);
    assert_int_equal(gzt_date_add_days(20000101, 36524), 20991231);
    assert_int_equal(gzt_date_add_days(19700101, 20000), 20241004);
    assert_int_equal(gzt_date_add_days(20250315, 0), 20250315);
    /* clamped to the calendar; "no date" stays no date */
    assert_int_equal(gzt_date_add_days(20250315, -INT64_MAX), 10101);
    assert_int_equal(gzt_date_add_days(20250315, INT64_MAX), 99991231);
    assert_int_equal(gzt_date_add_days(0, 5), 0);
}

static void
test_add_days_agrees_with_counting_one_day_at_a_time(void **state)
{
    GZT_UNUSED(state);
    /* walk 1999..2101 day by day with the plain rules */
    int y = 1999, m = 1, d = 1;
    gzt_date start = 19990101;
    for (int64_t n = 0; y < 2102; n++) {
        gzt_date expect = (gzt_date)(y * 10000 + m * 100 + d);
        assert_true(gzt_date_valid(expect));
        assert_int_equal(gzt_date_add_days(start, n), expect);
        assert_int_equal(gzt_date_add_days(expect, -n), start);
        if (gzt_date_valid(expect + 1)) {
            d++;
        } else if (m < 12) {
            m++;
            d = 1;
        } else {
            y++;
            m = d = 1;
        }
    }
}

static void
test_format_pads_with_zeros(void **state)
{
    GZT_UNUSED(state);
    char out[11];
    gzt_date_format(20250307, out);
    assert_string_equal(out, "2025-03-07");
    gzt_date_format(10101, out);
    assert_string_equal(out, "0001-01-01");
    gzt_date_format(0, out);
    assert_string_equal(out, "0000-00-00");
}

static void
test_today_is_a_valid_date(void **state)
{
    GZT_UNUSED(state);
    gzt_date t = gzt_date_today();
    assert_true(gzt_date_valid(t));
    assert_true(t >= 20240101);
}

/* parse @p s with today = TODAY and check the range */
static void
check_parse(const char *s, gzt_date from, gzt_date to)
{
    gzt_date f = -1, t = -1;
    int rc = gzt_date_parse(s, strlen(s), TODAY, &f, &t);
    if (rc != GZT_OK || f != from || t != to)
        fail_msg("\"%s\": rc %d, [%d, %d], want [%d, %d]", s, rc, (int)f,
                 (int)t, (int)from, (int)to);
}

static void
check_range(const char *s, gzt_date from, gzt_date to)
{
    gzt_date f = -1, t = -1;
    int rc = gzt_date_parse_range(s, strlen(s), TODAY, &f, &t);
    if (rc != GZT_OK || f != from || t != to)
        fail_msg("\"%s\": rc %d, [%d, %d], want [%d, %d]", s, rc, (int)f,
                 (int)t, (int)from, (int)to);
}

static void
test_absolute_dates_expand_to_their_day_month_or_year(void **state)
{
    GZT_UNUSED(state);
    check_parse("2025-03-07", 20250307, 20250307);
    check_parse("20250307", 20250307, 20250307);
    check_parse("2025-3-7", 20250307, 20250307);
    check_parse("2025-03", 20250301, 20250331);
    check_parse("2025-02", 20250201, 20250228);
    check_parse("2024-02", 20240201, 20240229);
    check_parse("2025", 20250101, 20251231);
    check_parse(" 2024-02-29 ", 20240229, 20240229);
}

static void
test_relative_dates_count_back_from_today(void **state)
{
    GZT_UNUSED(state);
    check_parse("30d", 20250213, TODAY);
    check_parse("0d", TODAY, TODAY);
    check_parse("2w", 20250301, TODAY);
    check_parse("1m", 20250215, TODAY);
    check_parse("3m", 20241215, TODAY);
    check_parse("1y", 20240315, TODAY);
    check_parse("30D", 20250213, TODAY);
    check_parse("today", TODAY, TODAY);
    check_parse("Yesterday", 20250314, 20250314);
    /* absurd counts reach the start of the calendar, not an overflow */
    check_parse("9999999y", 10101, TODAY);
    check_parse("9999999d", 10101, TODAY);
}

static void
test_months_back_clamp_the_day(void **state)
{
    GZT_UNUSED(state);
    gzt_date f, t;
    assert_int_equal(gzt_date_parse("1m", 2, 20250331, &f, &t), GZT_OK);
    assert_int_equal(f, 20250228);
    assert_int_equal(t, 20250331);
    assert_int_equal(gzt_date_parse("1m", 2, 20240331, &f, &t), GZT_OK);
    assert_int_equal(f, 20240229);
    assert_int_equal(gzt_date_parse("1y", 2, 20240229, &f, &t), GZT_OK);
    assert_int_equal(f, 20230228);
    assert_int_equal(gzt_date_parse("13m", 3, 20250115, &f, &t), GZT_OK);
    assert_int_equal(f, 20231215);
}

static void
test_zero_today_means_the_clock(void **state)
{
    GZT_UNUSED(state);
    gzt_date f, t;
    assert_int_equal(gzt_date_parse("today", 5, 0, &f, &t), GZT_OK);
    assert_true(gzt_date_valid(f));
    assert_int_equal(f, t);
    /* absolute dates need no today at all */
    assert_int_equal(gzt_date_parse("2025", 4, 20251399, &f, &t), GZT_OK);
    assert_int_equal(gzt_date_parse("7d", 2, 20251399, &f, &t), GZT_EINVAL);
}

static void
test_ranges_take_the_outer_ends(void **state)
{
    GZT_UNUSED(state);
    check_range("2024..2025", 20240101, 20251231);
    check_range("2025-01..2025-02", 20250101, 20250228);
    check_range("2025-03-07..", 20250307, 99991231);
    check_range("..2024-06", 0, 20240630);
    check_range("30d..", 20250213, 99991231);
    check_range("30d..7d", 20250213, 20250308);
    check_range("..yesterday", 0, 20250314);
    check_range("2025-03-01..today", 20250301, TODAY);
    check_range("2025-03", 20250301, 20250331);
    check_range("7d", 20250308, TODAY);
    check_range(" 2024 .. 2025 ", 20240101, 20251231);
}

static void
test_garbage_is_invalid(void **state)
{
    GZT_UNUSED(state);
    static const char *const bad[] = {
        "2025-13",     "abc",         "",         "..",          "12345678901",
        "2025-02-30",  "2023-02-29",  "20250230", "0000",        "2025-",
        "2025-03-",    "2025-03-7x",  "25-03-07", "2025/03/07",  "d",
        "30x",         "-5d",         "1.5d",     "2025...2026", "1..2..3",
        "2026..2025",  "7d..30d",     "tomorrow", "   ",         "123456789d",
        "2025-003-01", "2025-03-007",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gzt_date f = 1, t = 1;
        int rc = gzt_date_parse_range(bad[i], strlen(bad[i]), TODAY, &f, &t);
        if (rc != GZT_EINVAL)
            fail_msg("\"%s\" gave %d [%d, %d]", bad[i], rc, (int)f, (int)t);
    }
    gzt_date f, t;
    assert_int_equal(gzt_date_parse("2025..2026", 10, TODAY, &f, &t),
                     GZT_EINVAL);
}

static void
test_parse_reads_only_len_bytes(void **state)
{
    GZT_UNUSED(state);
    gzt_date f, t;
    /* the query parser hands over slices of a longer string */
    assert_int_equal(gzt_date_parse("2025-03-07xyz", 7, TODAY, &f, &t), GZT_OK);
    assert_int_equal(f, 20250301);
    assert_int_equal(t, 20250331);
    assert_int_equal(gzt_date_parse_range("2024..2025 rest", 10, TODAY, &f, &t),
                     GZT_OK);
    assert_int_equal(t, 20251231);
}

/* sniff @p text from a heap copy of exactly its length */
static void
sniff(const char *text, gzt_date *date, size_t *skip)
{
    size_t len = strlen(text);
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    gzt_date_sniff(copy, len, date, skip);
    free(copy);
}

static void
check_sniff(const char *text, gzt_date want, size_t want_skip)
{
    gzt_date d = -1;
    size_t skip = 99;
    sniff(text, &d, &skip);
    if (d != want || skip != want_skip)
        fail_msg("\"%.40s\": %d skip %zu, want %d skip %zu", text, (int)d, skip,
                 (int)want, want_skip);
}

static void
test_date_line_prefix_is_sniffed_and_skipped(void **state)
{
    GZT_UNUSED(state);
    const char *a = " date 2025-03-07 TEHRAN – Senior Iranian officials "
                    "said on Friday...";
    gzt_date d;
    size_t skip;
    sniff(a, &d, &skip);
    assert_int_equal(d, 20250307);
    assert_true(strncmp(a + skip, "TEHRAN", 6) == 0);

    const char *b = "date 2025-02-22\nTEHRAN – Russian Foreign Minister "
                    "Sergey Lavrov...";
    sniff(b, &d, &skip);
    assert_int_equal(d, 20250222);
    assert_true(strncmp(b + skip, "TEHRAN", 6) == 0);

    check_sniff("Date: 2025-02-22\r\n\r\nBody", 20250222, 20);
    check_sniff("\n\ndate 7 March 2025\nBody", 20250307, 20);
    check_sniff("date 2025-03-07", 20250307, 15);
}

static void
test_datelines_are_sniffed_but_not_skipped(void **state)
{
    GZT_UNUSED(state);
    check_sniff("Moscow, 30 March 2023 (TDI): Foreign Minister of Russia, "
                "Sergey Lavrov, met...",
                20230330, 0);
    check_sniff("WASHINGTON, March 7, 2025 (Reuters) - The U.S. ...", 20250307,
                0);
    check_sniff("LONDON, 7 Mar 2025 - Britain said...", 20250307, 0);
    check_sniff("2025-03-07 - text", 20250307, 0);
    check_sniff("PARIS, Sept. 3, 2024 (AFP) -", 20240903, 0);
    check_sniff("BERLIN, 1st February, 2024 -", 20240201, 0);
    check_sniff("ROME, DECEMBER 25 2024 -", 20241225, 0);
    check_sniff("Kyiv, oct 9th, 2023 -", 20231009, 0);
    check_sniff("TOKYO, 7\xc2\xa0March\xc2\xa0"
                "2025 -",
                20250307, 0);
    /* the first real date wins */
    check_sniff("ANKARA, 2025-02-30 or rather 2025-02-28", 20250228, 0);
}

static void
test_text_without_a_date_sniffs_nothing(void **state)
{
    GZT_UNUSED(state);
    check_sniff("TEHRAN — Kazem Jalali, Iran’s Ambassador to Russia, said "
                "that the strategic partnership treaty...",
                0, 0);
    check_sniff("", 0, 0);
    check_sniff("date", 0, 0);
    check_sniff("date 2025-02-30 TEHRAN", 0, 0);
    check_sniff("Mayor 7, 2025 was a year", 0, 0);
    check_sniff("In March 2025 the talks resumed", 0, 0);
    check_sniff("call 2025-03-071 now", 0, 0);
    check_sniff("ref 12025-03-07 now", 0, 0);
    check_sniff("on 32 March 2025", 0, 0);
    check_sniff("Summary 7, 2025", 0, 0);
    check_sniff("update2025-03-07", 0, 0);
    gzt_date d = 5;
    size_t skip = 5;
    gzt_date_sniff(NULL, 0, &d, &skip);
    assert_int_equal(d, 0);
    assert_int_equal(skip, 0);
}

static void
test_sniff_looks_only_at_the_first_200_bytes(void **state)
{
    GZT_UNUSED(state);
    char text[400];
    for (size_t at = 150; at < 220; at++) {
        memset(text, 'x', sizeof text);
        text[at - 1] = ' ';
        memcpy(text + at, "2025-03-07", 10);
        text[at + 10] = '\0';
        gzt_date d;
        size_t skip;
        sniff(text, &d, &skip);
        assert_int_equal(d, at + 10 <= 200 ? 20250307 : 0);
    }
}

static void
test_sniff_never_reads_past_len_at_any_cut(void **state)
{
    GZT_UNUSED(state);
    static const char *const texts[] = {
        " date 2025-03-07 TEHRAN",
        "WASHINGTON, March 7, 2025 (Reuters)",
        "Moscow, 30 March 2023 (TDI):",
        "Kyiv, Sept. 9th, 2023",
        "date:\302\2402025", /* octal: \xa0 would swallow 2025 */
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t len = strlen(texts[t]);
        for (size_t cut = 0; cut <= len; cut++) {
            char *copy = malloc(cut ? cut : 1);
            assert_non_null(copy);
            memcpy(copy, texts[t], cut);
            gzt_date d;
            size_t skip;
            gzt_date_sniff(copy, cut, &d, &skip);
            free(copy);
            assert_true(d == 0 || gzt_date_valid(d));
            assert_true(skip <= cut);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leap_days_are_valid_only_in_leap_years),
        cmocka_unit_test(test_add_days_crosses_month_year_and_leap_boundaries),
        cmocka_unit_test(test_add_days_agrees_with_counting_one_day_at_a_time),
        cmocka_unit_test(test_format_pads_with_zeros),
        cmocka_unit_test(test_today_is_a_valid_date),
        cmocka_unit_test(test_absolute_dates_expand_to_their_day_month_or_year),
        cmocka_unit_test(test_relative_dates_count_back_from_today),
        cmocka_unit_test(test_months_back_clamp_the_day),
        cmocka_unit_test(test_zero_today_means_the_clock),
        cmocka_unit_test(test_ranges_take_the_outer_ends),
        cmocka_unit_test(test_garbage_is_invalid),
        cmocka_unit_test(test_parse_reads_only_len_bytes),
        cmocka_unit_test(test_date_line_prefix_is_sniffed_and_skipped),
        cmocka_unit_test(test_datelines_are_sniffed_but_not_skipped),
        cmocka_unit_test(test_text_without_a_date_sniffs_nothing),
        cmocka_unit_test(test_sniff_looks_only_at_the_first_200_bytes),
        cmocka_unit_test(test_sniff_never_reads_past_len_at_any_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
