/* SPDX-License-Identifier: MIT */
/*
 * test_writer.c: the writer and reader of the public API (gzt_writer_*,
 * gzt_reindex, gzt_index_*, gzt_search) on small synthetic documents and on
 * corpus/.
 *
 * What is checked is what a user relies on: what a commit makes visible and
 * what it does not (uncommitted batches, closed writers, readers opened
 * earlier), how re-adding, replacing and deleting documents count, that the
 * merge policy bounds the number of segments without changing a single
 * ranked result or score against an index built in one segment, that the
 * lock keeps a second writer out, and that prune and reindex follow the
 * sources. Every index a test builds ends with gzt_index_check() and, where
 * files could be left behind, a listing of the directory.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/tmpdir.h"
#include "common/io.h"
#include "gazette.h"

/* ---- helpers ------------------------------------------------------------ */

/* xorshift64: deterministic, so a failure reproduces */
static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32) % n;
}

/* errors keep the first message: clear between expected failures */
static void
err_clear(gzt_error *e)
{
    e->code = GZT_OK;
    e->msg[0] = '\0';
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in @p dir, sorted, space-separated, in @p out */
static void
list_dir(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        assert_true(n < 512);
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + len, cap - len, "%s%s", i ? " " : "", names[i]);
        assert_true(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
        free(names[i]);
    }
}

static gzt_writer *
wopen(const char *path, size_t memory)
{
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    if (memory)
        o.memory = memory;
    gzt_writer *w = NULL;
    gzt_error err = {0};
    int rc = gzt_writer_open(&w, path, &o, &err);
    if (rc)
        fail_msg("writer open: %s", err.msg);
    assert_non_null(w);
    return w;
}

static gzt_add_result
add(gzt_writer *w, const char *id, const char *title, const char *body,
    gzt_date date)
{
    gzt_doc d = {
        id,   title, title ? strlen(title) : 0, body, body ? strlen(body) : 0,
        date, NULL};
    gzt_add_result r = (gzt_add_result)-1;
    gzt_error err = {0};
    int rc = gzt_writer_add(w, &d, &r, &err);
    if (rc)
        fail_msg("add %s: %s", id, err.msg);
    return r;
}

static void
commit(gzt_writer *w)
{
    gzt_error err = {0};
    int rc = gzt_writer_commit(w, &err);
    if (rc)
        fail_msg("commit: %s", err.msg);
}

static gzt_index *
iopen(const char *path)
{
    gzt_index *idx = NULL;
    gzt_error err = {0};
    int rc = gzt_index_open(&idx, path, &err);
    if (rc)
        fail_msg("index open: %s", err.msg);
    return idx;
}

static void
check_ok(const char *path)
{
    gzt_error err = {0};
    int rc = gzt_index_check(path, NULL, NULL, &err);
    if (rc)
        fail_msg("check: %s", err.msg);
}

static gzt_stats
stats(const gzt_index *idx)
{
    gzt_stats s;
    assert_int_equal(gzt_index_stats(idx, &s), GZT_OK);
    return s;
}

/* a ranked list: ids and scores */
typedef struct ranked {
    size_t n;        /* hits held */
    uint64_t total;  /* matches */
    char **ids;      /* external ids */
    double *scores;  /* scores */
    gzt_date *dates; /* dates */
} ranked;

static ranked
search_sorted(gzt_index *idx, const char *q, gzt_sort sort)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = 100000;
    o.sort = sort;
    gzt_results *res = NULL;
    gzt_error err = {0};
    int rc = gzt_search(&res, idx, q, &o, &err);
    if (rc)
        fail_msg("search '%s': %s", q, err.msg);
    ranked r = {0};
    r.n = gzt_results_count(res);
    r.total = gzt_results_total(res);
    assert_int_equal(r.n, r.total);
    r.ids = calloc(r.n + 1, sizeof *r.ids);
    r.scores = calloc(r.n + 1, sizeof *r.scores);
    r.dates = calloc(r.n + 1, sizeof *r.dates);
    assert_non_null(r.ids);
    assert_non_null(r.scores);
    assert_non_null(r.dates);
    for (size_t i = 0; i < r.n; i++) {
        gzt_hit h;
        assert_int_equal(gzt_results_hit(res, i, &h), GZT_OK);
        assert_int_equal(h.rank, i + 1);
        r.ids[i] = strdup(h.id);
        r.scores[i] = h.score;
        r.dates[i] = h.date;
    }
    gzt_results_free(res);
    return r;
}

static ranked
search(gzt_index *idx, const char *q)
{
    return search_sorted(idx, q, GZT_SORT_SCORE);
}

static void
ranked_free(ranked *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->ids[i]);
    free(r->ids);
    free(r->scores);
    free(r->dates);
    memset(r, 0, sizeof *r);
}

/* @p q finds exactly the space-separated ids @p want, in that order */
static void
expect(gzt_index *idx, const char *q, const char *want)
{
    ranked r = search(idx, q);
    char got[4096] = "";
    size_t len = 0;
    for (size_t i = 0; i < r.n; i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s",
                                i ? " " : "", r.ids[i]);
    if (strcmp(got, want) != 0)
        fail_msg("query '%s': got '%s', want '%s'", q, got, want);
    ranked_free(&r);
}

static void
assert_ranked_equal(const ranked *a, const ranked *b, const char *q)
{
    if (a->total != b->total)
        fail_msg("query '%s': %llu vs %llu matches", q,
                 (unsigned long long)a->total, (unsigned long long)b->total);
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->ids[i], b->ids[i]) != 0 || a->scores[i] != b->scores[i])
            fail_msg("query '%s' rank %zu: %s %.17g vs %s %.17g", q, i + 1,
                     a->ids[i], a->scores[i], b->ids[i], b->scores[i]);
    }
}

/* The same ranked list but for the order within runs of equal keys (the
 * score, and the date too in date orders): the ids of each run as sets. */
/* synthetic text: words from a small vocabulary with a skewed
 * distribution, so that scores differ and some words are rare */
static const char *const vocab[] = {
    "tehran",   "moscow",     "treaty",   "sanctions", "minister",
    "summit",   "pipeline",   "election", "ceasefire", "harbour",
    "drought",  "tariff",     "embassy",  "protest",   "budget",
    "refinery", "satellite",  "verdict",  "monsoon",   "glacier",
    "uranium",  "wheat",      "copper",   "ferry",     "parliament",
    "strike",   "inflation",  "border",   "vaccine",   "festival",
    "quarry",   "lighthouse", "zeppelin", "obsidian",  "marmalade",
    "kestrel",
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static void
make_text(char *out, size_t cap, uint32_t words)
{
    size_t len = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < words && len + 16 < cap; i++) {
        uint32_t a = rnd(NVOCAB), b = rnd(NVOCAB);
        const char *w = vocab[a < b ? a : b];
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", w);
        if (rnd(9) == 0)
            len += (size_t)snprintf(out + len, cap - len, ".");
    }
}

