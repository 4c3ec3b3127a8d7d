/* SPDX-License-Identifier: MIT */
/*
 * test_entity.c: entity recognition as the index uses it (common/entity.c):
 * the stored form, canonical forms and coreference, user lists taking
 * precedence, the golden mentions of the seed corpus, exact facet counts
 * against a brute-force count over the stored mentions, and the refusal of
 * a format-1 index that gazette reindex then converts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/entity.h"
#include "common/io.h"
#include "searcher/reader.h"

static const char *
source_dir(void)
{
    const char *s = getenv("GZT_SOURCE");
    return s ? s : ".";
}

static char *
read_all(const char *path, size_t *len)
{
    gzt_buf b = GZT_BUF_INIT;
    assert_int_equal(gzt_io_read_file(path, &b, 1u << 26, NULL), GZT_OK);
    assert_int_equal(gzt_buf_nul(&b), GZT_OK);
    *len = b.len;
    return (char *)b.p;
}

static void
temp_dir(char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/gzt_entity_XXXXXX");
    assert_non_null(mkdtemp(out));
}

static void
remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* the mention of @p text in @p e/@p n as "TYPE surface -> canonical" */
static bool
has(const gzt_entity *e, size_t n, const char *text, const char *line)
{
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s %.*s -> %s", gzt_ner_type_name(e[i].type),
                 (int)(e[i].end - e[i].start), text + e[i].start,
                 e[i].canonical);
        if (!strcmp(buf, line))
            return true;
    }
    return false;
}

static void
test_stored_entities_round_trip_and_damage_is_refused(void **state)
{
    (void)state;
    const char title[] = "Tehran talks";
    const char body[] = "Met Sergey Lavrov, then Lavrov left.";
    gzt_entity in[3] = {
        {4, 17, GZT_NER_PER, GZT_ENT_BODY, "Sergey Lavrov", 13},
        {0, 6, GZT_NER_LOC, GZT_ENT_TITLE, "Tehran", 6},
        {24, 30, GZT_NER_PER, GZT_ENT_BODY, "Sergey Lavrov", 13}};
    gzt_buf b = GZT_BUF_INIT;
    assert_int_equal(gzt_entity_encode(&b, in, 3, title, body), GZT_OK);
    /* the two mentions that are their own canonical form keep no copy of
     * it: 1 count + 3 x 5 bytes of span + the one form that differs */
    assert_int_equal(b.len, 1 + 3 * 5 + 13);
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_entity *out;
    size_t n;
    assert_int_equal(
        gzt_entity_decode(b.p, b.len, title, 12, body, 36, &a, &out, &n),
        GZT_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(out[i].start, in[i].start);
        assert_int_equal(out[i].end, in[i].end);
        assert_int_equal(out[i].type, in[i].type);
        assert_int_equal(out[i].field, in[i].field);
        assert_string_equal(out[i].canonical, in[i].canonical);
        assert_int_equal(out[i].canonical_len, in[i].canonical_len);
    }
    /* every truncation and a span past its field are corrupt */
    for (size_t len = 1; len < b.len; len++)
        assert_int_equal(
            gzt_entity_decode(b.p, len, title, 12, body, 36, &a, &out, &n),
            GZT_ECORRUPT);
    assert_int_equal(
        gzt_entity_decode(b.p, b.len, title, 5, body, 36, &a, &out, &n),
        GZT_ECORRUPT);
    assert_int_equal(
        gzt_entity_decode(b.p, b.len, title, 12, body, 29, &a, &out, &n),
        GZT_ECORRUPT);
    /* empty means none */
    assert_int_equal(gzt_entity_decode(NULL, 0, NULL, 0, NULL, 0, &a, &out, &n),
                     GZT_OK);
    assert_int_equal(n, 0);
    gzt_arena_fini(&a);
    gzt_buf_free(&b);
}

