/* SPDX-License-Identifier: MIT */
/*
 * test_xapian.c: the C binding over libxapian against real databases in
 * temporary directories: documents by external id (add, replace, delete),
 * positions, values and data; queries (terms, phrases, value ranges,
 * boolean filters) with BM25 weights recomputed here; every error path of
 * the shim (missing, locked and corrupt databases, a read-only handle
 * asked to write, malformed stub files, a refused connection); and a real
 * xapian-tcpsrv process on 127.0.0.1, started on a free port and always
 * stopped, whose results must equal those of the local database; several
 * shards opened as one (interleaved docids, metadata of the first, terms
 * by prefix over all), one left out with allow_partial, transactions that
 * a close drops, and Xapian's check of a sound and a damaged database.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/tmpdir.h"
#include "common/xapian.h"

/* "a b c" at positions 1.. */
static void
add_doc(gzt_xdb *db, const char *id, const char *words, const char *date)
{
    gzt_xdoc *d = gzt_xdoc_new();
    assert_non_null(d);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", words);
    uint32_t pos = 1;
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        assert_int_equal(gzt_xdoc_posting(d, w, strlen(w), pos++, 1), GZT_OK);
    assert_int_equal(gzt_xdoc_term(d, "Pperson", 7, 0), GZT_OK);
    assert_int_equal(gzt_xdoc_value(d, 0, date, strlen(date)), GZT_OK);
    assert_int_equal(gzt_xdoc_data(d, words, strlen(words)), GZT_OK);
    assert_int_equal(gzt_xdb_replace(db, id, strlen(id), d, NULL), GZT_OK);
    gzt_xdoc_free(d);
}

static const char *const corpus[][3] = {
    {"a1", "iran russia treaty signed in moscow", "20250117"},
    {"a2", "lavrov visits tehran russia iran talks", "20250222"},
    {"a3", "oil prices rise", "20240301"},
    {"a4", "russia iran russia strategic partnership treaty", "20250301"},
};

static void
build(const char *path)
{
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_CREATE, 0, &err), GZT_OK);
    for (size_t i = 0; i < 4; i++)
        add_doc(db, corpus[i][0], corpus[i][1], corpus[i][2]);
    assert_int_equal(gzt_xdb_commit(db), GZT_OK);
    gzt_xdb_close(db);
}

/* the ids of a search, in rank order, space-separated */
static void
ranked(gzt_xdb *db, const gzt_xq *q, char *out, size_t cap, double *w0)
{
    gzt_xsearch s = {1.2, 0.75, 0, 10, UINT32_MAX, 0, 0};
    gzt_xmset *m;
    assert_int_equal(gzt_xdb_search(db, q, &s, &m), GZT_OK);
    out[0] = '\0';
    gzt_buf data = GZT_BUF_INIT;
    for (size_t i = 0; i < gzt_xmset_size(m); i++) {
        uint32_t docid;
        double w;
        gzt_xmset_item(m, i, &docid, &w);
        if (i == 0 && w0)
            *w0 = w;
        assert_int_equal(gzt_xdb_data(db, docid, &data), GZT_OK);
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%u", n ? " " : "", docid);
    }
    gzt_buf_free(&data);
    uint64_t lo, est, hi;
    gzt_xmset_counts(m, &lo, &est, &hi);
    assert_true(lo == est && est == hi); /* exact counts */
    gzt_xmset_free(m);
}

