/* SPDX-License-Identifier: MIT */
/*
 * test_ingest.c: the source readers of indexer/ingest.c.
 *
 * Each test ingests a small hand-written file under tests/data/ingest/ (or a
 * temporary one for cases that cannot be committed: unreadable files,
 * symlink loops, 50 MB records) into a sink that copies every document and
 * warning, then asserts exact ids, titles, bodies, dates and counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/base.h"
#include "indexer/csv.h"
#include "indexer/ingest.h"
#include "tests/support/tmpdir.h"

/* ---- a sink that keeps what ingest hands out ---------------------------- */

typedef struct rec {
    char *id;         /* copy of doc->id */
    char *title;      /* copy, or NULL when doc->title was NULL */
    size_t title_len; /* doc->title_len */
    char *body;       /* copy (at most 64 bytes), or NULL */
    size_t body_len;  /* doc->body_len */
    gzt_date date;    /* doc->date */
    char *source;     /* copy of doc->source */
} rec;

typedef struct sink {
    rec docs[64];        /* the first 64 documents */
    size_t ndocs;        /* documents seen, all of them */
    char *warns[64];     /* the first 64 warnings */
    size_t nwarns;       /* warnings seen */
    size_t stop_at;      /* return 42 at this document (1-based); 0 = never */
    uint64_t prog_n;     /* progress calls */
    uint64_t prog_last;  /* bytes_done of the last call */
    uint64_t prog_total; /* bytes_total of the last call */
    int prog_backwards;  /* a call went back */
} sink;

static char *
dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static int
on_doc(void *ctx, const gzt_doc *d)
{
    sink *s = ctx;
    assert_non_null(d->id);
    if (s->ndocs < 64) {
        rec *r = &s->docs[s->ndocs];
        r->id = dup_n(d->id, strlen(d->id));
        r->title = d->title ? dup_n(d->title, d->title_len) : NULL;
        r->title_len = d->title_len;
        r->body = d->body ? dup_n(d->body, GZT_MIN(d->body_len, 64)) : NULL;
        r->body_len = d->body_len;
        r->date = d->date;
        r->source = d->source ? dup_n(d->source, strlen(d->source)) : NULL;
    }
    s->ndocs++;
    if (s->stop_at && s->ndocs == s->stop_at)
        return 42;
    return 0;
}

static void
on_warn(void *ctx, const char *msg)
{
    sink *s = ctx;
    if (s->nwarns < 64)
        s->warns[s->nwarns] = dup_n(msg, strlen(msg));
    s->nwarns++;
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
    sink *s = ctx;
    if (done < s->prog_last)
        s->prog_backwards = 1;
    s->prog_n++;
    s->prog_last = done;
    s->prog_total = total;
}

static void
sink_free(sink *s)
{
    for (size_t i = 0; i < GZT_MIN(s->ndocs, (size_t)64); i++) {
        free(s->docs[i].id);
        free(s->docs[i].title);
        free(s->docs[i].body);
        free(s->docs[i].source);
    }
    for (size_t i = 0; i < GZT_MIN(s->nwarns, (size_t)64); i++)
        free(s->warns[i]);
    memset(s, 0, sizeof *s);
}

/* Ingest @p path with @p o (NULL = defaults) into @p s. */
static int
run(sink *s, const char *path, const gzt_ingest_opts *o, gzt_ingest_stats *st,
    gzt_error *err)
{
    gzt_ingest_opts opts;
    if (o)
        opts = *o;
    else
        gzt_ingest_opts_init(&opts);
    opts.warn = on_warn;
    opts.warn_ctx = s;
    memset(st, 0, sizeof *st);
    gzt_err_clear(err);
    return gzt_ingest_path(path, &opts, on_doc, s, on_progress, s, st, err);
}

/* ---- paths -------------------------------------------------------------- */

static char data_dir[2048]; /* GZT_SOURCE/tests/data/ingest */

static const char *
data(const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", data_dir, name);
    assert_true(n > 0 && (size_t)n < len);
    return buf;
}

static int
setup_paths(void **state)
{
    (void)state;
    const char *src = getenv("GZT_SOURCE");
    if (!src) {
        fprintf(stderr, "GZT_SOURCE is not set (CTest sets it to the "
                        "repository root)\n");
        return -1;
    }
    snprintf(data_dir, sizeof data_dir, "%s/tests/data/ingest", src);
    return 0;
}

