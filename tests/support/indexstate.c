/* SPDX-License-Identifier: MIT */
/*
 * indexstate.c: what an index answers and holds, as text (see
 * indexstate.h).
 */
#define _XOPEN_SOURCE 700
#include "tests/support/indexstate.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base.h"
#include "gazette.h"

char *
gzt_test_answers(const char *dir, const char *const *queries, size_t nqueries,
                 const char *id)
{
    gzt_buf b = GZT_BUF_INIT;
    gzt_index *idx = NULL;
    gzt_error err = {0};
    int rc = gzt_index_open(&idx, dir, &err);
    if (rc == GZT_ENOTFOUND) {
        assert_int_equal(gzt_buf_printf(&b, "absent"), GZT_OK);
    } else {
        if (rc)
            fail_msg("open %s: %s", dir, err.msg);
        gzt_stats st;
        assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
        assert_int_equal(
            gzt_buf_printf(&b, "docs %llu\n", (unsigned long long)st.docs),
            GZT_OK);
        for (size_t q = 0; q < nqueries; q++) {
            gzt_search_opts so;
            gzt_search_opts_init(&so);
            gzt_results *r = NULL;
            if (gzt_search(&r, idx, queries[q], &so, &err))
                fail_msg("search %s: %s", queries[q], err.msg);
            assert_int_equal(
                gzt_buf_printf(&b, "%s: %llu", queries[q],
                               (unsigned long long)gzt_results_total(r)),
                GZT_OK);
            for (size_t i = 0; i < gzt_results_count(r); i++) {
                gzt_hit h;
                assert_int_equal(gzt_results_hit(r, i, &h), GZT_OK);
                assert_int_equal(gzt_buf_printf(&b, " %s/%.6f", h.id, h.score),
                                 GZT_OK);
            }
            assert_int_equal(gzt_buf_printf(&b, "\n"), GZT_OK);
            gzt_results_free(r);
        }
        gzt_stored s;
        rc = id ? gzt_index_get(&s, idx, id, &err) : GZT_ENOTFOUND;
        assert_true(rc == GZT_OK || rc == GZT_ENOTFOUND);
        if (rc == GZT_OK) {
            assert_int_equal(
                gzt_buf_printf(&b, "%s: %.*s\n", id, (int)s.body_len, s.body),
                GZT_OK);
            gzt_stored_fini(&s);
        }
        gzt_index_close(idx);
    }
    assert_int_equal(gzt_buf_nul(&b), GZT_OK);
    return (char *)b.p;
}

char *
gzt_test_listing(const char *dir)
{
    DIR *d = opendir(dir);
    char *names[256];
    size_t n = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' && strcmp(e->d_name, "LOCK") != 0) {
                assert_true(n < 256);
                names[n++] = strdup(e->d_name);
            }
        closedir(d);
    }
    for (size_t i = 1; i < n; i++) /* insertion sort */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    gzt_buf b = GZT_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(gzt_buf_printf(&b, "%s\n", names[i]), GZT_OK);
        free(names[i]);
    }
    assert_int_equal(gzt_buf_nul(&b), GZT_OK);
    return (char *)b.p;
}

void
gzt_test_check_ok(const char *dir)
{
    gzt_error err = {0};
    int rc = gzt_index_check(dir, NULL, NULL, &err);
    if (rc)
        fail_msg("check %s: %s", dir, err.msg);
}

void
gzt_test_copy_tree(const char *from, const char *to)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
    assert_int_equal(system(cmd), 0);
}

void
gzt_test_remove_tree(const char *path)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}
