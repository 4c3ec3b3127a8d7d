/* SPDX-License-Identifier: MIT */
/*
 * test_analyze.c: the tokenizer and stemmer (common/analyze.c, stem.c).
 *
 * One test per rule of docs/ANALYSIS.md, each with the exact terms, byte
 * offsets and positions expected, then languages, hostile input and size.
 *
 * The analyzer takes ASCII sixteen bytes at a time where it can (SSE2) and
 * a byte at a time elsewhere. This file includes a second copy of
 * analyze.c built with GZT_ANALYZE_SCALAR, its public functions renamed
 * scalar_*, so that the library's path can be compared token for token
 * with the scalar one on random and adversarial text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/analyze.h"
#include "common/stem.h"
#include "common/utf8.h"

/* the scalar copy of the analyzer (see the top of the file) */
int scalar_analyzer_new(gzt_analyzer **out, const char *language,
                        gzt_error *err);
void scalar_analyzer_free(gzt_analyzer *a);
const char *scalar_analyzer_language(const gzt_analyzer *a);
int scalar_analyze(gzt_analyzer *a, const char *text, size_t len,
                   uint32_t first_pos, gzt_token_fn fn, void *ctx,
                   uint32_t *next_pos);
int scalar_analyzer_fold(gzt_analyzer *a, const char *text, size_t len,
                         gzt_buf *out);
int scalar_entity_key(gzt_analyzer *a, const char *text, size_t len,
                      gzt_buf *out);
#define GZT_ANALYZE_SCALAR 1
#define gzt_analyzer_new scalar_analyzer_new
#define gzt_analyzer_free scalar_analyzer_free
#define gzt_analyzer_language scalar_analyzer_language
#define gzt_analyze scalar_analyze
#define gzt_analyzer_fold scalar_analyzer_fold
#define gzt_entity_key scalar_entity_key
#include "common/analyze.c"
#undef gzt_analyzer_new
#undef gzt_analyzer_free
#undef gzt_analyzer_language
#undef gzt_analyze
#undef gzt_analyzer_fold
#undef gzt_entity_key

/* One token as the callback saw it, with the term copied out. */
typedef struct tok {
    char term[GZT_TERM_MAX + 1]; /* NUL-terminated copy of the term */
    uint32_t start, end, pos;    /* as in gzt_token */
} tok;

/* Tokens collected by collect(). */
typedef struct toks {
    tok *v;     /* the tokens */
    size_t n;   /* count */
    size_t cap; /* allocated */
} toks;

static int
collect(void *ctx, const gzt_token *t)
{
    toks *ts = ctx;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 64;
        ts->v = realloc(ts->v, ts->cap * sizeof *ts->v);
        assert_non_null(ts->v);
    }
    assert_true(t->term_len > 0 && t->term_len <= GZT_TERM_MAX);
    tok *o = &ts->v[ts->n++];
    memcpy(o->term, t->term, t->term_len);
    o->term[t->term_len] = '\0';
    o->start = t->start;
    o->end = t->end;
    o->pos = t->pos;
    return 0;
}

/* Analyze @p text with a new analyzer for @p lang into @p out. */
static void
run(const char *lang, const char *text, size_t len, uint32_t first_pos,
    toks *out, uint32_t *next_pos)
{
    gzt_analyzer *a;
    assert_int_equal(gzt_analyzer_new(&a, lang, NULL), GZT_OK);
    memset(out, 0, sizeof *out);
    assert_int_equal(
        gzt_analyze(a, text, len, first_pos, collect, out, next_pos), GZT_OK);
    gzt_analyzer_free(a);
}

/* An expected token. */
typedef struct want {
    const char *term;
    uint32_t start, end, pos;
} want;

static void
check_lang(const char *lang, const char *text, const want *w, size_t n)
{
    toks ts;
    uint32_t next;
    run(lang, text, strlen(text), 0, &ts, &next);
    for (size_t i = 0; i < ts.n && i < n; i++) {
        if (strcmp(ts.v[i].term, w[i].term) != 0 ||
            ts.v[i].start != w[i].start || ts.v[i].end != w[i].end ||
            ts.v[i].pos != w[i].pos)
            fail_msg("\"%s\" token %zu: got %s [%u,%u) @%u, want %s "
                     "[%u,%u) @%u",
                     text, i, ts.v[i].term, ts.v[i].start, ts.v[i].end,
                     ts.v[i].pos, w[i].term, w[i].start, w[i].end, w[i].pos);
    }
    if (ts.n != n)
        fail_msg("\"%s\": %zu tokens, want %zu", text, ts.n, n);
    free(ts.v);
}

#define CHECK(text, ...)                                                       \
    do {                                                                       \
        const want w_[] = {__VA_ARGS__};                                       \
        check_lang("english", text, w_, sizeof w_ / sizeof w_[0]);             \
    } while (0)