static uint64_t
file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (uint64_t)sb.st_size;
}

static void
write_file(const char *path, const char *s, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A fresh empty directory under /tmp into @p buf. */
static const char *
temp_dir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/gzt_ingest_XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static void
remove_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
             dir, dir);
    assert_int_equal(system(cmd), 0);
}

static void
assert_doc(const rec *r, const char *id, const char *title, const char *body,
           gzt_date date)
{
    assert_string_equal(r->id, id);
    if (title) {
        assert_non_null(r->title);
        assert_string_equal(r->title, title);
        assert_int_equal(r->title_len, strlen(title));
    } else {
        assert_null(r->title);
        assert_int_equal(r->title_len, 0);
    }
    if (body) {
        assert_non_null(r->body);
        assert_string_equal(r->body, body);
        assert_int_equal(r->body_len, strlen(body));
    } else {
        assert_null(r->body);
        assert_int_equal(r->body_len, 0);
    }
    assert_int_equal(r->date, date);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_opts_init_sets_the_documented_defaults(void **state)
{
    (void)state;
    gzt_ingest_opts o;
    memset(&o, 0x5a, sizeof o);
    gzt_ingest_opts_init(&o);
    assert_int_equal(o.format, GZT_FORMAT_AUTO);
    assert_string_equal(o.id_field, "id");
    assert_string_equal(o.title_field, "title");
    assert_string_equal(o.body_field, "body");
    assert_string_equal(o.date_field, "date");
    assert_int_equal(o.delimiter, 0);
    assert_null(o.warn);
    assert_null(o.warn_ctx);
}

static void
test_directory_walk_is_sorted_recursive_and_skips_hidden_binary_zst(
    void **state)
{
    (void)state;
    char root[4096], p[4200];
    data("tree", root, sizeof root);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, root, NULL, &st, &err), GZT_OK);

    assert_int_equal(s.ndocs, 6);
    assert_doc(&s.docs[0], "a.txt", "A short title",
               "The body of a.\nSecond line.\n", 0);
    assert_doc(&s.docs[1], "b.txt", NULL,
               "No title here because\nthe second line is not blank.\n", 0);
    assert_doc(&s.docs[2], "sub/c.txt", "Sub title", "Sub body.\n", 20250307);
    assert_doc(&s.docs[3], "d1", "D one", "first", 20250102);
    assert_doc(&s.docs[4], "d2", NULL, "second", 0);
    assert_doc(&s.docs[5], "sub/deeper/e.txt", NULL, "e\n", 0);
    for (size_t i = 0; i < s.ndocs; i++)
        assert_string_equal(s.docs[i].source, root);

    assert_int_equal(s.nwarns, 3);
    snprintf(p, sizeof p, "skipping hidden %s/.hidden.txt", root);
    assert_string_equal(s.warns[0], p);
    snprintf(p, sizeof p, "skipping binary file %s/bin.dat", root);
    assert_string_equal(s.warns[1], p);
    snprintf(p, sizeof p,
             "skipping %s/old.jsonl.zst: compressed files (.zst) are not "
             "supported; decompress first (e.g. zstdcat)",
             root);
    assert_string_equal(s.warns[2], p);

    uint64_t bytes = 0;
    const char *read[] = {"a.txt",     "b.txt",       "bin.dat",
                          "sub/c.txt", "sub/d.jsonl", "sub/deeper/e.txt"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", root, read[i]);
        bytes += file_size(p);
    }
    assert_int_equal(st.docs, 6);
    assert_int_equal(st.skipped, 3);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.repaired, 0);
    assert_int_equal(st.bytes, bytes);
    assert_int_equal(st.added + st.replaced + st.unchanged, 0);
    sink_free(&s);
}

static void
test_single_text_file_id_is_its_file_name(void **state)
{
    (void)state;
    char path[4096];
    data("tree/a.txt", path, sizeof path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 1);
    assert_doc(&s.docs[0], "a.txt", "A short title",
               "The body of a.\nSecond line.\n", 0);
    assert_string_equal(s.docs[0].source, path);
    assert_int_equal(st.docs, 1);
    assert_int_equal(st.bytes, file_size(path));
    /* a small file still gets one final progress report */
    assert_int_equal(s.prog_n, 1);
    assert_int_equal(s.prog_last, st.bytes);
    assert_int_equal(s.prog_total, st.bytes);
    sink_free(&s);
}

