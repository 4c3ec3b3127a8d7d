/* SPDX-License-Identifier: MIT */
/*
 * test_xwrite.c: the seed articles of corpus/, with their recognised
 * entities, indexed twice, by the native inverter and into a real Xapian
 * database by gzt_xwriter; the two must hold the same terms with the same
 * document frequencies, the same occurrences of every text term, the same
 * total length, title copies for title words, and the same stored records;
 * adding the documents again replaces them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/invert.h"
#include "indexer/xwrite.h"
#include "tests/support/tmpdir.h"

static const char *const files[] = {
    "000_74ad9d19b3ce4714.txt", "002_12939b7441be3216.txt",
    "003_fdbb837543be5c6f.txt", "004_fc73e2c017d88888.txt"};
enum { NDOCS = sizeof files / sizeof *files };

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

/* index the seed articles both ways: native segment 1 in @p dir, Xapian
 * database in @p dir/xapian */
static void
index_both(const char *dir, const char *src, int rounds)
{
    gzt_error err = {0};
    gzt_analyzer *an;
    assert_int_equal(gzt_analyzer_new(&an, "english", &err), GZT_OK);
    gzt_recognizer *rec;
    assert_int_equal(gzt_recognizer_new(&rec, NULL, 0, &err), GZT_OK);
    gzt_inv *inv;
    assert_int_equal(gzt_inv_new(&inv, an), GZT_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/xapian", dir);
    gzt_xdb *db;
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_CREATE, 0, &err), GZT_OK);
    gzt_xwriter *xw;
    assert_int_equal(gzt_xwriter_new(&xw, an), GZT_OK);
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_buf entbytes = GZT_BUF_INIT;
    for (int round = 0; round < rounds; round++)
        for (int i = 0; i < NDOCS; i++) {
            size_t len;
            snprintf(path, sizeof path, "%s/corpus/%s", src, files[i]);
            char *text = slurp(path, &len);
            /* the first line is the title */
            char *nl = strchr(text, '\n');
            assert_non_null(nl);
            gzt_docfields f = {{files[i], text, nl + 1, "", NULL},
                               {strlen(files[i]), (size_t)(nl - text),
                                len - (size_t)(nl + 1 - text), 0, 0}};
            gzt_entity *ents;
            size_t nents;
            gzt_arena_reset(&arena);
            assert_int_equal(gzt_recognizer_find(rec, f.f[1], f.len[1], f.f[2],
                                                 f.len[2], &arena, &ents,
                                                 &nents, &err),
                             GZT_OK);
            assert_true(nents > 5);
            gzt_buf_reset(&entbytes);
            assert_int_equal(
                gzt_entity_encode(&entbytes, ents, nents, f.f[1], f.f[2]),
                GZT_OK);
            f.f[GZT_FIELD_ENTITIES] = (const char *)entbytes.p;
            f.len[GZT_FIELD_ENTITIES] = entbytes.len;
            gzt_date date = 20250101 + i;
            if (round == 0) {
                uint32_t doc;
                assert_int_equal(gzt_inv_add(inv, &f, date, (uint64_t)i, ents,
                                             nents, &doc, &err),
                                 GZT_OK);
            }
            if (gzt_xwriter_add(xw, db, &f, date, (uint64_t)i, ents, nents,
                                &err))
                fail_msg("%s", err.msg);
            free(text);
        }
    gzt_segw_info info;
    assert_int_equal(gzt_inv_flush(inv, dir, 1, true, &info, &err), GZT_OK);
    assert_int_equal(gzt_xdb_commit(db), GZT_OK);
    gzt_buf_free(&entbytes);
    gzt_arena_fini(&arena);
    gzt_xwriter_free(xw);
    gzt_xdb_close(db);
    gzt_inv_free(inv);
    gzt_recognizer_free(rec);
    gzt_analyzer_free(an);
}

