/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c: every write, fsync, rename, create and mkdir of a writer's
 * job fails in turn, and the index loses nothing.
 *
 * A base index (two sources, two segments, deletions) is built once. Each
 * job (add a source, delete, replace changed documents, optimize, reindex,
 * create a new index, and an add on the Xapian engine) is first run cleanly
 * while gzt_io_fault() counts its I/O operations; then, for every n, the
 * base is copied and the job run again with its nth operation failing:
 * once with EIO, and with ENOSPC that stays (a full disk). Each trial must
 *
 *  - return an error whose message carries the system's words for it
 *    ("Input/output error", "No space left on device"),
 *  - leave an index that passes gzt_index_check() and answers a fixed set
 *    of queries (counts, top-10 ids and scores, a stored body) exactly as
 *    the base did, or exactly as the clean run did when the failure came
 *    after the new manifest was renamed into place,
 *  - leave no file the state it ended in does not own (native engine),
 *  - and let the same job then run to the end without a fault.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base.h"
#include "common/io.h"
#include "gazette.h"
#include "tests/support/indexstate.h"
#include "tests/support/tmpdir.h"

#define NDOCS 40

static char root[64];       /* everything of this test */
static char base_idx[128];  /* the base index */
static char xbase_idx[128]; /* the base index, Xapian engine */
static char src[3][128];    /* sources a, b, c */
static char changed_a[128]; /* source a with some documents changed */
static const char *engine;  /* of the job being run */

static const char *const words[] = {
    "oil",   "prices", "opec",   "tehran", "moscow", "treaty",
    "grain", "wheat",  "bank",   "rates",  "export", "talks",
    "duma",  "crude",  "barrel", "yen",    "dollar"};

/* write @p n JSON Lines documents with ids PREFIX0.. to @p path; @p salt
 * changes the text of every third document */
static void
write_source(const char *path, const char *prefix, int n, int salt)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    size_t nw = sizeof words / sizeof *words;
    for (int i = 0; i < n; i++) {
        int s = i % 3 == 0 ? salt : 0;
        fprintf(f,
                "{\"id\":\"%s%d\",\"title\":\"%s %s\",\"body\":\"%s %s %s "
                "%s report number %d\",\"date\":\"2020-%02d-%02d\"}\n",
                prefix, i, words[(i + s) % nw], words[(i * 7 + 3) % nw],
                words[(i * 3 + s) % nw], words[(i * 5 + 1) % nw],
                words[(i * 11 + 2) % nw], words[(i + 4) % nw], i + s,
                i % 12 + 1, i % 28 + 1);
    }
    assert_int_equal(fclose(f), 0);
}

static void
wopts(gzt_writer_opts *o)
{
    gzt_writer_opts_init(o);
    o->entities = 0;
    o->engine = engine;
}

/* ---- the jobs ------------------------------------------------------------ */

/* Each runs one writer job on @p dir and returns its first error. */
typedef int (*job_fn)(const char *dir, gzt_error *err);

static int
add_source(const char *dir, const char *path, int optimize, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    o.optimize = optimize;
    gzt_writer *w = NULL;
    int rc = gzt_writer_open(&w, dir, &o, err);
    if (rc == GZT_OK)
        rc = gzt_writer_add_path(w, path, NULL, NULL, err);
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
    gzt_writer_close(w);
    return rc;
}

static int
job_add(const char *dir, gzt_error *err)
{
    return add_source(dir, src[2], 0, err);
}

static int
job_replace(const char *dir, gzt_error *err)
{
    return add_source(dir, changed_a, 0, err);
}

static int
job_optimize(const char *dir, gzt_error *err)
{
    return add_source(dir, src[2], 1, err);
}

static int
job_create(const char *dir, gzt_error *err)
{
    return add_source(dir, src[0], 0, err);
}

static int
job_delete(const char *dir, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    gzt_writer *w = NULL;
    int rc = gzt_writer_open(&w, dir, &o, err);
    for (int i = 1; i < NDOCS && rc == GZT_OK; i += 4) {
        char id[32];
        snprintf(id, sizeof id, "b%d", i);
        rc = gzt_writer_delete(w, id, err);
    }
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
    gzt_writer_close(w);
    return rc;
}