static void
test_text_title_needs_a_short_first_line_and_a_blank_line(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    struct {
        const char *text, *title, *body;
    } cases[] = {
        {"Title\r\n\r\nBody\r\n", "Title", "Body\r\n"},
        {"  Spaced title  \n \t \nBody", "Spaced title", "Body"},
        {"Only a title\n\n", "Only a title", ""},
        {"\n\nBody after blank lines", NULL, "\n\nBody after blank lines"},
        {"One line\nTwo line\n\nThree", NULL, "One line\nTwo line\n\nThree"},
        {"No newline at all", NULL, "No newline at all"},
        {"Title\n  ", NULL, "Title\n  "}, /* no complete blank line */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/t%zu.txt", dir, i);
        write_file(path, cases[i].text, strlen(cases[i].text));
        sink s = {0};
        gzt_ingest_stats st;
        gzt_error err;
        assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
        assert_int_equal(s.ndocs, 1);
        assert_doc(&s.docs[0], strrchr(path, '/') + 1, cases[i].title,
                   cases[i].body, 0);
        sink_free(&s);
    }

    /* a first line of 200 bytes is a paragraph, 199 a title */
    char text[512];
    memset(text, 'x', 199);
    memcpy(text + 199, "\n\nbody", 7);
    snprintf(path, sizeof path, "%s/long199.txt", dir);
    write_file(path, text, strlen(text));
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.docs[0].title_len, 199);
    assert_string_equal(s.docs[0].body, "body");
    sink_free(&s);
    memset(text, 'x', 200);
    memcpy(text + 200, "\n\nbody", 7);
    snprintf(path, sizeof path, "%s/long200.txt", dir);
    write_file(path, text, strlen(text));
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_null(s.docs[0].title);
    assert_int_equal(s.docs[0].body_len, 206);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_invalid_utf8_and_nul_in_text_are_repaired(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    /* the NUL is past the 8 KiB binary sniff */
    static char text[9000];
    memset(text, 'a', sizeof text);
    text[0] = '\xff';
    text[8999] = '\0';
    snprintf(path, sizeof path, "%s/bad.txt", dir);
    write_file(path, text, sizeof text);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 1);
    assert_int_equal(s.docs[0].body_len, sizeof text - 1 + 3);
    assert_memory_equal(s.docs[0].body,
                        "\xEF\xBF\xBD"
                        "aaa",
                        6);
    assert_int_equal(st.repaired, 1);
    assert_int_equal(st.errors, 0);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_jsonl_fields_fallbacks_and_malformed_lines(void **state)
{
    (void)state;
    char path[4096], p[4200];
    data("records.jsonl", path, sizeof path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);

    assert_int_equal(s.ndocs, 7);
    assert_doc(&s.docs[0], "r1", "Cocoa", "Rain fell all week.", 19870226);
    assert_doc(&s.docs[1], "2", "Number id", "b2", 20250307);
    assert_doc(&s.docs[2], "records.jsonl:4", "No id", "from text field",
               20250101);
    assert_doc(&s.docs[3], "r7", "Bad \xEF\xBF\xBD byte", "ok", 0);
    assert_doc(&s.docs[4], "r9", NULL, "x", 0);
    assert_doc(&s.docs[5], "r10", NULL, "y", 0);
    assert_doc(&s.docs[6], "r11", NULL, NULL, 19870226);

    assert_int_equal(s.nwarns, 4);
    snprintf(p, sizeof p, "%s:5: ", path);
    assert_memory_equal(s.warns[0], p, strlen(p));
    assert_true(strlen(s.warns[0]) > strlen(p)); /* jansson's reason */
    snprintf(p, sizeof p, "%s:6: not a JSON object", path);
    assert_string_equal(s.warns[1], p);
    snprintf(p, sizeof p, "%s:8: \"body\" is not a string", path);
    assert_string_equal(s.warns[2], p);
    snprintf(p, sizeof p,
             "%s:9: unrecognised date \"next tuesday\" (no date; reported "
             "once per file)",
             path);
    assert_string_equal(s.warns[3], p);

    assert_int_equal(st.docs, 7);
    assert_int_equal(st.errors, 3);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.repaired, 1);
    assert_int_equal(st.bytes, file_size(path));
    sink_free(&s);
}