static const char *const queries[] = {
    "tehran",
    "kestrel",
    "zeppelin obsidian",
    "treaty sanctions minister",
    "+moscow +summit",
    "\"pipeline election\"",
    "\"tehran moscow\"~3",
    "border -vaccine",
    "title:harbour",
    "marmalade OR lighthouse OR quarry",
    "NOT tehran",
    "*:*",
    "date:2020..2021",
    "infl*",
};
#define NQUERIES (sizeof queries / sizeof queries[0])

/* Apply the same scripted history to a writer: @p n documents in batches,
 * with replacements and deletions along the way. */
static void
history(gzt_writer *w, uint32_t n, uint32_t batch)
{
    rng_state = 0x9e3779b97f4a7c15u;
    char title[256], body[4096], id[32];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "doc-%04u", i);
        make_text(title, sizeof title, 1 + rnd(5));
        make_text(body, sizeof body, 5 + rnd(120));
        gzt_date date =
            (gzt_date)(20180101 + rnd(5) * 10000 + rnd(12) * 100 + rnd(28));
        /* a few documents share identical text: tied scores */
        if (i % 17 == 5) {
            snprintf(title, sizeof title, "twin");
            snprintf(body, sizeof body, "kestrel kestrel tehran");
            date = 20200101;
        }
        assert_int_equal(add(w, id, title, body, date), GZT_ADDED);
        if (i % batch == batch - 1) {
            /* replace one earlier document, delete another */
            uint32_t r = rnd(i + 1), dl = rnd(i + 1);
            char rid[32];
            snprintf(rid, sizeof rid, "doc-%04u", r);
            make_text(body, sizeof body, 30);
            gzt_add_result res = add(w, rid, "replaced", body, 20230303);
            assert_true(res == GZT_REPLACED || res == GZT_ADDED);
            snprintf(rid, sizeof rid, "doc-%04u", dl);
            gzt_error err = {0};
            int rc = gzt_writer_delete(w, rid, &err);
            assert_true(rc == GZT_OK || rc == GZT_ENOTFOUND);
            commit(w);
        }
    }
    commit(w);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_added_documents_are_searchable_after_commit(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    assert_int_equal(
        add(w, "a", "Tehran talks", "Diplomats met in Moscow.", 20250307),
        GZT_ADDED);
    assert_int_equal(add(w, "b", NULL, "Moscow and Tehran, again Tehran.", 0),
                     GZT_ADDED);
    assert_int_equal(add(w, "c", "Weather", "Rain over the harbour.", 20240101),
                     GZT_ADDED);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    gzt_stats s = stats(idx);
    assert_int_equal(s.docs, 3);
    assert_int_equal(s.deleted, 0);
    assert_int_equal(s.segments, 1);
    assert_int_equal(s.generation, 1);
    assert_string_equal(s.language, "english");
    assert_string_equal(s.engine, "native");
    assert_true(s.tokens >= 10);
    expect(idx, "harbour", "c");
    expect(idx, "+tehran +moscow", "b a");
    expect(idx, "title:tehran", "a");
    expect(idx, "nothing-like-this", "");
    /* stored fields come back as given */
    gzt_stored st;
    gzt_error err = {0};
    assert_int_equal(gzt_index_get(&st, idx, "a", &err), GZT_OK);
    assert_string_equal(st.id, "a");
    assert_string_equal(st.title, "Tehran talks");
    assert_int_equal(st.title_len, 12);
    assert_string_equal(st.body, "Diplomats met in Moscow.");
    assert_int_equal(st.date, 20250307);
    assert_string_equal(st.source, "");
    assert_int_equal(st.length, 2 + 4);
    gzt_stored_fini(&st);
    assert_int_equal(gzt_index_get(&st, idx, "b", &err), GZT_OK);
    assert_string_equal(st.title, "");
    assert_int_equal(st.date, 0);
    gzt_stored_fini(&st);
    assert_int_equal(gzt_index_get(&st, idx, "zzz", &err), GZT_ENOTFOUND);
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_empty_and_oversized_ids_are_refused(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    gzt_error err = {0};
    gzt_doc d = {"", NULL, 0, "x", 1, 0, NULL};
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_EINVAL);
    d.id = NULL;
    err_clear(&err);
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_EINVAL);
    char big[1100];
    memset(big, 'i', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    d.id = big;
    err_clear(&err);
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_ETOOBIG);
    /* exactly 1 KiB is allowed */
    big[1024] = '\0';
    err_clear(&err);
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 1);
    gzt_stored st;
    assert_int_equal(gzt_index_get(&st, idx, big, &err), GZT_OK);
    gzt_stored_fini(&st);
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_readding_the_same_content_is_unchanged(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    add(w, "a", "T", "alpha beta", 20200101);
    add(w, "b", "T", "gamma", 20200101);
    commit(w);
    /* same writer, after the commit */
    assert_int_equal(add(w, "a", "T", "alpha beta", 20200101), GZT_UNCHANGED);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    gzt_stats before = stats(idx);
    gzt_index_close(idx);
    /* a new writer */
    w = wopen(dir, 0);
    assert_int_equal(add(w, "a", "T", "alpha beta", 20200101), GZT_UNCHANGED);
    assert_int_equal(add(w, "b", "T", "gamma", 20200101), GZT_UNCHANGED);
    commit(w);
    gzt_writer_close(w);
    idx = iopen(dir);
    gzt_stats after = stats(idx);
    assert_int_equal(after.docs, 2);
    assert_int_equal(after.docs, before.docs);
    assert_int_equal(after.deleted, 0);
    /* nothing changed: the commits wrote no new generation */
    assert_true(after.generation == before.generation);
    assert_int_equal(after.generation, 1);
    assert_int_equal(after.segments, 1);
    assert_true(after.tokens == before.tokens);
    expect(idx, "alpha", "a");
    gzt_index_close(idx);
    /* each of title, body and date is part of the content */
    w = wopen(dir, 0);
    assert_int_equal(add(w, "a", "U", "alpha beta", 20200101), GZT_REPLACED);
    assert_int_equal(add(w, "b", "T", "gamma", 20200102), GZT_REPLACED);
    commit(w);
    gzt_writer_close(w);
    idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 2);
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_changed_content_replaces_the_old_version(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    add(w, "story", "First", "the harbour froze", 20200101);
    add(w, "other", "Other", "nothing to see", 20200101);
    commit(w);
    assert_int_equal(add(w, "story", "Second", "the glacier melted", 20200102),
                     GZT_REPLACED);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    gzt_stats s = stats(idx);
    assert_int_equal(s.docs, 2);
    expect(idx, "harbour", "");
    expect(idx, "glacier", "story");
    expect(idx, "title:second", "story");
    expect(idx, "title:first", "");
    expect(idx, "*:*", "other story");
    gzt_stored st;
    gzt_error err = {0};
    assert_int_equal(gzt_index_get(&st, idx, "story", &err), GZT_OK);
    assert_string_equal(st.body, "the glacier melted");
    assert_int_equal(st.date, 20200102);
    gzt_stored_fini(&st);
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_a_failed_replacement_keeps_a_later_add_of_the_old_text(void **state)
{
    /* A second version of a buffered document fails to be added, at each
     * allocation in turn (memory stays short after it) until it succeeds;
     * then the first version is added again. Once the buffered first
     * version was deleted for the replacement, the id must not still name
     * it: the add would be taken as unchanged and the document lost. */
    (void)state;
    bool succeeded = false;
    for (long n = 1; n < 1000 && !succeeded; n++) {
        char dir[64];
        gzt_test_tmpdir_new(dir, "writer");
        gzt_writer *w = wopen(dir, 0);
        add(w, "story", "First", "the harbour froze", 20200101);
        gzt_doc d = {"story",
                     "Second",
                     6,
                     "the glacier melted and the "
                     "harbour opened again",
                     41,
                     20200102,
                     NULL};
        gzt_error err = {0};
        (void)gzt_mem_fail_after(n);
        int rc = gzt_writer_add(w, &d, NULL, &err);
        (void)gzt_mem_fail_after(0);
        succeeded = rc == GZT_OK;
        if (!succeeded) {
            assert_int_equal(rc, GZT_ENOMEM);
            add(w, "story", "First", "the harbour froze", 20200101);
            commit(w);
        }
        gzt_writer_close(w);
        if (!succeeded) {
            gzt_index *idx = iopen(dir);
            expect(idx, "froze", "story");
            expect(idx, "glacier", "");
            gzt_index_close(idx);
        }
        gzt_test_tmpdir_remove(dir);
    }
    assert_true(succeeded);
}

static void
test_same_id_twice_in_one_batch_keeps_the_last_version(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    assert_int_equal(add(w, "x", NULL, "copper wheat", 0), GZT_ADDED);
    assert_int_equal(add(w, "x", NULL, "copper wheat", 0), GZT_UNCHANGED);
    assert_int_equal(add(w, "x", NULL, "copper ferry", 0), GZT_REPLACED);
    assert_int_equal(add(w, "y", NULL, "copper", 0), GZT_ADDED);
    assert_int_equal(add(w, "x", NULL, "copper ferry", 0), GZT_UNCHANGED);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 2);
    expect(idx, "wheat", "");
    expect(idx, "ferry", "x");
    /* "copper" occurs in 2 live documents: x (len 2) ranks below y (len 1) */
    expect(idx, "copper", "y x");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_delete_found_and_not_found(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    add(w, "a", NULL, "wheat", 0);
    add(w, "b", NULL, "wheat", 0);
    add(w, "c", NULL, "wheat", 0);
    commit(w);
    gzt_error err = {0};
    assert_int_equal(gzt_writer_delete(w, "b", &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "b", &err), GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "b"));
    err_clear(&err);
    assert_int_equal(gzt_writer_delete(w, "nope", &err), GZT_ENOTFOUND);
    /* a document added in this batch can be deleted before the commit */
    add(w, "d", NULL, "wheat", 0);
    err_clear(&err);
    assert_int_equal(gzt_writer_delete(w, "d", &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    gzt_stats s = stats(idx);
    assert_int_equal(s.docs, 2);
    assert_int_equal(s.deleted, 1);
    expect(idx, "wheat", "a c");
    gzt_stored st;
    err_clear(&err);
    assert_int_equal(gzt_index_get(&st, idx, "b", &err), GZT_ENOTFOUND);
    assert_int_equal(gzt_index_get(&st, idx, "d", &err), GZT_ENOTFOUND);
    gzt_index_close(idx);
    check_ok(dir);
    /* deleting every document of a segment drops the segment */
    w = wopen(dir, 0);
    err_clear(&err);
    assert_int_equal(gzt_writer_delete(w, "a", &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "c", &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    idx = iopen(dir);
    s = stats(idx);
    assert_int_equal(s.docs, 0);
    assert_int_equal(s.segments, 0);
    expect(idx, "wheat", "");
    expect(idx, "*:*", "");
    gzt_index_close(idx);
    char names[1024];
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, "LOCK MANIFEST");
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

#if 1
/* BUG: gzt_writer_delete() marks a buffered document deleted but leaves its
 * id in the batch map (w->batch), so the batch still "has" it: a second
 * delete returns GZT_OK instead of GZT_ENOTFOUND, and re-adding the same
 * content is GZT_UNCHANGED and the document is lost at commit. Enable when
 * a deleted buffered document no longer answers for its id. */
static void
test_a_document_deleted_in_the_batch_is_gone(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    assert_int_equal(add(w, "x", NULL, "copper", 0), GZT_ADDED);
    gzt_error err = {0};
    assert_int_equal(gzt_writer_delete(w, "x", &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "x", &err), GZT_ENOTFOUND);
    assert_int_equal(add(w, "x", NULL, "copper", 0), GZT_ADDED);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 1);
    expect(idx, "copper", "x");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}
#endif

static void
test_deletes_across_segments(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    char id[16];
    for (int g = 0; g < 3; g++) {
        for (int i = 0; i < 5; i++) {
            snprintf(id, sizeof id, "g%di%d", g, i);
            add(w, id, NULL, "ferry quarry", 0);
        }
        commit(w);
    }
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_int_equal(stats(idx).segments, 3);
    gzt_index_close(idx);
    w = wopen(dir, 0);
    gzt_error err = {0};
    static const char *const del[] = {"g0i0", "g1i4", "g2i2", "g2i3", "g0i1"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(gzt_writer_delete(w, del[i], &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    idx = iopen(dir);
    gzt_stats s = stats(idx);
    assert_int_equal(s.docs, 10);
    assert_int_equal(s.deleted, 5);
    assert_int_equal(s.segments, 3);
    expect(idx, "quarry", "g0i2 g0i3 g0i4 g1i0 g1i1 g1i2 g1i3 g2i0 g2i1 g2i4");
    gzt_index_close(idx);
    check_ok(dir);
    /* one deletion file per changed segment, named for the generation */
    char names[2048];
    list_dir(dir, names, sizeof names);
    assert_non_null(strstr(names, "seg-000001-g000004.del"));
    assert_non_null(strstr(names, "seg-000002-g000004.del"));
    assert_non_null(strstr(names, "seg-000003-g000004.del"));
    /* deleting more replaces the deletion file of that segment only */
    w = wopen(dir, 0);
    assert_int_equal(gzt_writer_delete(w, "g1i0", &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    list_dir(dir, names, sizeof names);
    assert_string_equal(
        names, "LOCK MANIFEST seg-000001-g000004.del seg-000001.dict "
               "seg-000001.dv seg-000001.ids seg-000001.pos seg-000001.post "
               "seg-000001.store seg-000002-g000005.del seg-000002.dict "
               "seg-000002.dv seg-000002.ids seg-000002.pos seg-000002.post "
               "seg-000002.store seg-000003-g000004.del seg-000003.dict "
               "seg-000003.dv seg-000003.ids seg-000003.pos seg-000003.post "
               "seg-000003.store");
    idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 9);
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_tiny_memory_budget_merges_to_the_same_results(void **state)
{
    /* 64 KiB forces a flush after every document (the inverter's empty
     * tables alone count more); the commits then have to merge. The result
     * must rank exactly as an index built in one segment per commit with
     * the default budget: same matches, same scores, same ids. */
    (void)state;
    char small[64], big[64];
    gzt_test_tmpdir_new(small, "writer");
    gzt_test_tmpdir_new(big, "writer");
    gzt_writer *w = wopen(small, 64u << 10);
    history(w, 150, 50);
    gzt_writer_close(w);
    w = wopen(big, 0);
    history(w, 150, 50);
    gzt_writer_close(w);
    /* many flushes happened: the manifest's next segment number says how
     * many segments were ever written */
    char mp[128], line[256];
    snprintf(mp, sizeof mp, "%s/MANIFEST", small);
    FILE *mf = fopen(mp, "r");
    assert_non_null(mf);
    unsigned next = 0;
    while (fgets(line, sizeof line, mf))
        if (sscanf(line, "next-segment %u", &next) == 1)
            break;
    fclose(mf);
    assert_true(next > 100);
    gzt_index *a = iopen(small), *b = iopen(big);
    gzt_stats sa = stats(a), sb = stats(b);
    assert_true(sa.segments <= 10);
    assert_true(sa.segments >= 2);
    assert_int_equal(sa.docs, sb.docs);
    assert_true(sa.tokens == sb.tokens);
    assert_true(sa.generation == sb.generation);
    for (size_t q = 0; q < NQUERIES; q++) {
        for (int sort = 0; sort < 3; sort++) {
            ranked ra = search_sorted(a, queries[q], (gzt_sort)sort);
            ranked rb = search_sorted(b, queries[q], (gzt_sort)sort);
            /* merges of adjacent segments keep the docid order, so even
             * tied hits come in the same order */
            assert_ranked_equal(&ra, &rb, queries[q]);
            ranked_free(&ra);
            ranked_free(&rb);
        }
    }
    /* every live document is there, with the same stored fields */
    ranked all = search(b, "*:*");
    assert_int_equal(all.n, sb.docs);
    for (size_t i = 0; i < all.n; i++) {
        gzt_stored x, y;
        gzt_error err = {0};
        assert_int_equal(gzt_index_get(&x, a, all.ids[i], &err), GZT_OK);
        assert_int_equal(gzt_index_get(&y, b, all.ids[i], &err), GZT_OK);
        assert_string_equal(x.title, y.title);
        assert_string_equal(x.body, y.body);
        assert_int_equal(x.date, y.date);
        assert_int_equal(x.length, y.length);
        gzt_stored_fini(&x);
        gzt_stored_fini(&y);
    }
    ranked_free(&all);
    gzt_index_close(a);
    gzt_index_close(b);
    check_ok(small);
    check_ok(big);
    gzt_test_tmpdir_remove(small);
    gzt_test_tmpdir_remove(big);
}

#if 1
/* BUG: merge_policy() in indexer/writer.c merges the GZT_MERGE_FACTOR
 * segments with the fewest live documents wherever they are and puts the
 * result in the slot of the first: when the picked segments are not
 * adjacent, the documents of later ones move ahead of the segments left
 * between them. Global docids, and with them the order of tied hits (and
 * of "NOT x", "*:*", date ties), then depend on the commit history and the
 * memory budget: here s10 ranks before s09. Enable when merges take
 * adjacent segments only. */
static void
test_merge_keeps_the_docid_order_of_tied_documents(void **state)
{
    /* Eleven segments of one document each, all with identical text (so
     * identical scores), the smallest by live count in the middle: ties are
     * ranked by global docid, which must stay the order of addition. */
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    char id[16];
    for (int i = 0; i < 11; i++) {
        snprintf(id, sizeof id, "s%02d", i);
        add(w, id, NULL, "kestrel", 0);
        if (i % 3 == 0) { /* a bigger segment */
            snprintf(id, sizeof id, "s%02d-extra", i);
            add(w, id, NULL, "other words", 0);
        }
        commit(w);
    }
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_true(stats(idx).segments <= 10);
    expect(idx, "kestrel", "s00 s01 s02 s03 s04 s05 s06 s07 s08 s09 s10");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}
#endif

/* A writer killed before its commit leaves files under the names the next
 * one will take: they are removed when it opens, not in its way. */
static void
test_leftovers_of_a_killed_writer_are_not_in_the_way(void **state)
{
    (void)state;
    char dir[64], path[128];
    gzt_test_tmpdir_new(dir, "leftover");
    gzt_writer *w = wopen(dir, 0);
    add(w, "a", NULL, "amber", 0);
    commit(w);
    gzt_writer_close(w);
    static const char *const names[] = {"seg-000002.dict", "seg-000002.post",
                                        "seg-000001-g000002.del",
                                        "MANIFEST.tmp.999"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("half-written", f);
        fclose(f);
    }
    w = wopen(dir, 0);
    add(w, "b", NULL, "basalt", 0);
    assert_int_equal(gzt_writer_delete(w, "a", &(gzt_error){0}), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    check_ok(dir);
    gzt_index *idx = iopen(dir);
    expect(idx, "basalt", "b");
    expect(idx, "amber", "");
    gzt_index_close(idx);
    char after[2048];
    list_dir(dir, after, sizeof after);
    assert_null(strstr(after, "tmp"));
    assert_null(strstr(after, "half"));
    gzt_test_tmpdir_remove(dir);
}

/* With a tiny budget segments are written on a second thread while the
 * writer goes on; a document being written there is still found when its
 * id comes again (replaced, unchanged, deleted), with one thread or many. */
static void
test_ids_in_a_segment_being_written_are_found(void **state)
{
    (void)state;
    for (unsigned jobs = 1; jobs <= 2; jobs++) {
        char dir[64];
        gzt_test_tmpdir_new(dir, "bgflush");
        gzt_writer_opts o;
        gzt_writer_opts_init(&o);
        o.memory = 16u << 10;
        o.entities = 0;
        o.jobs = jobs;
        gzt_writer *w = NULL;
        gzt_error err = {0};
        assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
        char id[16], body[512];
        rng_state = 7;
        for (int i = 0; i < 60; i++) {
            snprintf(id, sizeof id, "d%d", i);
            make_text(body, sizeof body, 40);
            assert_int_equal(add(w, id, NULL, body, 0), GZT_ADDED);
            /* each earlier document comes back once, right after the
             * flush its own adding may have started */
            if (i % 6 == 5) {
                snprintf(id, sizeof id, "d%d", i - 1);
                assert_int_equal(add(w, id, NULL, "zirconium", 0),
                                 GZT_REPLACED);
                snprintf(id, sizeof id, "d%d", i - 3);
                assert_int_equal(gzt_writer_delete(w, id, &err), GZT_OK);
            }
        }
        commit(w);
        gzt_writer_close(w);
        check_ok(dir);
        gzt_index *idx = iopen(dir);
        assert_true(stats(idx).segments > 1);
        assert_int_equal(stats(idx).docs, 50);
        expect(idx, "zirconium", "d4 d10 d16 d22 d28 d34 d40 d46 d52 d58");
        gzt_index_close(idx);
        gzt_test_tmpdir_remove(dir);
    }
}

/* the bytes of file @p name of @p dir into @p b */
static void
slurp(const char *dir, const char *name, gzt_buf *b)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    b->len = 0;
    assert_int_equal(gzt_io_read_file(path, b, 1u << 26, NULL), GZT_OK);
}

/* A one-thread build hands its inverter a document's terms in place
 * (gzt_docterms_next()), a build with workers as records: both write the
 * same bytes, over several segments, with entity terms, replacements, long
 * documents (positions and gaps past one varint byte) and repeated words;
 * and with one worker or two, which start on a batch while it is filled,
 * also when a document of megabytes makes its text move. */
static void
test_one_thread_and_workers_write_the_same_segments(void **state)
{
    (void)state;
    char src[64], path[128], dirs[3][64], names[3][2048];
    gzt_test_tmpdir_new(src, "samesrc");
    snprintf(path, sizeof path, "%s/docs.jsonl", src);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    char title[128], body[4096];
    size_t bigcap = (size_t)2 << 20;
    char *big = malloc(bigcap);
    assert_non_null(big);
    rng_state = 11;
    for (int i = 0; i < 240; i++) {
        make_text(title, sizeof title, 1 + rnd(6));
        make_text(body, sizeof body,
                  rnd(7) == 0 ? 300 + rnd(200) : 3 + rnd(40));
        if (i % 13 == 0)
            snprintf(body, sizeof body,
                     "Sergey Lavrov met Abbas Araghchi in Moscow; Lavrov "
                     "and Araghchi signed the treaty in Moscow.");
        const char *text = body;
        if (i == 90 || i == 93) { /* 2 MB: past what a batch has left */
            size_t n = 0;
            while (n + sizeof body < bigcap) {
                make_text(body, sizeof body, 300);
                n += (size_t)snprintf(big + n, bigcap - n, "%s Moscow. ", body);
            }
            text = big;
        }
        fprintf(f, "{\"id\": \"d%d\", \"title\": \"%s\", \"body\": \"%s\"}\n",
                i % 200, title, text);
    }
    free(big);
    assert_int_equal(fclose(f), 0);
    for (unsigned jobs = 1; jobs <= 3; jobs++) {
        char *dir = dirs[jobs - 1];
        gzt_test_tmpdir_new(dir, "samebytes");
        gzt_writer_opts o;
        gzt_writer_opts_init(&o);
        o.memory = 64u << 10;
        o.jobs = jobs;
        gzt_writer *w = NULL;
        gzt_error err = {0};
        gzt_ingest_stats st = {0};
        if (gzt_writer_open(&w, dir, &o, &err) ||
            gzt_writer_add_path(w, path, NULL, &st, &err))
            fail_msg("jobs %u: %s", jobs, err.msg);
        /* one thread adds each document a call late: the last is added
         * too, and every one is counted */
        assert_int_equal(st.docs, 240);
        assert_int_equal(st.added, 200);
        assert_int_equal(st.replaced, 40);
        commit(w);
        gzt_writer_close(w);
        list_dir(dir, names[jobs - 1], sizeof names[0]);
    }
    assert_string_equal(names[0], names[1]);
    assert_string_equal(names[0], names[2]);
    char *save = NULL;
    size_t nfiles = 0;
    gzt_buf a = GZT_BUF_INIT, b = GZT_BUF_INIT;
    for (char *n = strtok_r(names[0], " ", &save); n;
         n = strtok_r(NULL, " ", &save)) {
        if (strncmp(n, "seg-", 4) != 0)
            continue;
        slurp(dirs[0], n, &a);
        for (int k = 1; k < 3; k++) {
            slurp(dirs[k], n, &b);
            if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
                fail_msg("%s differs between one thread and %d", n, k + 1);
        }
        nfiles++;
    }
    gzt_buf_free(&a);
    gzt_buf_free(&b);
    assert_true(nfiles >= 12);
    for (int k = 0; k < 3; k++)
        gzt_test_tmpdir_remove(dirs[k]);
    gzt_test_tmpdir_remove(src);
}

/* @p words random words of random letters into @p out (@p cap bytes):
 * text that compresses about as much as names and numbers do */
static void
random_words(char *out, size_t cap, uint32_t words)
{
    size_t len = 0;
    for (uint32_t i = 0; i < words && len + 16 < cap; i++) {
        if (i)
            out[len++] = ' ';
        for (uint32_t k = 3 + rnd(8); k > 0; k--)
            out[len++] = (char)('a' + rnd(26));
    }
    out[len] = '\0';
}

/* A segment's zstd dictionary is stored with it: a small segment gets a
 * small one (a twentieth of its records), so that its store stays smaller
 * than its text (trained to full capacity, the dictionary of 60 documents
 * was about as large as they were). */
static void
test_a_small_segment_stores_less_than_its_text(void **state)
{
    (void)state;
    char dir[64], id[16], title[128], body[2048];
    gzt_test_tmpdir_new(dir, "smallstore");
    gzt_writer *w = wopen(dir, 0);
    uint64_t text = 0;
    rng_state = 5;
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "s%d", i);
        random_words(title, sizeof title, 2 + rnd(6));
        random_words(body, sizeof body, 20 + rnd(200));
        text += strlen(title) + strlen(body);
        add(w, id, title, body, 0);
    }
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    gzt_stats st = stats(idx);
    assert_int_equal(st.segments, 1);
    assert_true(st.bytes_store > 0);
    if (st.bytes_store >= text)
        fail_msg("store %llu bytes for %llu bytes of text",
                 (unsigned long long)st.bytes_store, (unsigned long long)text);
    gzt_index_close(idx);
    gzt_test_tmpdir_remove(dir);
}

/* The dictionary is sorted on its terms' first eight bytes, then on the
 * rest where those are equal: terms sharing eight bytes or more, and
 * terms that are prefixes of others, come out in byte order (check
 * verifies it) and are found. */
static void
test_terms_sharing_their_first_bytes_are_written_in_order(void **state)
{
    (void)state;
    char dir[64], id[16], body[1024];
    gzt_test_tmpdir_new(dir, "prefixes");
    gzt_writer *w = wopen(dir, 0);
    rng_state = 9;
    size_t with_zzzzzzzzcab = 0, with_zzzzz = 0;
    for (int d = 0; d < 80; d++) {
        size_t n = 0;
        bool has = false, five = false;
        for (int k = 0; k < 30; k++) {
            /* zzzzz .. zzzzzzzz and zzzzzzzz followed by 1-3 of a b c */
            size_t len = 5 + rnd(7), start = n;
            for (size_t i = 0; i < len; i++)
                body[n++] = i < 8 ? 'z' : "abc"[rnd(3)];
            has |= len == 11 && memcmp(body + start, "zzzzzzzzcab", 11) == 0;
            five |= len == 5;
            body[n++] = ' ';
        }
        body[n] = '\0';
        with_zzzzzzzzcab += has;
        with_zzzzz += five;
        snprintf(id, sizeof id, "p%d", d);
        add(w, id, NULL, body, 0);
    }
    commit(w);
    gzt_writer_close(w);
    check_ok(dir);
    gzt_index *idx = iopen(dir);
    ranked r = search(idx, "zzzzzzzzcab");
    assert_true(with_zzzzzzzzcab > 0);
    assert_int_equal(r.total, with_zzzzzzzzcab);
    ranked_free(&r);
    r = search(idx, "zzzzz");
    assert_true(with_zzzzz > 0);
    assert_int_equal(r.total, with_zzzzz);
    ranked_free(&r);
    gzt_index_close(idx);
    gzt_test_tmpdir_remove(dir);
}

static void
test_uncommitted_work_is_invisible_and_dropped_on_close(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 64u << 10);
    add(w, "kept", NULL, "obsidian", 0);
    commit(w);
    char before[2048];
    list_dir(dir, before, sizeof before);
    /* the tiny budget flushes these into segment files before any commit */
    char id[16], body[512];
    rng_state = 42;
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof id, "new%d", i);
        make_text(body, sizeof body, 40);
        add(w, id, NULL, body, 0);
    }
    gzt_error err = {0};
    assert_int_equal(gzt_writer_delete(w, "kept", &err), GZT_OK);
    char during[2048];
    list_dir(dir, during, sizeof during);
    assert_string_not_equal(during, before);
    gzt_index *idx = iopen(dir);
    gzt_stats s = stats(idx);
    assert_int_equal(s.docs, 1);
    assert_int_equal(s.generation, 1);
    expect(idx, "obsidian", "kept");
    expect(idx, "*:*", "kept");
    gzt_index_close(idx);
    gzt_writer_close(w);
    char after[2048];
    list_dir(dir, after, sizeof after);
    assert_string_equal(after, before);
    idx = iopen(dir);
    expect(idx, "*:*", "kept");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_a_second_writer_is_locked_out(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    gzt_writer *w2 = (gzt_writer *)1;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w2, dir, NULL, &err), GZT_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(err.msg, "locked"));
    /* readers are not blocked */
    add(w, "a", NULL, "x", 0);
    commit(w);
    gzt_index *idx = iopen(dir);
    gzt_index_close(idx);
    /* reindex needs the lock too */
    err_clear(&err);
    assert_int_equal(gzt_reindex(dir, NULL, NULL, NULL, &err), GZT_ELOCKED);
    gzt_writer_close(w);
    /* released with the first writer */
    w2 = wopen(dir, 0);
    gzt_writer_close(w2);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_a_reader_keeps_its_snapshot_across_commits(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    history(w, 120, 12); /* 11 commits: merged already */
    gzt_writer_close(w);
    gzt_index *old = iopen(dir);
    gzt_stats s0 = stats(old);
    ranked before[NQUERIES];
    for (size_t q = 0; q < NQUERIES; q++)
        before[q] = search(old, queries[q]);
    char names0[8192];
    list_dir(dir, names0, sizeof names0);
    /* change everything: delete half, replace some, add more, with enough
     * commits that segments merge and old files are removed */
    w = wopen(dir, 0);
    gzt_error err = {0};
    char id[16];
    for (int i = 0; i < 120; i += 2) {
        snprintf(id, sizeof id, "doc-%04d", i);
        int rc = gzt_writer_delete(w, id, &err);
        assert_true(rc == GZT_OK || rc == GZT_ENOTFOUND);
        err_clear(&err);
    }
    commit(w);
    for (int c = 0; c < 12; c++) {
        snprintf(id, sizeof id, "late-%d", c);
        add(w, id, "kestrel", "kestrel zeppelin tehran", 20240101);
        commit(w);
    }
    gzt_writer_close(w);
    char names1[8192];
    list_dir(dir, names1, sizeof names1);
    /* at least one file of the old generation is gone */
    char *save, *tok = strtok_r(names0, " ", &save);
    int gone = 0;
    for (; tok; tok = strtok_r(NULL, " ", &save))
        gone += strstr(names1, tok) == NULL;
    assert_true(gone > 0);
    /* the old reader answers as before, stored documents included */
    for (size_t q = 0; q < NQUERIES; q++) {
        ranked r = search(old, queries[q]);
        assert_ranked_equal(&r, &before[q], queries[q]);
        ranked_free(&r);
    }
    gzt_stats s1 = stats(old);
    assert_true(s1.generation == s0.generation);
    assert_int_equal(s1.docs, s0.docs);
    gzt_stored st;
    assert_int_equal(gzt_index_get(&st, old, "doc-0000", &err), GZT_OK);
    gzt_stored_fini(&st);
    /* a new reader sees the new generation */
    gzt_index *cur = iopen(dir);
    assert_true(stats(cur).generation > s0.generation);
    err_clear(&err);
    assert_int_equal(gzt_index_get(&st, cur, "doc-0000", &err), GZT_ENOTFOUND);
    ranked late = search(cur, "zeppelin");
    assert_true(late.n >= 12);
    ranked_free(&late);
    gzt_index_close(cur);
    gzt_index_close(old);
    for (size_t q = 0; q < NQUERIES; q++)
        ranked_free(&before[q]);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_prune_deletes_documents_of_vanished_files(void **state)
{
    (void)state;
    char dir[64], idx_path[128], src[128];
    gzt_test_tmpdir_new(dir, "writer");
    snprintf(idx_path, sizeof idx_path, "%s/idx", dir);
    snprintf(src, sizeof src, "%s/src", dir);
    assert_int_equal(mkdir(src, 0755), 0);
    write_file(src, "a.txt", "Alpha\n\nthe harbour froze\n");
    write_file(src, "b.txt", "Beta\n\nthe glacier melted\n");
    write_file(src, "c.txt", "Gamma\n\nthe harbour thawed\n");
    gzt_writer *w = wopen(idx_path, 0);
    gzt_ingest_stats is = {0};
    gzt_error err = {0};
    assert_int_equal(gzt_writer_add_path(w, src, NULL, &is, &err), GZT_OK);
    assert_int_equal(is.added, 3);
    commit(w);
    gzt_writer_close(w);
    char p[192];
    snprintf(p, sizeof p, "%s/b.txt", src);
    assert_int_equal(unlink(p), 0);
    /* a second run reads the directory again, then prunes */
    w = wopen(idx_path, 0);
    memset(&is, 0, sizeof is);
    assert_int_equal(gzt_writer_add_path(w, src, NULL, &is, &err), GZT_OK);
    assert_int_equal(is.unchanged, 2);
    assert_int_equal(is.added, 0);
    uint64_t n = 99;
    assert_int_equal(gzt_writer_prune(w, src, &n, &err), GZT_OK);
    assert_int_equal(n, 1);
    /* a source nobody recorded prunes nothing */
    assert_int_equal(gzt_writer_prune(w, "/nonexistent/src", &n, &err), GZT_OK);
    assert_int_equal(n, 0);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(idx_path);
    assert_int_equal(stats(idx).docs, 2);
    assert_int_equal(stats(idx).sources, 1);
    const char *fmt = NULL;
    const char *sp = gzt_index_source(idx, 0, &fmt);
    assert_non_null(sp);
    assert_string_equal(fmt, "auto");
    assert_null(gzt_index_source(idx, 1, NULL));
    expect(idx, "glacier", "");
    expect(idx, "harbour", "a.txt c.txt");
    gzt_stored st;
    assert_int_equal(gzt_index_get(&st, idx, "b.txt", &err), GZT_ENOTFOUND);
    err_clear(&err);
    assert_int_equal(gzt_index_get(&st, idx, "a.txt", &err), GZT_OK);
    assert_string_equal(st.title, "Alpha");
    assert_string_equal(st.source, sp);
    gzt_stored_fini(&st);
    gzt_index_close(idx);
    /* a writer that did not read the source again prunes all of it */
    w = wopen(idx_path, 0);
    assert_int_equal(gzt_writer_prune(w, src, &n, &err), GZT_OK);
    assert_int_equal(n, 2);
    gzt_writer_close(w); /* not committed: nothing happened */
    idx = iopen(idx_path);
    assert_int_equal(stats(idx).docs, 2);
    gzt_index_close(idx);
    check_ok(idx_path);
    gzt_test_tmpdir_remove(dir);
}

static void
test_reindex_rebuilds_from_the_recorded_sources(void **state)
{
    (void)state;
    const char *root = getenv("GZT_SOURCE");
    if (!root)
        skip();
    char dir[64], idx_path[128], corpus[512], src[128];
    gzt_test_tmpdir_new(dir, "writer");
    snprintf(idx_path, sizeof idx_path, "%s/idx", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", root);
    snprintf(src, sizeof src, "%s/jsonl", dir);
    assert_int_equal(mkdir(src, 0755), 0);
    write_file(src, "n.jsonl",
               "{\"id\":\"j1\",\"title\":\"Kestrel\",\"body\":\"a kestrel "
               "over tehran\",\"date\":\"2024-05-01\"}\n"
               "{\"id\":\"j2\",\"body\":\"moscow summit\"}\n");
    gzt_writer *w = wopen(idx_path, 0);
    gzt_error err = {0};
    assert_int_equal(gzt_writer_add_path(w, corpus, NULL, NULL, &err), GZT_OK);
    gzt_ingest_opts io;
    gzt_ingest_opts_init(&io);
    io.format = GZT_FORMAT_JSONL;
    assert_int_equal(gzt_writer_add_path(w, src, &io, NULL, &err), GZT_OK);
    commit(w);
    gzt_writer_close(w);
    static const char *const qs[] = {"tehran",      "moscow",
                                     "iran russia", "\"foreign minister\"",
                                     "*:*",         "kestrel"};
    enum { NQ = sizeof qs / sizeof qs[0] };
    gzt_index *idx = iopen(idx_path);
    gzt_stats s0 = stats(idx);
    assert_int_equal(s0.docs, 6);
    assert_int_equal(s0.sources, 2);
    ranked before[NQ];
    for (size_t q = 0; q < NQ; q++)
        before[q] = search(idx, qs[q]);
    gzt_index_close(idx);

    gzt_ingest_stats is = {0};
    assert_int_equal(gzt_reindex(idx_path, NULL, NULL, &is, &err), GZT_OK);
    assert_int_equal(is.added, 6);
    idx = iopen(idx_path);
    gzt_stats s1 = stats(idx);
    assert_int_equal(s1.docs, 6);
    assert_int_equal(s1.sources, 2);
    assert_int_equal(s1.segments, 1);
    assert_true(s1.generation == s0.generation + 1);
    for (size_t q = 0; q < NQ; q++) {
        ranked r = search(idx, qs[q]);
        assert_ranked_equal(&r, &before[q], qs[q]);
        ranked_free(&r);
    }
    gzt_stored st;
    assert_int_equal(gzt_index_get(&st, idx, "j1", &err), GZT_OK);
    assert_string_equal(st.title, "Kestrel");
    assert_int_equal(st.date, 20240501);
    gzt_stored_fini(&st);
    gzt_index_close(idx);
    check_ok(idx_path);
    char names0[4096];
    list_dir(idx_path, names0, sizeof names0);

    /* a source gone: reindex fails and the old generation stays */
    char p[192];
    snprintf(p, sizeof p, "%s/n.jsonl", src);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(rmdir(src), 0);
    err_clear(&err);
    int rc = gzt_reindex(idx_path, NULL, NULL, NULL, &err);
    assert_int_equal(rc, GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, src));
    idx = iopen(idx_path);
    gzt_stats s2 = stats(idx);
    assert_true(s2.generation == s1.generation);
    assert_int_equal(s2.docs, 6);
    for (size_t q = 0; q < NQ; q++) {
        ranked r = search(idx, qs[q]);
        assert_ranked_equal(&r, &before[q], qs[q]);
        ranked_free(&r);
        ranked_free(&before[q]);
    }
    gzt_index_close(idx);
    char names1[4096];
    list_dir(idx_path, names1, sizeof names1);
    assert_string_equal(names1, names0);
    check_ok(idx_path);
    /* no index at all */
    snprintf(p, sizeof p, "%s/none", dir);
    err_clear(&err);
    assert_int_equal(gzt_reindex(p, NULL, NULL, NULL, &err), GZT_ENOTFOUND);
    gzt_test_tmpdir_remove(dir);
}

static void
test_language_mismatch_is_invalid(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.language = "french";
    gzt_writer *w = NULL;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    add(w, "a", NULL, "les négociations", 0);
    commit(w);
    gzt_writer_close(w);
    o.language = "english";
    w = (gzt_writer *)1;
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_EINVAL);
    assert_null(w);
    assert_non_null(strstr(err.msg, "french"));
    assert_non_null(strstr(err.msg, "english"));
    /* an unknown language for a new index */
    char d2[64];
    gzt_test_tmpdir_new(d2, "writer");
    o.language = "klingon";
    err_clear(&err);
    assert_int_equal(gzt_writer_open(&w, d2, &o, &err), GZT_EINVAL);
    gzt_test_tmpdir_remove(d2);
    gzt_test_tmpdir_remove(dir);
}

static void
test_a_new_index_takes_the_language_asked_for(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.language = "french";
    gzt_writer *w = NULL;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    add(w, "a", NULL, "les négociations continuent", 0);
    commit(w);
    gzt_writer_close(w);
    /* NULL and the same language reopen it */
    o.language = NULL;
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    gzt_writer_close(w);
    o.language = "french";
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_string_equal(stats(idx).language, "french");
    expect(idx, "négociation", "a");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

#if 1
/* BUG: a gzt_writer_open() that fails after reading the manifest (here the
 * language check) closes the half-open writer with w->nold still 0, and
 * drop_uncommitted() unlinks the files of every committed segment: the
 * index is destroyed ("seg-000001.dict: No such file or directory" on the
 * next open). Enable when gzt_writer_open() sets nold right after reading
 * the manifest. */
static void
test_a_language_mismatch_leaves_the_index_intact(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.language = "french";
    gzt_writer *w = NULL;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_OK);
    add(w, "a", NULL, "les négociations continuent", 0);
    commit(w);
    gzt_writer_close(w);
    char before[2048], after[2048];
    list_dir(dir, before, sizeof before);
    o.language = "english";
    assert_int_equal(gzt_writer_open(&w, dir, &o, &err), GZT_EINVAL);
    list_dir(dir, after, sizeof after);
    assert_string_equal(after, before);
    gzt_index *idx = iopen(dir);
    expect(idx, "négociation", "a");
    gzt_index_close(idx);
    check_ok(dir);
    gzt_test_tmpdir_remove(dir);
}

#endif

/* Regression: a gzt_error reused after one failure, or left uninitialised as
 * in the example at the top of gazette.h, must report the new failure (every
 * public entry point clears it first). */
static void
test_a_reused_error_reports_the_new_failure(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "writer");
    gzt_writer *w = wopen(dir, 0);
    gzt_error err = {0};
    assert_int_equal(gzt_writer_delete(w, "missing", &err), GZT_ENOTFOUND);
    gzt_doc d = {"", NULL, 0, "x", 1, 0, NULL};
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_EINVAL);
    assert_int_equal(err.code, GZT_EINVAL);
    assert_null(strstr(err.msg, "missing"));
    gzt_writer_close(w);
    gzt_index *idx = (gzt_index *)1;
    memset(&err, 0x5a, sizeof err); /* never initialised */
    assert_int_equal(gzt_index_open(&idx, "/nonexistent/index", &err),
                     GZT_ENOTFOUND);
    assert_int_equal(err.code, GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/index"));
    gzt_test_tmpdir_remove(dir);
}

static void
test_corpus_index_answers_and_checks(void **state)
{
    (void)state;
    const char *root = getenv("GZT_SOURCE");
    if (!root)
        skip();
    char dir[64], corpus[512];
    gzt_test_tmpdir_new(dir, "writer");
    snprintf(corpus, sizeof corpus, "%s/corpus", root);
    gzt_writer *w = wopen(dir, 0);
    gzt_ingest_stats is = {0};
    gzt_error err = {0};
    assert_int_equal(gzt_writer_add_path(w, corpus, NULL, &is, &err), GZT_OK);
    assert_int_equal(is.added, 4);
    assert_int_equal(is.errors, 0);
    commit(w);
    gzt_writer_close(w);
    gzt_index *idx = iopen(dir);
    assert_int_equal(stats(idx).docs, 4);
    ranked r = search(idx, "*:*");
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < r.n; i++) {
        gzt_stored st;
        assert_int_equal(gzt_index_get(&st, idx, r.ids[i], &err), GZT_OK);
        assert_true(st.body_len > 500);
        assert_int_equal(strlen(st.body), st.body_len);
        assert_true(st.length > 50);
        gzt_stored_fini(&st);
    }
    ranked_free(&r);
    r = search(idx, "tehran");
    assert_true(r.n >= 1);
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.scores[i - 1] >= r.scores[i]);
    ranked_free(&r);
    gzt_index_close(idx);
    check_ok(dir);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&idx, "/nonexistent/index", &err),
                     GZT_ENOTFOUND);
    gzt_test_tmpdir_remove(dir);
}