static void
test_documents_by_external_id(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "xapian");
    build(dir);
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, dir, GZT_XDB_WRITE, 0, &err), GZT_OK);
    uint64_t n, df;
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 4);
    assert_int_equal(gzt_xdb_termfreq(db, "russia", 6, &df), GZT_OK);
    assert_int_equal(df, 3);
    assert_int_equal(gzt_xdb_total_length(db, &n), GZT_OK);
    assert_int_equal(n, 6 + 6 + 3 + 6);
    assert_int_equal(gzt_xdb_collfreq(db, "russia", 6, &n), GZT_OK);
    assert_int_equal(n, 4);
    /* replacing keeps the count and the id's document number */
    uint32_t before, after;
    assert_int_equal(gzt_xdb_find(db, "a3", 2, &before), GZT_OK);
    add_doc(db, "a3", "oil prices fall", "20240302");
    assert_int_equal(gzt_xdb_find(db, "a3", 2, &after), GZT_OK);
    assert_int_equal(before, after);
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 4);
    assert_int_equal(gzt_xdb_termfreq(db, "rise", 4, &df), GZT_OK);
    assert_int_equal(df, 0);
    gzt_buf b = GZT_BUF_INIT;
    assert_int_equal(gzt_xdb_data(db, after, &b), GZT_OK);
    assert_int_equal(b.len, strlen("oil prices fall"));
    assert_memory_equal(b.p, "oil prices fall", b.len);
    assert_int_equal(gzt_xdb_value(db, after, 0, &b), GZT_OK);
    assert_memory_equal(b.p, "20240302", 8);
    assert_int_equal(gzt_xdb_value(db, after, 7, &b), GZT_OK);
    assert_int_equal(b.len, 0);
    /* delete: then gone; a second delete and an unknown id are errors */
    assert_int_equal(gzt_xdb_delete(db, "a3", 2), GZT_OK);
    assert_int_equal(gzt_xdb_delete(db, "a3", 2), GZT_ENOTFOUND);
    assert_non_null(strstr(gzt_xdb_error(db), "a3"));
    assert_int_equal(gzt_xdb_find(db, "zz", 2, &after), GZT_ENOTFOUND);
    assert_int_equal(gzt_xdb_data(db, 999, &b), GZT_ENOTFOUND);
    assert_non_null(strstr(gzt_xdb_error(db), "999"));
    assert_int_equal(gzt_xdb_commit(db), GZT_OK);
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 3);
    assert_string_equal(gzt_xdb_error(db), "");
    gzt_buf_free(&b);
    gzt_xdb_close(db);
    gzt_test_tmpdir_remove(dir);
}

/* Xapian's BM25 (k2 = 0, k3 = 1, min_normlen 0.5) for one term, written
 * out from its documentation: idf log((N - n + 0.5) / (n + 0.5)), floored
 * as Xapian does for common terms, times the saturated wdf */
static double
bm25(double N, double n, double wdf, double len, double avg, double k1,
     double b)
{
    double idf = log((N - n + 0.5) / (n + 0.5));
    if (idf < 0)
        idf = 0; /* not reached by the term below */
    double normlen = len / avg < 0.5 ? 0.5 : len / avg;
    double K = k1 * ((1 - b) + b * normlen);
    return idf * (k1 + 1) * wdf / (K + wdf);
}