/* Check only the terms: @p terms is the expected terms, space-separated. */
static void
check_terms_lang(const char *lang, const char *text, const char *terms)
{
    toks ts;
    char got[4096] = "";
    size_t off = 0;
    run(lang, text, strlen(text), 0, &ts, NULL);
    for (size_t i = 0; i < ts.n; i++) {
        assert_int_equal(ts.v[i].pos, i);
        off += (size_t)snprintf(got + off, sizeof got - off, "%s%s",
                                i ? " " : "", ts.v[i].term);
        assert_true(off < sizeof got);
    }
    if (strcmp(got, terms) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", text, got, terms);
    free(ts.v);
}

#define TERMS(text, terms) check_terms_lang("english", text, terms)

/* ---- the rules ---------------------------------------------------------- */

static void
test_words_are_folded_and_stemmed_with_offsets_and_positions(void **state)
{
    (void)state;
    CHECK("Lavrov met Negotiators in TEHRAN.", {"lavrov", 0, 6, 0},
          {"met", 7, 10, 1}, {"negoti", 11, 22, 2}, {"in", 23, 25, 3},
          {"tehran", 26, 32, 4});
}

static void
test_negotiations_and_negotiate_share_a_stem(void **state)
{
    (void)state;
    TERMS("negotiations negotiate Negotiating negotiated",
          "negoti negoti negoti negoti");
}

static void
test_names_are_lowercased_and_not_mangled(void **state)
{
    (void)state;
    TERMS("Lavrov Sheybani Raouf", "lavrov sheybani raouf");
}

static void
test_possessive_is_stemmed_away(void **state)
{
    /* U+2019 is three bytes: the token is "Iran’s" = bytes 0..8 */
    (void)state;
    CHECK("Iran\xE2\x80\x99s talks", {"iran", 0, 8, 0}, {"talk", 9, 14, 1});
    CHECK("Iran's talks", {"iran", 0, 6, 0}, {"talk", 7, 12, 1});
}

static void
test_curly_apostrophe_is_normalised_to_straight(void **state)
{
    (void)state;
    check_terms_lang("none", "don\xE2\x80\x99t l\xE2\x80\x99\xC3\x89tat",
                     "don't l'\xC3\xA9tat");
}

static void
test_contraction_stays_one_token(void **state)
{
    (void)state;
    CHECK("don't rock'n'roll", {"don't", 0, 5, 0}, {"rock'n'rol", 6, 17, 1});
}

static void
test_apostrophe_not_between_letters_separates(void **state)
{
    (void)state;
    CHECK("students' 'tis 90's", {"student", 0, 8, 0}, {"tis", 11, 14, 1},
          {"90", 15, 17, 2}, {"s", 18, 19, 3});
    TERMS("'' a''b \xE2\x80\x99x", "a b x");
}

static void
test_abbreviation_becomes_one_token_without_dots(void **state)
{
    (void)state;
    CHECK("the U.S. and U.N. e.g. U.S.A", {"the", 0, 3, 0}, {"us", 4, 8, 1},
          {"and", 9, 12, 2}, {"un", 13, 17, 3}, {"eg", 18, 22, 4},
          {"usa", 23, 28, 5});
}

static void
test_abbreviation_final_dot_belongs_to_it(void **state)
{
    /* the dot ending "D.C." is in the token's range even at a sentence end */
    (void)state;
    CHECK("to D.C. Then", {"to", 0, 2, 0}, {"dc", 3, 7, 1}, {"then", 8, 12, 2});
}

static void
test_non_ascii_abbreviation_is_joined(void **state)
{
    /* "С.Ш.А." (Cyrillic: USA) */
    (void)state;
    CHECK("\xD0\xA1.\xD0\xA8.\xD0\x90.", {"\xD1\x81\xD1\x88\xD0\xB0", 0, 9, 0});
}

static void
test_letter_and_dot_alone_is_not_an_abbreviation(void **state)
{
    (void)state;
    CHECK("A. Smith x.com A.B.Cd Mr.", {"a", 0, 1, 0}, {"smith", 3, 8, 1},
          {"x", 9, 10, 2}, {"com", 11, 14, 3}, {"ab", 15, 19, 4},
          {"cd", 19, 21, 5}, {"mr", 22, 24, 6});
}

static void
test_number_separators_join_digits_and_commas_are_removed(void **state)
{
    (void)state;
    CHECK("1,000 bags at 3.5 and 1,000,000.25", {"1000", 0, 5, 0},
          {"bag", 6, 10, 1}, {"at", 11, 13, 2}, {"3.5", 14, 17, 3},
          {"and", 18, 21, 4}, {"1000000.25", 22, 34, 5});
}

static void
test_numbers_are_not_stemmed_and_keep_their_dots(void **state)
{
    (void)state;
    TERMS("155,221 5.93 1987.", "155221 5.93 1987");
    /* a number with letters is a word, and is stemmed */
    TERMS("3.5bn G7 covid19 1990s", "3.5bn g7 covid19 1990s");
}

static void
test_separator_not_between_digits_ends_the_number(void **state)
{
    (void)state;
    CHECK("3. 5,a 7., 1..2", {"3", 0, 1, 0}, {"5", 3, 4, 1}, {"a", 5, 6, 2},
          {"7", 7, 8, 3}, {"1", 11, 12, 4}, {"2", 14, 15, 5});
}

static void
test_hyphenated_words_split_at_consecutive_positions(void **state)
{
    (void)state;
    CHECK("Raouf-Sheybani 20-year U.S.-Iran", {"raouf", 0, 5, 0},
          {"sheybani", 6, 14, 1}, {"20", 15, 17, 2}, {"year", 18, 22, 3},
          {"us", 23, 27, 4}, {"iran", 28, 32, 5});
    /* en and em dashes too */
    TERMS("north\xE2\x80\x93south war\xE2\x80\x94peace",
          "north south war peac");
}

static void
test_other_punctuation_splits_words(void **state)
{
    (void)state;
    CHECK("3+3 a/b", {"3", 0, 1, 0}, {"3", 2, 3, 1}, {"a", 4, 5, 2},
          {"b", 6, 7, 3});
    TERMS("foo_bar a@b.com (x) \"quoted\" semi;colon", "foo bar a b com x "
                                                       "quot semi colon");
}

static void
test_emoji_and_symbols_separate(void **state)
{
    (void)state;
    CHECK("Hello\xF0\x9F\x98\x80world \xE2\x82\xAC"
          "100 a\xC2\xA9"
          "b",
          {"hello", 0, 5, 0}, {"world", 9, 14, 1}, {"100", 18, 21, 2},
          {"a", 22, 23, 3}, {"b", 25, 26, 4});
}

static void
test_marks_continue_a_token_and_compose(void **state)
{
    /* "nai" + U+0308 + "ve": NFC makes one "ï"; the range covers all 7
     * bytes as written */
    (void)state;
    check_lang("none", "nai\xCC\x88ve x",
               (const want[]){{"na\xC3\xAFve", 0, 7, 0}, {"x", 8, 9, 1}}, 2);
}

static void
test_overlong_token_is_dropped_but_consumes_a_position(void **state)
{
    (void)state;
    char text[1024];
    /* 120 digits are kept (numbers are not stemmed), 121 are not */
    memset(text, '7', 120);
    memcpy(text + 120, " a ", 3);
    memset(text + 123, '8', 121);
    strcpy(text + 244, " b");
    toks ts;
    uint32_t next;
    run("english", text, strlen(text), 0, &ts, &next);
    assert_int_equal(ts.n, 3);
    assert_int_equal(strlen(ts.v[0].term), 120);
    assert_int_equal(ts.v[0].pos, 0);
    assert_string_equal(ts.v[1].term, "a");
    assert_int_equal(ts.v[1].pos, 1);
    assert_string_equal(ts.v[2].term, "b");
    assert_int_equal(ts.v[2].pos, 3); /* position 2 was the dropped token */
    assert_int_equal(ts.v[2].start, 245);
    assert_int_equal(next, 4);
    free(ts.v);
}

static void
test_token_too_long_only_after_folding_is_dropped(void **state)
{
    /* 41 "İ" are 82 bytes as written but fold to 123 bytes ("i" and a
     * combining dot each); 60 "É" are 120 bytes either way and are kept */
    (void)state;
    char text[512] = "";
    for (int i = 0; i < 41; i++)
        strcat(text, "\xC4\xB0");
    strcat(text, " ");
    for (int i = 0; i < 60; i++)
        strcat(text, "\xC3\x89");
    toks ts;
    uint32_t next;
    run("none", text, strlen(text), 0, &ts, &next);
    assert_int_equal(ts.n, 1);
    assert_int_equal(ts.v[0].pos, 1);
    assert_int_equal(ts.v[0].start, 83);
    assert_int_equal(strlen(ts.v[0].term), 120);
    assert_memory_equal(ts.v[0].term, "\xC3\xA9\xC3\xA9", 4);
    assert_int_equal(next, 2);
    free(ts.v);
}

static void
test_huge_token_is_dropped_without_harm(void **state)
{
    (void)state;
    size_t n = 100000;
    char *text = malloc(n + 3);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = i % 7 == 3 ? '\'' : "Abcdefg"[i % 7];
    memcpy(text + n, " z", 3);
    toks ts;
    run("english", text, n + 2, 0, &ts, NULL);
    assert_int_equal(ts.n, 1);
    assert_string_equal(ts.v[0].term, "z");
    assert_int_equal(ts.v[0].pos, 1);
    free(ts.v);
    free(text);
}

static void
test_cjk_characters_are_tokens_of_their_own(void **state)
{
    (void)state;
    CHECK("\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA iPhone\xE3\x81\xB2\xE3\x82\xAB",
          {"\xE4\xB8\xAD", 0, 3, 0}, {"\xE5\x9B\xBD", 3, 6, 1},
          {"\xE4\xBA\xBA", 6, 9, 2}, {"iphon", 10, 16, 3},
          {"\xE3\x81\xB2", 16, 19, 4}, {"\xE3\x82\xAB", 19, 22, 5});
}

static void
test_kana_with_combining_voicing_mark_is_one_token(void **state)
{
    /* か + U+3099 composes to が */
    (void)state;
    CHECK("\xE3\x81\x8B\xE3\x82\x99\xE3\x81\x8B", {"\xE3\x81\x8C", 0, 6, 0},
          {"\xE3\x81\x8B", 6, 9, 1});
}

static void
test_korean_words_stay_whole(void **state)
{
    (void)state;
    CHECK("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 x",
          {"\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", 0, 9, 0}, {"x", 10, 11, 1});
}

static void
test_offsets_are_bytes_of_the_input_as_given(void **state)
{
    /* non-ASCII before a token shifts its offsets by bytes, not chars */
    (void)state;
    CHECK("\xC3\x89lys\xC3\xA9"
          "e \xE2\x80\x9C"
          "Paris\xE2\x80\x9D",
          {"\xC3\xA9lys\xC3\xA9", 0, 8, 0}, /* English drops the e */
          {"pari", 12, 17, 1});
}

static void
test_positions_start_at_first_pos_and_next_pos_follows(void **state)
{
    (void)state;
    toks ts;
    uint32_t next = 0;
    run("english", "a b. c", 6, 100, &ts, &next);
    assert_int_equal(ts.n, 3);
    assert_int_equal(ts.v[0].pos, 100);
    assert_int_equal(ts.v[2].pos, 102);
    assert_int_equal(next, 103);
    free(ts.v);
    run("english", " ... ", 5, 7, &ts, &next);
    assert_int_equal(ts.n, 0);
    assert_int_equal(next, 7);
    free(ts.v);
}

static void
test_positions_past_the_maximum_are_too_big(void **state)
{
    (void)state;
    gzt_analyzer *a;
    toks ts = {0};
    assert_int_equal(gzt_analyzer_new(&a, "english", NULL), GZT_OK);
    assert_int_equal(
        gzt_analyze(a, "a b", 3, UINT32_MAX - 1, collect, &ts, NULL),
        GZT_ETOOBIG);
    assert_int_equal(ts.n, 1);
    gzt_analyzer_free(a);
    free(ts.v);
}

static int
stop_after_two(void *ctx, const gzt_token *t)
{
    (void)t;
    int *n = ctx;
    return ++*n == 2 ? 42 : 0;
}

static int
stop_after_forty(void *ctx, const gzt_token *t)
{
    int *n = ctx;
    assert_int_equal(t->pos, 7 + (uint32_t)*n); /* in order, none lost */
    return ++*n == 40 ? 43 : 0;
}

static void
test_callback_return_stops_analysis(void **state)
{
    (void)state;
    gzt_analyzer *a;
    int n = 0;
    uint32_t next = 0;
    assert_int_equal(gzt_analyzer_new(&a, "english", NULL), GZT_OK);
    assert_int_equal(
        gzt_analyze(a, "one two three four", 18, 0, stop_after_two, &n, &next),
        42);
    assert_int_equal(n, 2);
    assert_int_equal(next, 2);
    /* tokens wait in batches before they are handed on: a stop among
     * them wins over running out of positions later in the text, and the
     * position after the stopping token is still reported */
    n = 0;
    next = 0;
    const char *t = "one two three four five six seven";
    assert_int_equal(
        gzt_analyze(a, t, strlen(t), UINT32_MAX - 4, stop_after_two, &n, &next),
        42);
    assert_int_equal(n, 2);
    assert_int_equal(next, UINT32_MAX - 2);
    /* ... and past many batches: the 40th of 100 words */
    gzt_buf text = GZT_BUF_INIT;
    for (int k = 0; k < 100; k++)
        assert_int_equal(gzt_buf_printf(&text, "w%d ", k), GZT_OK);
    int m = 0;
    assert_int_equal(gzt_analyze(a, (const char *)text.p, text.len, 7,
                                 stop_after_forty, &m, &next),
                     43);
    assert_int_equal(m, 40);
    assert_int_equal(next, 7 + 40);
    gzt_buf_free(&text);
    gzt_analyzer_free(a);
}

/* ---- languages ----------------------------------------------------------- */

static void
test_language_none_folds_without_stemming(void **state)
{
    (void)state;
    check_terms_lang("none", "Negotiations Iran's TEHR\xC3\x81N",
                     "negotiations iran's tehr\xC3\xA1n");
    gzt_analyzer *a;
    assert_int_equal(gzt_analyzer_new(&a, "none", NULL), GZT_OK);
    assert_string_equal(gzt_analyzer_language(a), "none");
    gzt_analyzer_free(a);
}

static void
test_german_stems_german_words(void **state)
{
    (void)state;
    check_terms_lang("german",
                     "H\xC3\xA4user Haus Stra\xC3\x9F"
                     "e Strassen",
                     "haus haus strass strass");
}

static void
test_unknown_language_is_rejected_with_a_pointer_to_help(void **state)
{
    (void)state;
    gzt_analyzer *a = (gzt_analyzer *)(uintptr_t)1;
    gzt_error err = {0};
    assert_int_equal(gzt_analyzer_new(&a, "klingon", &err), GZT_EINVAL);
    assert_null(a);
    assert_int_equal(err.code, GZT_EINVAL);
    assert_non_null(strstr(err.msg, "klingon"));
    assert_non_null(strstr(err.msg, "gazette --help"));
    assert_int_equal(gzt_analyzer_new(&a, "", NULL), GZT_EINVAL);
    assert_int_equal(gzt_analyzer_new(&a, NULL, NULL), GZT_EINVAL);
    assert_int_equal(
        gzt_analyzer_new(&a, "englishenglishenglishenglishenglish", NULL),
        GZT_EINVAL);
}

static void
test_language_aliases_resolve_to_canonical_names(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"english", "english"}, {"en", "english"}, {"eng", "english"},
        {"English", "english"}, {"DE", "german"},  {"deu", "german"},
        {"porter", "porter"},   {"none", "none"},  {"fra", "french"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gzt_analyzer *a;
        assert_int_equal(gzt_analyzer_new(&a, cases[i][0], NULL), GZT_OK);
        assert_string_equal(gzt_analyzer_language(a), cases[i][1]);
        gzt_analyzer_free(a);
    }
    /* porter is its own algorithm: it keeps the apostrophe English drops */
    check_terms_lang("porter", "Iran's", "iran'");
    check_terms_lang("en", "Iran's", "iran");
}