static void
test_jsonl_field_names_come_from_the_options(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/custom.ndjson", dir);
    const char *text =
        "{\"key\":\"k1\",\"headline\":\"H\",\"content\":\"C\","
        "\"published\":\"2020-02-29\",\"id\":\"ignored\"}\n"
        "{\"key\":7,\"headline\":\"H2\",\"text\":\"T\",\"published\":\"x\"}\n";
    write_file(path, text, strlen(text));
    gzt_ingest_opts o;
    gzt_ingest_opts_init(&o);
    o.id_field = "key";
    o.title_field = "headline";
    o.body_field = "content";
    o.date_field = "published";
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, &o, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 2);
    assert_doc(&s.docs[0], "k1", "H", "C", 20200229);
    assert_doc(&s.docs[1], "7", "H2", "T", 0);
    assert_int_equal(s.nwarns, 1);
    assert_int_equal(st.errors, 0);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_field_dates_in_every_supported_form(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/dates.jsonl", dir);
    const char *text =
        "{\"id\":\"a\",\"date\":\"2025-03-07\"}\n"
        "{\"id\":\"b\",\"date\":\"20250307\"}\n"
        "{\"id\":\"c\",\"date\":\"2025-03-07T10:00:00Z\"}\n"
        "{\"id\":\"d\",\"date\":\"2025-03-07 10:00:00\"}\n"
        "{\"id\":\"e\",\"date\":\" 7-MAR-2025 15:01:01.79\"}\n"
        "{\"id\":\"f\",\"date\":\"Fri, 07 Mar 2025 10:00:00 +0000\"}\n"
        "{\"id\":\"g\",\"date\":\"2025/03/07\"}\n"
        "{\"id\":\"h\",\"date\":20250307}\n"
        "{\"id\":\"h2\",\"date\":\"7 March 2025\"}\n"
        "{\"id\":\"i\",\"date\":\"2025-13-07\"}\n"
        "{\"id\":\"j\",\"date\":\"2025-03-07x\"}\n"
        "{\"id\":\"k\",\"date\":true}\n"
        "{\"id\":\"l\",\"date\":\"\"}\n"
        "{\"id\":\"m\",\"date\":\"7 Mars 2025\"}\n";
    write_file(path, text, strlen(text));
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 14);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(s.docs[i].date, 20250307);
    for (size_t i = 9; i < 14; i++)
        assert_int_equal(s.docs[i].date, 0);
    assert_int_equal(s.nwarns, 1); /* once per file */
    assert_int_equal(st.errors, 0);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_tsv_headlines_without_id_or_body_columns(void **state)
{
    (void)state;
    char path[4096], p[4200];
    data("headlines.tsv", path, sizeof path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 6);
    assert_doc(&s.docs[0], "headlines.tsv:2",
               "Harbor ferry resumes service after winter storm", "", 20120101);
    /* quotes that do not wrap the whole field are ordinary characters */
    assert_doc(&s.docs[1], "headlines.tsv:3",
               "\"Blue Horizon\" opens to full houses in capital", "",
               20120102);
    assert_doc(&s.docs[2], "headlines.tsv:4",
               "\"Riverside,\" \"Quarry\" top regional film awards", "",
               20120103);
    assert_doc(&s.docs[3], "headlines.tsv:5", "Northwind Shipping Signs Lease",
               "", 20120104);
    assert_doc(&s.docs[4], "headlines.tsv:6", "CRLF line", "", 20120105);
    assert_doc(&s.docs[5], "headlines.tsv:8", "Last line without newline", "",
               20120107);
    assert_int_equal(s.nwarns, 1);
    snprintf(p, sizeof p, "%s:7: 3 fields, the header has 2", path);
    assert_string_equal(s.warns[0], p);
    assert_int_equal(st.docs, 6);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.repaired, 0);
    assert_int_equal(st.bytes, file_size(path));
    sink_free(&s);
}

static void
test_csv_quoted_fields_escapes_newlines_and_a_bad_row(void **state)
{
    (void)state;
    char path[4096], p[4200];
    data("quoted.csv", path, sizeof path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 4);
    assert_doc(&s.docs[0], "c1", "Hello, world", "He said \"hi\".", 20250307);
    assert_doc(&s.docs[1], "c2", "Plain", "Line one\r\nLine two", 20250308);
    assert_doc(&s.docs[2], "c4", "Multi\nline title", "body4", 0);
    assert_doc(&s.docs[3], "c5", "Tail", "last", 20240229);
    assert_int_equal(s.nwarns, 1);
    snprintf(p, sizeof p, "%s:5: 2 fields, the header has 4", path);
    assert_string_equal(s.warns[0], p);
    assert_int_equal(st.docs, 4);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.bytes, file_size(path));
    sink_free(&s);
}

