/* SPDX-License-Identifier: MIT */
/*
 * test_alloc.c: every allocation of an index run and of a search run fails
 * in turn, and each gives a clean GZT_ENOMEM: no crash, no leak (LeakSanitizer
 * in the sanitizer build), and an index that is still the last committed
 * generation.
 *
 * gzt_mem_fail_after(n) makes the nth allocation through gazette's hook (and
 * every one after it: memory stays short) fail. For each run the
 * allocations are first counted on a clean pass; then for every n the run
 * is repeated with the nth failing (every third n in the sanitizer build,
 * where runs are several times slower). The run must return GZT_ENOMEM with
 * "out of memory" in its message, or succeed when it finished before its
 * nth allocation (a second thread, the stored-document compressor, can
 * shift the count by a few). After an index run the index must pass
 * gzt_index_check() and answer exactly as before the run, or as after it
 * when the failure came once the new manifest was in place.
 *
 * The runs: adding a source, deleting and committing to an existing index
 * (one analysis thread, so that the count is stable); building a new index
 * with entity recognition on (the tagger and gazetteers load, every
 * document is tagged); a reindex; and a search run: opening the index,
 * ranked, counted, date-sorted, explained, phrase, prefix, date and entity
 * queries, a snippet of the first hit, a stored document and the entity
 * facets. Allocations inside libraries (zstd, jansson, Xapian, Snowball)
 * are not under the hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base.h"
#include "gazette.h"
#include "tests/support/indexstate.h"
#include "tests/support/tmpdir.h"

static char root[64];      /* everything of this test */
static char base_idx[128]; /* an index of source a, with entities */
static char src_a[128];    /* a small corpus with names in it */
static char src_b[128];    /* another */

static const char *const queries[] = {"lavrov",        "moscow talks",
                                      "+iran +russia", "\"foreign minister\"",
                                      "treat*",        "person:lavrov"};

static void
write_source(const char *path, const char *prefix, int n)
{
    static const char *const sentences[] = {
        "Russian Foreign Minister Sergei Lavrov met Iranian Foreign "
        "Minister Abbas Araghchi in Moscow for talks on the treaty.",
        "The State Duma ratified the strategic partnership treaty between "
        "Iran and Russia on Tuesday.",
        "OPEC ministers meeting in Vienna agreed to cut crude output as oil "
        "prices fell.",
        "President Vladimir Putin and President Masoud Pezeshkian spoke by "
        "telephone about Syria.",
        "The Bank of Japan kept interest rates unchanged and the yen rose "
        "against the dollar."};
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < n; i++)
        fprintf(f,
                "{\"id\":\"%s%d\",\"title\":\"Report %d\",\"body\":\"%s %s\","
                "\"date\":\"2024-%02d-%02d\"}\n",
                prefix, i, i, sentences[i % 5], sentences[(i * 3 + 1) % 5],
                i % 12 + 1, i % 28 + 1);
    assert_int_equal(fclose(f), 0);
}

/* ---- the runs ------------------------------------------------------------ */

typedef int (*run_fn)(const char *dir, gzt_error *err);

static void
wopts(gzt_writer_opts *o)
{
    gzt_writer_opts_init(o);
    o->jobs = 1;
}

static int
run_add(const char *dir, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    gzt_writer *w = NULL;
    int rc = gzt_writer_open(&w, dir, &o, err);
    if (rc == GZT_OK)
        rc = gzt_writer_add_path(w, src_b, NULL, NULL, err);
    if (rc == GZT_OK)
        rc = gzt_writer_delete(w, "a1", err);
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
    gzt_writer_close(w);
    return rc;
}

static int
run_create(const char *dir, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    gzt_writer *w = NULL;
    int rc = gzt_writer_open(&w, dir, &o, err);
    if (rc == GZT_OK)
        rc = gzt_writer_add_path(w, src_a, NULL, NULL, err);
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
    gzt_writer_close(w);
    return rc;
}

static int
run_reindex(const char *dir, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    return gzt_reindex(dir, &o, NULL, NULL, err);
}

static int
search_one(gzt_index *idx, const char *q, int variant, gzt_error *err)
{
    gzt_search_opts so;
    gzt_search_opts_init(&so);
    so.count_only = variant == 1;
    so.sort = variant == 2 ? GZT_SORT_DATE : GZT_SORT_SCORE;
    so.explain = variant == 3;
    so.fast_topk = variant == 4;
    if (variant == 5) {
        so.since = 20240301;
        so.until = 20241031;
    }
    gzt_results *r = NULL;
    int rc = gzt_search(&r, idx, q, &so, err);
    if (rc == GZT_OK && gzt_results_count(r) > 0) {
        gzt_snippet sn;
        if ((rc = gzt_results_snippet(&sn, r, 0, 0, err)) == GZT_OK)
            gzt_snippet_fini(&sn);
    }
    gzt_results_free(r);
    return rc;
}