/* A commit whose manifest was renamed into place but whose directory
 * could not be synced is reported, and kept: readers already see the new
 * generation, so its files must not be removed as a failed commit's are,
 * and the next writer goes on from it (native and Xapian engines). */
static void
test_commit_failing_after_the_manifest_rename_is_kept(void **state)
{
    (void)state;
    for (int xapian = 0; xapian < 2; xapian++) {
        char dir[64], path[128];
        gzt_test_tmpdir_new(dir, "dirsync");
        snprintf(path, sizeof path, "%s/idx", dir);
        gzt_writer_opts o;
        gzt_writer_opts_init(&o);
        o.engine = xapian ? "xapian" : "native";
        o.entities = 0;
        gzt_writer *w = NULL;
        gzt_error err = {0};
        assert_int_equal(gzt_writer_open(&w, path, &o, &err), GZT_OK);
        add(w, "a", "first", "alpha words", 0);
        commit(w);
        add(w, "b", "second", "bravo words", 0);
        /* the commit syncs the directory before writing the manifest, and
         * again after renaming it: the second fails */
        (void)gzt_io_fault(GZT_IO_DIRSYNC, 2, EIO, false);
        int rc = gzt_writer_commit(w, &err);
        (void)gzt_io_fault(0, 0, 0, false);
        assert_int_equal(rc, GZT_EIO);
        assert_non_null(strstr(err.msg, "fsync"));
        gzt_writer_close(w);
        check_ok(path);
        gzt_index *idx = iopen(path);
        assert_int_equal(stats(idx).docs, 2);
        ranked r = search_sorted(idx, "bravo", GZT_SORT_SCORE);
        assert_int_equal(r.total, 1);
        ranked_free(&r);
        gzt_index_close(idx);
        /* and the next writer builds on it */
        w = NULL;
        err_clear(&err);
        assert_int_equal(gzt_writer_open(&w, path, &o, &err), GZT_OK);
        add(w, "c", "third", "charlie words", 0);
        commit(w);
        gzt_writer_close(w);
        check_ok(path);
        idx = iopen(path);
        assert_int_equal(stats(idx).docs, 3);
        gzt_index_close(idx);
        gzt_test_tmpdir_remove(dir);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] =
    { cmocka_unit_test(test_added_documents_are_searchable_after_commit),
      cmocka_unit_test(test_commit_failing_after_the_manifest_rename_is_kept),
      cmocka_unit_test(test_ids_in_a_segment_being_written_are_found),
      cmocka_unit_test(test_one_thread_and_workers_write_the_same_segments),
      cmocka_unit_test(
          test_terms_sharing_their_first_bytes_are_written_in_order),
      cmocka_unit_test(test_a_small_segment_stores_less_than_its_text),
      cmocka_unit_test(test_leftovers_of_a_killed_writer_are_not_in_the_way),
      cmocka_unit_test(test_empty_and_oversized_ids_are_refused),
      cmocka_unit_test(test_readding_the_same_content_is_unchanged),
      cmocka_unit_test(test_changed_content_replaces_the_old_version),
      cmocka_unit_test(
          test_a_failed_replacement_keeps_a_later_add_of_the_old_text),
      cmocka_unit_test(test_same_id_twice_in_one_batch_keeps_the_last_version),
      cmocka_unit_test(test_delete_found_and_not_found),
#if 1
      /* BUG: a batch document deleted still answers for its id */
      cmocka_unit_test(test_a_document_deleted_in_the_batch_is_gone),
#endif
      cmocka_unit_test(test_deletes_across_segments),
      cmocka_unit_test(test_tiny_memory_budget_merges_to_the_same_results),
#if 1
      /* BUG: merges of non-adjacent segments reorder documents */
      cmocka_unit_test(test_merge_keeps_the_docid_order_of_tied_documents),
#endif
      cmocka_unit_test(test_uncommitted_work_is_invisible_and_dropped_on_close),
      cmocka_unit_test(test_a_second_writer_is_locked_out),
      cmocka_unit_test(test_a_reader_keeps_its_snapshot_across_commits),
      cmocka_unit_test(test_prune_deletes_documents_of_vanished_files),
      cmocka_unit_test(test_reindex_rebuilds_from_the_recorded_sources),
      cmocka_unit_test(test_language_mismatch_is_invalid),
      cmocka_unit_test(test_a_new_index_takes_the_language_asked_for),
#if 1
      /* BUG: a failed gzt_writer_open() deletes the committed segments */
      cmocka_unit_test(test_a_language_mismatch_leaves_the_index_intact),
#endif
      cmocka_unit_test(test_a_reused_error_reports_the_new_failure),
      cmocka_unit_test(test_corpus_index_answers_and_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