static void
test_a_later_surname_takes_the_earlier_persons_canonical_form(void **state)
{
    (void)state;
    gzt_recognizer *r;
    gzt_error err = {0};
    assert_int_equal(gzt_recognizer_new(&r, NULL, 0, &err), GZT_OK);
    const char *text = "Foreign Minister Sergei Lavrov met Kazem Jalali in "
                       "Moscow on Tuesday. Lavrov said the talks went well, "
                       "and Jalali agreed.";
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_entity *e;
    size_t n;
    assert_int_equal(
        gzt_recognizer_find(r, NULL, 0, text, strlen(text), &a, &e, &n, &err),
        GZT_OK);
    /* the alias list names Sergei Lavrov's canonical form; the later
     * "Lavrov" takes it; Jalali is his own canonical form */
    bool first = false, later = false;
    for (size_t i = 0; i < n; i++) {
        if (e[i].type != GZT_NER_PER)
            continue;
        if (!strncmp(text + e[i].start, "Sergei Lavrov", 13))
            first = strstr(e[i].canonical, "Lavrov") != NULL;
        if (e[i].end - e[i].start == 6 &&
            !strncmp(text + e[i].start, "Lavrov", 6)) {
            later = true;
            for (size_t k = 0; k < i; k++)
                if (!strncmp(text + e[k].start, "Sergei Lavrov", 13))
                    assert_string_equal(e[i].canonical, e[k].canonical);
        }
    }
    assert_true(first);
    assert_true(later);
    assert_true(has(e, n, text, "PER Kazem Jalali -> Kazem Jalali"));
    assert_true(has(e, n, text, "PER Jalali -> Kazem Jalali"));
    assert_true(has(e, n, text, "LOC Moscow -> Moscow"));
    gzt_arena_fini(&a);
    gzt_recognizer_free(r);
}

static void
test_user_lists_take_precedence_and_bad_rows_name_their_line(void **state)
{
    (void)state;
    gzt_recognizer *r;
    gzt_error err = {0};
    assert_int_equal(gzt_recognizer_new(&r, NULL, 0, &err), GZT_OK);
    const char *list = "# mine\nMoscow Format\tORG\tMoscow Format Group\n"
                       "Kazem Jalali\tMISC\tAmbassador K. Jalali\n";
    assert_int_equal(
        gzt_recognizer_add_list(r, list, strlen(list), "mine.tsv", &err),
        GZT_OK);
    const char *text = "Kazem Jalali spoke at the Moscow Format talks.";
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_entity *e;
    size_t n;
    assert_int_equal(
        gzt_recognizer_find(r, NULL, 0, text, strlen(text), &a, &e, &n, &err),
        GZT_OK);
    assert_true(has(e, n, text, "MISC Kazem Jalali -> Ambassador K. Jalali"));
    assert_true(has(e, n, text, "ORG Moscow Format -> Moscow Format Group"));
    const char *bad = "Good Name\tPER\n\tPER\n";
    gzt_error e2 = {0};
    assert_int_equal(
        gzt_recognizer_add_list(r, bad, strlen(bad), "bad.tsv", &e2),
        GZT_EINVAL);
    assert_non_null(strstr(e2.msg, "bad.tsv:2"));
    const char *bad2 = "Name\tPERSON\n";
    gzt_error e3 = {0};
    assert_int_equal(
        gzt_recognizer_add_list(r, bad2, strlen(bad2), "bad2.tsv", &e3),
        GZT_EINVAL);
    assert_non_null(strstr(e3.msg, "bad2.tsv:1"));
    gzt_arena_fini(&a);
    gzt_recognizer_free(r);
}

/* The mentions of the seed articles, "file TYPE surface -> canonical" per
 * line, against tests/golden/ner/seed-mentions.txt (GZT_UPDATE_GOLDEN=1 writes
 * it; review the diff). */