static void
test_queries_rank_by_bm25_with_our_parameters(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "xapian");
    build(dir);
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, dir, GZT_XDB_READ, 0, &err), GZT_OK);
    char got[128];
    double w0 = 0;
    /* one term: "tehran" only in a2 (length 6, average 21/4) */
    gzt_xq *t = gzt_xq_term("tehran", 6);
    ranked(db, t, got, sizeof got, &w0);
    assert_string_equal(got, "2");
    assert_true(fabs(w0 - bm25(4, 1, 1, 6, 21.0 / 4, 1.2, 0.75)) < 1e-9);
    /* "russia" in a1, a2, a4; a4 has it twice */
    gzt_xq *r = gzt_xq_term("russia", 6);
    ranked(db, r, got, sizeof got, NULL);
    assert_string_equal(got, "4 1 2");
    /* phrase "iran russia": a1 (positions 1 2), a2 (6 5: no), a4 (2 3) */
    const char *ph[] = {"iran", "russia"};
    size_t phl[] = {4, 6};
    gzt_xq *p = gzt_xq_phrase(ph, phl, 2);
    gzt_xq *all = gzt_xq_all();
    gzt_xq *pb = gzt_xq_boolean(p);
    gzt_xq *fa = gzt_xq_filter(all, pb);
    ranked(db, fa, got, sizeof got, &w0);
    assert_string_equal(got, "1 4"); /* weight 0: docid order */
    assert_true(w0 == 0);
    /* date range and AND NOT */
    gzt_xq *dr = gzt_xq_range(0, "20250101", 8, "20251231", 8);
    gzt_xq *rf = gzt_xq_filter(r, dr);
    gzt_xq *tr = gzt_xq_term("treaty", 6);
    gzt_xq *rnt = gzt_xq_and_not(rf, tr);
    ranked(db, rnt, got, sizeof got, NULL);
    assert_string_equal(got, "2");
    gzt_xq *both = gzt_xq_and(t, r), *either = gzt_xq_or(t, tr);
    ranked(db, both, got, sizeof got, NULL);
    assert_string_equal(got, "2");
    ranked(db, either, got, sizeof got, NULL);
    assert_string_equal(got, "2 1 4");
    gzt_xq *none = gzt_xq_none();
    ranked(db, none, got, sizeof got, NULL);
    assert_string_equal(got, "");
    gzt_buf desc = GZT_BUF_INIT;
    assert_int_equal(gzt_xq_describe(rnt, &desc), GZT_OK);
    assert_true(gzt_buf_putc(&desc, 0) == GZT_OK);
    assert_non_null(strstr((const char *)desc.p, "AND_NOT"));
    gzt_buf_free(&desc);
    assert_null(gzt_xq_and(t, NULL));
    gzt_xq *qs[] = {t, r, p, all, pb, fa, dr, rf, tr, rnt, both, either, none};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
        gzt_xq_free(qs[i]);
    gzt_xdb_close(db);
    gzt_test_tmpdir_remove(dir);
}

static void
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void
test_every_error_path_has_a_code_and_a_message(void **state)
{
    (void)state;
    char dir[64], path[128];
    gzt_test_tmpdir_new(dir, "xapian");
    gzt_xdb *db, *db2;
    gzt_error err;
    /* missing */
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 0, &err),
                     GZT_ENOTFOUND);
    assert_null(db);
    assert_non_null(strstr(err.msg, "none"));
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_WRITE, 0, &err),
                     GZT_ENOTFOUND);
    /* locked: a second writer */
    snprintf(path, sizeof path, "%s/db", dir);
    build(path);
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_WRITE, 0, &err), GZT_OK);
    assert_int_equal(gzt_xdb_open(&db2, path, GZT_XDB_WRITE, 0, &err),
                     GZT_ELOCKED);
    if (!strstr(err.msg, "lock"))
        fail_msg("%s", err.msg);
    gzt_xdb_close(db);
    /* read-only handles refuse to write */
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 0, &err), GZT_OK);
    assert_int_equal(gzt_xdb_delete(db, "a1", 2), GZT_EINVAL);
    assert_non_null(strstr(gzt_xdb_error(db), "read-only"));
    assert_int_equal(gzt_xdb_commit(db), GZT_EINVAL);
    gzt_xdb_close(db);
    /* corrupt: the postlist table overwritten with garbage */
    char table[160];
    snprintf(table, sizeof table, "%s/postlist.glass", path);
    int fd = open(table, O_WRONLY);
    assert_true(fd >= 0);
    char junk[8192];
    memset(junk, 0x5a, sizeof junk);
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    assert_int_equal(close(fd), 0);
    int rc = gzt_xdb_open(&db, path, GZT_XDB_READ, 0, &err);
    if (rc == GZT_OK) {
        gzt_xq *q = gzt_xq_term("russia", 6);
        gzt_xsearch s = {1.2, 0.75, 0, 10, UINT32_MAX, 0, 0};
        gzt_xmset *m = NULL;
        rc = gzt_xdb_search(db, q, &s, &m);
        assert_true(strlen(gzt_xdb_error(db)) > 0);
        gzt_xmset_free(m);
        gzt_xq_free(q);
        gzt_xdb_close(db);
    }
    assert_int_equal(rc, GZT_ECORRUPT);
    /* stub files: bad lines are named, an empty stub is an error */
    snprintf(path, sizeof path, "%s/bad.stub", dir);
    write_text(path, "# shards\nremote 127.0.0.1:99999\n");
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 500, &err),
                     GZT_EBACKEND);
    assert_non_null(strstr(err.msg, "bad.stub:2: bad port"));
    write_text(path, "shard somewhere\n");
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 500, &err),
                     GZT_EBACKEND);
    assert_non_null(strstr(err.msg, "bad.stub:1: expected"));
    write_text(path, "# nothing\n");
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 500, &err),
                     GZT_EBACKEND);
    assert_non_null(strstr(err.msg, "names no database"));
    gzt_test_tmpdir_remove(dir);
}