static void
test_languages_list_is_canonical_and_ends_with_none(void **state)
{
    (void)state;
    const char **l = gzt_languages();
    size_t n = 0;
    bool english = false, german = false, porter = false;
    for (; l[n]; n++) {
        for (size_t j = 0; j < n; j++)
            assert_string_not_equal(l[j], l[n]);
        assert_string_not_equal(l[n], "en");
        assert_string_equal(gzt_stem_canonical(l[n]), l[n]);
        english |= strcmp(l[n], "english") == 0;
        german |= strcmp(l[n], "german") == 0;
        porter |= strcmp(l[n], "porter") == 0;
    }
    assert_true(n > 10);
    assert_true(english && german && porter);
    assert_string_equal(l[n - 1], "none");
    assert_ptr_equal(gzt_languages(), l);
}

static void
test_stem_cache_gives_the_same_stems_after_it_is_emptied(void **state)
{
    /* more distinct words than the cache holds force it to be emptied;
     * every 1000th stem is kept and asked for again afterwards */
    (void)state;
    enum { N = GZT_STEM_CACHE_MAX + 5000, EVERY = 1000 };
    static char kept[N / EVERY + 1][32];
    gzt_stemmer *s;
    size_t len;
    char w[32];
    assert_int_equal(gzt_stemmer_new(&s, "english", NULL), GZT_OK);
    assert_string_equal(gzt_stemmer_language(s), "english");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            int n = snprintf(w, sizeof w, "word%dings", i);
            const char *r = gzt_stemmer_stem(s, w, (size_t)n, &len, NULL);
            assert_non_null(r);
            assert_true(len > 0 && len < (size_t)n);
            if (i % EVERY)
                continue;
            if (pass == 0) {
                memcpy(kept[i / EVERY], r, len);
            } else {
                assert_int_equal(len, strlen(kept[i / EVERY]));
                assert_memory_equal(r, kept[i / EVERY], len);
            }
            uint64_t h;
            r = gzt_stemmer_stem(s, "negotiations", 12, &len, &h);
            assert_int_equal(len, 6);
            assert_true(h == gzt_hash64("negoti", 6));
            assert_memory_equal(r, "negoti", 6);
        }
    }
    assert_string_equal(kept[1], "word1000");
    /* a word too long for the cache is still stemmed, the same each time */
    const char *lw = "internationalisationsinternationalisationsinternationa"
                     "lisationsnegotiations";
    assert_true(strlen(lw) > GZT_STEM_CACHE_WORD_MAX);
    const char *r = gzt_stemmer_stem(s, lw, strlen(lw), &len, NULL);
    assert_int_equal(len, strlen(lw) - 6);
    assert_memory_equal(r, lw, len);
    gzt_stemmer_free(s);
    gzt_stemmer_free(NULL);
}

