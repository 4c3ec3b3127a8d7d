/* SPDX-License-Identifier: MIT */
/*
 * test_xindex.c: the life of a Xapian-engine index through the public API,
 * with its shard databases touched directly (through the shim) to stage
 * what a crash would leave:
 *
 *  - a commit interrupted between shards (one shard a generation ahead):
 *    gazette check names it, a writer refuses to build on it, and when
 *    every shard is one ahead (a crash between the shards' commits and the
 *    manifest's) the next writer catches the manifest up;
 *  - leftovers: Xapian databases named shard-* that no manifest names go
 *    at the next commit, other directories stay;
 *  - a reader opened before a reindex keeps answering from its shards
 *    after the reindex removed them, and a new reader sees the new ones;
 *  - an uncommitted update is dropped when the writer closes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/support/tmpdir.h"
#include "common/xapian.h"
#include "gazette.h"

static const char *const words[] = {
    "iran russia treaty", "lavrov tehran visit", "oil prices rise",
    "moscow talks iran",  "wheat exports fall",  "duma ratifies treaty",
};

/* an index of the six documents above over @p shards shards */
static void
build(const char *idx, uint32_t shards)
{
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.engine = "xapian";
    o.shards = shards;
    o.entities = 0;
    gzt_writer *w;
    gzt_error err;
    assert_int_equal(gzt_writer_open(&w, idx, &o, &err), GZT_OK);
    for (size_t i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%zu", i);
        gzt_doc d = {id, NULL, 0, words[i], strlen(words[i]), 20250101, NULL};
        assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_OK);
    }
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
}

static uint64_t
count(const char *idx, const char *q)
{
    gzt_index *r;
    gzt_error err;
    assert_int_equal(gzt_index_open(&r, idx, &err), GZT_OK);
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.count_only = 1;
    gzt_results *res;
    assert_int_equal(gzt_search(&res, r, q, &o, &err), GZT_OK);
    uint64_t n = gzt_results_total(res);
    gzt_results_free(res);
    gzt_index_close(r);
    return n;
}

static uint64_t
generation(const char *idx)
{
    gzt_index *r;
    gzt_error err;
    assert_int_equal(gzt_index_open(&r, idx, &err), GZT_OK);
    gzt_stats st;
    assert_int_equal(gzt_index_stats(r, &st), GZT_OK);
    gzt_index_close(r);
    return st.generation;
}

/* set shard @p k's recorded generation to @p gen, as a commit would */
static void
stamp(const char *idx, unsigned k, uint64_t gen)
{
    char p[128], g[24];
    snprintf(p, sizeof p, "%s/shard-%u", idx, k);
    snprintf(g, sizeof g, "%llu", (unsigned long long)gen);
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, p, GZT_XDB_WRITE, 0, &err), GZT_OK);
    assert_int_equal(gzt_xdb_set_meta(db, GZT_XMETA_GENERATION, g), GZT_OK);
    assert_int_equal(gzt_xdb_commit(db), GZT_OK);
    gzt_xdb_close(db);
}

static void
test_an_interrupted_commit_is_seen(void **state)
{
    (void)state;
    char dir[64], idx[96];
    gzt_test_tmpdir_new(dir, "xindex");
    snprintf(idx, sizeof idx, "%s/x.idx", dir);
    build(idx, 2);
    gzt_error err;
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_OK);
    uint64_t gen = generation(idx);
    /* shard 1 committed the next generation, shard 0 did not */
    stamp(idx, 1, gen + 1);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, "interrupted"));
    assert_non_null(strstr(err.msg, "shard-1"));
    gzt_writer *w;
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, "reindex"));
    /* both did, the manifest did not: the index is whole (check says so)
     * and the next writer catches the manifest up */
    stamp(idx, 0, gen + 1);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "d0", &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    assert_int_equal(generation(idx), gen + 2);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_OK);
    assert_int_equal(count(idx, "treaty"), 1);
    /* reindex rebuilds from nothing: the documents came from no source,
     * so it refuses, and the index stays */
    assert_int_not_equal(gzt_reindex(idx, NULL, NULL, NULL, &err), GZT_OK);
    assert_int_equal(count(idx, "iran"), 1);
    gzt_test_tmpdir_remove(dir);
}