static int
run_search(const char *dir, gzt_error *err)
{
    gzt_index *idx = NULL;
    int rc = gzt_index_open(&idx, dir, err);
    for (size_t q = 0; q < sizeof queries / sizeof *queries && rc == GZT_OK;
         q++)
        for (int v = 0; v < 6 && rc == GZT_OK; v++)
            rc = search_one(idx, queries[q], v, err);
    if (rc == GZT_OK) {
        gzt_stored s;
        if ((rc = gzt_index_get(&s, idx, "a2", err)) == GZT_OK)
            gzt_stored_fini(&s);
    }
    gzt_facets *f = NULL;
    if (rc == GZT_OK)
        rc = gzt_index_entities(&f, idx, "treaty", NULL, 0, 10, err);
    gzt_facets_free(f);
    gzt_index_close(idx);
    return rc;
}

/* ---- the sweep ----------------------------------------------------------- */

static char *
answers(const char *dir)
{
    return gzt_test_answers(dir, queries, sizeof queries / sizeof *queries,
                            "a2");
}

/* Fail each allocation of @p run in turn on copies of @p from (NULL: no
 * index); @p writes: the run changes the index. */
static void
sweep(const char *name, run_fn run, const char *from, bool writes)
{
    char trial[160];
    snprintf(trial, sizeof trial, "%s/trial", root);
    if (from)
        gzt_test_copy_tree(from, trial);
    else
        gzt_test_remove_tree(trial);
    char *old = from ? answers(from) : strdup("absent");
    gzt_error err = {0};
    (void)gzt_mem_fail_after(0);
    int rc = run(trial, &err);
    long calls = gzt_mem_fail_after(0);
    if (rc)
        fail_msg("%s: clean run: %s", name, err.msg);
    char *new = answers(trial);
    assert_true(calls > 10);
    /* under the sanitizers (several times slower) every third one */
    const char *san = getenv("GZT_SANITIZE");
    long step = san && *san && strcmp(san, "0") != 0 ? 3 : 1, failed = 0;
    for (long n = 1; n <= calls; n += step) {
        if (writes) {
            if (from)
                gzt_test_copy_tree(from, trial);
            else
                gzt_test_remove_tree(trial);
        }
        gzt_err_clear(&err);
        (void)gzt_mem_fail_after(n);
        rc = run(trial, &err);
        long seen = gzt_mem_fail_after(0);
        if (rc == GZT_OK) {
            if (seen >= n)
                fail_msg("%s: allocation %ld of %ld failed, and the run "
                         "succeeded",
                         name, n, calls);
            continue;
        }
        failed++;
        if (rc != GZT_ENOMEM || !strstr(err.msg, "out of memory"))
            fail_msg("%s: allocation %ld of %ld: %s (%d), not GZT_ENOMEM", name,
                     n, calls, err.msg, rc);
        if (!writes)
            continue;
        char *got = answers(trial);
        if (strcmp(got, old) != 0 && strcmp(got, new) != 0)
            fail_msg("%s: allocation %ld: the index answers neither as "
                     "before nor as after the run:\n%s",
                     name, n, got);
        if (strcmp(got, "absent") != 0)
            gzt_test_check_ok(trial);
        free(got);
    }
    print_message("%s: %ld allocations, every %s failed in turn: %ld clean "
                  "GZT_ENOMEM\n",
                  name, calls, step == 1 ? "one" : "third one", failed);
    free(old);
    free(new);
    gzt_test_remove_tree(trial);
}

/* ---- set-up and tests --------------------------------------------------- */

static int
setup(void **state)
{
    (void)state;
    gzt_test_tmpdir_new(root, "alloc");
    snprintf(src_a, sizeof src_a, "%s/a.jsonl", root);
    snprintf(src_b, sizeof src_b, "%s/b.jsonl", root);
    write_source(src_a, "a", 12);
    write_source(src_b, "b", 6);
    snprintf(base_idx, sizeof base_idx, "%s/base", root);
    gzt_error err = {0};
    if (run_create(base_idx, &err))
        fail_msg("base: %s", err.msg);
    gzt_test_check_ok(base_idx);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    (void)gzt_mem_fail_after(0);
    gzt_test_tmpdir_remove(root);
    return 0;
}

static void
test_every_allocation_of_an_add_fails_cleanly(void **state)
{
    (void)state;
    sweep("add", run_add, base_idx, true);
}

static void
test_every_allocation_of_a_new_index_with_entities_fails_cleanly(void **state)
{
    (void)state;
    sweep("create", run_create, NULL, true);
}

static void
test_every_allocation_of_a_reindex_fails_cleanly(void **state)
{
    (void)state;
    sweep("reindex", run_reindex, base_idx, true);
}

static void
test_every_allocation_of_a_search_run_fails_cleanly(void **state)
{
    (void)state;
    sweep("search", run_search, base_idx, false);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_of_an_add_fails_cleanly),
        cmocka_unit_test(
            test_every_allocation_of_a_new_index_with_entities_fails_cleanly),
        cmocka_unit_test(test_every_allocation_of_a_reindex_fails_cleanly),
        cmocka_unit_test(test_every_allocation_of_a_search_run_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