/* Split @p text (mutable copy) into records, offering the parser @p step
 * more bytes each time it asks for more; fields joined as "a|b|c\n". */
static char *
split_csv(const char *text, char delim, size_t step)
{
    size_t total = strlen(text), off = 0, avail = step;
    char *buf = dup_n(text, total);
    char *out = calloc(1, 4 * total + 64);
    assert_non_null(out);
    gzt_csv c;
    assert_int_equal(gzt_csv_init(&c, delim, 8), GZT_OK);
    for (;;) {
        size_t len = GZT_MIN(avail, total - off), used;
        int k = gzt_csv_next(&c, buf + off, len, off + len == total, &used);
        if (k == GZT_CSV_MORE) {
            assert_true(off + len < total);
            avail += step;
            continue;
        }
        if (k == GZT_CSV_END)
            break;
        off += used;
        avail = step;
        if (k == GZT_CSV_BLANK)
            continue;
        if (k == GZT_CSV_UNTERMINATED) {
            strcat(out, "UNTERMINATED\n");
            continue;
        }
        char *o = out + strlen(out);
        o += sprintf(o, "%zu:", c.newlines);
        for (size_t i = 0; i < GZT_MIN(c.nfields, c.cap); i++) {
            memcpy(o, c.fields[i].p, c.fields[i].len);
            o += c.fields[i].len;
            *o++ = i + 1 < c.nfields ? '|' : '\n';
        }
        *o = 0;
    }
    gzt_csv_fini(&c);
    free(buf);
    return out;
}

static void
test_csv_records_split_the_same_whatever_the_read_boundaries(void **state)
{
    (void)state;
    const char *text = "a,\"b\"\"c\",d\r\n"
                       "\r\n"
                       "\"multi\nline\",\"\",\"x\"\"\"\"\"\n"
                       "\"not\" quoted,tail\r,end\n"
                       "last,\"row\"";
    const char *want = "1:a|b\"c|d\n"
                       "2:multi\nline||x\"\"\n"
                       "1:\"not\" quoted|tail\r|end\n"
                       "0:last|row\n";
    for (size_t step = 1; step <= strlen(text); step++) {
        char *got = split_csv(text, ',', step);
        assert_string_equal(got, want);
        free(got);
    }
    char *got = split_csv("a\t\"b\nc", '\t', 1);
    assert_string_equal(got, "UNTERMINATED\n");
    free(got);
}

static void
test_csv_unterminated_quote_at_eof_is_an_error(void **state)
{
    (void)state;
    char path[4096], p[4200];
    data("unterminated.csv", path, sizeof path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 1);
    assert_doc(&s.docs[0], "u1", "fine", "", 0);
    assert_int_equal(s.nwarns, 1);
    snprintf(p, sizeof p, "%s:3: unterminated quoted field", path);
    assert_string_equal(s.warns[0], p);
    assert_int_equal(st.errors, 1);
    sink_free(&s);
}

static void
test_csv_format_and_delimiter_options_override_the_extension(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/semi.txt", dir);
    const char *text = "Title;Body\n\"a;b\";c\nd;\"e\"\"f\"\n";
    write_file(path, text, strlen(text));
    gzt_ingest_opts o;
    gzt_ingest_opts_init(&o);
    o.format = GZT_FORMAT_CSV;
    o.delimiter = ';';
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, &o, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 2);
    assert_doc(&s.docs[0], "semi.txt:2", "a;b", "c", 0);
    assert_doc(&s.docs[1], "semi.txt:3", "d", "e\"f", 0);
    assert_int_equal(st.errors, 0);
    sink_free(&s);

    /* a header without a title or body column is one error, no documents */
    snprintf(path, sizeof path, "%s/nocols.csv", dir);
    write_file(path, "id,when\n1,2\n", 12);
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 0);
    assert_int_equal(s.nwarns, 1);
    assert_int_equal(st.errors, 1);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_nonexistent_path_is_not_found(void **state)
{
    (void)state;
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, "/nonexistent/gzt/none.txt", NULL, &st, &err),
                     GZT_ENOTFOUND);
    assert_int_equal(err.code, GZT_ENOTFOUND);
    assert_string_equal(err.msg,
                        "/nonexistent/gzt/none.txt: No such file or directory");
    assert_int_equal(s.ndocs, 0);
    sink_free(&s);
}