static bool
exists(const char *dir, const char *name)
{
    char p[160];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void
test_leftovers_go_at_the_next_commit(void **state)
{
    (void)state;
    char dir[64], idx[96], p[160];
    gzt_test_tmpdir_new(dir, "xindex");
    snprintf(idx, sizeof idx, "%s/x.idx", dir);
    build(idx, 1);
    /* what a killed build would leave: a database no manifest names; and
     * a directory of the user's that is no database */
    snprintf(p, sizeof p, "%s/shard-3.g9", idx);
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, p, GZT_XDB_CREATE, 0, &err), GZT_OK);
    gzt_xdb_close(db);
    snprintf(p, sizeof p, "%s/shard-notes", idx);
    assert_int_equal(mkdir(p, 0755), 0);
    gzt_writer *w;
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "d1", &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    assert_false(exists(idx, "shard-3.g9"));
    assert_true(exists(idx, "shard-notes"));
    assert_true(exists(idx, "shard-0"));
    assert_int_equal(count(idx, "lavrov"), 0);
    gzt_test_tmpdir_remove(dir);
}

static int
on_source_files(const char *dir)
{
    char p[160];
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/d%zu.txt", dir, i);
        FILE *f = fopen(p, "w");
        if (!f || fputs(words[i], f) < 0 || fclose(f) != 0)
            return -1;
    }
    return 0;
}

static void
test_reindex_with_a_reader_open_and_uncommitted_updates(void **state)
{
    (void)state;
    char dir[64], src[96], idx[96];
    gzt_test_tmpdir_new(dir, "xindex");
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(idx, sizeof idx, "%s/x.idx", dir);
    assert_int_equal(mkdir(src, 0755), 0);
    assert_int_equal(on_source_files(src), 0);
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.engine = "xapian";
    o.shards = 2;
    o.entities = 0;
    gzt_writer *w;
    gzt_error err;
    assert_int_equal(gzt_writer_open(&w, idx, &o, &err), GZT_OK);
    assert_int_equal(gzt_writer_add_path(w, src, NULL, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    /* an update that is never committed is dropped */
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "d0.txt", &err), GZT_OK);
    gzt_writer_close(w);
    assert_int_equal(count(idx, "treaty"), 2);
    /* a reader opened before a reindex into 3 shards */
    gzt_index *old;
    assert_int_equal(gzt_index_open(&old, idx, &err), GZT_OK);
    o.engine = NULL;
    o.shards = 3;
    o.entities = -1;
    assert_int_equal(gzt_reindex(idx, &o, NULL, NULL, &err), GZT_OK);
    assert_false(exists(idx, "shard-0"));
    gzt_search_opts so;
    gzt_search_opts_init(&so);
    gzt_results *res;
    assert_int_equal(gzt_search(&res, old, "iran", &so, &err), GZT_OK);
    assert_int_equal(gzt_results_total(res), 2);
    gzt_snippet sn;
    assert_int_equal(gzt_results_snippet(&sn, res, 0, 0, &err), GZT_OK);
    gzt_snippet_fini(&sn);
    gzt_results_free(res);
    gzt_index_close(old);
    gzt_index *r;
    assert_int_equal(gzt_index_open(&r, idx, &err), GZT_OK);
    gzt_stats st;
    assert_int_equal(gzt_index_stats(r, &st), GZT_OK);
    assert_int_equal(st.shards, 3);
    assert_int_equal(st.docs, 6);
    gzt_index_close(r);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_OK);
    gzt_test_tmpdir_remove(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_interrupted_commit_is_seen),
        cmocka_unit_test(test_leftovers_go_at_the_next_commit),
        cmocka_unit_test(
            test_reindex_with_a_reader_open_and_uncommitted_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