static void
compare(const char *dir)
{
    gzt_error err = {0};
    gzt_segment *s;
    assert_int_equal(gzt_segment_open(&s, dir, 1, NULL, &err), GZT_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/xapian", dir);
    gzt_xdb *db;
    assert_int_equal(gzt_xdb_open(&db, path, GZT_XDB_READ, 0, &err), GZT_OK);
    uint64_t n;
    assert_int_equal(gzt_xdb_doccount(db, &n), GZT_OK);
    assert_int_equal(n, NDOCS);
    /* every native term, with its document frequency; text terms with
     * their occurrences too */
    gzt_dict_iter it;
    bool ok;
    assert_int_equal(gzt_dict_iter_seek(&it, s, "", 0, &err), GZT_OK);
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    size_t terms = 0, entity_terms = 0;
    for (; ok; terms++) {
        uint64_t df, cf;
        assert_int_equal(gzt_xdb_termfreq(db, it.term, it.term_len, &df),
                         GZT_OK);
        if (df != it.ti.df)
            fail_msg("\"%s\": Xapian df %llu, native %u", it.term,
                     (unsigned long long)df, it.ti.df);
        if (it.term[0] >= 'A' && it.term[0] <= 'Z') {
            entity_terms++;
        } else {
            assert_int_equal(gzt_xdb_collfreq(db, it.term, it.term_len, &cf),
                             GZT_OK);
            if (cf != it.ti.cf)
                fail_msg("\"%s\": Xapian cf %llu, native %llu", it.term,
                         (unsigned long long)cf, (unsigned long long)it.ti.cf);
        }
        assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    }
    assert_true(terms > 500);
    assert_true(entity_terms > 50);
    /* lengths count text tokens only, as native ones do */
    uint64_t total = 0, xtotal;
    for (uint32_t d = 0; d < s->ndocs; d++)
        total += gzt_segment_doclen(s, d);
    assert_int_equal(gzt_xdb_total_length(db, &xtotal), GZT_OK);
    assert_int_equal(xtotal, total);
    /* title copies: "lavrov" is in the titles of two seed articles */
    uint64_t df;
    assert_int_equal(gzt_xdb_termfreq(db, "Slavrov", 7, &df), GZT_OK);
    assert_true(df >= 1);
    /* the stored record and the date value */
    gzt_buf data = GZT_BUF_INIT, rec = GZT_BUF_INIT;
    for (uint32_t d = 0; d < s->ndocs; d++) {
        gzt_docfields f;
        assert_int_equal(gzt_segment_doc(s, d, &f, &err), GZT_OK);
        gzt_buf_reset(&rec);
        assert_int_equal(gzt_store_record(&rec, &f), GZT_OK);
        uint32_t docid;
        assert_int_equal(
            gzt_xdb_find(db, f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID], &docid),
            GZT_OK);
        assert_int_equal(gzt_xdb_data(db, docid, &data), GZT_OK);
        assert_int_equal(data.len, rec.len);
        assert_memory_equal(data.p, rec.p, rec.len);
        assert_int_equal(gzt_xdb_value(db, docid, GZT_XSLOT_DATE, &data),
                         GZT_OK);
        char want[16];
        snprintf(want, sizeof want, "%d", (int)gzt_segment_docdate(s, d));
        assert_int_equal(data.len, 8);
        assert_memory_equal(data.p, want, 8);
    }
    gzt_buf_free(&data);
    gzt_buf_free(&rec);
    gzt_xdb_close(db);
    gzt_segment_close(s);
}

static const char *
source_dir(void)
{
    const char *v = getenv("GZT_SOURCE");
    if (!v || !*v)
        fail_msg("GZT_SOURCE is not set (ctest sets it)");
    return v;
}

static void
test_both_engines_index_the_same_terms(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "xwrite");
    index_both(dir, source_dir(), 1);
    compare(dir);
    gzt_test_tmpdir_remove(dir);
}

static void
test_adding_again_replaces(void **state)
{
    (void)state;
    char dir[64];
    gzt_test_tmpdir_new(dir, "xwrite");
    index_both(dir, source_dir(), 3); /* Xapian gets every document 3 times */
    compare(dir);
    gzt_test_tmpdir_remove(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_engines_index_the_same_terms),
        cmocka_unit_test(test_adding_again_replaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
