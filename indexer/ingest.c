/* SPDX-License-Identifier: MIT */
/*
 * ingest.c: turn sources into documents: text files, directories of them,
 * JSON Lines, CSV/TSV (split by csv.c) and standard input (see ingest.h).
 *
 * One reader buffer serves every format: files are read with read(2) into
 * a 1 MiB buffer that is reused from file to file and doubles only while
 * one line needs more, up to GZT_DOC_MAX plus slack. A line or record
 * longer than GZT_DOC_MAX is reported and skipped without buffering the
 * rest of it. Strings handed to the callback point into this buffer or into
 * a few reused repair buffers, so ingesting allocates nothing per document.
 *
 * Directories are listed before anything is read: the walk sorts each
 * directory's entries by name (so ids and docids come out the same on every
 * run), drops hidden and special entries, remembers the device and inode of
 * every directory it entered (a symlink back up the tree is seen once) and
 * sums the sizes, which gives the progress total.
 *
 * Each problem lands in exactly one counter: stats->skipped for what is
 * left out on purpose (hidden, binary, compressed, special files),
 * stats->errors for what is broken (unreadable, malformed, over a ceiling).
 * Invalid UTF-8 is repaired, never an error: JSON lines are repaired before
 * jansson sees them (it rejects invalid UTF-8 outright), CSV fields and text
 * files after splitting. This is the only file that parses JSON input.
 */
#include "indexer/ingest.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/date.h"
#include "common/utf8.h"
#include "indexer/csv.h"

#define CHUNK ((size_t)1 << 20) /* initial bytes of the reader buffer */
#define BUF_MAX (GZT_DOC_MAX + 2 * CHUNK) /* ceiling of the reader buffer */
#define SNIFF_LEN 8192            /* bytes searched for a NUL (binary) */
#define PROGRESS_STEP (64u << 10) /* bytes between progress reports */
#define TITLE_MAX 200             /* a title line is shorter than this */
#define MSG_MAX 8192              /* bytes of one warning */

/* The open source file and what has been read of it. */
typedef struct reader {
    int fd;     /* the file; -1 when none */
    char *buf;  /* bytes read; the unconsumed ones are [pos, len) */
    size_t cap; /* bytes allocated in buf */
    size_t pos; /* first byte not yet consumed */
    size_t len; /* bytes held in buf */
    bool eof;   /* read() returned 0 or failed */
    int errnum; /* errno of a failed read(), 0 when none */
} reader;

/* One gzt_ingest_path() call. */
typedef struct ingest {
    const gzt_ingest_opts *o;        /* options */
    gzt_ingest_fn fn;                /* receives the documents */
    void *ctx;                       /* passed to fn */
    gzt_ingest_progress_fn progress; /* may be NULL */
    void *pctx;                      /* passed to progress */
    gzt_ingest_stats *st;            /* counters (never NULL here) */
    const char *source;              /* the path as given */
    uint64_t done;                   /* bytes read or passed over */
    uint64_t total;                  /* expected bytes; 0 = unknown */
    uint64_t reported;               /* done at the last progress call */
    reader r;                        /* the current file */
    const char *path;                /* the current file's name in messages */
    const char *base;                /* prefix of fallback ids "base:line" */
    bool date_warned;                /* a bad date was reported in it */
    gzt_buf id;                      /* the current id, NUL-terminated */
    gzt_buf title;                   /* a repaired title */
    gzt_buf body;                    /* a repaired body */
    gzt_buf line;                    /* a repaired JSON line or id */
} ingest;

/* ---- messages and counters ---------------------------------------------- */

static void warn(ingest *g, const char *fmt, ...) GZT_PRINTF(2, 3);

static void
warn(ingest *g, const char *fmt, ...)
{
    if (!g->o->warn)
        return;
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g->o->warn(g->o->warn_ctx, msg);
}

/* strerror() is not thread-safe and ingest runs in reindex threads. */
static const char *
errstr(int e, char *buf, size_t len)
{
    if (strerror_r(e, buf, len) != 0)
        snprintf(buf, len, "error %d", e);
    return buf;
}

static void
warn_errno(ingest *g, const char *path, int e)
{
    char eb[128];
    warn(g, "%s: %s", path, errstr(e, eb, sizeof eb));
    g->st->errors++;
}

static void
advance(ingest *g, uint64_t n)
{
    g->done += n;
    if (g->progress && g->done - g->reported >= PROGRESS_STEP) {
        g->reported = g->done;
        g->progress(g->pctx, g->done, g->total);
    }
}

/* ---- reading ------------------------------------------------------------ */

/* Read more bytes after r->len, moving the unconsumed ones to the front
 * first. The buffer grows while a line needs it, never past BUF_MAX: callers
 * drop a line before it holds more than GZT_DOC_MAX unconsumed bytes, so
 * there is always room for another read. */
