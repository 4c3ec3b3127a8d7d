/* SPDX-License-Identifier: MIT */
/*
 * test_manifest.c: the text manifest of common/manifest.c.
 *
 * Round trips of gzt_manifest_format() and gzt_manifest_parse() over the
 * fields that need encoding (paths and options with spaces, '%', CR and LF),
 * then the parser's refusals: every prefix of a manifest, every single-byte
 * change under several masks, a wrong header, unknown lines and segment
 * lines that contradict the rest, each re-checksummed so that the parser's
 * own check is reached and not just the checksum's.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/manifest.h"

#define TPATH "idx/MANIFEST"

/* ---- helpers ------------------------------------------------------------ */

static void
add_seg(gzt_manifest *m, uint32_t id, uint32_t ndocs, uint32_t deleted,
        uint64_t tokens, const char *del)
{
    gzt_mseg *ns = gzt_realloc(m->segs, (m->nsegs + 1) * sizeof *ns);
    assert_non_null(ns);
    m->segs = ns;
    gzt_mseg *s = &ns[m->nsegs++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->ndocs = ndocs;
    s->deleted = deleted;
    s->tokens = tokens;
    snprintf(s->del, sizeof s->del, "%s", del);
}

/* a manifest using every field, with paths that need encoding */
static void
sample(gzt_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->generation = 18446744073709551615u;
    snprintf(m->engine, sizeof m->engine, "native");
    snprintf(m->language, sizeof m->language, "portuguese");
    m->next_segment = 4000000000u;
    add_seg(m, 1, 4, 1, 1083, "seg-000001-g000007.del");
    add_seg(m, 3, 12, 0, 4410, "");
    add_seg(m, 3999999999u, 4294967295u, 4294967295u, 18446744073709551615u,
            "");
    assert_int_equal(gzt_manifest_add_source(m, "auto", "/abs/path/corpus",
                                             "id=id;title=title"),
                     GZT_OK);
    assert_int_equal(gzt_manifest_add_source(m, "jsonl",
                                             "/news archive/2024 %20 100%/"
                                             "a\nb\rc\r\n d%",
                                             "id=my id;body=%body%;delim=9"),
                     GZT_OK);
    assert_int_equal(gzt_manifest_add_source(m, "csv", "relative", ""), GZT_OK);
    assert_int_equal(gzt_manifest_add_source(m, "text", " ", "%"), GZT_OK);
}

static void
assert_manifest_equal(const gzt_manifest *a, const gzt_manifest *b)
{
    assert_true(a->generation == b->generation);
    assert_string_equal(a->engine, b->engine);
    assert_string_equal(a->language, b->language);
    assert_int_equal(a->next_segment, b->next_segment);
    assert_int_equal(a->nsegs, b->nsegs);
    for (uint32_t i = 0; i < a->nsegs; i++) {
        assert_int_equal(a->segs[i].id, b->segs[i].id);
        assert_int_equal(a->segs[i].ndocs, b->segs[i].ndocs);
        assert_int_equal(a->segs[i].deleted, b->segs[i].deleted);
        assert_true(a->segs[i].tokens == b->segs[i].tokens);
        assert_string_equal(a->segs[i].del, b->segs[i].del);
    }
    assert_int_equal(a->nsources, b->nsources);
    for (uint32_t i = 0; i < a->nsources; i++) {
        assert_string_equal(a->sources[i].format, b->sources[i].format);
        assert_string_equal(a->sources[i].path, b->sources[i].path);
        assert_string_equal(a->sources[i].opts, b->sources[i].opts);
    }
}

/* @p body followed by its correct checksum line, in @p out */
static void
with_checksum(gzt_buf *out, const char *body)
{
    gzt_buf_reset(out);
    assert_int_equal(gzt_buf_append(out, body, strlen(body)), GZT_OK);
    assert_int_equal(
        gzt_buf_printf(out, "checksum %016llx\n",
                       (unsigned long long)gzt_hash64(body, strlen(body))),
        GZT_OK);
}

/* parse @p len bytes; on failure the message must name the file */
static int
parse(gzt_manifest *m, const void *text, size_t len, gzt_error *err)
{
    gzt_err_clear(err);
    /* a copy of exactly len bytes, so ASan sees any read past the end */
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    int rc = gzt_manifest_parse(m, copy, len, TPATH, err);
    free(copy);
    if (rc) {
        assert_int_equal(err->code, rc);
        assert_non_null(strstr(err->msg, TPATH));
        assert_int_equal(m->nsegs, 0);
        assert_null(m->segs);
        assert_int_equal(m->nsources, 0);
    }
    return rc;
}

/* parse @p body with its checksum: it must fail as corrupt with @p why */
static void
assert_refused(const char *body, const char *why)
{
    gzt_buf b = GZT_BUF_INIT;
    with_checksum(&b, body);
    gzt_manifest m;
    gzt_error err;
    int rc = parse(&m, b.p, b.len, &err);
    if (rc != GZT_ECORRUPT)
        fail_msg("accepted (%d):\n%s", rc, body);
    if (!strstr(err.msg, why))
        fail_msg("message '%s' lacks '%s'", err.msg, why);
    gzt_buf_free(&b);
}

static const char *good_head = "gazette-manifest 1\n"
                               "generation 7\n"
                               "engine native\n"
                               "language english\n"
                               "next-segment 4\n";

/* ---- tests -------------------------------------------------------------- */

static void
test_format_and_parse_round_trip_every_field(void **state)
{
    (void)state;
    gzt_manifest m, back;
    sample(&m);
    gzt_buf text = GZT_BUF_INIT, again = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(&m, &text), GZT_OK);
    /* one line per segment and source, nothing raw that needs encoding */
    assert_non_null(strstr((char *)text.p, "del seg-000001-g000007.del\n"));
    assert_non_null(strstr((char *)text.p, "tokens 4410 del -\n"));
    assert_non_null(strstr((char *)text.p, "source csv - relative\n"));
    assert_non_null(strstr((char *)text.p, "source text %25 %20\n"));
    assert_non_null(strstr((char *)text.p, "source jsonl id=my%20id;"
                                           "body=%25body%25;delim=9 "
                                           "/news%20archive/2024%20%2520%20"
                                           "100%25/a%0Ab%0Dc%0D%0A%20d%25\n"));
    gzt_error err;
    assert_int_equal(parse(&back, text.p, text.len, &err), GZT_OK);
    assert_manifest_equal(&m, &back);
    /* and formatting what was parsed gives the same bytes */
    assert_int_equal(gzt_manifest_format(&back, &again), GZT_OK);
    assert_int_equal(again.len, text.len);
    assert_memory_equal(again.p, text.p, text.len);
    gzt_manifest_fini(&back);
    gzt_manifest_fini(&m);
    gzt_buf_free(&text);
    gzt_buf_free(&again);
}

