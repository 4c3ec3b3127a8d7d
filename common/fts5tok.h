/* SPDX-License-Identifier: MIT */
/*
 * fts5tok.h: the FTS5 peer's shared part: gazette's analyzer as the FTS5
 * tokenizer "gazette" (documents are analysed; a query's space-separated
 * terms, already analysed, pass through), and SQLite helpers.
 */
#ifndef GZT_FTS5TOK_H
#define GZT_FTS5TOK_H

#include <sqlite3.h>

#include "common/base.h"

/* Open @p path with @p flags and the tokenizer registered. GZT_EIO naming
 * the file; GZT_EINVAL for an SQLite without FTS5. */
GZT_NODISCARD int gzt_fts5_open_db(sqlite3 **out, const char *path, int flags,
                                   gzt_error *err);
/* GZT_EIO with "fts5: @p what: " and SQLite's message. */
int gzt_fts5_db_fail(sqlite3 *db, gzt_error *err, const char *what);
/* Run @p sql; GZT_EIO with SQLite's message. */
GZT_NODISCARD int gzt_fts5_exec(sqlite3 *db, const char *sql, gzt_error *err);
/* a language name that can go into SQL as it is */
bool gzt_fts5_plain_name(const char *s);

#endif