static void
test_callback_failure_stops_ingest_and_is_returned(void **state)
{
    (void)state;
    char root[4096];
    data("tree", root, sizeof root);
    sink s = {0};
    s.stop_at = 2;
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, root, NULL, &st, &err), 42);
    assert_int_equal(s.ndocs, 2);
    assert_int_equal(st.docs, 2);
    sink_free(&s);
}

static void
test_unreadable_entries_are_errors_and_ingest_goes_on(void **state)
{
    (void)state;
    char dir[64], p[256];
    temp_dir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/ok.txt", dir);
    write_file(p, "fine\n", 5);
    snprintf(p, sizeof p, "%s/secret.txt", dir);
    write_file(p, "secret\n", 7);
    assert_int_equal(chmod(p, 0), 0);
    snprintf(p, sizeof p, "%s/closed", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/closed/in.txt", dir);
    write_file(p, "in\n", 3);
    snprintf(p, sizeof p, "%s/closed", dir);
    assert_int_equal(chmod(p, 0), 0);
    /* a symlink to itself fails stat() even for root */
    snprintf(p, sizeof p, "%s/self", dir);
    assert_int_equal(symlink("self", p), 0);

    bool root = geteuid() == 0;
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, dir, NULL, &st, &err), GZT_OK);
    char w[256];
    snprintf(w, sizeof w, "%s/self: %s", dir, strerror(ELOOP));
    if (root) {
        /* root reads everything: only the loop fails */
        print_message("running as root: chmod 000 cannot make files "
                      "unreadable; checking the symlink loop only\n");
        assert_int_equal(s.ndocs, 3);
        assert_int_equal(st.errors, 1);
        assert_int_equal(s.nwarns, 1);
        assert_string_equal(s.warns[0], w);
    } else {
        assert_int_equal(s.ndocs, 1);
        assert_string_equal(s.docs[0].id, "ok.txt");
        assert_int_equal(st.errors, 3);
        assert_int_equal(s.nwarns, 3);
        char w0[256], w2[256];
        snprintf(w0, sizeof w0, "%s/closed: %s", dir, strerror(EACCES));
        snprintf(w2, sizeof w2, "%s/secret.txt: %s", dir, strerror(EACCES));
        assert_string_equal(s.warns[0], w0);
        assert_string_equal(s.warns[1], w);
        assert_string_equal(s.warns[2], w2);
    }
    sink_free(&s);
    remove_tree(dir);
}

static void
test_symlinked_directories_are_entered_once(void **state)
{
    (void)state;
    char dir[64], p[256], w[256];
    temp_dir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sub/x.txt", dir);
    write_file(p, "x\n", 2);
    snprintf(p, sizeof p, "%s/sub/up", dir); /* a loop back to the root */
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/alias", dir); /* a second way into sub */
    assert_int_equal(symlink("sub", p), 0);
    snprintf(p, sizeof p, "%s/link.txt", dir); /* files are followed */
    assert_int_equal(symlink("sub/x.txt", p), 0);

    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, dir, NULL, &st, &err), GZT_OK);
    /* sorted: alias (= sub, entered here), link.txt, sub (seen) */
    assert_int_equal(s.ndocs, 2);
    assert_string_equal(s.docs[0].id, "alias/x.txt");
    assert_string_equal(s.docs[1].id, "link.txt");
    assert_int_equal(s.nwarns, 2);
    snprintf(w, sizeof w,
             "skipping %s/alias/up: directory already visited (symlink "
             "loop?)",
             dir);
    assert_string_equal(s.warns[0], w);
    snprintf(w, sizeof w,
             "skipping %s/sub: directory already visited (symlink loop?)", dir);
    assert_string_equal(s.warns[1], w);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(st.errors, 0);
    sink_free(&s);
    remove_tree(dir);
}

/* Run ingest with stdin redirected from @p path. */
static int
run_stdin(sink *s, const char *path, const gzt_ingest_opts *o,
          gzt_ingest_stats *st, gzt_error *err)
{
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    int rc = run(s, "-", o, st, err);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    return rc;
}