/* ---- hostile and large input -------------------------------------------- */

/* Checks every token of arbitrary input against the analyzer's contract. */
typedef struct sane {
    size_t len;    /* input length */
    uint32_t next; /* expected position of the next token */
    size_t n;      /* tokens seen */
} sane;

static int
check_sane(void *ctx, const gzt_token *t)
{
    sane *s = ctx;
    assert_true(t->start < t->end);
    assert_true(t->end <= s->len);
    assert_true(t->pos >= s->next);
    assert_true(t->term_len > 0 && t->term_len <= GZT_TERM_MAX);
    assert_true(gzt_utf8_valid(t->term, t->term_len));
    for (uint32_t i = 0; i < t->term_len; i++)
        assert_false(t->term[i] >= 'A' && t->term[i] <= 'Z');
    s->next = t->pos + 1;
    s->n++;
    return 0;
}

static void
fuzz(bool repair)
{
    gzt_analyzer *a;
    uint8_t in[2048];
    uint32_t x = 2463534242u;
    /* a pool weighted towards the bytes the rules look at */
    static const char pool[] = "aZ9.,'- \xE2\x80\x99\xC3\xA9\xE4\xB8\xAD\xCC"
                               "\x88\xF0\x9F\x98\x80\xC0\xFF\x80";
    assert_int_equal(gzt_analyzer_new(&a, "english", NULL), GZT_OK);
    for (int round = 0; round < 300; round++) {
        size_t len = 0;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t target = x % sizeof in;
        while (len < target) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            in[len++] = round % 3 ? (uint8_t)pool[x % (sizeof pool - 1)]
                                  : (uint8_t)(x >> 24);
        }
        gzt_buf b = GZT_BUF_INIT;
        const char *text = (const char *)in;
        if (repair) {
            assert_int_equal(gzt_utf8_repair(&b, text, len, NULL), GZT_OK);
            text = (const char *)b.p;
            len = b.len;
        }
        sane s = {len, 5, 0};
        uint32_t next;
        assert_int_equal(gzt_analyze(a, text, len, 5, check_sane, &s, &next),
                         GZT_OK);
        assert_true(next >= s.next);
        gzt_buf fold = GZT_BUF_INIT;
        assert_int_equal(gzt_analyzer_fold(a, text, len, &fold), GZT_OK);
        assert_true(gzt_utf8_valid((const char *)fold.p, fold.len));
        gzt_buf_free(&fold);
        gzt_buf_free(&b);
    }
    gzt_analyzer_free(a);
}

