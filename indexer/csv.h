/* SPDX-License-Identifier: MIT */
/*
 * csv.h: a record parser for CSV (RFC 4180) and TSV over a caller's buffer.
 *
 * The parser knows nothing of files: ingest.c reads, this splits. It finds
 * one record at a time at the start of a buffer, says how many bytes and
 * newlines it used, and asks for more bytes when the record may go on past
 * the end. Fields point into the caller's buffer; doubled quotes are
 * collapsed in place, so the buffer must be writable.
 */
#ifndef GZT_CSV_H
#define GZT_CSV_H

#include "common/base.h"

/* ceiling on the columns of a header row */
#define GZT_CSV_MAX_FIELDS 4096

/* One field of the last record. */
typedef struct gzt_csv_field {
    const char *p; /* bytes, inside the buffer given to gzt_csv_next() */
    size_t len;    /* bytes */
    bool esc;      /* had "" escapes (private: collapsed before return) */
} gzt_csv_field;

/* Parser state; everything but the fields is reset by each record. */
typedef struct gzt_csv {
    char delim;            /* field separator: ',' or '\t' */
    size_t cap;            /* fields kept per record; may be lowered */
    size_t alloc;          /* entries allocated in fields */
    gzt_csv_field *fields; /* the first min(nfields, cap) fields */
    size_t nfields;        /* fields of the last record, counting all */
    size_t newlines;       /* '\n' bytes the last record used */
} gzt_csv;

/* What gzt_csv_next() found at the start of the buffer. */
enum {
    GZT_CSV_RECORD = 1,      /* a record: fields, nfields, newlines */
    GZT_CSV_BLANK = 2,       /* an empty line, to be ignored */
    GZT_CSV_MORE = 3,        /* the record may go on: supply more bytes */
    GZT_CSV_END = 4,         /* no bytes left and at end of input */
    GZT_CSV_UNTERMINATED = 5 /* end of input inside a quoted field */
};

/* Prepare @p c to keep up to @p cap fields per record (at most
 * GZT_CSV_MAX_FIELDS). @p delim must not be '"', '\r' or '\n'.
 * GZT_OK, GZT_EINVAL or GZT_ENOMEM. */
GZT_NODISCARD int gzt_csv_init(gzt_csv *c, char delim, size_t cap);
void gzt_csv_fini(gzt_csv *c);

/*
 * Parse the record at the start of @p buf (@p len bytes; @p eof when no
 * more will follow). *used receives the bytes consumed (record and line
 * end) for RECORD, BLANK and UNTERMINATED (which consumes everything);
 * nothing is consumed for MORE, and the same record must be offered again,
 * from the same start, with more bytes. A field that opens with a quote but
 * whose closing quote is not followed by the delimiter or the line end is
 * taken literally, quotes and all, up to the next delimiter (TSV files use
 * quotes as ordinary characters: `"Iron Lady" enjoys ...`).
 */
GZT_NODISCARD int gzt_csv_next(gzt_csv *c, char *buf, size_t len, bool eof,
                               size_t *used);

#endif
