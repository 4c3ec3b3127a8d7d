/* SPDX-License-Identifier: MIT */
/*
 * fts5.c: SQLite FTS5 as a peer of gazette in `gazette bench`: the same
 * documents, the same analysis, the same parsed queries, so that the
 * timings compare engines and not tokenizers.
 *
 * The database holds a contentless FTS5 table (title, body) whose
 * tokenizer, registered as "gazette", is gazette's own analyzer (Snowball
 * stemming through libstemmer, utf8proc folding), and a table of external
 * ids by rowid. A query is parsed by gazette's parser and written as an
 * FTS5 query over the analysed terms, which the tokenizer passes through
 * untouched in query mode. TOP-k runs ORDER BY rank (FTS5's BM25), and
 * fetches the ids of the hits when asked, as gazette and Xapian fetch
 * theirs; a count is count(*) of the match. Written here because no package
 * offers an FTS5 tokenizer over Snowball with gazette's folding.
 *
 * What FTS5 cannot say (dates, entity fields, sloppy phrases, a query of
 * exclusions alone) is a clear GZT_EINVAL, never a different query.
 */
#include "gazette.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/analyze.h"
#include "common/base.h"
#include "indexer/ingest.h"
#include "searcher/query.h"

struct gzt_fts5 {
    sqlite3 *db;         /* the database */
    gzt_analyzer *an;    /* for parsing queries */
    sqlite3_stmt *top;   /* the ids of the best hits */
    sqlite3_stmt *rows;  /* the rowids of the best hits alone */
    sqlite3_stmt *count; /* count(*) of a match */
    gzt_buf q;           /* the FTS5 query being written */
    char language[32];   /* the analysis */
};

/* ---- the tokenizer ------------------------------------------------------ */

typedef struct tok {
    gzt_analyzer *an; /* the index's analysis */
} tok;

static int
tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    tok *t = gzt_calloc(1, sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    gzt_error err;
    if (gzt_analyzer_new(&t->an, argc > 0 ? argv[0] : "english", &err)) {
        gzt_free(t);
        return SQLITE_ERROR;
    }
    *out = (Fts5Tokenizer *)(void *)t;
    return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *p)
{
    tok *t = (tok *)(void *)p;
    gzt_analyzer_free(t->an);
    gzt_free(t);
}

typedef struct tok_call {
    void *ctx;                                             /* FTS5's */
    int (*emit)(void *, int, const char *, int, int, int); /* xToken */
} tok_call;

static int
on_term(void *ctx, const gzt_token *tk)
{
    tok_call *c = ctx;
    return c->emit(c->ctx, 0, tk->term, (int)tk->term_len, (int)tk->start,
                   (int)tk->end);
}

/* Documents are analysed; queries already are (written by fts5_query()),
 * so their space-separated terms pass through as they are. */
static int
tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int len,
             int (*emit)(void *, int, const char *, int, int, int))
{
    tok *t = (tok *)(void *)p;
    if (flags & FTS5_TOKENIZE_QUERY) {
        for (int i = 0; i < len;) {
            while (i < len && text[i] == ' ')
                i++;
            int j = i;
            while (j < len && text[j] != ' ')
                j++;
            if (j > i) {
                int rc = emit(ctx, 0, text + i, j - i, i, j);
                if (rc != SQLITE_OK)
                    return rc;
            }
            i = j;
        }
        return SQLITE_OK;
    }
    tok_call c = {ctx, emit};
    int rc = gzt_analyze(t->an, text, (size_t)(len > 0 ? len : 0), 0, on_term,
                         &c, NULL);
    return rc == GZT_OK ? SQLITE_OK : rc > 0 ? rc : SQLITE_NOMEM;
}

static int
register_tokenizer(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api)
        return SQLITE_ERROR; /* SQLite without FTS5 */
    static fts5_tokenizer t = {tok_create, tok_delete, tok_tokenize};
    return api->xCreateTokenizer(api, "gazette", NULL, &t, NULL);
}

/* ---- opening and building ----------------------------------------------- */

static int
db_fail(sqlite3 *db, gzt_error *err, const char *what)
{
    return gzt_err_set(err, GZT_EIO, "fts5: %s: %s", what,
                       db ? sqlite3_errmsg(db) : "out of memory");
}

static int
exec(sqlite3 *db, const char *sql, gzt_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return GZT_OK;
    int rc = gzt_err_set(err, GZT_EIO, "fts5: %s", msg ? msg : sql);
    sqlite3_free(msg);
    return rc;
}