static int
collect_term(void *ctx, const char *term, size_t len)
{
    gzt_buf *b = ctx;
    if (b->len)
        assert_int_equal(gzt_buf_putc(b, ' '), GZT_OK);
    assert_int_equal(gzt_buf_append(b, term, len), GZT_OK);
    return GZT_OK;
}

static int
collect_doc(void *ctx, uint32_t docid)
{
    gzt_buf *b = ctx;
    return gzt_buf_printf(b, "%s%u", b->len ? " " : "", docid);
}

static int
stop_after_one(void *ctx, uint32_t docid)
{
    (void)ctx;
    (void)docid;
    return GZT_EINVAL;
}

static void
test_shards_metadata_terms_and_transactions(void **state)
{
    (void)state;
    char dir[64], a[96], b[96], missing[96];
    gzt_test_tmpdir_new(dir, "xapian");
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    build(a);
    gzt_xdb *db;
    gzt_error err;
    /* a second shard with one document, metadata, then a transaction the
     * close drops */
    assert_int_equal(gzt_xdb_open(&db, b, GZT_XDB_CREATE, 0, &err), GZT_OK);
    add_doc(db, "b1", "russia wheat exports", "20250401");
    assert_int_equal(gzt_xdb_set_meta(db, "gazette.language", "english"),
                     GZT_OK);
    assert_int_equal(gzt_xdb_commit(db), GZT_OK);
    assert_int_equal(gzt_xdb_begin(db), GZT_OK);
    add_doc(db, "b2", "uncommitted words", "20250402");
    gzt_xdb_close(db);
    /* both shards as one: counts, doc lengths, metadata, terms by prefix
     * over every shard, postlists */
    const char *both[] = {a, b};
    assert_int_equal(gzt_xdb_open_many(&db, both, 2, 0, false, &err), GZT_OK);
    uint64_t n;
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 5); /* b2 was dropped */
    assert_string_equal(gzt_xdb_skipped(db), "");
    gzt_buf out = GZT_BUF_INIT;
    /* metadata comes from the first shard (a has none): gazette writes it
     * into every shard */
    assert_int_equal(gzt_xdb_meta(db, "gazette.language", &out), GZT_OK);
    assert_int_equal(out.len, 0);
    gzt_xdb *one;
    assert_int_equal(gzt_xdb_open(&one, b, GZT_XDB_READ, 0, &err), GZT_OK);
    assert_int_equal(gzt_xdb_meta(one, "gazette.language", &out), GZT_OK);
    assert_int_equal(out.len, 7);
    assert_memory_equal(out.p, "english", 7);
    gzt_xdb_close(one);
    gzt_buf_reset(&out);
    assert_int_equal(gzt_xdb_terms(db, "r", 1, collect_term, &out), GZT_OK);
    assert_int_equal(gzt_buf_nul(&out), GZT_OK);
    assert_string_equal((const char *)out.p, "rise russia");
    gzt_buf_reset(&out);
    assert_int_equal(gzt_xdb_postlist(db, "russia", 6, collect_doc, &out),
                     GZT_OK);
    assert_int_equal(gzt_buf_nul(&out), GZT_OK);
    /* documents interleave: shard a's k-th is 2k-1, shard b's 2k */
    assert_string_equal((const char *)out.p, "1 2 3 7");
    assert_int_equal(gzt_xdb_postlist(db, "", 0, stop_after_one, NULL),
                     GZT_EINVAL);
    uint32_t len;
    assert_int_equal(gzt_xdb_doclength(db, 2, &len), GZT_OK);
    assert_int_equal(len, 3);
    assert_int_equal(gzt_xdb_termcount(db, &n), GZT_OK);
    assert_true(n > 15);
    /* a page after the first result, its documents fetched at once (the
     * plain MSet::fetch() of such a page crashes Xapian 1.4.22) */
    gzt_xq *q = gzt_xq_term("russia", 6);
    gzt_xsearch s = {1.2, 0.75, 1, 10, UINT32_MAX, 2, 0};
    gzt_xmset *m;
    assert_int_equal(gzt_xdb_search(db, q, &s, &m), GZT_OK);
    assert_int_equal(gzt_xmset_size(m), 3);
    gzt_buf data = GZT_BUF_INIT, value = GZT_BUF_INIT;
    const char *dates[] = {"20250222", "20250301", "20250401"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(gzt_xmset_document(db, m, i, 0, &data, &value),
                         GZT_OK);
        assert_int_equal(value.len, 8); /* sorted by date, oldest first */
        assert_memory_equal(value.p, dates[i], 8);
        assert_true(data.len > 0);
    }
    gzt_buf_free(&data);
    gzt_buf_free(&value);
    gzt_xmset_free(m);
    gzt_xq_free(q);
    gzt_xdb_close(db);
    /* a missing shard fails the open, or is left out and named */
    const char *three[] = {a, missing, b};
    assert_int_equal(gzt_xdb_open_many(&db, three, 3, 0, false, &err),
                     GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "missing"));
    assert_int_equal(gzt_xdb_open_many(&db, three, 3, 0, true, &err), GZT_OK);
    assert_non_null(strstr(gzt_xdb_skipped(db), "missing"));
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 5);
    gzt_xdb_close(db);
    const char *none[] = {missing};
    assert_int_equal(gzt_xdb_open_many(&db, none, 1, 0, true, &err),
                     GZT_EBACKEND);
    assert_non_null(strstr(err.msg, "no database could be opened"));
    /* check: a sound database passes, a damaged one is corrupt */
    assert_int_equal(gzt_xdb_check(a, &err), GZT_OK);
    char table[160];
    snprintf(table, sizeof table, "%s/termlist.glass", a);
    int fd = open(table, O_WRONLY);
    assert_true(fd >= 0);
    char junk[8192];
    memset(junk, 0x5a, sizeof junk);
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    assert_int_equal(close(fd), 0);
    assert_int_equal(gzt_xdb_check(a, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, a));
    assert_int_equal(gzt_xdb_check(missing, &err), GZT_ENOTFOUND);
    gzt_buf_free(&out);
    gzt_test_tmpdir_remove(dir);
}