static void
test_empty_index_manifest_round_trips(void **state)
{
    (void)state;
    gzt_manifest m = {0}, back;
    snprintf(m.engine, sizeof m.engine, "native");
    snprintf(m.language, sizeof m.language, "none");
    m.next_segment = 1;
    gzt_buf text = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(&m, &text), GZT_OK);
    gzt_error err;
    assert_int_equal(parse(&back, text.p, text.len, &err), GZT_OK);
    assert_manifest_equal(&m, &back);
    assert_null(back.segs);
    assert_null(back.sources);
    gzt_manifest_fini(&back);
    gzt_buf_free(&text);
}

static void
test_every_truncation_is_corrupt(void **state)
{
    (void)state;
    gzt_manifest m, back;
    sample(&m);
    gzt_buf text = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(&m, &text), GZT_OK);
    for (size_t len = 0; len < text.len; len++) {
        gzt_error err;
        int rc = parse(&back, text.p, len, &err);
        if (rc != GZT_ECORRUPT)
            fail_msg("prefix of %zu of %zu bytes: %d", len, text.len, rc);
    }
    gzt_manifest_fini(&m);
    gzt_buf_free(&text);
}

static void
test_every_single_byte_change_is_corrupt_or_harmless(void **state)
{
    /* Each byte is changed under several masks. The checksum line covers
     * everything before it; a change inside the checksum's own hex digits
     * either breaks the match or (a case flip, a leading zero turned to a
     * space that strtoull skips) denotes the same number, and then the
     * manifest must read exactly as before. */
    (void)state;
    gzt_manifest m, back;
    sample(&m);
    gzt_buf text = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(&m, &text), GZT_OK);
    const char *ck = strstr((const char *)text.p, "checksum ");
    assert_non_null(ck);
    size_t ck_off = (size_t)(ck - (const char *)text.p);
    static const uint8_t masks[] = {0x01, 0x02, 0x10, 0x20, 0x40, 0x80, 0xff};
    size_t trials = 0, harmless = 0;
    for (size_t off = 0; off < text.len; off++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            text.p[off] ^= masks[k];
            gzt_error err;
            int rc = parse(&back, text.p, text.len, &err);
            trials++;
            if (rc == GZT_OK) {
                if (off < ck_off + 9 || off >= text.len - 1)
                    fail_msg("change 0x%02x at %zu accepted", masks[k], off);
                assert_manifest_equal(&m, &back);
                gzt_manifest_fini(&back);
                harmless++;
            } else {
                assert_int_equal(rc, GZT_ECORRUPT);
            }
            text.p[off] ^= masks[k];
        }
    }
    assert_true(trials > 2000);
    assert_true(harmless < 64);
    gzt_manifest_fini(&m);
    gzt_buf_free(&text);
}