static void
test_random_bytes_after_repair_never_crash(void **state)
{
    (void)state;
    fuzz(true);
}

static void
test_unrepaired_bytes_never_crash(void **state)
{
    (void)state;
    fuzz(false);
}

static void
test_one_megabyte_input_is_tokenized(void **state)
{
    (void)state;
    const char unit[] = "The U.S. and Iran\xE2\x80\x99s 1,000 talks. ";
    size_t ulen = sizeof unit - 1, reps = (1u << 20) / ulen;
    size_t len = reps * ulen;
    char *text = malloc(len);
    assert_non_null(text);
    for (size_t i = 0; i < reps; i++)
        memcpy(text + i * ulen, unit, ulen);
    toks ts;
    uint32_t next;
    run("english", text, len, 0, &ts, &next);
    assert_int_equal(ts.n, 6 * reps);
    assert_int_equal(next, 6 * reps);
    const char *terms[] = {"the", "us", "and", "iran", "1000", "talk"};
    for (size_t i = 0; i < ts.n; i++) {
        assert_string_equal(ts.v[i].term, terms[i % 6]);
        assert_int_equal(ts.v[i].pos, i);
    }
    tok *last = &ts.v[ts.n - 1];
    assert_int_equal(last->start, len - 7);
    assert_int_equal(last->end, len - 2);
    free(ts.v);
    free(text);
}

/* ---- the sixteen-byte path against the scalar one ------------------------ */

/* One token with every field the callback sees, term copied out. */
typedef struct ftok {
    char term[GZT_TERM_MAX];
    uint32_t term_len, start, end, pos;
    uint64_t hash;
} ftok;

/* Tokens of one analysis, kept in a fixed array (the texts here are short
 * enough, or their tokens are counted past it). */
typedef struct ftoks {
    ftok v[512]; /* the first tokens */
    size_t n;    /* tokens seen, perhaps more than fit in v */
} ftoks;

static int
fcollect(void *ctx, const gzt_token *t)
{
    ftoks *ts = ctx;
    if (ts->n < sizeof ts->v / sizeof ts->v[0]) {
        ftok *o = &ts->v[ts->n];
        assert_true(t->term_len >= 1 && t->term_len <= GZT_TERM_MAX);
        memcpy(o->term, t->term, t->term_len);
        o->term_len = t->term_len;
        o->start = t->start;
        o->end = t->end;
        o->pos = t->pos;
        o->hash = t->hash;
    }
    ts->n++;
    return 0;
}

/* The two analyzers compared: the library's and the scalar copy. */
typedef struct pair {
    gzt_analyzer *fast, *scalar;
    ftoks *got, *want; /* scratch for their tokens */
    size_t compared;   /* texts compared */
    size_t tokens;     /* tokens they held */
} pair;

static void
pair_new(pair *pr, const char *lang)
{
    memset(pr, 0, sizeof *pr);
    assert_int_equal(gzt_analyzer_new(&pr->fast, lang, NULL), GZT_OK);
    assert_int_equal(scalar_analyzer_new(&pr->scalar, lang, NULL), GZT_OK);
    pr->got = malloc(sizeof *pr->got);
    pr->want = malloc(sizeof *pr->want);
    assert_non_null(pr->got);
    assert_non_null(pr->want);
}

