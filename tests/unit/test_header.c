/* SPDX-License-Identifier: MIT */
/*
 * test_header.c: gazette.h compiles on its own (it is the first include)
 * and its small promises hold: error names, version, option defaults.
 */
#include <gazette.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void
test_every_error_code_has_a_name(void **state)
{
    (void)state;
    for (int code = GZT_OK; code >= GZT_EEXIST; code--) {
        const char *name = gzt_strerror(code);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown error");
    }
    assert_string_equal(gzt_strerror(-1000), "unknown error");
    assert_string_equal(gzt_strerror(1), "unknown error");
}

static void
test_version_is_major_minor_patch(void **state)
{
    (void)state;
    const char *v = gzt_version();
    int dots = 0;
    for (const char *p = v; *p; p++) {
        assert_true((*p >= '0' && *p <= '9') || *p == '.');
        dots += *p == '.';
    }
    assert_int_equal(dots, 2);
}

static void
test_option_defaults_are_the_documented_ones(void **state)
{
    (void)state;
    gzt_search_opts s;
    memset(&s, 0xff, sizeof s);
    gzt_search_opts_init(&s);
    assert_int_equal(s.limit, 10);
    assert_int_equal(s.offset, 0);
    assert_true(s.k1 == 0.9 && s.b == 0.4);
    assert_int_equal(s.sort, GZT_SORT_SCORE);
    gzt_writer_opts w;
    memset(&w, 0xff, sizeof w);
    gzt_writer_opts_init(&w);
    assert_int_equal(w.memory, 256u << 20);
    assert_null(w.language);
    gzt_ingest_opts i;
    memset(&i, 0xff, sizeof i);
    gzt_ingest_opts_init(&i);
    assert_int_equal(i.format, GZT_FORMAT_AUTO);
}

static void
test_languages_list_english_and_none(void **state)
{
    (void)state;
    const char **l = gzt_languages();
    int english = 0, none = 0;
    for (; *l; l++) {
        english += !strcmp(*l, "english");
        none += !strcmp(*l, "none");
    }
    assert_int_equal(english, 1);
    assert_int_equal(none, 1);
}

static void
test_opening_a_missing_index_says_so(void **state)
{
    (void)state;
    gzt_index *idx = (gzt_index *)(uintptr_t)1;
    gzt_error err = {0, "stale"};
    assert_int_equal(gzt_index_open(&idx, "/nonexistent/x.idx", &err),
                     GZT_ENOTFOUND);
    assert_null(idx);
    assert_int_equal(err.code, GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.idx"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_code_has_a_name),
        cmocka_unit_test(test_version_is_major_minor_patch),
        cmocka_unit_test(test_option_defaults_are_the_documented_ones),
        cmocka_unit_test(test_languages_list_english_and_none),
        cmocka_unit_test(test_opening_a_missing_index_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