/* a language name that can go into SQL as it is */
static bool
plain_name(const char *s)
{
    if (!*s || strlen(s) >= 32)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

static int
open_db(sqlite3 **out, const char *path, int flags, gzt_error *err)
{
    *out = NULL;
    if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
        int rc = db_fail(*out, err, path);
        sqlite3_close(*out);
        *out = NULL;
        return rc;
    }
    if (register_tokenizer(*out) != SQLITE_OK) {
        sqlite3_close(*out);
        *out = NULL;
        return gzt_err_set(err, GZT_EINVAL,
                           "fts5: this SQLite has no FTS5 (%s)",
                           sqlite3_libversion());
    }
    return GZT_OK;
}

typedef struct build {
    sqlite3 *db;         /* the database */
    sqlite3_stmt *doc;   /* INSERT INTO docs */
    sqlite3_stmt *id;    /* INSERT INTO ids */
    sqlite3_int64 rowid; /* the last rowid given */
    gzt_error *err;      /* errors */
} build;

static int
add_doc(void *ctx, const gzt_doc *d)
{
    build *b = ctx;
    sqlite3_int64 row = ++b->rowid;
    sqlite3_bind_int64(b->doc, 1, row);
    sqlite3_bind_text(b->doc, 2, d->title ? d->title : "",
                      (int)(d->title ? d->title_len : 0), SQLITE_STATIC);
    sqlite3_bind_text(b->doc, 3, d->body ? d->body : "",
                      (int)(d->body ? d->body_len : 0), SQLITE_STATIC);
    sqlite3_bind_int64(b->id, 1, row);
    sqlite3_bind_text(b->id, 2, d->id, -1, SQLITE_STATIC);
    int ok = sqlite3_step(b->doc) == SQLITE_DONE &&
             sqlite3_step(b->id) == SQLITE_DONE;
    sqlite3_reset(b->doc);
    sqlite3_reset(b->id);
    return ok ? GZT_OK : db_fail(b->db, b->err, "insert");
}

int
gzt_fts5_build(const char *path, const char *const *sources, size_t nsources,
               const gzt_ingest_opts *io, const char *language,
               gzt_ingest_stats *stats, gzt_error *err)
{
    gzt_err_clear(err);
    if (!language)
        language = "english";
    if (!plain_name(language))
        return gzt_err_set(err, GZT_EINVAL, "fts5: bad language '%s'",
                           language);
    gzt_analyzer *probe;
    int rc = gzt_analyzer_new(&probe, language, err);
    if (rc)
        return rc;
    gzt_analyzer_free(probe);
    if (remove(path) != 0 && errno != ENOENT)
        return gzt_err_set(err, GZT_EIO, "%s: %s", path, strerror(errno));
    sqlite3 *db;
    if ((rc = open_db(&db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      err)))
        return rc;
    char sql[512];
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             "PRAGMA cache_size=-262144;"
             "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);"
             "INSERT INTO meta VALUES('language', '%s');"
             "CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT);"
             "CREATE VIRTUAL TABLE docs USING fts5(title, body, content='',"
             " tokenize='gazette %s');"
             "BEGIN;",
             language, language);
    build b = {db, NULL, NULL, 0, err};
    rc = exec(db, sql, err);
    if (rc == GZT_OK &&
        (sqlite3_prepare_v2(
             db, "INSERT INTO docs(rowid, title, body) VALUES(?1, ?2, ?3)", -1,
             &b.doc, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT INTO ids VALUES(?1, ?2)", -1, &b.id,
                            NULL) != SQLITE_OK))
        rc = db_fail(db, err, "prepare");
    gzt_ingest_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    for (size_t i = 0; i < nsources && rc == GZT_OK; i++)
        rc = gzt_ingest_path(sources[i], io, add_doc, &b, NULL, NULL, stats,
                             err);
    sqlite3_finalize(b.doc);
    sqlite3_finalize(b.id);
    if (rc == GZT_OK)
        rc = exec(db,
                  "COMMIT; INSERT INTO docs(docs) VALUES('optimize');"
                  "VACUUM;",
                  err);
    if (sqlite3_close(db) != SQLITE_OK && rc == GZT_OK)
        rc = gzt_err_set(err, GZT_EIO, "fts5: %s: close failed", path);
    if (rc)
        remove(path);
    return rc;
}

int
gzt_fts5_open(gzt_fts5 **out, const char *path, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    gzt_fts5 *f = gzt_calloc(1, sizeof *f);
    if (!f)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = open_db(&f->db, path, SQLITE_OPEN_READONLY, err);
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
        rc = db_fail(f->db, err, "prepare");
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
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_qnode *root = NULL;
    gzt_query_opts qo = {0, 0};
    int rc = gzt_query_parse(&root, &a, query, strlen(query), f->an, &qo, err);
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