static int
job_reindex(const char *dir, gzt_error *err)
{
    gzt_writer_opts o;
    wopts(&o);
    return gzt_reindex(dir, &o, NULL, NULL, err);
}

/* ---- what an index answers ---------------------------------------------- */

static const char *const queries[] = {
    "oil",          "opec prices", "+tehran +moscow", "\"crude barrel\"",
    "bank -dollar", "report",      "treaty talks",    "yen OR wheat"};

static char *
answers(const char *dir)
{
    return gzt_test_answers(dir, queries, sizeof queries / sizeof *queries,
                            "a3");
}

/* ---- the sweep ----------------------------------------------------------- */

/* Fail every I/O operation of @p job in turn, started from @p from (NULL:
 * no index). Returns the number of operations. */
static unsigned long
sweep(const char *name, job_fn job, const char *from)
{
    char trial[160], clean[160];
    snprintf(trial, sizeof trial, "%s/trial", root);
    snprintf(clean, sizeof clean, "%s/clean", root);
    bool listings = strcmp(engine, "native") == 0;

    /* the clean run: what the job makes, and how many steps it takes */
    if (from)
        gzt_test_copy_tree(from, clean);
    else
        gzt_test_remove_tree(clean);
    char *old = from ? answers(from) : strdup("absent");
    char *old_files = from ? gzt_test_listing(from) : strdup("");
    gzt_error err = {0};
    (void)gzt_io_fault(GZT_IO_ALL, 0, 0, false);
    int rc = job(clean, &err);
    unsigned long ops = gzt_io_fault(0, 0, 0, false);
    if (rc)
        fail_msg("%s: clean run: %s", name, err.msg);
    gzt_test_check_ok(clean);
    char *new = answers(clean);
    char *new_files = gzt_test_listing(clean);
    assert_string_not_equal(old, new);
    assert_true(ops > 3);

    static const int errnos[2] = {EIO, ENOSPC};
    unsigned long kept_old = 0, kept_new = 0;
    for (unsigned long n = 1; n <= ops; n++) {
        for (int m = 0; m < 2; m++) {
            if (from)
                gzt_test_copy_tree(from, trial);
            else
                gzt_test_remove_tree(trial);
            gzt_err_clear(&err);
            (void)gzt_io_fault(GZT_IO_ALL, n, errnos[m], m == 1);
            rc = job(trial, &err);
            unsigned long seen = gzt_io_fault(0, 0, 0, false);
            if (rc == GZT_OK) {
                /* threads may order the operations differently: the
                 * fault was never reached */
                if (seen >= n)
                    fail_msg("%s: operation %lu of %lu failed with %s, and "
                             "the job succeeded",
                             name, n, ops, strerror(errnos[m]));
                continue;
            }
            if (!strstr(err.msg, strerror(errnos[m])))
                fail_msg("%s: operation %lu: message without '%s': %s", name, n,
                         strerror(errnos[m]), err.msg);
            char *got = answers(trial);
            bool is_old = strcmp(got, old) == 0;
            bool is_new = strcmp(got, new) == 0;
            if (!is_old && !is_new)
                fail_msg("%s: operation %lu (%s): the index answers neither "
                         "as before nor as after the job:\n%s\n--- before:\n"
                         "%s",
                         name, n, strerror(errnos[m]), got, old);
            if (strcmp(got, "absent") != 0)
                gzt_test_check_ok(trial);
            if (listings) {
                char *files = gzt_test_listing(trial);
                if (strcmp(files, is_new ? new_files : old_files) != 0)
                    fail_msg("%s: operation %lu (%s): files left:\n%s\n"
                             "--- expected:\n%s",
                             name, n, strerror(errnos[m]), files,
                             is_new ? new_files : old_files);
                free(files);
            }
            kept_new += is_new;
            kept_old += is_old;
            if (is_old) {
                /* and the job goes through once the disk is well */
                gzt_err_clear(&err);
                if (job(trial, &err))
                    fail_msg("%s: after operation %lu failed: %s", name, n,
                             err.msg);
                char *again = answers(trial);
                assert_string_equal(again, new);
                free(again);
                gzt_test_check_ok(trial);
            }
            free(got);
        }
    }
    print_message("%s (%s): %lu operations, each failed twice: %lu times "
                  "the old generation stayed, %lu times the new one was in "
                  "place\n",
                  name, engine, ops, kept_old, kept_new);
    /* the manifest's rename comes before its directory's fsync: a failure
     * of that fsync leaves the new generation */
    assert_true(kept_old > 0);
    free(old);
    free(new);
    free(old_files);
    free(new_files);
    gzt_test_remove_tree(clean);
    gzt_test_remove_tree(trial);
    return ops;
}

