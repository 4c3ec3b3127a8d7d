/* SPDX-License-Identifier: MIT */
/*
 * fts5build.c: gzt_fts5_build(), the SQLite FTS5 peer of `gazette bench`
 * filled with the same documents gazette indexes: a contentless FTS5 table
 * (title, body) tokenized by gazette's analyzer (common/fts5tok.c), a
 * table of external ids by rowid, one transaction, then merged into one
 * b-tree ('optimize') and vacuumed.
 */
#include "gazette.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/analyze.h"
#include "common/fts5tok.h"
#include "indexer/ingest.h"

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
    return ok ? GZT_OK : gzt_fts5_db_fail(b->db, b->err, "insert");
}

int
gzt_fts5_build(const char *path, const char *const *sources, size_t nsources,
               const gzt_ingest_opts *io, const char *language,
               gzt_ingest_stats *stats, gzt_error *err)
{
    gzt_err_clear(err);
    if (!language)
        language = "english";
    if (!gzt_fts5_plain_name(language))
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
    if ((rc = gzt_fts5_open_db(
             &db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err)))
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
    rc = gzt_fts5_exec(db, sql, err);
    if (rc == GZT_OK &&
        (sqlite3_prepare_v2(
             db, "INSERT INTO docs(rowid, title, body) VALUES(?1, ?2, ?3)", -1,
             &b.doc, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT INTO ids VALUES(?1, ?2)", -1, &b.id,
                            NULL) != SQLITE_OK))
        rc = gzt_fts5_db_fail(db, err, "prepare");
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
        rc = gzt_fts5_exec(db,
                           "COMMIT; INSERT INTO docs(docs) VALUES('optimize');"
                           "VACUUM;",
                           err);
    if (sqlite3_close(db) != SQLITE_OK && rc == GZT_OK)
        rc = gzt_err_set(err, GZT_EIO, "fts5: %s: close failed", path);
    if (rc)
        remove(path);
    return rc;
}
