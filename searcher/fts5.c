/* SPDX-License-Identifier: MIT */
/*
 * fts5.c: querying the SQLite FTS5 peer of `gazette bench` (built by
 * indexer/fts5build.c): the same parsed queries as gazette, so that the
 * timings compare engines and not query languages.
 *
 * A query is parsed by gazette's parser and written as an FTS5 query over
 * the analysed terms, which the tokenizer passes through untouched in query
 * mode (common/fts5tok.c). TOP-k runs ORDER BY rank (FTS5's BM25), and
 * fetches the ids of the hits when asked, as gazette and Xapian fetch
 * theirs; a count is count(*) of the match. What FTS5 cannot say (dates,
 * entity fields, sloppy phrases, a query of exclusions alone) is a clear
 * GZT_EINVAL, never a different query.
 */
#include "gazette.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/analyze.h"
#include "common/base.h"
#include "common/fts5tok.h"
#include "searcher/query.h"

struct gzt_fts5 {
    sqlite3 *db;         /* the database */
    gzt_analyzer *an;    /* for parsing queries */
    sqlite3_stmt *top;   /* the ids of the best hits */
    sqlite3_stmt *rows;  /* the rowids of the best hits alone */
    sqlite3_stmt *count; /* count(*) of a match */
    gzt_buf q;           /* the FTS5 query being written */
    gzt_buf last;        /* the gazette query q is the form of ("": none) */
    char language[32];   /* the analysis */
};

/* ---- the tokenizer ------------------------------------------------------ */