static void
test_checksum_mismatch_names_the_file_and_offset(void **state)
{
    (void)state;
    gzt_manifest m, back;
    sample(&m);
    gzt_buf text = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(&m, &text), GZT_OK);
    text.p[20] ^= 1; /* in "generation" */
    gzt_error err;
    assert_int_equal(parse(&back, text.p, text.len, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, "checksum mismatch"));
    assert_non_null(strstr(err.msg, "offset"));
    gzt_manifest_fini(&m);
    gzt_buf_free(&text);
}

static void
test_checksum_is_read_from_the_checksum_line_only(void **state)
{
    /* "checksum " and the line's end, then, past the text, the right
     * digits: the parser must not skip the newline to read them */
    (void)state;
    gzt_buf b = GZT_BUF_INIT;
    with_checksum(&b, good_head);
    char *ck = strstr((char *)b.p, "checksum ") + 9;
    size_t len = (size_t)(ck - (char *)b.p) + 1;
    char digits[17];
    memcpy(digits, ck, 16);
    digits[16] = '\0';
    ck[0] = '\n';
    memcpy(ck + 1, digits, 16);
    gzt_manifest m;
    gzt_error err;
    gzt_err_clear(&err);
    assert_int_equal(gzt_manifest_parse(&m, (char *)b.p, len, TPATH, &err),
                     GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, "checksum"));
    gzt_buf_free(&b);
}

static void
test_wrong_header_is_refused(void **state)
{
    (void)state;
    assert_refused("gazette-manifest 99\n"
                   "generation 7\nengine native\nlanguage english\n"
                   "next-segment 4\n",
                   "line 1: not a gazette manifest");
    assert_refused("Gazette-manifest 1\n"
                   "generation 7\nengine native\nlanguage english\n"
                   "next-segment 4\n",
                   "line 1");
    assert_refused("gazette-manifest 1 \n"
                   "generation 7\nengine native\nlanguage english\n"
                   "next-segment 4\n",
                   "line 1");
    assert_refused("generation 7\nengine native\nlanguage english\n"
                   "next-segment 4\n",
                   "line 1");
    assert_refused("", "incomplete");
}