/* a TCP port nobody listens on right now */
static unsigned
free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
    close(s);
    return ntohs(a.sin_port);
}

static pid_t server = -1;

static int
stop_server(void **state)
{
    (void)state;
    if (server > 0) {
        kill(-server, SIGTERM); /* the server and its connection children */
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
        server = -1;
    }
    return 0;
}

static void
test_connection_refused_names_the_shard(void **state)
{
    (void)state;
    char dir[64], path[128], line[64];
    gzt_test_tmpdir_new(dir, "xapian");
    snprintf(path, sizeof path, "%s/down.stub", dir);
    unsigned port = free_port();
    snprintf(line, sizeof line, "remote 127.0.0.1:%u\n", port);
    write_text(path, line);
    gzt_xdb *db;
    gzt_error err;
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 1000, &err),
                     GZT_EBACKEND);
    char want[64];
    snprintf(want, sizeof want, "remote 127.0.0.1:%u", port);
    if (!strstr(err.msg, want))
        fail_msg("%s", err.msg);
    gzt_test_tmpdir_remove(dir);
}

static void
test_a_real_tcpsrv_gives_the_local_results(void **state)
{
    (void)state;
    char dir[64], path[128], stub[160], line[64];
    gzt_test_tmpdir_new(dir, "xapian");
    snprintf(path, sizeof path, "%s/db", dir);
    build(path);
    gzt_xdb *db = NULL;
    gzt_error err;
    unsigned port = 0;
    /* a port can be taken between the probe and the server's bind: try a
     * few */
    for (int attempt = 0; attempt < 5 && !db; attempt++) {
        port = free_port();
        char ports[16];
        snprintf(ports, sizeof ports, "%u", port);
        server = fork();
        assert_true(server >= 0);
        if (server == 0) {
            /* its own process group: on SIGTERM xapian-tcpsrv signals its
             * whole group (its connection children), which must not
             * include this test */
            setpgid(0, 0);
            int nul = open("/dev/null", O_WRONLY);
            dup2(nul, 1);
            dup2(nul, 2);
            execlp("xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1",
                   "--port", ports, path, (char *)NULL);
            _exit(127);
        }
        setpgid(server, server); /* as the child does: whoever runs first */
        snprintf(stub, sizeof stub, "%s/one.stub", dir);
        snprintf(line, sizeof line, "remote 127.0.0.1:%u\n", port);
        write_text(stub, line);
        /* the server needs a moment to listen */
        for (int i = 0; i < 50 && !db; i++) {
            if (gzt_xdb_open(&db, stub, GZT_XDB_READ, 2000, &err) == GZT_OK)
                break;
            int status;
            if (waitpid(server, &status, WNOHANG) == server) {
                server = -1; /* it exited: port taken or no binary */
                assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 127);
                break;
            }
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (!db)
            stop_server(NULL);
    }
    assert_non_null(db);
    gzt_xdb *local;
    assert_int_equal(gzt_xdb_open(&local, path, GZT_XDB_READ, 0, &err), GZT_OK);
    const char *terms[] = {"russia", "iran", "oil", "treaty"};
    for (size_t i = 0; i < 4; i++) {
        gzt_xq *q = gzt_xq_term(terms[i], strlen(terms[i]));
        char a[128], b[128];
        double wa = 0, wb = 0;
        ranked(db, q, a, sizeof a, &wa);
        ranked(local, q, b, sizeof b, &wb);
        assert_string_equal(a, b);
        assert_true(wa == wb);
        gzt_xq_free(q);
    }
    uint64_t n;
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, 4);
    gzt_xdb_close(local);
    /* the server goes away: the next call fails, it does not hang */
    stop_server(NULL);
    gzt_xq *q = gzt_xq_term("iran", 4);
    gzt_xsearch s = {1.2, 0.75, 0, 10, UINT32_MAX, 0, 0};
    gzt_xmset *m = NULL;
    int rc = gzt_xdb_search(db, q, &s, &m);
    gzt_xmset_free(m);
    gzt_xq_free(q);
    assert_int_equal(rc, GZT_EBACKEND);
    assert_true(strlen(gzt_xdb_error(db)) > 0);
    gzt_xdb_close(db);
    gzt_test_tmpdir_remove(dir);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents_by_external_id),
        cmocka_unit_test(test_queries_rank_by_bm25_with_our_parameters),
        cmocka_unit_test(test_every_error_path_has_a_code_and_a_message),
        cmocka_unit_test(test_connection_refused_names_the_shard),
        cmocka_unit_test(test_shards_metadata_terms_and_transactions),
        cmocka_unit_test_teardown(test_a_real_tcpsrv_gives_the_local_results,
                                  stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