static int
fill(ingest *g)
{
    reader *r = &g->r;
    if (r->eof)
        return GZT_OK;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap == 0 || (r->len > r->cap / 2 && r->cap < BUF_MAX)) {
        /* a line fills half the buffer: double it, so that a long line is
         * read (and searched for its end) in O(log n) rounds */
        size_t cap = r->cap ? GZT_MIN(r->cap * 2, (size_t)BUF_MAX) : CHUNK;
        char *p = gzt_realloc(r->buf, cap);
        if (!p)
            return GZT_ENOMEM;
        r->buf = p;
        r->cap = cap;
    }
    size_t want = r->cap - r->len;
    assert(want > 0); /* callers never let a line reach BUF_MAX */
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, want);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        r->eof = true;
        if (n < 0)
            r->errnum = errno;
        return GZT_OK;
    }
    r->len += (size_t)n;
    g->st->bytes += (uint64_t)n;
    advance(g, (uint64_t)n);
    return GZT_OK;
}

/* Consume the rest of an over-long line, up to and including its '\n',
 * without keeping it; *newlines receives the '\n' bytes passed. */
static int
discard_line(ingest *g, uint64_t *newlines)
{
    reader *r = &g->r;
    uint64_t n = 0;
    for (;;) {
        const char *p = r->buf + r->pos, *end = r->buf + r->len;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl) {
            r->pos = (size_t)(nl - r->buf) + 1;
            *newlines = n + 1;
            return GZT_OK;
        }
        r->pos = r->len;
        if (r->eof) {
            *newlines = n;
            return GZT_OK;
        }
        int rc = fill(g);
        if (rc)
            return rc;
    }
}

/* Count the '\n' in the unconsumed bytes, then drop them and the rest of
 * their line: the way out of a record over GZT_DOC_MAX. */