static void
test_seed_corpus_mentions_match_the_golden_file(void **state)
{
    (void)state;
    static const char *const files[] = {
        "000_74ad9d19b3ce4714.txt", "002_12939b7441be3216.txt",
        "003_fdbb837543be5c6f.txt", "004_fc73e2c017d88888.txt"};
    gzt_recognizer *r;
    gzt_error err = {0};
    assert_int_equal(gzt_recognizer_new(&r, NULL, 0, &err), GZT_OK);
    gzt_buf got = GZT_BUF_INIT;
    for (size_t f = 0; f < 4; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/corpus/%s", source_dir(), files[f]);
        size_t len;
        char *text = read_all(path, &len);
        gzt_arena a;
        gzt_arena_init(&a, 0);
        gzt_entity *e;
        size_t n;
        assert_int_equal(
            gzt_recognizer_find(r, NULL, 0, text, len, &a, &e, &n, &err),
            GZT_OK);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(gzt_buf_printf(&got, "%s %s %.*s -> %s\n",
                                            files[f],
                                            gzt_ner_type_name(e[i].type),
                                            (int)(e[i].end - e[i].start),
                                            text + e[i].start, e[i].canonical),
                             GZT_OK);
        gzt_arena_fini(&a);
        gzt_free(text);
    }
    gzt_recognizer_free(r);
    /* the people, organisations and places the issue names are found */
    static const char *const must[] = {"PER Kazem Jalali",
                                       "PER Mikhail Bogdanov",
                                       "PER Sergey Ryabkov",
                                       "PER Mohammadreza Raouf-Sheybani",
                                       "PER Vladimir Putin",
                                       "PER Mikhail Lavrentiev",
                                       "PER Alexander Grushko",
                                       "PER Abbas Araghchi",
                                       "PER Masoud Pezeshkian",
                                       "PER Mohammad Bagher Ghalibaf",
                                       "PER Vladimir Dzhabarov",
                                       "PER Sergey Lavrov",
                                       "PER Hossein Amir Abdollahian",
                                       "PER Esmaeil Baqaei",
                                       "ORG Duma",
                                       "ORG IRNA",
                                       "ORG BRICS",
                                       "ORG Federation Council",
                                       "LOC Tehran",
                                       "LOC Moscow",
                                       "LOC Syria",
                                       "LOC Oman",
                                       "LOC Muscat"};
    assert_int_equal(gzt_buf_nul(&got), GZT_OK);
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        char pat[128];
        snprintf(pat, sizeof pat, " %s", must[i]);
        if (!strstr((const char *)got.p, pat))
            fail_msg("no mention '%s' in the seed corpus", must[i]);
    }
    char golden[1024];
    snprintf(golden, sizeof golden, "%s/tests/golden/ner/seed-mentions.txt",
             source_dir());
    if (getenv("GZT_UPDATE_GOLDEN")) {
        FILE *f = fopen(golden, "w");
        assert_non_null(f);
        fwrite(got.p, 1, got.len, f);
        fclose(f);
    }
    size_t glen;
    char *want = read_all(golden, &glen);
    if (glen != got.len || memcmp(want, got.p, glen)) {
        FILE *f = fopen("/tmp/gzt_entities.got", "w");
        if (f) {
            fwrite(got.p, 1, got.len, f);
            fclose(f);
        }
        fail_msg("mentions differ from %s (got: /tmp/gzt_entities.got; "
                 "GZT_UPDATE_GOLDEN=1 to accept)",
                 golden);
    }
    gzt_free(want);
    gzt_buf_free(&got);
}