static void
test_unknown_line_is_refused_with_its_number(void **state)
{
    (void)state;
    char body[512];
    snprintf(body, sizeof body, "%sfrobnicate 3\n", good_head);
    assert_refused(body, "line 6: unknown line");
    snprintf(body, sizeof body, "%s\n", good_head);
    assert_refused(body, "line 6: unknown line");
    snprintf(body, sizeof body, "%sSegment 1 docs 1 deleted 0 tokens 1 del -\n",
             good_head);
    assert_refused(body, "line 6");
}

static void
test_missing_engine_or_language_is_refused(void **state)
{
    (void)state;
    assert_refused("gazette-manifest 1\ngeneration 1\nlanguage english\n"
                   "next-segment 1\n",
                   "incomplete");
    assert_refused("gazette-manifest 1\ngeneration 1\nengine native\n"
                   "next-segment 1\n",
                   "incomplete");
}

static void
test_segment_lines_that_contradict_the_rest_are_refused(void **state)
{
    (void)state;
    char body[1024];
    /* the id must be below next-segment */
    snprintf(body, sizeof body, "%ssegment 4 docs 1 deleted 0 tokens 1 del -\n",
             good_head);
    assert_refused(body, "line 6: bad segment line");
    snprintf(body, sizeof body,
             "%ssegment 3 docs 1 deleted 0 tokens 1 del -\n"
             "segment 5 docs 1 deleted 0 tokens 1 del -\n",
             good_head);
    assert_refused(body, "line 7: bad segment line");
    /* also when a later next-segment line lowers it (found by
     * tests/fuzz/fuzz_manifest.c: format() writes next-segment first, so
     * such a manifest did not even survive a round trip) */
    snprintf(body, sizeof body,
             "%ssegment 3 docs 1 deleted 0 tokens 1 del -\n"
             "next-segment 2\n",
             good_head);
    assert_refused(body, "segment 3 is not below next-segment 2");
    /* more deleted than documents */
    snprintf(body, sizeof body, "%ssegment 1 docs 1 deleted 2 tokens 1 del -\n",
             good_head);
    assert_refused(body, "bad segment line");
    /* missing fields */
    snprintf(body, sizeof body, "%ssegment 1 docs 1 deleted 0 tokens 1\n",
             good_head);
    assert_refused(body, "bad segment line");
    snprintf(body, sizeof body, "%ssegment x docs 1 deleted 0 tokens 1 del -\n",
             good_head);
    assert_refused(body, "bad segment line");
    /* a source line needs a format, options and a path */
    snprintf(body, sizeof body, "%ssource text /only/a/path\n", good_head);
    assert_refused(body, "line 6: bad source line");
    /* a line over 1 KiB that is not a source */
    char *longb = malloc(4096);
    assert_non_null(longb);
    int n = snprintf(longb, 4096, "%ssegment 1 docs 1 deleted 0 tokens 1 del ",
                     good_head);
    memset(longb + n, 'x', 1100);
    snprintf(longb + n + 1100, 4096 - (size_t)n - 1100, "\n");
    assert_refused(longb, "line 6: line too long");
    free(longb);
    /* and the same segment lines pass with next-segment above them */
    gzt_buf b = GZT_BUF_INIT;
    snprintf(
        body, sizeof body,
        "%ssegment 3 docs 2 deleted 2 tokens 0 del seg-000003-g000007.del\n"
        "segment 1 docs 5 deleted 0 tokens 9 del -\n",
        good_head);
    with_checksum(&b, body);
    gzt_manifest m;
    gzt_error err;
    assert_int_equal(parse(&m, b.p, b.len, &err), GZT_OK);
    assert_int_equal(m.nsegs, 2);
    assert_string_equal(m.segs[0].del, "seg-000003-g000007.del");
    assert_string_equal(m.segs[1].del, "");
    assert_int_equal(m.segs[1].ndocs, 5);
    gzt_manifest_fini(&m);
    gzt_buf_free(&b);
}

