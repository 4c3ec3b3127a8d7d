/* SPDX-License-Identifier: MIT */
/*
 * fts5tok.c: SQLite FTS5 as a peer of gazette in `gazette bench`, the part
 * both sides share: the FTS5 tokenizer "gazette", which is gazette's own
 * analyzer (Snowball stemming through libstemmer, utf8proc folding), and
 * opening a database with it registered. indexer/fts5build.c fills a
 * database, searcher/fts5.c queries it. Written here because no package
 * offers an FTS5 tokenizer over Snowball with gazette's folding.
 */
#include "common/fts5tok.h"

#include <stdio.h>
#include <string.h>

#include "common/analyze.h"

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

int
gzt_fts5_db_fail(sqlite3 *db, gzt_error *err, const char *what)
{
    return gzt_err_set(err, GZT_EIO, "fts5: %s: %s", what,
                       db ? sqlite3_errmsg(db) : "out of memory");
}

int
gzt_fts5_exec(sqlite3 *db, const char *sql, gzt_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return GZT_OK;
    int rc = gzt_err_set(err, GZT_EIO, "fts5: %s", msg ? msg : sql);
    sqlite3_free(msg);
    return rc;
}

/* a language name that can go into SQL as it is */
bool
gzt_fts5_plain_name(const char *s)
{
    if (!*s || strlen(s) >= 32)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

int
gzt_fts5_open_db(sqlite3 **out, const char *path, int flags, gzt_error *err)
{
    *out = NULL;
    if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
        int rc = gzt_fts5_db_fail(*out, err, path);
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