static void
pair_free(pair *pr)
{
    gzt_analyzer_free(pr->fast);
    scalar_analyzer_free(pr->scalar);
    free(pr->got);
    free(pr->want);
}

/* Print @p len bytes of @p s with everything but printable ASCII escaped. */
static void
show(const char *what, const char *s, size_t len)
{
    fprintf(stderr, "%s (%zu bytes): \"", what, len);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02X", c);
    }
    fprintf(stderr, "\"\n");
}

/* Analyse @p text with both and require the same tokens, every field. */
static void
compare(pair *pr, const char *text, size_t len)
{
    uint32_t gnext = 0, wnext = 0;
    pr->got->n = pr->want->n = 0;
    int grc = gzt_analyze(pr->fast, text, len, 3, fcollect, pr->got, &gnext);
    int wrc =
        scalar_analyze(pr->scalar, text, len, 3, fcollect, pr->want, &wnext);
    size_t kept = GZT_MIN(pr->want->n, sizeof pr->want->v / sizeof(ftok));
    size_t bad = SIZE_MAX;
    for (size_t i = 0; i < kept && i < pr->got->n && bad == SIZE_MAX; i++) {
        const ftok *g = &pr->got->v[i], *w = &pr->want->v[i];
        if (g->term_len != w->term_len ||
            memcmp(g->term, w->term, w->term_len) != 0 ||
            g->start != w->start || g->end != w->end || g->pos != w->pos ||
            g->hash != w->hash)
            bad = i;
    }
    if (grc != wrc || gnext != wnext || pr->got->n != pr->want->n ||
        bad != SIZE_MAX) {
        show("text", text, len);
        fprintf(stderr, "rc %d/%d, next %u/%u, tokens %zu/%zu\n", grc, wrc,
                gnext, wnext, pr->got->n, pr->want->n);
        if (bad != SIZE_MAX) {
            const ftok *g = &pr->got->v[bad], *w = &pr->want->v[bad];
            fprintf(stderr, "token %zu: [%u,%u) @%u vs [%u,%u) @%u\n", bad,
                    g->start, g->end, g->pos, w->start, w->end, w->pos);
            show("fast term", g->term, g->term_len);
            show("scalar term", w->term, w->term_len);
        }
        fail_msg("the sixteen-byte path differs from the scalar one");
    }
    pr->compared++;
    pr->tokens += pr->want->n;
}

/* The pieces of text whose joins the rules decide, and the bytes around
 * them: every ASCII class, both apostrophes, marks, letters and digits
 * outside ASCII, CJK with and without voicing marks, symbols and emoji,
 * ill-formed bytes, NUL. */
static const char *const pieces[] = {
    "a",
    "Z",
    "q",
    "0",
    "9",
    "5",
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    ",",
    "'",
    "-",
    "/",
    "_",
    "@",
    "`",
    "{",
    "~",
    "\x7F",
    "\x01",
    "\xE2\x80\x99",
    "\xC3\xA9",                 /* é */
    "\xC3\x89",                 /* É */
    "\xCC\x88",                 /* combining diaeresis */
    "\xD9\xA3",                 /* ARABIC-INDIC DIGIT THREE (Nd) */
    "\xC2\xB2",                 /* superscript two (No) */
    "\xE2\x85\xA0",             /* ROMAN NUMERAL ONE (Nl) */
    "\xE4\xB8\xAD",             /* 中 */
    "\xE3\x81\x8B\xE3\x82\x99", /* か + combining voicing mark */
    "\xEA\xB0\x80",             /* 가 */
    "\xE2\x84\xAA",             /* KELVIN SIGN */
    "\xC4\xB0",                 /* İ */
    "\xE2\x82\xAC",             /* € */
    "\xF0\x9F\x98\x80",         /* emoji */
    "\xC2\xA0",                 /* no-break space */
    "\xC0",
    "\xFF",
    "\x80",
    "\xE2\x80", /* ill-formed */
    "U.S.",
    "u.s",
    "e.g.",
    "3.5",
    "1,000",
    "don't",
    "Iran\xE2\x80\x99s",
    "ABCDEFGHIJKLMNOP",
    "abcdefghijklmnopq",
    "0123456789012345",
};

static uint32_t
xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void
test_fast_path_matches_scalar_on_random_text(void **state)
{
    (void)state;
    pair pr;
    char text[600];
    uint32_t x = 88172645u;
    size_t npieces = sizeof pieces / sizeof pieces[0];
    pair_new(&pr, "english");
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, target = 1 + xorshift(&x) % (sizeof text - 20);
        /* a few rounds of plain words, most of mixed pieces, some of
         * random bytes */
        int kind = round % 8;
        while (len < target) {
            uint32_t r = xorshift(&x);
            if (kind == 7) {
                text[len++] = (char)(r >> 24);
            } else if (kind == 6 && r % 4) {
                text[len++] = (r >> 8) % 5 ? "eTaoin5"[(r >> 16) % 7] : ' ';
            } else {
                const char *pc = pieces[(r >> 8) % npieces];
                size_t pl = strlen(pc);
                if (!pl) /* "" is not a piece, but NUL is a byte */
                    pl = 1;
                memcpy(text + len, pc, pl);
                len += pl;
            }
        }
        if (round % 5 == 0)
            text[xorshift(&x) % len] = '\0';
        compare(&pr, text, len);
    }
    assert_int_equal(pr.compared, 20000);
    /* the texts have words to compare, not only separators */
    assert_true(pr.tokens > 20000 * 10);
    pair_free(&pr);
}

/* A word of @p n characters from @p alphabet, cycled from @p phase. */
static void
fill_word(char *dst, size_t n, const char *alphabet, size_t phase)
{
    size_t m = strlen(alphabet);
    for (size_t k = 0; k < n; k++)
        dst[k] = alphabet[(phase + k) % m];
}