/* An empty native manifest, and a path of @p len bytes of slashes,
 * spaces and letters (malloc'ed), for the long-path tests. */
static char *
long_path_manifest(gzt_manifest *m, size_t len)
{
    memset(m, 0, sizeof *m);
    snprintf(m->engine, sizeof m->engine, "native");
    snprintf(m->language, sizeof m->language, "english");
    m->next_segment = 1;
    char *path = malloc(len + 1);
    assert_non_null(path);
    for (size_t i = 0; i < len; i++)
        path[i] = (char)(i % 10 == 0 ? '/' : i % 10 == 5 ? ' ' : 'a' + i % 26);
    path[len] = '\0';
    return path;
}

/* format @p m, parse it back into @p back, and require them equal */
static void
round_trip(const gzt_manifest *m, gzt_manifest *back)
{
    gzt_buf text = GZT_BUF_INIT;
    assert_int_equal(gzt_manifest_format(m, &text), GZT_OK);
    gzt_error err;
    assert_int_equal(parse(back, text.p, text.len, &err), GZT_OK);
    assert_manifest_equal(m, back);
    gzt_buf_free(&text);
}

static void
test_long_source_paths_are_accepted(void **state)
{
    /* paths are not bounded by the 1 KiB line buffer */
    (void)state;
    gzt_manifest m, back;
    char *path = long_path_manifest(&m, 4999);
    assert_int_equal(gzt_manifest_add_source(&m, "text", path, "id=id"),
                     GZT_OK);
    round_trip(&m, &back);
    gzt_manifest_fini(&back);
    gzt_manifest_fini(&m);
    free(path);
}

static void
test_long_entity_list_and_model_paths_are_accepted(void **state)
{
    /* as the sources: a user's list or model may have a long path, and
     * its line must read back (they were refused as "line too long") */
    (void)state;
    gzt_manifest m, back;
    char *path = long_path_manifest(&m, 2999);
    assert_int_equal(gzt_manifest_add_list(&m, path), GZT_OK);
    m.ner_model = gzt_strdup(path);
    assert_non_null(m.ner_model);
    round_trip(&m, &back);
    assert_int_equal(back.nlists, 1);
    assert_string_equal(back.lists[0], path);
    assert_non_null(back.ner_model);
    assert_string_equal(back.ner_model, path);
    gzt_manifest_fini(&back);
    gzt_manifest_fini(&m);
    free(path);
}

static void
test_add_source_deduplicates_equal_sources(void **state)
{
    (void)state;
    gzt_manifest m = {0};
    assert_int_equal(gzt_manifest_add_source(&m, "auto", "/a", "id=id"),
                     GZT_OK);
    assert_int_equal(gzt_manifest_add_source(&m, "auto", "/a", "id=id"),
                     GZT_OK);
    assert_int_equal(m.nsources, 1);
    /* any field differing makes another source */
    assert_int_equal(gzt_manifest_add_source(&m, "csv", "/a", "id=id"), GZT_OK);
    assert_int_equal(gzt_manifest_add_source(&m, "auto", "/a", "id=key"),
                     GZT_OK);
    assert_int_equal(gzt_manifest_add_source(&m, "auto", "/a/", "id=id"),
                     GZT_OK);
    assert_int_equal(m.nsources, 4);
    assert_int_equal(gzt_manifest_add_source(&m, "csv", "/a", "id=id"), GZT_OK);
    assert_int_equal(m.nsources, 4);
    assert_string_equal(m.sources[3].path, "/a/");
    /* a parsed manifest with the same source twice keeps one */
    gzt_buf b = GZT_BUF_INIT;
    char body[512];
    snprintf(body, sizeof body,
             "%ssource auto id=id /x%%20y\nsource auto id=id /x%%20y\n",
             good_head);
    with_checksum(&b, body);
    gzt_manifest p;
    gzt_error err;
    assert_int_equal(parse(&p, b.p, b.len, &err), GZT_OK);
    assert_int_equal(p.nsources, 1);
    assert_string_equal(p.sources[0].path, "/x y");
    gzt_manifest_fini(&p);
    gzt_buf_free(&b);
    gzt_manifest_fini(&m);
    assert_int_equal(m.nsources, 0);
    gzt_manifest_fini(&m); /* twice is harmless */
}

