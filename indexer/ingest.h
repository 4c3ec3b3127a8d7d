/* SPDX-License-Identifier: MIT */
/*
 * ingest.h: readers that turn sources into documents: text files and
 * directories, JSON Lines (jansson), CSV/TSV, standard input.
 *
 * Text is repaired to valid UTF-8 before it is handed on. A bad file or
 * record is reported through opts->warn with its path and line, counted in
 * stats->errors and skipped; reading goes on.
 */
#ifndef GZT_INGEST_H
#define GZT_INGEST_H

#include "common/base.h"

/* ceilings */
#define GZT_DOC_MAX (64u << 20) /* bytes of one document's text */
#define GZT_ID_MAX 1024         /* bytes of an external id */

/* Receives each document; strings are valid only during the call. A
 * non-zero return stops ingest and is returned by gzt_ingest_path(). */
typedef int (*gzt_ingest_fn)(void *ctx, const gzt_doc *doc);

/* Called with the progress of reading, at most every 64 KiB read. */
typedef void (*gzt_ingest_progress_fn)(void *ctx, uint64_t bytes_done,
                                       uint64_t bytes_total);

/*
 * Read every document of @p path (file, directory walked recursively in
 * sorted order, or "-" for stdin) and pass it to @p fn.
 *
 * Ids: for a directory the path relative to it ("sub/a.txt"); for a single
 * text file its file name (no directory); for JSONL/CSV the id field (a record
 * without one gets "<file>:<line>"). doc->source is @p path as given. Text
 * files take their date from gzt_date_sniff() and their title from a first line
 * that is followed by a blank line and is shorter than 200 bytes; JSON and
 * CSV dates are parsed from YYYY-MM-DD, YYYYMMDD or an ISO timestamp.
 * Hidden files (".x") and binary files (a NUL in the first 8 KiB) are
 * skipped with a warning and counted in stats->skipped.
 *
 * @return GZT_OK (even when some sources were bad: see stats->errors),
 *         GZT_ENOTFOUND when @p path does not exist, GZT_ENOMEM, or what
 *         @p fn returned.
 */
GZT_NODISCARD int gzt_ingest_path(const char *path, const gzt_ingest_opts *opts,
                                  gzt_ingest_fn fn, void *ctx,
                                  gzt_ingest_progress_fn progress,
                                  void *progress_ctx, gzt_ingest_stats *stats,
                                  gzt_error *err);

#endif