static void
test_fast_path_matches_scalar_at_every_chunk_boundary(void **state)
{
    /* A word of 1..40 letters or digits starting at byte 0..17 of the
     * text, followed by each byte value (and some multi-byte characters),
     * then by a letter, a digit, a separator or nothing: every place a
     * sixteen-byte run can end against every byte that can end it,
     * including the end of the text. */
    (void)state;
    static const char *const alphabets[] = {
        "abcdefghij", "QRSTUVWXYZ", "0123456789", "a1b2c3",
        "1a2b3c",     "x9",         "9x",         "Mm"};
    static const char *const longs[] = {
        "\xE2\x80\x99", "\xC3\xA9",     "\xCC\x88", "\xE4\xB8\xAD",
        "\xD9\xA3",     "\xE2\x82\xAC", "\xE2\x80"};
    static const char *const tails[] = {"", "a", "7", ".5", " b."};
    pair pr;
    char text[128];
    pair_new(&pr, "english");
    for (size_t lead = 0; lead < 18; lead++) {
        for (size_t n = 1; n <= 40; n++) {
            for (size_t al = 0; al < sizeof alphabets / sizeof *alphabets;
                 al++) {
                for (int c = 0; c < 256 + 7; c++) {
                    for (size_t tl = 0; tl < sizeof tails / sizeof *tails;
                         tl++) {
                        size_t len = 0;
                        /* the lead: separators, or letters and a space */
                        for (size_t k = 0; k < lead; k++)
                            text[len++] = lead % 3 == 2 && k + 1 < lead
                                              ? "ab,1"[k % 4]
                                              : ' ';
                        fill_word(text + len, n, alphabets[al], lead);
                        len += n;
                        if (c < 256) {
                            text[len++] = (char)c;
                        } else {
                            const char *l = longs[c - 256];
                            memcpy(text + len, l, strlen(l));
                            len += strlen(l);
                        }
                        memcpy(text + len, tails[tl], strlen(tails[tl]));
                        len += strlen(tails[tl]);
                        compare(&pr, text, len);
                        /* and with the text ending at the word */
                        if (c == 0 && tl == 0)
                            compare(&pr, text, len - 1);
                    }
                }
            }
        }
    }
    assert_true(pr.compared > 18 * 40 * 8 * 263 * 5);
    pair_free(&pr);
}

static void
test_fast_path_matches_scalar_on_long_tokens(void **state)
{
    /* lengths around 16, GZT_TERM_MAX and RAW_MAX, ASCII alone or with a
     * non-ASCII character, an apostrophe or a number separator somewhere,
     * in several languages (English and "none" stem differently) */
    (void)state;
    static const size_t lens[] = {15,  16,  17,  31,  32,  33,  119, 120,
                                  121, 127, 128, 129, 959, 960, 961, 2000};
    static const char *const inserts[] = {"",  "\xC3\xA9", "'",           ",",
                                          ".", "\xCC\x88", "\xE2\x80\x99"};
    static const char *const langs[] = {"english", "none", "german"};
    char *text = malloc(4096);
    assert_non_null(text);
    for (size_t lg = 0; lg < 3; lg++) {
        pair pr;
        pair_new(&pr, langs[lg]);
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
            for (size_t in = 0; in < sizeof inserts / sizeof *inserts; in++) {
                for (size_t at = 0; at < 40; at += 3) {
                    for (int digits = 0; digits < 2; digits++) {
                        size_t n = lens[li], len = 0;
                        text[len++] = ' ';
                        fill_word(text + len, n,
                                  digits ? "0123456789" : "AbcdEfghiJ", at);
                        len += n;
                        /* the insert replaces nothing: it lands at
                         * min(at, n) bytes into the word */
                        size_t pos = 1 + GZT_MIN(at, n);
                        size_t il = strlen(inserts[in]);
                        memmove(text + pos + il, text + pos, len - pos);
                        memcpy(text + pos, inserts[in], il);
                        len += il;
                        memcpy(text + len, " end", 4);
                        compare(&pr, text, len + 4);
                        compare(&pr, text + 1, len - 1);
                    }
                }
            }
        }
        pair_free(&pr);
    }
    free(text);
}

static void
test_runs_ending_at_chunk_edges_give_the_right_terms(void **state)
{
    /* Exact terms where a sixteen-byte run ends: words of 15, 16 and 17
     * letters, a number whose separator is the sixteenth byte, a dot and
     * an apostrophe just past a chunk, and words at the very end. */
    (void)state;
    TERMS("abcdefghijklmno abcdefghijklmnop abcdefghijklmnopq",
          "abcdefghijklmno abcdefghijklmnop abcdefghijklmnopq");
    TERMS("123456789012345,678 X", "123456789012345678 x");
    TERMS("123456789012345.6 X", "123456789012345.6 x");
    TERMS("abcdefghijklmnop's Iran", "abcdefghijklmnop iran");
    TERMS("               U.S. x", "us x");
    TERMS("              U.S.", "us");
    TERMS("Eight.Nine,10 a. b,", "eight nine 10 a b");
    TERMS("A. B", "a b");
    TERMS("                 Z", "z");
    CHECK("               15,000 jobs", {"15000", 15, 21, 0},
          {"job", 22, 26, 1});
    CHECK("Caf\xC3\xA9 na\xC3\xAFve.", {"caf\xC3\xA9", 0, 5, 0},
          {"na\xC3\xAFv", 6, 12, 1});
}

/* ---- fold -----------------------------------------------------------------
 */

static void
check_fold(const char *in, const char *expect)
{
    gzt_analyzer *a;
    gzt_buf out = GZT_BUF_INIT;
    assert_int_equal(gzt_analyzer_new(&a, "english", NULL), GZT_OK);
    assert_int_equal(gzt_analyzer_fold(a, in, strlen(in), &out), GZT_OK);
    assert_int_equal(out.len, strlen(expect));
    assert_memory_equal(out.p, expect, out.len);
    /* the buffer's contents are replaced, not appended to */
    assert_int_equal(gzt_analyzer_fold(a, in, strlen(in), &out), GZT_OK);
    assert_int_equal(out.len, strlen(expect));
    gzt_buf_free(&out);
    gzt_analyzer_free(a);
}

