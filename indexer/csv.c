/* SPDX-License-Identifier: MIT */
/*
 * csv.c: the CSV/TSV record parser (see csv.h).
 *
 * Hand-written rather than taken from a library: the Debian libcsv has not
 * been maintained since 2013, and ingest needs the line on which each record
 * starts for its warnings, which callback parsers do not report.
 *
 * The parser is restartable instead of incremental: when a record may run
 * past the end of the buffer it returns GZT_CSV_MORE without consuming
 * anything, and the caller offers the same record again with more bytes.
 * Records are short next to the 1 MiB reads of the caller, so re-parsing is
 * rare and cheap, and there is no state to carry between calls. Because a
 * record is only finished once it is complete, doubled quotes ("") can be
 * collapsed in place at the very end without ever re-parsing altered bytes.
 *
 * Speed: 4 million TSV rows are the benchmark corpus. Unquoted fields (the
 * common case) are found with memchr over the line; nothing is copied or
 * allocated per record.
 */
#include "indexer/csv.h"

/* outcomes of quoted() besides GZT_CSV_MORE and GZT_CSV_UNTERMINATED */
enum { QUOTED = 10, LITERAL = 11 };

int
gzt_csv_init(gzt_csv *c, char delim, size_t cap)
{
    memset(c, 0, sizeof *c);
    if (delim == '"' || delim == '\r' || delim == '\n' || cap == 0 ||
        cap > GZT_CSV_MAX_FIELDS)
        return GZT_EINVAL;
    c->fields = gzt_calloc(cap, sizeof *c->fields);
    if (!c->fields)
        return GZT_ENOMEM;
    c->delim = delim;
    c->cap = c->alloc = cap;
    return GZT_OK;
}

void
gzt_csv_fini(gzt_csv *c)
{
    gzt_free(c->fields);
    c->fields = NULL;
    c->cap = c->alloc = 0;
}

static size_t
count_newlines(const char *p, size_t len)
{
    size_t n = 0;
    const char *end = p + len;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/*
 * Scan the quoted field whose opening quote is at buf[i]. On QUOTED the
 * content is buf[i+1 .. i+1+*flen) (with "" pairs when *esc), *next is the
 * index just past the closing quote and *nl the newlines inside. LITERAL
 * when the closing quote is followed by something other than the delimiter
 * or a line end.
 */
static int
quoted(const char *buf, size_t len, bool eof, char delim, size_t i,
       size_t *flen, bool *esc, size_t *next, size_t *nl)
{
    size_t j = i + 1;
    bool e = false;
    for (;;) {
        const char *q = memchr(buf + j, '"', len - j);
        if (!q)
            return eof ? GZT_CSV_UNTERMINATED : GZT_CSV_MORE;
        size_t a = (size_t)(q - buf) + 1; /* just past the quote */
        if (a == len) {
            if (!eof)
                return GZT_CSV_MORE; /* could be the first of "" */
        } else if (buf[a] == '"') {
            e = true;
            j = a + 1;
            continue;
        } else if (buf[a] == '\r') {
            if (a + 1 == len) {
                if (!eof)
                    return GZT_CSV_MORE;
            } else if (buf[a + 1] != '\n') {
                return LITERAL;
            }
        } else if (buf[a] != delim && buf[a] != '\n') {
            return LITERAL;
        }
        *flen = a - 1 - (i + 1);
        *esc = e;
        *next = a;
        *nl = count_newlines(buf + i + 1, *flen);
        return QUOTED;
    }
}

/* Collapse each "" of a field to " in place. */
static void
unescape(char *buf, gzt_csv_field *f)
{
    char *w = buf + (f->p - buf);
    const char *r = f->p, *end = f->p + f->len;
    char *start = w;
    while (r < end) {
        char ch = *r++;
        *w++ = ch;
        if (ch == '"' && r < end && *r == '"')
            r++;
    }
    f->len = (size_t)(w - start);
    f->esc = false;
}

int
gzt_csv_next(gzt_csv *c, char *buf, size_t len, bool eof, size_t *used)
{
    *used = 0;
    c->nfields = 0;
    c->newlines = 0;
    if (len == 0)
        return eof ? GZT_CSV_END : GZT_CSV_MORE;
    if (buf[0] == '\n' || (buf[0] == '\r' && len > 1 && buf[1] == '\n')) {
        *used = buf[0] == '\n' ? 1 : 2;
        c->newlines = 1;
        return GZT_CSV_BLANK;
    }
    if (buf[0] == '\r' && len == 1) {
        if (!eof)
            return GZT_CSV_MORE;
        *used = 1;
        return GZT_CSV_BLANK;
    }

    size_t i = 0;        /* start of the current field */
    size_t nf = 0;       /* fields so far */
    size_t nl = 0;       /* newlines inside quoted fields so far */
    size_t eol = 0;      /* index of the next '\n' at or after i, or len */
    bool eol_ok = false; /* eol is valid for the current position */
    for (;;) {
        const char *fp = NULL;
        size_t flen = 0, next = 0;
        bool esc = false;
        int kind = LITERAL;
        if (i < len && buf[i] == '"') {
            size_t qnl = 0;
            kind = quoted(buf, len, eof, c->delim, i, &flen, &esc, &next, &qnl);
            if (kind == GZT_CSV_MORE)
                return kind;
            if (kind == GZT_CSV_UNTERMINATED) {
                *used = len;
                c->newlines = count_newlines(buf, len);
                return kind;
            }
            if (kind == QUOTED) {
                fp = buf + i + 1;
                nl += qnl;
                eol_ok = false;
            }
        }
        if (kind == LITERAL) {
            if (!eol_ok) {
                const char *p = memchr(buf + i, '\n', len - i);
                if (!p && !eof)
                    return GZT_CSV_MORE;
                eol = p ? (size_t)(p - buf) : len;
                eol_ok = true;
            }
            const char *d = memchr(buf + i, c->delim, eol - i);
            next = d ? (size_t)(d - buf) : eol;
            fp = buf + i;
            flen = next - i;
            if (!d && flen > 0 && buf[next - 1] == '\r')
                flen--; /* CRLF line end */
        }
        if (nf < c->cap) {
            c->fields[nf].p = fp;
            c->fields[nf].len = flen;
            c->fields[nf].esc = esc;
        }
        nf++;
        if (next < len && buf[next] == c->delim) {
            i = next + 1;
            continue;
        }
        /* end of the record: at len, or at '\n', or (after a quoted
         * field) at "\r\n" or a '\r' that ends the input */
        if (next < len && buf[next] == '\r')
            next++;
        if (next < len && buf[next] == '\n') {
            next++;
            nl++;
        }
        *used = next;
        break;
    }
    c->nfields = nf;
    c->newlines = nl;
    for (size_t k = 0; k < GZT_MIN(nf, c->cap); k++)
        if (c->fields[k].esc)
            unescape(buf, &c->fields[k]);
    return GZT_CSV_RECORD;
}