/* Facet counts against a brute-force count over every stored mention. */
static void
test_facet_counts_equal_a_count_of_the_stored_mentions(void **state)
{
    (void)state;
    char dir[64];
    temp_dir(dir, sizeof dir);
    char path[1100];
    snprintf(path, sizeof path, "%s/x.idx", dir);
    char corpus[1024];
    snprintf(corpus, sizeof corpus, "%s/corpus", source_dir());
    gzt_writer *w;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, path, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_add_path(w, corpus, NULL, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    /* a second segment and a deletion */
    gzt_doc d = {"extra", "Lavrov in Tehran",
                 16,      "Sergey Lavrov met Kazem Jalali in Tehran.",
                 41,      20250101,
                 NULL};
    assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "000_74ad9d19b3ce4714.txt", &err),
                     GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);

    gzt_index *idx;
    assert_int_equal(gzt_index_open(&idx, path, &err), GZT_OK);
    static const char *const ids[] = {"002_12939b7441be3216.txt",
                                      "003_fdbb837543be5c6f.txt",
                                      "004_fc73e2c017d88888.txt", "extra"};
    static const char *const queries[] = {NULL, "treaty", "person:lavrov"};
    for (size_t q = 0; q < 3; q++) {
        gzt_facets *f;
        assert_int_equal(
            gzt_index_entities(&f, idx, queries[q], NULL, 0, 0, &err), GZT_OK);
        assert_true(gzt_facets_count(f) > 0);
        for (size_t i = 0; i < gzt_facets_count(f); i++) {
            const gzt_facet *x = gzt_facets_get(f, i);
            uint64_t docs = 0, mentions = 0;
            for (size_t k = 0; k < 4; k++) {
                if (queries[q]) {
                    /* is the document a match? */
                    gzt_results *res;
                    gzt_search_opts o;
                    gzt_search_opts_init(&o);
                    o.limit = 100;
                    assert_int_equal(
                        gzt_search(&res, idx, queries[q], &o, &err), GZT_OK);
                    bool match = false;
                    for (size_t h = 0; h < gzt_results_count(res); h++) {
                        gzt_hit hit;
                        assert_int_equal(gzt_results_hit(res, h, &hit), GZT_OK);
                        match |= !strcmp(hit.id, ids[k]);
                    }
                    gzt_results_free(res);
                    if (!match)
                        continue;
                }
                gzt_stored s;
                assert_int_equal(gzt_index_get(&s, idx, ids[k], &err), GZT_OK);
                uint64_t m = 0;
                for (size_t j = 0; j < s.nmentions; j++)
                    m += s.mentions[j].type == x->type &&
                         !strcmp(s.mentions[j].canonical, x->canonical);
                docs += m > 0;
                mentions += m;
                gzt_stored_fini(&s);
            }
            if (docs != x->docs || mentions != x->mentions)
                fail_msg("query %s: %s %s: %llu/%llu docs, %llu/%llu "
                         "mentions",
                         queries[q] ? queries[q] : "(all)",
                         gzt_entity_type_name(x->type), x->canonical,
                         (unsigned long long)x->docs, (unsigned long long)docs,
                         (unsigned long long)x->mentions,
                         (unsigned long long)mentions);
        }
        /* sorted: most documents first */
        for (size_t i = 1; i < gzt_facets_count(f); i++)
            assert_true(gzt_facets_get(f, i - 1)->docs >=
                        gzt_facets_get(f, i)->docs);
        gzt_facets_free(f);
    }
    /* a type filter and a limit */
    gzt_facets *f;
    assert_int_equal(
        gzt_index_entities(&f, idx, NULL, NULL, GZT_ENTITY_PER, 3, &err),
        GZT_OK);
    assert_true(gzt_facets_count(f) <= 3);
    for (size_t i = 0; i < gzt_facets_count(f); i++)
        assert_int_equal(gzt_facets_get(f, i)->type, GZT_ENTITY_PER);
    gzt_facets_free(f);
    /* the entity fields find the mentions */
    gzt_results *res;
    assert_int_equal(
        gzt_search(&res, idx, "entity:\"sergey lavrov\"", NULL, &err), GZT_OK);
    assert_int_equal(gzt_results_total(res), 3);
    gzt_results_free(res);
    assert_int_equal(gzt_search(&res, idx, "person:jalali", NULL, &err),
                     GZT_OK);
    assert_int_equal(gzt_results_total(res), 3);
    gzt_results_free(res);
    gzt_index_close(idx);
    remove_tree(dir);
}