static void
test_fold_lowercases_without_stemming(void **state)
{
    (void)state;
    check_fold("Tehr", "tehr");
    check_fold("Negotiations U.S.", "negotiations u.s.");
    check_fold("", "");
}

static void
test_fold_handles_non_ascii(void **state)
{
    (void)state;
    check_fold("TEHR\xC3\x81N", "tehr\xC3\xA1n");
    check_fold("Stra\xC3\x9F"
               "e",
               "strasse");
    check_fold("E\xCC\x81", "\xC3\xA9"); /* composed */
    check_fold("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91",
               "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1"); /* ΣΟΦΙΑ */
}

static void
test_fold_normalises_apostrophes_and_repairs_input(void **state)
{
    (void)state;
    check_fold("Iran\xE2\x80\x99s", "iran's");
    check_fold("\xC3\x89\xFF", "\xC3\xA9\xEF\xBF\xBD");
}

/* ---- memory ------------------------------------------------------------- */

static void
test_allocation_failures_are_reported(void **state)
{
    (void)state;
    int rc = GZT_ENOMEM;
    for (long n = 1; rc != GZT_OK; n++) {
        gzt_analyzer *a = (gzt_analyzer *)(uintptr_t)1;
        gzt_mem_fail_after(n);
        rc = gzt_analyzer_new(&a, "english", NULL);
        gzt_mem_fail_after(0);
        if (rc == GZT_OK) {
            gzt_analyzer_free(a);
        } else {
            assert_int_equal(rc, GZT_ENOMEM);
            assert_null(a);
        }
        assert_true(n < 100);
    }
}

static void
test_cache_allocation_failure_still_stems(void **state)
{
    /* the stem cache cannot grow: terms are still right */
    (void)state;
    gzt_analyzer *a;
    toks ts = {0};
    assert_int_equal(gzt_analyzer_new(&a, "english", NULL), GZT_OK);
    gzt_mem_fail_after(1);
    int rc =
        gzt_analyze(a, "Negotiations negotiate", 22, 0, collect, &ts, NULL);
    gzt_mem_fail_after(0);
    assert_int_equal(rc, GZT_OK);
    assert_int_equal(ts.n, 2);
    assert_string_equal(ts.v[0].term, "negoti");
    assert_string_equal(ts.v[1].term, "negoti");
    free(ts.v);
    gzt_analyzer_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_words_are_folded_and_stemmed_with_offsets_and_positions),
        cmocka_unit_test(test_negotiations_and_negotiate_share_a_stem),
        cmocka_unit_test(test_names_are_lowercased_and_not_mangled),
        cmocka_unit_test(test_possessive_is_stemmed_away),
        cmocka_unit_test(test_curly_apostrophe_is_normalised_to_straight),
        cmocka_unit_test(test_contraction_stays_one_token),
        cmocka_unit_test(test_apostrophe_not_between_letters_separates),
        cmocka_unit_test(test_abbreviation_becomes_one_token_without_dots),
        cmocka_unit_test(test_abbreviation_final_dot_belongs_to_it),
        cmocka_unit_test(test_non_ascii_abbreviation_is_joined),
        cmocka_unit_test(test_letter_and_dot_alone_is_not_an_abbreviation),
        cmocka_unit_test(
            test_number_separators_join_digits_and_commas_are_removed),
        cmocka_unit_test(test_numbers_are_not_stemmed_and_keep_their_dots),
        cmocka_unit_test(test_separator_not_between_digits_ends_the_number),
        cmocka_unit_test(test_hyphenated_words_split_at_consecutive_positions),
        cmocka_unit_test(test_other_punctuation_splits_words),
        cmocka_unit_test(test_emoji_and_symbols_separate),
        cmocka_unit_test(test_marks_continue_a_token_and_compose),
        cmocka_unit_test(
            test_overlong_token_is_dropped_but_consumes_a_position),
        cmocka_unit_test(test_token_too_long_only_after_folding_is_dropped),
        cmocka_unit_test(test_huge_token_is_dropped_without_harm),
        cmocka_unit_test(test_cjk_characters_are_tokens_of_their_own),
        cmocka_unit_test(test_kana_with_combining_voicing_mark_is_one_token),
        cmocka_unit_test(test_korean_words_stay_whole),
        cmocka_unit_test(test_offsets_are_bytes_of_the_input_as_given),
        cmocka_unit_test(
            test_positions_start_at_first_pos_and_next_pos_follows),
        cmocka_unit_test(test_positions_past_the_maximum_are_too_big),
        cmocka_unit_test(test_callback_return_stops_analysis),
        cmocka_unit_test(test_language_none_folds_without_stemming),
        cmocka_unit_test(test_german_stems_german_words),
        cmocka_unit_test(
            test_unknown_language_is_rejected_with_a_pointer_to_help),
        cmocka_unit_test(test_language_aliases_resolve_to_canonical_names),
        cmocka_unit_test(test_languages_list_is_canonical_and_ends_with_none),
        cmocka_unit_test(
            test_stem_cache_gives_the_same_stems_after_it_is_emptied),
        cmocka_unit_test(test_random_bytes_after_repair_never_crash),
        cmocka_unit_test(test_unrepaired_bytes_never_crash),
        cmocka_unit_test(test_one_megabyte_input_is_tokenized),
        cmocka_unit_test(test_fast_path_matches_scalar_on_random_text),
        cmocka_unit_test(test_fast_path_matches_scalar_at_every_chunk_boundary),
        cmocka_unit_test(test_fast_path_matches_scalar_on_long_tokens),
        cmocka_unit_test(test_runs_ending_at_chunk_edges_give_the_right_terms),
        cmocka_unit_test(test_fold_lowercases_without_stemming),
        cmocka_unit_test(test_fold_handles_non_ascii),
        cmocka_unit_test(test_fold_normalises_apostrophes_and_repairs_input),
        cmocka_unit_test(test_allocation_failures_are_reported),
        cmocka_unit_test(test_cache_allocation_failure_still_stems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