static void
test_copy_is_deep(void **state)
{
    (void)state;
    gzt_manifest m, c;
    sample(&m);
    assert_int_equal(gzt_manifest_copy(&c, &m), GZT_OK);
    assert_manifest_equal(&m, &c);
    assert_true(c.segs != m.segs);
    assert_true(c.sources != m.sources);
    assert_true(c.sources[0].path != m.sources[0].path);
    c.segs[0].ndocs = 99;
    c.sources[0].path[0] = 'X';
    assert_int_equal(m.segs[0].ndocs, 4);
    assert_string_equal(m.sources[0].path, "/abs/path/corpus");
    gzt_manifest_fini(&c);
    gzt_manifest_fini(&m);
}

static void
test_write_then_read_leaves_only_the_manifest(void **state)
{
    (void)state;
    char dir[] = "/tmp/gzt-manifest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    gzt_manifest m, back;
    gzt_error err = {0};
    assert_int_equal(gzt_manifest_read(&back, dir, &err), GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "MANIFEST"));
    sample(&m);
    gzt_err_clear(&err);
    assert_int_equal(gzt_manifest_write(&m, dir, NULL, &err), GZT_OK);
    m.generation = 8; /* replace it */
    assert_int_equal(gzt_manifest_write(&m, dir, NULL, &err), GZT_OK);
    assert_int_equal(gzt_manifest_read(&back, dir, &err), GZT_OK);
    assert_manifest_equal(&m, &back);
    gzt_manifest_fini(&back);
    /* no temporary file left behind */
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        assert_string_equal(e->d_name, "MANIFEST");
        n++;
    }
    closedir(d);
    assert_int_equal(n, 1);
    /* a damaged file on disk reads as corrupt, naming it */
    char p[128];
    snprintf(p, sizeof p, "%s/MANIFEST", dir);
    FILE *f = fopen(p, "r+");
    assert_non_null(f);
    assert_int_equal(fseek(f, 25, SEEK_SET), 0);
    assert_int_equal(fputc('9', f), '9');
    assert_int_equal(fclose(f), 0);
    gzt_err_clear(&err);
    assert_int_equal(gzt_manifest_read(&back, dir, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, p));
    assert_int_equal(unlink(p), 0);
    assert_int_equal(rmdir(dir), 0);
    gzt_manifest_fini(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_parse_round_trip_every_field),
        cmocka_unit_test(test_empty_index_manifest_round_trips),
        cmocka_unit_test(test_every_truncation_is_corrupt),
        cmocka_unit_test(test_every_single_byte_change_is_corrupt_or_harmless),
        cmocka_unit_test(test_checksum_mismatch_names_the_file_and_offset),
        cmocka_unit_test(test_checksum_is_read_from_the_checksum_line_only),
        cmocka_unit_test(test_wrong_header_is_refused),
        cmocka_unit_test(test_unknown_line_is_refused_with_its_number),
        cmocka_unit_test(test_missing_engine_or_language_is_refused),
        cmocka_unit_test(
            test_segment_lines_that_contradict_the_rest_are_refused),
        cmocka_unit_test(test_long_source_paths_are_accepted),
        cmocka_unit_test(test_long_entity_list_and_model_paths_are_accepted),
        cmocka_unit_test(test_add_source_deduplicates_equal_sources),
        cmocka_unit_test(test_copy_is_deep),
        cmocka_unit_test(test_write_then_read_leaves_only_the_manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