/* ---- set-up ------------------------------------------------------------- */

static void
build_base(const char *dir)
{
    gzt_error err = {0};
    if (add_source(dir, src[0], 0, &err) || add_source(dir, src[1], 0, &err))
        fail_msg("base: %s", err.msg);
    gzt_writer_opts o;
    wopts(&o);
    gzt_writer *w = NULL;
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "a5", &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "b6", &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    gzt_test_check_ok(dir);
}

static int
setup(void **state)
{
    (void)state;
    gzt_test_tmpdir_new(root, "faults");
    for (int k = 0; k < 3; k++) {
        snprintf(src[k], sizeof src[k], "%s/%c.jsonl", root, 'a' + k);
        char prefix[2] = {(char)('a' + k), 0};
        write_source(src[k], prefix, NDOCS, 0);
    }
    snprintf(changed_a, sizeof changed_a, "%s/a2.jsonl", root);
    write_source(changed_a, "a", NDOCS, 5);
    snprintf(base_idx, sizeof base_idx, "%s/base", root);
    snprintf(xbase_idx, sizeof xbase_idx, "%s/xbase", root);
    engine = "native";
    build_base(base_idx);
    engine = "xapian";
    build_base(xbase_idx);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    (void)gzt_io_fault(0, 0, 0, false);
    gzt_test_tmpdir_remove(root);
    return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_a_failing_add_keeps_the_last_generation(void **state)
{
    (void)state;
    engine = "native";
    sweep("add", job_add, base_idx);
}

static void
test_a_failing_delete_keeps_the_last_generation(void **state)
{
    (void)state;
    engine = "native";
    sweep("delete", job_delete, base_idx);
}

static void
test_a_failing_replacement_keeps_the_last_generation(void **state)
{
    (void)state;
    engine = "native";
    sweep("replace", job_replace, base_idx);
}

static void
test_a_failing_optimize_keeps_the_last_generation(void **state)
{
    (void)state;
    engine = "native";
    sweep("optimize", job_optimize, base_idx);
}

static void
test_a_failing_reindex_keeps_the_last_generation(void **state)
{
    (void)state;
    engine = "native";
    sweep("reindex", job_reindex, base_idx);
}

static void
test_a_failing_first_commit_leaves_no_index(void **state)
{
    (void)state;
    engine = "native";
    sweep("create", job_create, NULL);
}

static void
test_a_failing_add_keeps_the_last_generation_on_xapian(void **state)
{
    (void)state;
    engine = "xapian";
    sweep("add", job_add, xbase_idx);
    sweep("reindex", job_reindex, xbase_idx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_failing_add_keeps_the_last_generation),
        cmocka_unit_test(test_a_failing_delete_keeps_the_last_generation),
        cmocka_unit_test(test_a_failing_replacement_keeps_the_last_generation),
        cmocka_unit_test(test_a_failing_optimize_keeps_the_last_generation),
        cmocka_unit_test(test_a_failing_reindex_keeps_the_last_generation),
        cmocka_unit_test(test_a_failing_first_commit_leaves_no_index),
        cmocka_unit_test(
            test_a_failing_add_keeps_the_last_generation_on_xapian),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