static int
drop_record(ingest *g, uint64_t *newlines)
{
    reader *r = &g->r;
    uint64_t n = 0;
    for (const char *p = r->buf + r->pos, *end = r->buf + r->len;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    r->pos = r->len;
    uint64_t more = 0;
    int rc = discard_line(g, &more);
    *newlines = n + more;
    return rc;
}

/* ---- documents ---------------------------------------------------------- */

/* Point *out at @p s, or at its repair in @p b when it is not well-formed
 * UTF-8 or holds a NUL. */
static int
clean(ingest *g, gzt_buf *b, const char *s, size_t len, const char **out,
      size_t *out_len)
{
    if (gzt_utf8_valid(s, len) && !memchr(s, 0, len)) {
        *out = s;
        *out_len = len;
        return GZT_OK;
    }
    gzt_buf_reset(b);
    int rc = gzt_utf8_repair(b, s, len, &g->st->repaired);
    if (rc)
        return rc;
    *out = (const char *)b->p;
    *out_len = b->len;
    return GZT_OK;
}

/* Make @p s (repaired) the current id. */
static int
set_id(ingest *g, const char *s, size_t len)
{
    const char *p;
    size_t n;
    gzt_buf_reset(&g->id);
    int rc = clean(g, &g->line, s, len, &p, &n);
    if (rc == GZT_OK)
        rc = gzt_buf_append(&g->id, p, n);
    if (rc == GZT_OK)
        rc = gzt_buf_nul(&g->id);
    return rc;
}

/* Make "<base>:<line>" the current id. Without printf: for the 4 million
 * headlines of the benchmark corpus it took half of the ingest time. */
static int
set_line_id(ingest *g, uint64_t line)
{
    char num[24];
    size_t n = 0;
    do {
        num[sizeof num - ++n] = (char)('0' + line % 10);
        line /= 10;
    } while (line);
    num[sizeof num - ++n] = ':';
    gzt_buf_reset(&g->id);
    int rc = gzt_buf_append(&g->id, g->base, strlen(g->base));
    if (rc == GZT_OK)
        rc = gzt_buf_append(&g->id, num + sizeof num - n, n);
    if (rc == GZT_OK)
        rc = gzt_buf_nul(&g->id);
    return rc;
}

/* Hand the current id with the given text to the callback, unless a
 * ceiling is passed. @p line is 0 for a whole file. */
static int
emit(ingest *g, uint64_t line, const char *title, size_t title_len,
     const char *body, size_t body_len, gzt_date date)
{
    bool long_id = g->id.len > GZT_ID_MAX;
    if (long_id || title_len > GZT_DOC_MAX ||
        body_len > GZT_DOC_MAX - title_len) {
        char at[32] = "";
        if (line)
            snprintf(at, sizeof at, ":%llu", (unsigned long long)line);
        if (long_id)
            warn(g, "%s%s: id over %d bytes", g->path, at, GZT_ID_MAX);
        else
            warn(g, "%s%s: document over %u MiB", g->path, at,
                 GZT_DOC_MAX >> 20);
        g->st->errors++;
        return GZT_OK;
    }
    gzt_doc d = {
        .id = (const char *)g->id.p,
        .title = title,
        .title_len = title ? title_len : 0,
        .body = body,
        .body_len = body ? body_len : 0,
        .date = date,
        .source = g->source,
    };
    g->st->docs++;
    return g->fn(g->ctx, &d);
}

/* ---- dates of JSON and CSV fields ---------------------------------------- */

/* the value of @p n ASCII digits, or -1 */
static int
digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1..12 for an English month name, its three-letter abbreviation or
 * "Sept"; 0 for anything else */
static int
month(const char *s, size_t n)
{
    static const char *const names[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    for (int m = 0; m < 12; m++)
        if ((n == 3 || n == strlen(names[m]) || (m == 8 && n == 4)) &&
            strncasecmp(s, names[m], n) == 0)
            return m + 1;
    return 0;
}

/*
 * Parse a date field: "2025-03-07" (or with '/'), "20250307", either
 * followed by a time ("2025-03-07T10:00:00Z": the date as written, no time
 * zone arithmetic), and "7-MAR-2025", "07 Mar 2025", "Fri, 07 Mar 2025
 * 10:00:00 +0000", "26-FEB-1987 15:01:01.79" (Reuters-21578).
 */
static bool
field_date(const char *s, size_t len, gzt_date *out)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    int y = -1, m = -1, d = -1;
    size_t end = 0; /* bytes of the date part */
    if (len >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
        end = 10;
    } else if (len >= 8 && digits(s, 8) >= 0) {
        y = digits(s, 4);
        m = digits(s + 4, 2);
        d = digits(s + 6, 2);
        end = 8;
    } else {
        size_t i = 0;
        while (i < len && is_alpha(s[i]))
            i++;
        if (i > 0 && i + 1 < len && s[i] == ',' && s[i + 1] == ' ')
            i += 2; /* a weekday: "Fri, " */
        else
            i = 0;
        size_t j = i;
        while (j < len && j - i < 2 && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == i || j >= len || (s[j] != '-' && s[j] != ' '))
            return false;
        d = digits(s + i, j - i);
        size_t k = ++j;
        while (k < len && is_alpha(s[k]))
            k++;
        m = month(s + j, k - j);
        if (!m || k + 5 > len || (s[k] != '-' && s[k] != ' '))
            return false;
        y = digits(s + k + 1, 4);
        end = k + 5;
    }
    if (y < 0 || m < 0 || d < 0)
        return false;
    if (end < len && s[end] != 'T' && s[end] != 't' && s[end] != ' ')
        return false;
    gzt_date v = (gzt_date)(y * 10000 + m * 100 + d);
    if (!gzt_date_valid(v))
        return false;
    *out = v;
    return true;
}

/* A date field that did not parse: no date, and one warning per file. */
static void
bad_date(ingest *g, uint64_t line, const char *s, size_t len)
{
    if (g->date_warned)
        return;
    g->date_warned = true;
    int n = (int)GZT_MIN(len, (size_t)64);
    warn(g,
         "%s:%llu: unrecognised date \"%.*s\" (no date; reported once "
         "per file)",
         g->path, (unsigned long long)line, n, s);
}

/* ---- text ---------------------------------------------------------------- */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* The whole reader buffer as one document with id g->id. */
static int
text_doc(ingest *g)
{
    reader *r = &g->r;
    const char *text;
    size_t len;
    int rc = clean(g, &g->body, r->buf + r->pos, r->len - r->pos, &text, &len);
    if (rc)
        return rc;
    gzt_date date = 0;
    size_t skip = 0;
    gzt_date_sniff(text, len, &date, &skip);
    skip = GZT_MIN(skip, len);
    if (skip) { /* the "date ..." line goes, and the blank space after it */
        while (skip < len && is_space(text[skip]))
            skip++;
    }
    text += skip;
    len -= skip;

    /* "Title\n\nBody": a short first line, then a blank line */
    const char *title = NULL;
    size_t title_len = 0;
    const char *nl = memchr(text, '\n', len);
    if (nl && (size_t)(nl - text) < TITLE_MAX) {
        const char *next = nl + 1, *end = text + len;
        const char *nl2 = memchr(next, '\n', (size_t)(end - next));
        size_t t0 = 0, t1 = (size_t)(nl - text);
        while (t0 < t1 && (text[t0] == ' ' || text[t0] == '\t'))
            t0++;
        while (t1 > t0 && (text[t1 - 1] == ' ' || text[t1 - 1] == '\t' ||
                           text[t1 - 1] == '\r'))
            t1--;
        if (t1 > t0 && nl2 && is_blank(next, (size_t)(nl2 - next))) {
            title = text + t0;
            title_len = t1 - t0;
            const char *body = nl2 + 1;
            len -= (size_t)(body - text);
            text = body;
        }
    }
    return emit(g, 0, title, title_len, text, len, date);
}

/* Read the rest of the file and make it one document. */
static int
text_file(ingest *g)
{
    reader *r = &g->r;
    int rc;
    while (!r->eof && r->len - r->pos <= GZT_DOC_MAX)
        if ((rc = fill(g)) != GZT_OK)
            return rc;
    if (r->errnum) {
        warn_errno(g, g->path, r->errnum);
        return GZT_OK;
    }
    if (r->len - r->pos > GZT_DOC_MAX) {
        warn(g, "%s: document over %u MiB", g->path, GZT_DOC_MAX >> 20);
        g->st->errors++;
        while (!r->eof) { /* pass over the rest without keeping it */
            r->pos = r->len;
            if ((rc = fill(g)) != GZT_OK)
                return rc;
        }
        return GZT_OK;
    }
    return text_doc(g);
}

/* ---- JSON Lines ---------------------------------------------------------- */

/* 1 and *out for a string member @p name, 0 when absent or null, -1 for
 * any other type */
static int
member_string(json_t *obj, const char *name, json_t **out)
{
    json_t *v = json_object_get(obj, name);
    *out = v;
    if (!v || json_is_null(v))
        return 0;
    return json_is_string(v) ? 1 : -1;
}

static int
json_record(ingest *g, json_t *obj, uint64_t line)
{
    const gzt_ingest_opts *o = g->o;
    char num[32];
    json_t *v;
    int rc;

    /* id: a string or a number, else "<file>:<line>" */
    v = json_object_get(obj, o->id_field);
    if (json_is_string(v) && json_string_length(v) > 0) {
        rc = set_id(g, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        rc = set_id(g, num, strlen(num));
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        rc = set_id(g, num, strlen(num));
    } else if (!v || json_is_null(v) || json_is_string(v)) {
        rc = set_line_id(g, line);
    } else {
        warn(g, "%s:%llu: \"%s\" is not a string or number", g->path,
             (unsigned long long)line, o->id_field);
        g->st->errors++;
        return GZT_OK;
    }
    if (rc)
        return rc;

    json_t *tv, *bv;
    int t = member_string(obj, o->title_field, &tv);
    const char *body_name = o->body_field;
    int b = member_string(obj, body_name, &bv);
    if (b == 0 && strcmp(body_name, "text") != 0) {
        body_name = "text";
        b = member_string(obj, body_name, &bv);
    }
    if (t < 0 || b < 0) {
        warn(g, "%s:%llu: \"%s\" is not a string", g->path,
             (unsigned long long)line, t < 0 ? o->title_field : body_name);
        g->st->errors++;
        return GZT_OK;
    }
    const char *title = NULL, *body = NULL;
    size_t title_len = 0, body_len = 0;
    if (t && (rc = clean(g, &g->title, json_string_value(tv),
                         json_string_length(tv), &title, &title_len)))
        return rc;
    if (b && (rc = clean(g, &g->body, json_string_value(bv),
                         json_string_length(bv), &body, &body_len)))
        return rc;

    gzt_date date = 0;
    v = json_object_get(obj, o->date_field);
    if (json_is_string(v)) {
        if (!field_date(json_string_value(v), json_string_length(v), &date))
            bad_date(g, line, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x > 0 && x <= INT32_MAX && gzt_date_valid((gzt_date)x)) {
            date = (gzt_date)x;
        } else {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, x);
            bad_date(g, line, num, strlen(num));
        }
    } else if (v && !json_is_null(v)) {
        bad_date(g, line, "(not a string)", 14);
    }
    return emit(g, line, title, title_len, body, body_len, date);
}

static int
json_line(ingest *g, const char *s, size_t len, uint64_t line)
{
    while (len &&
           (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (is_blank(s, len))
        return GZT_OK;
    const char *p;
    size_t n;
    int rc = clean(g, &g->line, s, len, &p, &n);
    if (rc)
        return rc;
    json_error_t je;
    json_t *obj = json_loadb(p, n, JSON_ALLOW_NUL, &je);
    if (!obj) {
        if (json_error_code(&je) == json_error_out_of_memory)
            return GZT_ENOMEM;
        warn(g, "%s:%llu: %s", g->path, (unsigned long long)line, je.text);
        g->st->errors++;
        return GZT_OK;
    }
    if (!json_is_object(obj)) {
        warn(g, "%s:%llu: not a JSON object", g->path,
             (unsigned long long)line);
        g->st->errors++;
        rc = GZT_OK;
    } else {
        rc = json_record(g, obj, line);
    }
    json_decref(obj);
    return rc;
}

static int
jsonl_file(ingest *g)
{
    reader *r = &g->r;
    uint64_t line = 1;
    int rc;
    for (;;) {
        const char *p = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        const char *nl = memchr(p, '\n', avail);
        if (nl || (r->eof && avail > 0 && avail <= GZT_DOC_MAX)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            r->pos += nl ? n + 1 : n;
            if (n > GZT_DOC_MAX) {
                warn(g, "%s:%llu: record over %u MiB", g->path,
                     (unsigned long long)line, GZT_DOC_MAX >> 20);
                g->st->errors++;
            } else if ((rc = json_line(g, p, n, line)) != GZT_OK) {
                return rc;
            }
            line++;
            continue;
        }
        if (avail > GZT_DOC_MAX) {
            warn(g, "%s:%llu: record over %u MiB", g->path,
                 (unsigned long long)line, GZT_DOC_MAX >> 20);
            g->st->errors++;
            uint64_t skipped;
            if ((rc = drop_record(g, &skipped)) != GZT_OK)
                return rc;
            line += skipped;
            continue;
        }
        if (r->eof)
            break;
        if ((rc = fill(g)) != GZT_OK)
            return rc;
    }
    if (r->errnum)
        warn_errno(g, g->path, r->errnum);
    return GZT_OK;
}

/* ---- CSV and TSV --------------------------------------------------------- */

/* Column numbers of the fields of a CSV file; -1 when absent. */
typedef struct columns {
    long id;    /* id field */
    long title; /* title field */
    long body;  /* body field, else "text" */
    long date;  /* date field */
} columns;

static long
find_column(const gzt_csv *c, const char *name)
{
    size_t n = strlen(name);
    for (size_t k = 0; k < c->nfields; k++) {
        const char *p = c->fields[k].p;
        size_t len = c->fields[k].len;
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && strncasecmp(p, name, n) == 0)
            return (long)k;
    }
    return -1;
}

static int
csv_row(ingest *g, const gzt_csv *c, const columns *col, uint64_t line)
{
    int rc;
    const gzt_csv_field *f = c->fields;
    if (col->id >= 0 && f[col->id].len > 0)
        rc = set_id(g, f[col->id].p, f[col->id].len);
    else
        rc = set_line_id(g, line);
    if (rc)
        return rc;
    const char *title = NULL, *body = NULL;
    size_t title_len = 0, body_len = 0;
    if (col->title >= 0 && (rc = clean(g, &g->title, f[col->title].p,
                                       f[col->title].len, &title, &title_len)))
        return rc;
    if (col->body >= 0 && (rc = clean(g, &g->body, f[col->body].p,
                                      f[col->body].len, &body, &body_len)))
        return rc;
    gzt_date date = 0;
    if (col->date >= 0 && f[col->date].len > 0 &&
        !field_date(f[col->date].p, f[col->date].len, &date))
        bad_date(g, line, f[col->date].p, f[col->date].len);
    return emit(g, line, title, title_len, body ? body : "", body_len, date);
}

static int
csv_file(ingest *g, char delim)
{
    reader *r = &g->r;
    gzt_csv c;
    columns col = {-1, -1, -1, -1};
    bool header = false;
    uint64_t line = 1;
    int rc = gzt_csv_init(&c, delim, GZT_CSV_MAX_FIELDS);
    if (rc)
        goto fail;
    for (;;) {
        size_t used;
        int k =
            gzt_csv_next(&c, r->buf + r->pos, r->len - r->pos, r->eof, &used);
        if (k == GZT_CSV_MORE) {
            if (r->len - r->pos > GZT_DOC_MAX) {
                warn(g, "%s:%llu: record over %u MiB", g->path,
                     (unsigned long long)line, GZT_DOC_MAX >> 20);
                g->st->errors++;
                uint64_t skipped;
                if ((rc = drop_record(g, &skipped)) != GZT_OK)
                    goto fail;
                line += skipped;
            } else if ((rc = fill(g)) != GZT_OK) {
                goto fail;
            }
            continue;
        }
        if (k == GZT_CSV_END)
            break;
        r->pos += used;
        uint64_t at = line;
        line += c.newlines;
        if (k == GZT_CSV_BLANK)
            continue;
        if (used > GZT_DOC_MAX) { /* whole, but in the buffer's slack */
            warn(g, "%s:%llu: record over %u MiB", g->path,
                 (unsigned long long)at, GZT_DOC_MAX >> 20);
            g->st->errors++;
            continue;
        }
        if (k == GZT_CSV_UNTERMINATED) {
            warn(g, "%s:%llu: unterminated quoted field", g->path,
                 (unsigned long long)at);
            g->st->errors++;
            continue;
        }
        if (!header) {
            if (c.nfields > c.cap) {
                warn(g, "%s:%llu: header has over %d fields", g->path,
                     (unsigned long long)at, GZT_CSV_MAX_FIELDS);
                g->st->errors++;
                goto done;
            }
            col.id = find_column(&c, g->o->id_field);
            col.title = find_column(&c, g->o->title_field);
            col.body = find_column(&c, g->o->body_field);
            if (col.body < 0)
                col.body = find_column(&c, "text");
            col.date = find_column(&c, g->o->date_field);
            if (col.title < 0 && col.body < 0) {
                warn(g, "%s:%llu: no \"%s\", \"%s\" or \"text\" column",
                     g->path, (unsigned long long)at, g->o->title_field,
                     g->o->body_field);
                g->st->errors++;
                goto done;
            }
            c.cap = c.nfields;
            header = true;
            continue;
        }
        if (c.nfields != c.cap) {
            warn(g, "%s:%llu: %zu fields, the header has %zu", g->path,
                 (unsigned long long)at, c.nfields, c.cap);
            g->st->errors++;
            continue;
        }
        if ((rc = csv_row(g, &c, &col, at)) != GZT_OK)
            goto fail;
    }
    if (r->errnum)
        warn_errno(g, g->path, r->errnum);
done:
    rc = GZT_OK;
fail:
    gzt_csv_fini(&c);
    return rc;
}

/* ---- files --------------------------------------------------------------- */

/* the extension of the last component of @p path without its dot, or "" */
static const char *
extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? dot + 1 : "";
}

static bool
compressed(const char *ext)
{
    static const char *const exts[] = {"zst", "gz",  "bz2", "xz",
                                       "lz4", "zip", "7z",  "tgz"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(ext, exts[i]) == 0)
            return true;
    return false;
}

static gzt_format
format_of(const char *ext, char *delim)
{
    if (!strcasecmp(ext, "jsonl") || !strcasecmp(ext, "ndjson") ||
        !strcasecmp(ext, "json"))
        return GZT_FORMAT_JSONL;
    if (!strcasecmp(ext, "csv")) {
        *delim = ',';
        return GZT_FORMAT_CSV;
    }
    if (!strcasecmp(ext, "tsv") || !strcasecmp(ext, "tab")) {
        *delim = '\t';
        return GZT_FORMAT_CSV;
    }
    return GZT_FORMAT_TEXT;
}

/*
 * Read the open file g->r.fd named @p path: document id @p id for text,
 * fallback ids "<base>:<line>" for records. @p size is what the walk
 * counted for it in the progress total.
 */
static int
read_file(ingest *g, const char *path, const char *id, const char *base,
          uint64_t size, bool is_stdin)
{
    reader *r = &g->r;
    uint64_t start = g->done;
    const char *ext = is_stdin ? "" : extension(path);
    int rc = GZT_OK;

    g->path = path;
    g->base = base;
    g->date_warned = false;
    r->pos = r->len = 0;
    r->eof = false;
    r->errnum = 0;

    while (!r->eof && r->len < SNIFF_LEN)
        if ((rc = fill(g)) != GZT_OK)
            return rc;
    if (r->errnum) {
        warn_errno(g, path, r->errnum);
        goto done;
    }
    const unsigned char *u = (const unsigned char *)r->buf;
    if (r->len >= 4 && u[0] == 0x28 && u[1] == 0xb5 && u[2] == 0x2f &&
        u[3] == 0xfd) {
        warn(g,
             "skipping %s: zstd-compressed input is not supported; "
             "decompress it first (zstdcat)",
             path);
        g->st->skipped++;
        goto done;
    }
    if (r->len && memchr(r->buf, 0, GZT_MIN(r->len, (size_t)SNIFF_LEN))) {
        warn(g, "skipping binary file %s", path);
        g->st->skipped++;
        goto done;
    }
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3; /* byte order mark */

    char delim = 0;
    gzt_format fmt = g->o->format;
    if (fmt == GZT_FORMAT_AUTO && is_stdin) {
        /* JSON Lines when the first non-blank byte is '{' */
        size_t i = r->pos;
        for (;;) {
            while (i < r->len && is_space(r->buf[i]))
                i++;
            if (i < r->len || r->eof || r->len - r->pos > GZT_DOC_MAX)
                break;
            size_t before = r->pos;
            if ((rc = fill(g)) != GZT_OK)
                return rc;
            i -= before - r->pos; /* fill moved the bytes to the front */
        }
        fmt =
            i < r->len && r->buf[i] == '{' ? GZT_FORMAT_JSONL : GZT_FORMAT_TEXT;
    } else if (fmt == GZT_FORMAT_AUTO) {
        fmt = format_of(ext, &delim);
    } else if (fmt == GZT_FORMAT_CSV) {
        (void)format_of(ext, &delim);
    }
    if (g->o->delimiter)
        delim = g->o->delimiter;
    if (!delim)
        delim = ',';

    switch (fmt) {
    case GZT_FORMAT_JSONL:
        rc = jsonl_file(g);
        break;
    case GZT_FORMAT_CSV:
        rc = csv_file(g, delim);
        break;
    default:
        if (size > GZT_DOC_MAX) {
            warn(g, "%s: document over %u MiB", path, GZT_DOC_MAX >> 20);
            g->st->errors++;
            break;
        }
        gzt_buf_reset(&g->id);
        if ((rc = gzt_buf_append(&g->id, id, strlen(id))) == GZT_OK &&
            (rc = gzt_buf_nul(&g->id)) == GZT_OK)
            rc = text_file(g);
        break;
    }
done:
    if (rc == GZT_OK && size > g->done - start)
        advance(g, size - (g->done - start)); /* the part not read */
    return rc;
}

/* Open and read one file (not stdin). */
static int
ingest_file(ingest *g, const char *path, const char *id, const char *base,
            uint64_t size)
{
    const char *ext = extension(path);
    if (compressed(ext)) {
        warn(g,
             "skipping %s: compressed files (.%s) are not supported; "
             "decompress first (e.g. zstdcat)",
             path, ext);
        g->st->skipped++;
        advance(g, size);
        return GZT_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        warn_errno(g, path, errno);
        advance(g, size);
        return GZT_OK;
    }
    g->r.fd = fd;
    int rc = read_file(g, path, id, base, size, false);
    close(fd);
    g->r.fd = -1;
    return rc;
}

/* ---- directories --------------------------------------------------------- */

/* A regular file found by the walk. */
typedef struct walk_file {
    size_t rel;    /* offset of its path relative to the root in names */
    uint64_t size; /* bytes, for the progress total */
} walk_file;

/* A directory already entered. */
typedef struct walk_dir {
    dev_t dev; /* device */
    ino_t ino; /* inode; 0 marks a free slot of the set */
} walk_dir;

/* The listing of a directory tree. */
typedef struct walk {
    gzt_buf names;    /* NUL-terminated relative paths of the files */
    walk_file *files; /* in walk order */
    size_t nfiles;    /* used entries of files */
    size_t cap;       /* allocated entries of files */
    walk_dir *seen;   /* open-addressing set of visited directories */
    size_t nseen;     /* directories in seen */
    size_t seen_cap;  /* slots of seen, a power of two */
    uint64_t total;   /* sum of the file sizes */
    gzt_buf full;     /* the current path: root + "/" + rel */
    gzt_buf rel;      /* the current path relative to the root */
} walk;

static size_t
dir_hash(const walk_dir *d)
{
    uint64_t v[2] = {(uint64_t)d->dev, (uint64_t)d->ino};
    return (size_t)gzt_hash64(v, sizeof v);
}

/* Add (dev, ino) to the set; *fresh is false when it was there. */
static int
seen_add(walk *w, dev_t dev, ino_t ino, bool *fresh)
{
    if (w->nseen * 2 >= w->seen_cap) {
        size_t cap = w->seen_cap ? w->seen_cap * 2 : 64;
        walk_dir *s = gzt_calloc(cap, sizeof *s);
        if (!s)
            return GZT_ENOMEM;
        for (size_t i = 0; i < w->seen_cap; i++) {
            if (!w->seen[i].ino)
                continue;
            size_t h = dir_hash(&w->seen[i]);
            while (s[h & (cap - 1)].ino)
                h++;
            s[h & (cap - 1)] = w->seen[i];
        }
        gzt_free(w->seen);
        w->seen = s;
        w->seen_cap = cap;
    }
    walk_dir key = {dev, ino ? ino : (ino_t)-1};
    size_t h = dir_hash(&key);
    for (;; h++) {
        walk_dir *e = &w->seen[h & (w->seen_cap - 1)];
        if (!e->ino) {
            *e = key;
            w->nseen++;
            *fresh = true;
            return GZT_OK;
        }
        if (e->dev == key.dev && e->ino == key.ino) {
            *fresh = false;
            return GZT_OK;
        }
    }
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add_file(walk *w, uint64_t size)
{
    if (w->nfiles == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64, bytes;
        if (!gzt_size_mul(cap, sizeof *w->files, &bytes))
            return GZT_ENOMEM;
        walk_file *f = gzt_realloc(w->files, bytes);
        if (!f)
            return GZT_ENOMEM;
        w->files = f;
        w->cap = cap;
    }
    w->files[w->nfiles].rel = w->names.len;
    w->files[w->nfiles].size = size;
    int rc = gzt_buf_append(&w->names, w->rel.p, w->rel.len + 1);
    if (rc)
        return rc;
    w->nfiles++;
    w->total += size;
    return GZT_OK;
}

/* List the directory w->full (relative path w->rel) into w, recursively. */
static int
walk_dir_list(ingest *g, walk *w)
{
    gzt_buf names = GZT_BUF_INIT; /* its entries, NUL-terminated */
    char **sorted = NULL;
    size_t n = 0;
    int rc = GZT_OK;

    DIR *d = opendir((const char *)w->full.p);
    if (!d) {
        warn_errno(g, (const char *)w->full.p, errno);
        return GZT_OK;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                warn_errno(g, (const char *)w->full.p, errno);
            break;
        }
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if ((rc = gzt_buf_append(&names, e->d_name, strlen(e->d_name) + 1)))
            break;
        n++;
    }
    closedir(d);
    if (rc)
        goto fail;
    if (n) {
        sorted = gzt_calloc(n, sizeof *sorted);
        if (!sorted) {
            rc = GZT_ENOMEM;
            goto fail;
        }
        char *p = (char *)names.p;
        for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
            sorted[i] = p;
        qsort(sorted, n, sizeof *sorted, by_name);
    }

    size_t full_len = w->full.len, rel_len = w->rel.len;
    for (size_t i = 0; i < n; i++) {
        const char *name = sorted[i];
        w->full.len = full_len;
        w->rel.len = rel_len;
        if ((full_len && w->full.p[full_len - 1] != '/' &&
             (rc = gzt_buf_putc(&w->full, '/'))) ||
            (rel_len && (rc = gzt_buf_putc(&w->rel, '/'))) ||
            (rc = gzt_buf_append(&w->full, name, strlen(name))) ||
            (rc = gzt_buf_append(&w->rel, name, strlen(name))) ||
            (rc = gzt_buf_nul(&w->full)) || (rc = gzt_buf_nul(&w->rel)))
            goto fail;
        const char *full = (const char *)w->full.p;
        if (name[0] == '.') {
            warn(g, "skipping hidden %s", full);
            g->st->skipped++;
            continue;
        }
        struct stat sb;
        if (stat(full, &sb) != 0) {
            warn_errno(g, full, errno);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            bool fresh;
            if ((rc = seen_add(w, sb.st_dev, sb.st_ino, &fresh)))
                goto fail;
            if (!fresh) {
                warn(g,
                     "skipping %s: directory already visited (symlink "
                     "loop?)",
                     full);
                g->st->skipped++;
                continue;
            }
            if ((rc = walk_dir_list(g, w)))
                goto fail;
        } else if (S_ISREG(sb.st_mode)) {
            if ((rc = add_file(w, (uint64_t)sb.st_size)))
                goto fail;
        } else {
            warn(g, "skipping %s: not a regular file", full);
            g->st->skipped++;
        }
    }
    w->full.len = full_len;
    w->rel.len = rel_len;
    if (w->full.p)
        w->full.p[full_len] = 0;
fail:
    gzt_free(sorted);
    gzt_buf_free(&names);
    return rc;
}

static int
ingest_dir(ingest *g, const char *root, const struct stat *sb)
{
    walk w;
    memset(&w, 0, sizeof w);
    gzt_buf path = GZT_BUF_INIT;
    bool fresh;
    int rc = seen_add(&w, sb->st_dev, sb->st_ino, &fresh);
    if (rc == GZT_OK)
        rc = gzt_buf_append(&w.full, root, strlen(root));
    if (rc == GZT_OK)
        rc = gzt_buf_nul(&w.full);
    if (rc == GZT_OK)
        rc = gzt_buf_nul(&w.rel);
    if (rc == GZT_OK)
        rc = walk_dir_list(g, &w);
    if (rc)
        goto fail;

    g->total = w.total;
    size_t root_len = strlen(root);
    bool slash = root_len && root[root_len - 1] == '/';
    for (size_t i = 0; i < w.nfiles; i++) {
        const char *rel = (const char *)w.names.p + w.files[i].rel;
        gzt_buf_reset(&path);
        if ((rc = gzt_buf_printf(&path, "%s%s%s", root, slash ? "" : "/", rel)))
            goto fail;
        if ((rc = ingest_file(g, (const char *)path.p, rel, rel,
                              w.files[i].size)))
            goto fail;
    }
fail:
    gzt_buf_free(&path);
    gzt_buf_free(&w.names);
    gzt_free(w.files);
    gzt_free(w.seen);
    gzt_buf_free(&w.full);
    gzt_buf_free(&w.rel);
    return rc;
}

/* ---- entry points -------------------------------------------------------- */

void
gzt_ingest_opts_init(gzt_ingest_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = GZT_FORMAT_AUTO;
    o->id_field = "id";
    o->title_field = "title";
    o->body_field = "body";
    o->date_field = "date";
    o->delimiter = 0;
    o->warn = NULL;
    o->warn_ctx = NULL;
}

int
gzt_ingest_path(const char *path, const gzt_ingest_opts *opts, gzt_ingest_fn fn,
                void *ctx, gzt_ingest_progress_fn progress, void *progress_ctx,
                gzt_ingest_stats *stats, gzt_error *err)
{
    gzt_ingest_opts o;
    gzt_ingest_stats local;
    if (!path || !fn)
        return gzt_err_set(err, GZT_EINVAL, "ingest: no path or callback");
    if (opts)
        o = *opts;
    else
        gzt_ingest_opts_init(&o);
    if ((int)o.format < (int)GZT_FORMAT_AUTO ||
        (int)o.format > (int)GZT_FORMAT_CSV)
        return gzt_err_set(err, GZT_EINVAL, "ingest: unknown format %d",
                           (int)o.format);
    if (!o.id_field)
        o.id_field = "id";
    if (!o.title_field)
        o.title_field = "title";
    if (!o.body_field)
        o.body_field = "body";
    if (!o.date_field)
        o.date_field = "date";
    if (o.delimiter == '"' || o.delimiter == '\r' || o.delimiter == '\n')
        return gzt_err_set(err, GZT_EINVAL, "ingest: bad CSV delimiter");
    if (!stats) {
        memset(&local, 0, sizeof local);
        stats = &local;
    }

    ingest g;
    memset(&g, 0, sizeof g);
    g.o = &o;
    g.fn = fn;
    g.ctx = ctx;
    g.progress = progress;
    g.pctx = progress_ctx;
    g.st = stats;
    g.source = path;
    g.r.fd = -1;

    int rc = GZT_OK;
    if (strcmp(path, "-") == 0) {
        g.r.fd = STDIN_FILENO;
        rc = read_file(&g, "-", "-", "-", 0, true);
        g.r.fd = -1;
    } else {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            int e = errno;
            char eb[128];
            if (e == ENOENT || e == ENOTDIR) {
                rc = gzt_err_set(err, GZT_ENOTFOUND, "%s: %s", path,
                                 errstr(e, eb, sizeof eb));
                goto fail;
            }
            warn_errno(&g, path, e);
        } else if (S_ISDIR(sb.st_mode)) {
            rc = ingest_dir(&g, path, &sb);
        } else {
            const char *slash = strrchr(path, '/');
            uint64_t size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
            g.total = size;
            /* a single file's id is its file name, as it would be in a
             * walk of its directory */
            rc = ingest_file(&g, path, slash ? slash + 1 : path,
                             slash ? slash + 1 : path, size);
        }
    }
    if (rc == GZT_OK && progress && g.done != g.reported)
        progress(progress_ctx, g.done, g.total);
    if (rc == GZT_ENOMEM)
        gzt_err_set(err, rc, "%s: out of memory", path);
fail:
    gzt_free(g.r.buf);
    gzt_buf_free(&g.id);
    gzt_buf_free(&g.title);
    gzt_buf_free(&g.body);
    gzt_buf_free(&g.line);
    return rc;
}