static void
test_a_format_1_index_is_refused_and_reindex_converts_it(void **state)
{
    (void)state;
    char dir[64];
    temp_dir(dir, sizeof dir);
    char path[1100], body[4096];
    snprintf(path, sizeof path, "%s/old.idx", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(body, sizeof body,
             "gazette-manifest 1\ngeneration 3\nengine native\nlanguage "
             "english\nnext-segment 1\nsource auto - %s/corpus\n",
             source_dir());
    char text[8192];
    snprintf(text, sizeof text, "%schecksum %016llx\n", body,
             (unsigned long long)gzt_hash64(body, strlen(body)));
    gzt_error err = {0};
    assert_int_equal(
        gzt_io_write_atomic(path, "MANIFEST", text, strlen(text), NULL, &err),
        GZT_OK);
    gzt_index *idx;
    assert_int_equal(gzt_index_open(&idx, path, &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "gazette reindex"));
    gzt_writer *w;
    assert_int_equal(gzt_writer_open(&w, path, NULL, &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "gazette reindex"));
    assert_int_equal(gzt_reindex(path, NULL, NULL, NULL, &err), GZT_OK);
    assert_int_equal(gzt_index_open(&idx, path, &err), GZT_OK);
    gzt_stats st;
    assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
    assert_int_equal(st.docs, 4);
    gzt_results *res;
    assert_int_equal(gzt_search(&res, idx, "person:lavrov", NULL, &err),
                     GZT_OK);
    assert_int_equal(gzt_results_total(res), 2);
    gzt_results_free(res);
    gzt_index_close(idx);
    remove_tree(dir);
}

static void
test_no_entities_indexes_no_entity_terms(void **state)
{
    (void)state;
    char dir[64];
    temp_dir(dir, sizeof dir);
    char path[1100], corpus[1024];
    snprintf(path, sizeof path, "%s/n.idx", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", source_dir());
    gzt_writer_opts o;
    gzt_writer_opts_init(&o);
    o.entities = 0;
    gzt_writer *w;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, path, &o, &err), GZT_OK);
    assert_int_equal(gzt_writer_add_path(w, corpus, NULL, NULL, &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    /* the setting is the index's: asking for entities now is an error */
    o.entities = 1;
    assert_int_equal(gzt_writer_open(&w, path, &o, &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "entities off"));
    gzt_index *idx;
    assert_int_equal(gzt_index_open(&idx, path, &err), GZT_OK);
    gzt_results *res;
    assert_int_equal(gzt_search(&res, idx, "person:lavrov", NULL, &err),
                     GZT_OK);
    assert_int_equal(gzt_results_total(res), 0);
    gzt_results_free(res);
    assert_int_equal(gzt_search(&res, idx, "lavrov", NULL, &err), GZT_OK);
    assert_int_equal(gzt_results_total(res), 2);
    gzt_results_free(res);
    gzt_facets *f;
    assert_int_equal(gzt_index_entities(&f, idx, NULL, NULL, 0, 0, &err),
                     GZT_OK);
    assert_int_equal(gzt_facets_count(f), 0);
    gzt_facets_free(f);
    gzt_index_close(idx);
    remove_tree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stored_entities_round_trip_and_damage_is_refused),
        cmocka_unit_test(
            test_a_later_surname_takes_the_earlier_persons_canonical_form),
        cmocka_unit_test(
            test_user_lists_take_precedence_and_bad_rows_name_their_line),
        cmocka_unit_test(test_seed_corpus_mentions_match_the_golden_file),
        cmocka_unit_test(
            test_facet_counts_equal_a_count_of_the_stored_mentions),
        cmocka_unit_test(
            test_a_format_1_index_is_refused_and_reindex_converts_it),
        cmocka_unit_test(test_no_entities_indexes_no_entity_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