static void
test_stdin_auto_is_jsonl_after_a_brace_else_one_text_document(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/in", dir);
    const char *jsonl =
        "\n  {\"id\":\"s1\",\"body\":\"b\"}\n{\"body\":\"c\"}\n";
    write_file(path, jsonl, strlen(jsonl));
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run_stdin(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 2);
    assert_doc(&s.docs[0], "s1", NULL, "b", 0);
    assert_doc(&s.docs[1], "-:3", NULL, "c", 0);
    assert_string_equal(s.docs[0].source, "-");
    assert_int_equal(st.bytes, strlen(jsonl));
    assert_int_equal(s.prog_total, 0);
    sink_free(&s);

    const char *text = "Headline\n\nStory {not json}.\n";
    write_file(path, text, strlen(text));
    assert_int_equal(run_stdin(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 1);
    assert_doc(&s.docs[0], "-", "Headline", "Story {not json}.\n", 0);
    sink_free(&s);

    const char *csv = "title\tbody\nT\tB\n";
    write_file(path, csv, strlen(csv));
    gzt_ingest_opts o;
    gzt_ingest_opts_init(&o);
    o.format = GZT_FORMAT_CSV;
    o.delimiter = '\t';
    assert_int_equal(run_stdin(&s, path, &o, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 1);
    assert_doc(&s.docs[0], "-:2", "T", "B", 0);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_progress_reports_at_most_every_64_kib_and_reaches_the_total(void **state)
{
    (void)state;
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/many.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 40000; i++)
        fprintf(f, "{\"id\":\"n%d\",\"body\":\"some words of text\"}\n", i);
    assert_int_equal(fclose(f), 0);
    uint64_t size = file_size(path);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(st.docs, 40000);
    assert_int_equal(st.bytes, size);
    assert_true(s.prog_n >= 2);
    assert_true(s.prog_n <= size / (64 << 10) + 1);
    assert_false(s.prog_backwards);
    assert_int_equal(s.prog_last, size);
    assert_int_equal(s.prog_total, size);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_jsonl_record_of_50_mb_is_read_and_one_over_64_mib_skipped(void **state)
{
    (void)state;
    char dir[64], path[128], w[256];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.jsonl", dir);
    size_t big = 50u << 20, huge = GZT_DOC_MAX + 10;
    char *line = malloc(huge + 64);
    assert_non_null(line);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* line 1: 50 MB body; line 2: over the ceiling; line 3: small */
    memset(line, 'w', huge);
    fputs("{\"id\":\"big\",\"body\":\"", f);
    assert_int_equal(fwrite(line, 1, big, f), big);
    fputs("\"}\n{\"id\":\"huge\",\"body\":\"", f);
    assert_int_equal(fwrite(line, 1, huge, f), huge);
    fputs("\"}\n{\"id\":\"after\",\"body\":\"small\"}\n", f);
    assert_int_equal(fclose(f), 0);
    free(line);

    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 2);
    assert_string_equal(s.docs[0].id, "big");
    assert_int_equal(s.docs[0].body_len, big);
    assert_doc(&s.docs[1], "after", NULL, "small", 0);
    assert_int_equal(s.nwarns, 1);
    snprintf(w, sizeof w, "%s:2: record over 64 MiB", path);
    assert_string_equal(s.warns[0], w);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.bytes, file_size(path));
    sink_free(&s);

    /* a text file over the ceiling is an error too */
    snprintf(path, sizeof path, "%s/huge.txt", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(truncate(path, (off_t)GZT_DOC_MAX + 1), 0);
    /* a sparse file of zeros would be binary: make the head text */
    f = fopen(path, "r+");
    assert_non_null(f);
    for (int i = 0; i < 8192; i++)
        fputc('t', f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 0);
    assert_int_equal(st.errors, 1);
    snprintf(w, sizeof w, "%s: document over 64 MiB", path);
    assert_string_equal(s.warns[0], w);
    sink_free(&s);
    remove_tree(dir);
}

static void
test_out_of_memory_at_any_allocation_is_reported_cleanly(void **state)
{
    (void)state;
    char root[4096];
    data("tree", root, sizeof root);
    /* fail the 1st, 2nd, ... allocation until a run needs no more */
    for (long n = 1;; n++) {
        sink s = {0};
        gzt_ingest_stats st;
        gzt_error err;
        gzt_mem_fail_after(n);
        int rc = run(&s, root, NULL, &st, &err);
        long calls = gzt_mem_fail_after(0);
        sink_free(&s);
        if (rc == GZT_OK) {
            assert_true(calls < n);
            break;
        }
        assert_int_equal(rc, GZT_ENOMEM);
        assert_int_equal(err.code, GZT_ENOMEM);
        assert_true(n < 10000);
    }
}

static void
test_seed_corpus_dates_are_sniffed(void **state)
{
    (void)state;
    char root[4096];
    snprintf(root, sizeof root, "%s/corpus", getenv("GZT_SOURCE"));
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, root, NULL, &st, &err), GZT_OK);
    assert_int_equal(s.ndocs, 4);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.skipped, 0);
    const char *prefix[] = {"000_", "002_", "003_", "004_"};
    const gzt_date date[] = {20250307, 0, 20230330, 20250222};
    for (size_t i = 0; i < 4; i++) {
        assert_memory_equal(s.docs[i].id, prefix[i], 4);
        assert_int_equal(s.docs[i].date, date[i]);
        assert_true(s.docs[i].body_len > 500);
    }
    /* the "date ..." prefix is cut from the body */
    assert_memory_equal(s.docs[0].body, "TEHRAN", 6);
    assert_memory_equal(s.docs[3].body, "TEHRAN", 6);
    sink_free(&s);
}