int
gzt_fts5_open(gzt_fts5 **out, const char *path, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    gzt_fts5 *f = gzt_calloc(1, sizeof *f);
    if (!f)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = gzt_fts5_open_db(&f->db, path, SQLITE_OPEN_READONLY, err);
    sqlite3_stmt *st = NULL;
    if (rc == GZT_OK &&
        (sqlite3_prepare_v2(f->db, "SELECT v FROM meta WHERE k = 'language'",
                            -1, &st, NULL) != SQLITE_OK ||
         sqlite3_step(st) != SQLITE_ROW))
        rc = gzt_err_set(err, GZT_ECORRUPT,
                         "%s: not a database built by gazette bench", path);
    if (rc == GZT_OK)
        snprintf(f->language, sizeof f->language, "%s",
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == GZT_OK)
        rc = gzt_analyzer_new(&f->an, f->language, err);
    if (rc == GZT_OK &&
        (sqlite3_prepare_v2(f->db,
                            "SELECT i.id FROM (SELECT rowid AS r FROM docs "
                            "WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2) "
                            "JOIN ids i ON i.rowid = r",
                            -1, &f->top, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(f->db,
                            "SELECT rowid FROM docs WHERE docs MATCH ?1 "
                            "ORDER BY rank LIMIT ?2",
                            -1, &f->rows, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(f->db,
                            "SELECT count(*) FROM docs WHERE docs MATCH ?1", -1,
                            &f->count, NULL) != SQLITE_OK))
        rc = gzt_fts5_db_fail(f->db, err, "prepare");
    if (rc) {
        gzt_fts5_close(f);
        return rc;
    }
    *out = f;
    return GZT_OK;
}

void
gzt_fts5_close(gzt_fts5 *f)
{
    if (!f)
        return;
    sqlite3_finalize(f->top);
    sqlite3_finalize(f->rows);
    sqlite3_finalize(f->count);
    sqlite3_close(f->db);
    gzt_analyzer_free(f->an);
    gzt_buf_free(&f->q);
    gzt_buf_free(&f->last);
    gzt_free(f);
}

/* ---- queries ------------------------------------------------------------ */

typedef struct writer {
    gzt_buf *b;     /* the FTS5 query */
    gzt_error *err; /* what cannot be said */
    int rc;         /* first failure */
} writer;

static void
put(writer *w, const char *s)
{
    if (w->rc == GZT_OK && gzt_buf_append(w->b, s, strlen(s)))
        w->rc = gzt_err_set(w->err, GZT_ENOMEM, "out of memory");
}

static void
unsupported(writer *w, const gzt_qnode *n, const char *what)
{
    if (w->rc == GZT_OK)
        w->rc = gzt_err_set(w->err, GZT_EINVAL,
                            "column %u: %s: not available on the fts5 peer",
                            n->col, what);
}

/* the terms of @p n as one FTS5 string ("a b" is a phrase), under the title
 * column when they are title terms */
static void
put_terms(writer *w, const gzt_qnode *n)
{
    bool title = n->terms[0][0] == GZT_PREFIX_TITLE;
    for (uint32_t i = 0; i < n->nterms; i++) {
        char c = n->terms[i][0];
        if ((c >= 'A' && c <= 'Z') && !(title && c == GZT_PREFIX_TITLE)) {
            unsupported(w, n, "an entity field");
            return;
        }
        if (n->kind == GZT_Q_PHRASE && n->qpos[i] != i) {
            unsupported(w, n, "a phrase with a word too long to index");
            return;
        }
    }
    put(w, title ? "title : \"" : "\"");
    for (uint32_t i = 0; i < n->nterms && w->rc == GZT_OK; i++) {
        const char *t = n->terms[i] + title;
        if (i)
            put(w, " ");
        for (; *t && w->rc == GZT_OK; t++) {
            char s[2] = {*t, 0};
            put(w, *t == '"' ? "\"\"" : s);
        }
    }
    put(w, "\"");
}

static void put_node(writer *w, const gzt_qnode *n);

static void
put_list(writer *w, gzt_qnode *const *v, uint32_t n, const char *op)
{
    put(w, "(");
    for (uint32_t i = 0; i < n && w->rc == GZT_OK; i++) {
        if (i)
            put(w, op);
        put_node(w, v[i]);
    }
    put(w, ")");
}

static void
put_node(writer *w, const gzt_qnode *n)
{
    switch (n->kind) {
    case GZT_Q_TERM:
        put_terms(w, n);
        return;
    case GZT_Q_PHRASE:
        if (n->slop)
            unsupported(w, n, "a phrase with slop");
        else
            put_terms(w, n);
        return;
    case GZT_Q_PREFIX:
        put_terms(w, n);
        put(w, " *");
        return;
    case GZT_Q_DATE:
        unsupported(w, n, "a date range");
        return;
    case GZT_Q_ALL:
    case GZT_Q_NONE:
        unsupported(w, n, "a query matching all or nothing");
        return;
    case GZT_Q_BOOL:
        break;
    }
    /* what matches: the required clauses, else any optional one; the
     * optional ones next to required ones only score */
    if (n->nmust)
        put_list(w, n->must, n->nmust, " AND ");
    else if (n->nshould)
        put_list(w, n->should, n->nshould, " OR ");
    else
        unsupported(w, n, "a query of exclusions alone");
    if (n->nmustnot) {
        put(w, " NOT ");
        put_list(w, n->mustnot, n->nmustnot, " OR ");
    }
}

int
gzt_fts5_query(gzt_fts5 *f, const char *query, char **out, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    /* a query asked twice in a row (a top-k, then its count) is parsed
     * once, as gazette parses it once for both */
    size_t qlen = strlen(query);
    if (f->last.len == qlen + 1 && !memcmp(f->last.p, query, qlen)) {
        *out = (char *)f->q.p;
        return GZT_OK;
    }
    gzt_buf_reset(&f->last);
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_qnode *root = NULL;
    gzt_query_opts qo = {0, 0};
    int rc = gzt_query_parse(&root, &a, query, qlen, f->an, &qo, err);
    if (rc == GZT_OK && root->kind == GZT_Q_NONE)
        rc = gzt_err_set(err, GZT_EINVAL,
                         "no word of the query is indexed: nothing to ask "
                         "fts5");
    gzt_buf_reset(&f->q);
    writer w = {&f->q, err, rc};
    if (rc == GZT_OK) {
        put_node(&w, root);
        if (w.rc == GZT_OK && gzt_buf_putc(&f->q, '\0'))
            w.rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    gzt_arena_fini(&a);
    if (w.rc)
        return w.rc;
    if (gzt_buf_append(&f->last, query, qlen + 1))
        gzt_buf_reset(&f->last); /* no memory: parse it again next time */
    *out = (char *)f->q.p;
    return GZT_OK;
}

int
gzt_fts5_search(gzt_fts5 *f, const char *query, unsigned top, int fetch,
                uint64_t *n, gzt_error *err)
{
    *n = 0;
    char *q;
    int rc = gzt_fts5_query(f, query, &q, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = !top ? f->count : fetch ? f->top : f->rows;
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    if (top)
        sqlite3_bind_int(st, 2, (int)top);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (!top) {
            *n = (uint64_t)sqlite3_column_int64(st, 0);
        } else if (!fetch || sqlite3_column_text(st, 0)) {
            (*n)++; /* with fetch, the id is read, as a hit's is */
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (s != SQLITE_DONE)
        return gzt_err_set(err, GZT_EINVAL, "fts5: %s: %s", q,
                           sqlite3_errmsg(f->db));
    return GZT_OK;
}