static void
test_first_1000_headlines_of_the_shared_corpus(void **state)
{
    (void)state;
    char src[4096], cmd[8400], dir[64], path[128];
    gzt_test_shared_data(
        src, sizeof src,
        "reuters-headlines/reuters-headlines-2012-2016.tsv.zst");
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/headlines.tsv", dir);
    snprintf(cmd, sizeof cmd, "zstdcat '%s' | head -n 1001 > '%s'", src, path);
    assert_int_equal(system(cmd), 0);
    sink s = {0};
    gzt_ingest_stats st;
    gzt_error err;
    assert_int_equal(run(&s, path, NULL, &st, &err), GZT_OK);
    assert_int_equal(st.docs, 1000);
    assert_int_equal(st.errors, 0);
    assert_int_equal(s.nwarns, 0);
    /* no headline text is quoted here: the data is research-only */
    assert_string_equal(s.docs[0].id, "headlines.tsv:2");
    assert_true(s.docs[0].title && s.docs[0].title[0] != '\0');
    assert_int_equal(s.docs[0].date, 20120101);
    assert_int_equal(st.bytes, file_size(path));
    sink_free(&s);
    remove_tree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_init_sets_the_documented_defaults),
        cmocka_unit_test(
            test_directory_walk_is_sorted_recursive_and_skips_hidden_binary_zst),
        cmocka_unit_test(test_single_text_file_id_is_its_file_name),
        cmocka_unit_test(
            test_text_title_needs_a_short_first_line_and_a_blank_line),
        cmocka_unit_test(test_invalid_utf8_and_nul_in_text_are_repaired),
        cmocka_unit_test(test_jsonl_fields_fallbacks_and_malformed_lines),
        cmocka_unit_test(test_jsonl_field_names_come_from_the_options),
        cmocka_unit_test(test_field_dates_in_every_supported_form),
        cmocka_unit_test(test_tsv_headlines_without_id_or_body_columns),
        cmocka_unit_test(test_csv_quoted_fields_escapes_newlines_and_a_bad_row),
        cmocka_unit_test(
            test_csv_records_split_the_same_whatever_the_read_boundaries),
        cmocka_unit_test(test_csv_unterminated_quote_at_eof_is_an_error),
        cmocka_unit_test(
            test_csv_format_and_delimiter_options_override_the_extension),
        cmocka_unit_test(test_nonexistent_path_is_not_found),
        cmocka_unit_test(test_callback_failure_stops_ingest_and_is_returned),
        cmocka_unit_test(test_unreadable_entries_are_errors_and_ingest_goes_on),
        cmocka_unit_test(test_symlinked_directories_are_entered_once),
        cmocka_unit_test(
            test_stdin_auto_is_jsonl_after_a_brace_else_one_text_document),
        cmocka_unit_test(
            test_progress_reports_at_most_every_64_kib_and_reaches_the_total),
        cmocka_unit_test(
            test_jsonl_record_of_50_mb_is_read_and_one_over_64_mib_skipped),
        cmocka_unit_test(
            test_out_of_memory_at_any_allocation_is_reported_cleanly),
        cmocka_unit_test(test_seed_corpus_dates_are_sniffed),
        cmocka_unit_test(test_first_1000_headlines_of_the_shared_corpus),
    };
    return cmocka_run_group_tests(tests, setup_paths, NULL);
}
