/* SPDX-License-Identifier: MIT */
/*
 * test_ner.c: the named-entity tagger (common/ner.h, common/nertrain.h).
 * Word shapes and the tokenizer on hand cases, feature names, Viterbi on a
 * hand-built model whose best path is worked out by hand (first and second
 * order), BIO constraints, the conlleval-style scorer on hand-computed
 * cases, malformed IOB2 named by line, a damaged model refused byte by
 * byte, a tiny model trained on invented sentences, and, from the shared
 * data (GZT_SHARED), that the shipped model reproduces its recorded
 * validation F1 and finds the seed articles' names. All sentences here are
 * invented: no CoNLL text is in the tree.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <zstd.h>

#include "common/entity.h"
#include "common/ner.h"
#include "common/nertrain.h"
#include "common/resources.h"

/* ---- helpers ----------------------------------------------------------- */

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static int
read_file(const char *path, gzt_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char tmp[1 << 16];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        assert_int_equal(gzt_buf_append(b, tmp, n), GZT_OK);
    fclose(f);
    return 0;
}

/* Decompress a .zst file into @p out; -1 when it cannot be read. */
static int
read_zst(const char *path, gzt_buf *out)
{
    gzt_buf z = GZT_BUF_INIT;
    if (read_file(path, &z) != 0)
        return -1;
    ZSTD_DStream *ds = ZSTD_createDStream();
    assert_non_null(ds);
    ZSTD_initDStream(ds);
    ZSTD_inBuffer in = {z.p, z.len, 0};
    char tmp[1 << 16];
    while (in.pos < in.size) {
        ZSTD_outBuffer o = {tmp, sizeof tmp, 0};
        size_t rc = ZSTD_decompressStream(ds, &o, &in);
        assert_false(ZSTD_isError(rc));
        assert_int_equal(gzt_buf_append(out, tmp, o.pos), GZT_OK);
    }
    ZSTD_freeDStream(ds);
    gzt_buf_free(&z);
    return 0;
}

/* Skip (or, under CI, fail) when the shared data is not there. */
static const char *
need_env(const char *name)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true"))
        fail_msg("%s is not set", name);
    print_message("%s is not set: skipping\n", name);
    skip();
    return NULL;
}

/* ---- shapes and tokens ------------------------------------------------- */

static void
check_shape(const char *w, const char *longs, const char *shorts)
{
    char out[80];
    gzt_ner_shape(out, sizeof out, w, strlen(w), false);
    assert_string_equal(out, longs);
    gzt_ner_shape(out, sizeof out, w, strlen(w), true);
    assert_string_equal(out, shorts);
}

static void
test_shapes_of_hand_cases(void **state)
{
    (void)state;
    check_shape("Lavrov", "Xxxxx", "Xx");
    check_shape("IRNA", "XXXX", "X");
    check_shape("BRICS", "XXXX", "X");
    check_shape("1996-08-22", "dddd-dd-dd", "d-d-d");
    check_shape("U.S.", "X.X.", "X.X.");
    check_shape("Raouf-Sheybani", "Xxxxx-Xxxxx", "Xx-Xx");
    check_shape("mid-1990s", "xxx-ddddx", "x-dx");
    check_shape("T\xc3\xbcrkiye", "Xxxxx", "Xx"); /* Türkiye */
    check_shape("\xc3\x96zil", "Xxxx", "Xx");     /* Özil: upper non-ASCII */
    check_shape(",", ",", ",");
}

/* Tokenize @p text and check the normalised forms, "|"-separated, with a
 * "#" before each token that starts a sentence. */
static void
check_tokens(const char *text, const char *want)
{
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT, got = GZT_BUF_INIT;
    assert_int_equal(gzt_ner_tokenize(&toks, &forms, text, strlen(text)),
                     GZT_OK);
    const gzt_nertok *t = (const gzt_nertok *)toks.p;
    for (size_t i = 0; i < toks.len / sizeof *t; i++) {
        assert_true(t[i].start < t[i].end);
        assert_true(t[i].end <= strlen(text));
        assert_int_equal(gzt_buf_printf(&got, "%s%s%.*s", i ? "|" : "",
                                        t[i].sent && i ? "#" : "",
                                        (int)t[i].form_len,
                                        (const char *)forms.p + t[i].form),
                         GZT_OK);
    }
    assert_int_equal(gzt_buf_nul(&got), GZT_OK);
    assert_string_equal((const char *)got.p, want);
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
    gzt_buf_free(&got);
}

static void
test_tokenizer_splits_as_conll_does(void **state)
{
    (void)state;
    check_tokens("Iran\xe2\x80\x99s envoy, Mohammadreza Raouf-Sheybani, met "
                 "U.S. officials.",
                 "Iran|'s|envoy|,|Mohammadreza|Raouf-Sheybani|,|met|U.S.|"
                 "officials|.");
    check_tokens("They didn't say. Mr. Smith paid $1,200.50 on 1996-08-22.",
                 "They|did|n't|say|.|#Mr.|Smith|paid|$|1,200.50|on|"
                 "1996-08-22|.");
    check_tokens("\xe2\x80\x9cNo,\xe2\x80\x9d he said \xe2\x80\x94 then left "
                 "O'Brien's [West Asia] office.",
                 "\"|No|,|\"|he|said|--|then|left|O'Brien|'s|(|West|Asia|)|"
                 "office|.");
    /* a paragraph break starts a sentence; a lower-case word after a full
     * stop does not */
    check_tokens("TEHRAN -- talks end\n\nIt was 3 p.m. and late.",
                 "TEHRAN|--|talks|end|#It|was|3|p.m.|and|late|.");
    check_tokens("", "");
}

static void
test_tokenizer_keeps_byte_offsets(void **state)
{
    (void)state;
    const char *text = "Iran\xe2\x80\x99s \xe2\x80\x9c"
                       "BRICS\xe2\x80\x9d";
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    assert_int_equal(gzt_ner_tokenize(&toks, &forms, text, strlen(text)),
                     GZT_OK);
    const gzt_nertok *t = (const gzt_nertok *)toks.p;
    assert_int_equal(toks.len / sizeof *t, 5);
    assert_int_equal(t[0].start, 0); /* Iran */
    assert_int_equal(t[0].end, 4);
    assert_int_equal(t[1].start, 4); /* ’s: three bytes of ’, then s */
    assert_int_equal(t[1].end, 8);
    assert_int_equal(t[2].start, 9); /* “ */
    assert_int_equal(t[3].start, 12);
    assert_int_equal(t[3].end, 17); /* BRICS */
    assert_int_equal(t[4].end, 20);
    /* ill-formed bytes are tokens, not failures */
    const char bad[] = "Lavrov \xff\xfe said";
    assert_int_equal(gzt_ner_tokenize(&toks, &forms, bad, sizeof bad - 1),
                     GZT_OK);
    assert_int_equal(toks.len / sizeof *t, 4);
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
}

/* ---- features ---------------------------------------------------------- */

static gzt_nerword
word(const char *s)
{
    gzt_nerword w = {s, (uint32_t)strlen(s)};
    return w;
}

/* The feature names of token @p k of @p n words (a newline-separated
 * list, NUL-terminated in @p out). */
static void
names_of(const gzt_nerfx *fx, const gzt_nerdoc *doc, const gzt_nerword *w,
         size_t n, size_t k, gzt_buf *out)
{
    uint32_t rows[8 * GZT_NER_MAXFEAT];
    uint8_t nrows[8];
    gzt_buf all = GZT_BUF_INIT;
    assert_true(n <= 8);
    assert_int_equal(
        gzt_nerfx_extract(fx, doc, w, n, NULL, NULL, NULL, rows, nrows, &all),
        GZT_OK);
    assert_int_equal(gzt_buf_nul(&all), GZT_OK);
    /* tokens are separated by an empty line */
    const char *p = (const char *)all.p;
    for (size_t i = 0; i < k; i++) {
        p = strstr(p, "\n\n");
        assert_non_null(p);
        p += 2;
    }
    const char *e = strstr(p, "\n\n");
    gzt_buf_reset(out);
    assert_int_equal(gzt_buf_putc(out, '\n'), GZT_OK);
    assert_int_equal(
        gzt_buf_append(out, p, e ? (size_t)(e - p) + 1 : strlen(p)), GZT_OK);
    assert_int_equal(gzt_buf_nul(out), GZT_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(nrows[i] > 0 && nrows[i] <= GZT_NER_MAXFEAT);
    gzt_buf_free(&all);
}

static void
assert_has(const gzt_buf *names, const char *feature)
{
    char key[128];
    snprintf(key, sizeof key, "\n%s\n", feature);
    if (!strstr((const char *)names->p, key))
        fail_msg("feature '%s' missing from:%s", feature,
                 (const char *)names->p);
}

static void
test_features_name_word_context_and_cues(void **state)
{
    (void)state;
    gzt_nerfx fx;
    memset(&fx, 0, sizeof fx);
    fx.groups = GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ;
    fx.bits = 16;
    const gzt_nerword w[] = {word("Foreign"), word("Minister"), word("Sergey"),
                             word("Lavrov"), word("said")};
    gzt_buf names = GZT_BUF_INIT;
    names_of(&fx, NULL, w, 5, 3, &names);
    assert_has(&names, "w0=Lavrov");
    assert_has(&names, "l0=lavrov");
    assert_has(&names, "l-1=sergey");
    assert_has(&names, "l-2=minister");
    assert_has(&names, "l+1=said");
    assert_has(&names, "l+2=</s>");
    assert_has(&names, "l0|l+1=lavrov|said");
    assert_has(&names, "shape0=Xxxxx");
    assert_has(&names, "ss-1|ss0|ss+1=Xx|Xx|x");
    assert_has(&names, "pre1=L");
    assert_has(&names, "pre4=Lavr");
    assert_has(&names, "suf2=ov");
    assert_has(&names, "title-k=2"); /* Minister, two words back */
    names_of(&fx, NULL, w, 5, 0, &names);
    assert_has(&names, "first|ss0=Xx");
    assert_has(&names, "l-1=<s>");
    /* an organisation cue word after the token */
    const gzt_nerword d[] = {word("the"), word("State"), word("Duma")};
    names_of(&fx, NULL, d, 3, 1, &names);
    assert_has(&names, "orgword+1=1");
    /* a sentence in capitals */
    const gzt_nerword h[] = {word("IRAN"), word("TALKS"), word("END")};
    names_of(&fx, NULL, h, 3, 0, &names);
    assert_has(&names, "allcaps|l0=iran");
    gzt_buf_free(&names);
}

static void
test_nonlocal_feature_carries_an_earlier_label(void **state)
{
    (void)state;
    gzt_nerfx fx;
    memset(&fx, 0, sizeof fx);
    fx.groups = GZT_NERF_WORD | GZT_NERF_NONLOCAL;
    fx.bits = 16;
    gzt_nerdoc doc;
    memset(&doc, 0, sizeof doc);
    const gzt_nerword first[] = {word("Sergey"), word("Lavrov"), word("spoke")};
    const uint8_t tags[] = {GZT_NER_TAG_B(GZT_NER_PER),
                            GZT_NER_TAG_I(GZT_NER_PER), 0};
    assert_int_equal(gzt_nerdoc_note(&doc, first, tags, 3), GZT_OK);
    const gzt_nerword later[] = {word("LAVROV"), word("left")};
    gzt_buf names = GZT_BUF_INIT;
    names_of(&fx, &doc, later, 2, 0, &names);
    assert_has(&names, "earlier=PER"); /* matched without case */
    assert_has(&names, "earlier|ss0=PER|X");
    gzt_nerdoc_reset(&doc); /* a new document forgets */
    names_of(&fx, &doc, later, 2, 0, &names);
    assert_null(strstr((const char *)names.p, "earlier"));
    gzt_buf_free(&names);
    gzt_nerdoc_fini(&doc);
}

/* ---- decoding ---------------------------------------------------------- */

enum {
    O = 0,
    BPER = 1,
    IPER = 2,
    BORG = 3,
    IORG = 4,
    BLOC = 5,
    ILOC = 6,
    BMISC = 7,
    IMISC = 8
};

static void
test_viterbi_finds_the_hand_computed_path(void **state)
{
    (void)state;
    /* Two tokens. Greedy picks B-PER (2.0) then O (1.2): 3.2. The bigram
     * B-PER -> I-PER is worth 1.0, so B-PER I-PER scores 2 + 1 + 1 = 4.0;
     * O O scores 1.5 + 1.2 = 2.7; B-PER B-LOC 2 + 1.1 = 3.1. Best: 4.0. */
    float e[2 * GZT_NER_NTAGS] = {0};
    float t1[GZT_NER_T1_LEN] = {0};
    e[0 * 9 + BPER] = 2.0f;
    e[0 * 9 + O] = 1.5f;
    e[1 * 9 + IPER] = 1.0f;
    e[1 * 9 + O] = 1.2f;
    e[1 * 9 + BLOC] = 1.1f;
    t1[BPER * 9 + IPER] = 1.0f;
    uint64_t scratch[64];
    assert_true(gzt_ner_viterbi_scratch(2) <= sizeof scratch);
    uint8_t tags[2];
    gzt_ner_viterbi(tags, e, 2, t1, NULL, NULL, scratch);
    assert_int_equal(tags[0], BPER);
    assert_int_equal(tags[1], IPER);
    /* a penalty of 1.5 on that bigram instead: B-PER I-PER falls to
     * 2 - 1.5 + 1 = 1.5, and B-PER O (3.2) beats B-PER B-LOC (3.1) */
    t1[BPER * 9 + IPER] = -1.5f;
    gzt_ner_viterbi(tags, e, 2, t1, NULL, NULL, scratch);
    assert_int_equal(tags[0], BPER);
    assert_int_equal(tags[1], O);
    /* second order: a trigram bonus of 2 on (START, B-PER, I-PER) brings
     * B-PER I-PER back to 1.5 + 2 = 3.5 > 3.2 */
    static float t2[GZT_NER_T2_LEN];
    memset(t2, 0, sizeof t2);
    t2[(GZT_NER_START * 10 + BPER) * 9 + IPER] = 2.0f;
    uint64_t scratch2[256];
    assert_true(gzt_ner_viterbi_scratch(2) <= sizeof scratch2);
    gzt_ner_viterbi(tags, e, 2, t1, t2, NULL, scratch2);
    assert_int_equal(tags[0], BPER);
    assert_int_equal(tags[1], IPER);
}

static void
test_viterbi_never_puts_i_after_o_or_another_type(void **state)
{
    (void)state;
    /* Emissions push for I- tags everywhere; the decoder must still give a
     * well-formed BIO sequence, in both orders. */
    enum { N = 6 };
    float e[N * GZT_NER_NTAGS];
    float t1[GZT_NER_T1_LEN] = {0};
    static float t2[GZT_NER_T2_LEN];
    const uint8_t pushed[N] = {IPER, ILOC, ILOC, IORG, O, IMISC};
    for (int i = 0; i < N; i++)
        for (int t = 0; t < GZT_NER_NTAGS; t++)
            e[i * 9 + t] = t == pushed[i] ? 10.0f : 0.0f;
    uint64_t scratch[N * 90 / 8 + 1];
    for (int order = 1; order <= 2; order++) {
        uint8_t tags[N];
        gzt_ner_viterbi(tags, e, N, t1, order == 2 ? t2 : NULL, NULL, scratch);
        uint8_t prev = O;
        for (int i = 0; i < N; i++) {
            if (GZT_NER_TAG_IS_I(tags[i]))
                assert_true(prev == tags[i] || prev + 1 == tags[i]);
            prev = tags[i];
        }
        assert_false(GZT_NER_TAG_IS_I(tags[0]));
    }
}

/* uniform in [0, 1) */
static double
xorshift_unit(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* the score of @p tags under BIO rules, or -inf when they break them or
 * give a closed token another tag than O */
static double
path_score(const uint8_t *tags, size_t n, const float *e, const float *t1,
           const float *t2, const uint8_t *closed)
{
    double s = 0;
    unsigned pp = GZT_NER_START, p = GZT_NER_START;
    for (size_t i = 0; i < n; i++) {
        unsigned c = tags[i];
        if ((closed && closed[i] && c != O) ||
            (GZT_NER_TAG_IS_I(c) && p != c && p + 1 != c))
            return -INFINITY;
        s += e[i * 9 + c] + t1[p * 9 + c];
        if (t2)
            s += t2[(pp * 10 + p) * 9 + c];
        pp = p;
        p = c;
    }
    return s;
}

static void
test_viterbi_equals_brute_force_with_closed_tokens(void **state)
{
    (void)state;
    /* every path of 1..4 tokens tried: the decoder's path scores the most
     * (ties aside), with and without closed tokens, in both orders */
    enum { N = 4 };
    float e[N * 9], t1[GZT_NER_T1_LEN];
    static float t2[GZT_NER_T2_LEN];
    uint64_t scratch[N * 90 / 8 + 1];
    uint64_t rng = 12345;
    for (int trial = 0; trial < 300; trial++) {
        for (size_t i = 0; i < N * 9; i++)
            e[i] = (float)(xorshift_unit(&rng) * 4 - 2);
        for (size_t i = 0; i < GZT_NER_T1_LEN; i++)
            t1[i] = (float)(xorshift_unit(&rng) * 4 - 2);
        for (size_t i = 0; i < GZT_NER_T2_LEN; i++)
            t2[i] = (float)(xorshift_unit(&rng) * 4 - 2);
        size_t n = 1 + (size_t)trial % N;
        uint8_t closed[N];
        for (size_t i = 0; i < n; i++)
            closed[i] = trial % 3 == 0 ? 0 : xorshift_unit(&rng) < 0.4;
        for (int order = 1; order <= 2; order++) {
            const float *T2 = order == 2 ? t2 : NULL;
            uint8_t got[N];
            gzt_ner_viterbi(got, e, n, t1, T2, closed, scratch);
            double want = -INFINITY;
            uint8_t tags[N];
            size_t total = 1;
            for (size_t i = 0; i < n; i++)
                total *= 9;
            for (size_t k = 0; k < total; k++) {
                size_t v = k;
                for (size_t i = 0; i < n; i++, v /= 9)
                    tags[i] = (uint8_t)(v % 9);
                double sc = path_score(tags, n, e, t1, T2, closed);
                if (sc > want)
                    want = sc;
            }
            double have = path_score(got, n, e, t1, T2, closed);
            assert_true(have > -INFINITY);
            assert_true(fabs(have - want) < 1e-4);
        }
    }
}

static void
test_closed_tokens_are_plain_lower_case_words_and_sentence_marks(void **state)
{
    (void)state;
    static const char *const closed[] = {"said", "the-way", "don't", ",",
                                         ".",    "?",       "\"",    "mln",
                                         "1996", "1,200.5", "08/22", "5%"};
    static const char *const open[] = {"Lavrov", "of",     "van",         "de",
                                       "the",    "iPhone", "&",           "(",
                                       "'s",     "1860s",  "caf\xc3\xa9", ""};
    for (size_t i = 0; i < sizeof closed / sizeof *closed; i++)
        assert_true(gzt_ner_closed(closed[i], strlen(closed[i])));
    for (size_t i = 0; i < sizeof open / sizeof *open; i++)
        assert_false(gzt_ner_closed(open[i], strlen(open[i])));
}

static void
test_glue_words_close_only_after_a_closed_token(void **state)
{
    (void)state;
    /* "Bank of England ( UK ) said the $ figure -- of the Bank 's" */
    static const char *const words[] = {
        "of", "Bank", "of",  "England", "(",  "UK", ")",    "said", "the", "$",
        "--", "of",   "the", "Bank",    "'s", "&",  "AT&T", "The",  "..."};
    static const uint8_t want[] = {1, 0, 0, 0, 0, 0, 0, 1, 1, 1,
                                   1, 1, 1, 0, 0, 0, 0, 0, 1};
    enum { N = sizeof words / sizeof *words };
    gzt_nerword w[N];
    for (size_t i = 0; i < N; i++) {
        w[i].s = words[i];
        w[i].len = (uint32_t)strlen(words[i]);
    }
    uint8_t closed[N];
    gzt_ner_close(w, N, closed);
    for (size_t i = 0; i < N; i++) {
        if (closed[i] != want[i])
            fail_msg("token %zu \"%s\": closed %d, want %d", i, words[i],
                     closed[i], want[i]);
    }
}

/* ---- scoring ----------------------------------------------------------- */

static void
test_conlleval_counts_only_exact_spans(void **state)
{
    (void)state;
    gzt_ner_scores s;
    gzt_ner_score_init(&s);
    /* gold: [Sergey Lavrov]PER met in [Tehran]LOC
     * pred: [Sergey]PER Lavrov met in [Tehran]LOC -> the partial PER is
     * wrong: 2 gold, 2 predicted, 1 correct */
    const uint8_t g1[] = {BPER, IPER, O, O, BLOC};
    const uint8_t p1[] = {BPER, O, O, O, BLOC};
    gzt_ner_score_sentence(&s, g1, p1, 5);
    /* gold: the [State Duma]ORG ; pred: the State [Duma]ORG -> wrong;
     * pred also adds a MISC where there is none */
    const uint8_t g2[] = {O, BORG, IORG, O};
    const uint8_t p2[] = {O, O, BORG, BMISC};
    gzt_ner_score_sentence(&s, g2, p2, 4);
    /* type mismatch on an exact span is wrong too */
    const uint8_t g3[] = {BORG};
    const uint8_t p3[] = {BLOC};
    gzt_ner_score_sentence(&s, g3, p3, 1);
    gzt_ner_score_finish(&s);
    assert_int_equal(s.type[0].gold, 4);
    assert_int_equal(s.type[0].pred, 5);
    assert_int_equal(s.type[0].correct, 1);
    assert_near(s.type[0].precision, 20.0);
    assert_near(s.type[0].recall, 25.0);
    assert_near(s.type[0].f1, 2 * 20.0 * 25.0 / 45.0);
    assert_int_equal(s.type[GZT_NER_LOC].correct, 1);
    assert_int_equal(s.type[GZT_NER_LOC].pred, 2);
    assert_near(s.type[GZT_NER_LOC].f1, 2 * 50.0 * 100.0 / 150.0);
    assert_int_equal(s.type[GZT_NER_PER].correct, 0);
    assert_near(s.type[GZT_NER_PER].f1, 0);
    assert_int_equal(s.type[GZT_NER_ORG].gold, 2);
    assert_int_equal(s.tokens, 10);
    assert_int_equal(s.tokens_correct, 5);
}

static void
test_conlleval_reads_iob1_style_starts(void **state)
{
    (void)state;
    /* As conlleval: I-LOC after O starts an entity, and I-LOC after I-PER
     * starts another; both spans match the gold exactly. */
    gzt_ner_scores s;
    gzt_ner_score_init(&s);
    const uint8_t g[] = {O, BLOC, BPER, IPER, BLOC};
    const uint8_t p[] = {O, ILOC, BPER, IPER, ILOC};
    gzt_ner_score_sentence(&s, g, p, 5);
    gzt_ner_score_finish(&s);
    assert_int_equal(s.type[0].gold, 3);
    assert_int_equal(s.type[0].pred, 3);
    assert_int_equal(s.type[0].correct, 3);
    assert_near(s.type[0].f1, 100.0);
    /* B-PER B-PER is two entities, I-PER I-PER after O one */
    gzt_ner_score_init(&s);
    const uint8_t g2[] = {BPER, BPER, O, BPER, IPER};
    const uint8_t p2[] = {BPER, IPER, O, IPER, IPER};
    gzt_ner_score_sentence(&s, g2, p2, 5);
    gzt_ner_score_finish(&s);
    assert_int_equal(s.type[0].gold, 3);
    assert_int_equal(s.type[0].pred, 2);
    assert_int_equal(s.type[0].correct, 1);
}

/* ---- IOB2 and training ------------------------------------------------- */

/* Invented sentences in IOB2 (two columns), three documents. */
static const char tiny_iob2[] =
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "Sergey B-PER\nLavrov I-PER\nvisited O\nTehran B-LOC\non O\n"
    "Monday O\n. O\n"
    "\n"
    "Lavrov B-PER\nmet O\nAbbas B-PER\nAraghchi I-PER\nin O\nTehran B-LOC\n"
    ". O\n"
    "\n"
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "The O\nState B-ORG\nDuma I-ORG\napproved O\nthe O\ntreaty O\n. O\n"
    "\n"
    "Ivan B-PER\nPetrov I-PER\nof O\nthe O\nDuma B-ORG\nflew O\nto O\n"
    "Muscat B-LOC\n. O\n"
    "\n"
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "IRNA B-ORG\nsaid O\nIranian B-MISC\ndiplomats O\nmet O\nin O\n"
    "Moscow B-LOC\n. O\n"
    "\n"
    "Anna B-PER\nIvanova I-PER\ntold O\nIRNA B-ORG\nthat O\nOman B-LOC\n"
    "agreed O\n. O\n";

static void
train_tiny(gzt_buf *model, uint32_t groups)
{
    gzt_ner_train_opts o;
    gzt_ner_train_opts_init(&o);
    o.epochs = 8;
    o.bits = 14;
    o.groups = groups;
    o.info = "test model";
    gzt_error err;
    int rc = gzt_ner_train(model, tiny_iob2, strlen(tiny_iob2), &o, &err);
    if (rc != GZT_OK)
        fail_msg("%s", err.msg);
}

/* train_tiny() into @p model, loaded */
static gzt_ner *
load_tiny(gzt_buf *model, uint32_t groups)
{
    train_tiny(model, groups);
    gzt_ner *m;
    gzt_error err;
    if (gzt_ner_load(&m, model->p, model->len, &err) != GZT_OK)
        fail_msg("%s", err.msg);
    return m;
}

static void
expect_iob2_error(const char *text, const char *msg_part)
{
    gzt_ner_train_opts o;
    gzt_ner_train_opts_init(&o);
    o.epochs = 1;
    o.bits = 10;
    gzt_buf model = GZT_BUF_INIT;
    gzt_error err;
    assert_int_equal(gzt_ner_train(&model, text, strlen(text), &o, &err),
                     GZT_EINVAL);
    assert_int_equal(err.code, GZT_EINVAL);
    if (!strstr(err.msg, msg_part))
        fail_msg("'%s' does not say '%s'", err.msg, msg_part);
    assert_int_equal(model.len, 0);
    gzt_buf_free(&model);
}

static void
test_malformed_iob2_is_named_by_line(void **state)
{
    (void)state;
    expect_iob2_error("EU B-ORG\nrejects O\n\nfoo I-PER\n",
                      "line 4: tag 'I-PER' after 'O'");
    expect_iob2_error("Sergey B-PER\nLavrov I-LOC\n",
                      "line 2: tag 'I-LOC' after 'B-PER'");
    expect_iob2_error("a O\nb O\nc B-FOO\n", "line 3: bad tag 'B-FOO'");
    expect_iob2_error("a O\nlonely\n", "line 2: expected a word and a tag");
    expect_iob2_error("a O\r\nb X-PER\r\n", "line 2: bad tag 'X-PER'");
    expect_iob2_error("\n\n-DOCSTART- -X- -X- O\n\n", "no tokens");
    /* evaluation reads IOB2 the same way */
    gzt_buf model = GZT_BUF_INIT;
    gzt_ner *m = load_tiny(&model, GZT_NERF_WORD);
    gzt_error err;
    gzt_ner_scores s;
    const char bad[] = "x O\ny O\n\nz I-ORG\n";
    assert_int_equal(gzt_ner_eval(&s, m, bad, strlen(bad), &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "line 4"));
    gzt_ner_free(m);
    gzt_buf_free(&model);
}

static void
test_tiny_model_learns_and_tags_raw_text(void **state)
{
    (void)state;
    gzt_buf model = GZT_BUF_INIT;
    gzt_ner *m = load_tiny(&model, GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ);
    gzt_error err;
    assert_string_equal(gzt_ner_model_info(m), "test model");
    assert_false(gzt_ner_wants_gazetteer(m));
    /* it fits its training data */
    gzt_ner_scores s;
    assert_int_equal(gzt_ner_eval(&s, m, tiny_iob2, strlen(tiny_iob2), &err),
                     GZT_OK);
    assert_int_equal(s.type[0].gold, 15);
    assert_near(s.type[0].f1, 100.0);
    assert_int_equal(s.sentences, 6);
    /* raw text: spans are byte ranges of the original */
    const char *text = "Sergey Lavrov visited Tehran on Monday.";
    gzt_arena ar;
    gzt_arena_init(&ar, 1 << 20);
    gzt_nerspan *sp;
    size_t n;
    assert_int_equal(gzt_ner_tag(m, text, strlen(text), &ar, &sp, &n, &err),
                     GZT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sp[0].start, 0);
    assert_int_equal(sp[0].end, 13);
    assert_int_equal(sp[0].type, GZT_NER_PER);
    assert_int_equal(sp[1].start, 22);
    assert_int_equal(sp[1].end, 28);
    assert_int_equal(sp[1].type, GZT_NER_LOC);
    /* nothing to find */
    assert_int_equal(gzt_ner_tag(m, "", 0, &ar, &sp, &n, &err), GZT_OK);
    assert_int_equal(n, 0);
    assert_null(sp);
    /* a full arena is out of memory, not a crash */
    gzt_arena tiny;
    gzt_arena_init(&tiny, 1);
    assert_int_equal(gzt_ner_tag(m, text, strlen(text), &tiny, &sp, &n, &err),
                     GZT_ENOMEM);
    gzt_arena_fini(&tiny);
    gzt_arena_fini(&ar);
    gzt_ner_free(m);
    gzt_ner_free(NULL);
    gzt_buf_free(&model);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void
test_hostile_text_gives_well_formed_spans(void **state)
{
    (void)state;
    /* Random mixes of the pieces the tokenizer treats specially, random
     * bytes, and a 2000-word sentence without a full stop (cut into
     * pieces): spans must stay in order, inside the text, on bytes the
     * tokenizer produced, and never overlap. */
    static const char *const pieces[] = {
        "Lavrov",
        " ",
        "\n",
        "\n\n",
        "'s",
        "\xe2\x80\x99",
        "n't",
        "U.S.",
        ".",
        "..",
        "-",
        "--",
        "\xe2\x80\x94",
        "Raouf-Sheybani",
        "1,200",
        "Mr.",
        "\"",
        "\xe2\x80\x9c",
        "(",
        "]",
        "\xff",
        "\xc3",
        "\xcc\x81",
        "Tehran",
        "IRNA",
        "said",
        "\t ",
        "O'",
        "a.b.c.",
        "\xf0\x9f\x98\x80",
    };
    gzt_buf model = GZT_BUF_INIT, text = GZT_BUF_INIT;
    gzt_ner *m = load_tiny(&model, GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ);
    gzt_error err;
    for (int round = 0; round < 600; round++) {
        gzt_buf_reset(&text);
        if (round == 0) {
            for (int i = 0; i < 2000; i++)
                assert_int_equal(gzt_buf_printf(&text, "Lavrov met "), GZT_OK);
        } else {
            for (uint32_t i = rnd() % 60; i > 0; i--) {
                if (rnd() % 5 == 0) {
                    assert_int_equal(gzt_buf_putc(&text, (uint8_t)rnd()),
                                     GZT_OK);
                    continue;
                }
                const char *p =
                    pieces[rnd() % (sizeof pieces / sizeof *pieces)];
                assert_int_equal(gzt_buf_append(&text, p, strlen(p)), GZT_OK);
            }
        }
        gzt_arena ar;
        gzt_arena_init(&ar, 0);
        gzt_nerspan *sp;
        size_t n;
        /* an exact-size heap copy so that ASan sees any overread */
        char *copy = malloc(text.len ? text.len : 1);
        assert_non_null(copy);
        if (text.len)
            memcpy(copy, text.p, text.len);
        assert_int_equal(gzt_ner_tag(m, copy, text.len, &ar, &sp, &n, &err),
                         GZT_OK);
        uint32_t last = 0;
        size_t ntok;
        const gzt_nertok *tk = gzt_ner_tokens(m, &ntok);
        for (size_t k = 0; k < n; k++) {
            assert_true(sp[k].start >= last);
            assert_true(sp[k].start < sp[k].end);
            assert_true(sp[k].end <= text.len);
            assert_true(sp[k].type >= GZT_NER_PER &&
                        sp[k].type <= GZT_NER_MISC);
            /* its tokens: the first starts it, the last ends it, and
             * none is left out between them */
            assert_true(sp[k].ntok >= 1);
            assert_true((size_t)sp[k].tok + sp[k].ntok <= ntok);
            assert_int_equal(tk[sp[k].tok].start, sp[k].start);
            assert_int_equal(tk[sp[k].tok + sp[k].ntok - 1].end, sp[k].end);
            assert_true(sp[k].tok == 0 || tk[sp[k].tok - 1].end <= sp[k].start);
            last = sp[k].end;
        }
        if (round == 0)
            assert_true(n >= 1000); /* every Lavrov, despite the cuts */
        free(copy);
        gzt_arena_fini(&ar);
    }
    gzt_ner_free(m);
    gzt_buf_free(&model);
    gzt_buf_free(&text);
}

/* Tokenize @p len bytes at @p t both ways and require the same tokens and
 * forms; also that the forms buffer starts with the text and that a token
 * whose form is its own bytes points at them there. Returns the tokens. */
static size_t
check_fast_equals_ref(const char *t, size_t len)
{
    gzt_buf ft = GZT_BUF_INIT, ff = GZT_BUF_INIT, rt = GZT_BUF_INIT,
            rf = GZT_BUF_INIT;
    assert_int_equal(gzt_ner_tokenize(&ft, &ff, t, len), GZT_OK);
    assert_int_equal(gzt_ner_tokenize_ref(&rt, &rf, t, len), GZT_OK);
    assert_int_equal(ft.len, rt.len);
    assert_int_equal(ff.len, rf.len);
    assert_true(ff.len >= len);
    if (len)
        assert_memory_equal(ff.p, t, len);
    /* field by field: a record's padding is not written */
    const gzt_nertok *a = (const gzt_nertok *)(const void *)ft.p,
                     *b = (const gzt_nertok *)(const void *)rt.p;
    size_t n = ft.len / sizeof *a;
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(a[k].start, b[k].start);
        assert_int_equal(a[k].end, b[k].end);
        assert_int_equal(a[k].form, b[k].form);
        assert_int_equal(a[k].form_len, b[k].form_len);
        assert_int_equal(a[k].sent, b[k].sent);
        assert_true(a[k].form_len > 0 && a[k].form_len <= GZT_NER_FORM_MAX);
        if (a[k].form == a[k].start)
            assert_int_equal(a[k].form_len, a[k].end - a[k].start);
        else
            assert_true(a[k].form >= len);
    }
    if (ff.len)
        assert_memory_equal(ff.p, rf.p, ff.len);
    gzt_buf_free(&ft);
    gzt_buf_free(&ff);
    gzt_buf_free(&rt);
    gzt_buf_free(&rf);
    return n;
}

static void
test_tokenizer_ascii_shortcuts_change_nothing(void **state)
{
    (void)state;
    /* Random mixes of words with n and N where "n't" may or may not
     * follow, digits glued to marks, brackets (rewritten in forms), curly
     * apostrophes, accented and combining letters, ill-formed bytes and
     * random bytes: the fast tokenizer's tokens and forms are those of
     * the one that decodes every character. */
    static const char *const pieces[] = {
        "don",
        "n",
        "N",
        "n't",
        "N'T",
        "can",
        "Nations",
        "'t",
        "\xe2\x80\x99t",
        "'s",
        "1,200",
        ".",
        ",",
        ":",
        "/",
        "-",
        "U.S",
        "Mr",
        "[",
        "]",
        "caf\xc3\xa9",
        "e\xcc\x81",
        "\xc3\xa9n",
        "\xff",
        "\xc3",
        " ",
        "\n",
        "\n\n",
        "\t",
        "Lavrov",
        "said",
        "x86_64",
        "a[b]",
        "\"",
        /* sentence breaks: marks, a closing quote after them, a lower-case
         * word or a capital after them, an indented line */
        "!",
        "?",
        "\xe2\x80\xa6",
        "\xe2\x80\x9d",
        ")",
        "the",
        "The",
        "\n    ",
        "Corp",
        "p.m",
        "\xe2\x80\x90", /* U+2010 hyphen */
        "--",
        "...",
        /* words that cross the 16-byte steps and the form's 64 bytes */
        "internationalisation",
        "Nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
        "nnnn",
        "\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0"
        "\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96"
        "\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0"
        "\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96",
    };
    gzt_buf text = GZT_BUF_INIT;
    size_t ntoks = 0;
    for (int round = 0; round < 4000; round++) {
        gzt_buf_reset(&text);
        for (uint32_t i = 1 + rnd() % 40; i > 0; i--) {
            if (rnd() % 8 == 0) {
                assert_int_equal(gzt_buf_putc(&text, (uint8_t)rnd()), GZT_OK);
                continue;
            }
            const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
            assert_int_equal(gzt_buf_append(&text, p, strlen(p)), GZT_OK);
        }
        ntoks += check_fast_equals_ref((const char *)text.p, text.len);
    }
    assert_true(ntoks > 10000);
    gzt_buf_free(&text);
}

static void
test_tokenizer_fast_path_equals_reference_on_random_characters(void **state)
{
    (void)state;
    /* Character by character, from an alphabet weighted to the cases the
     * fast path takes apart: letter runs of every length against its
     * 16-byte steps and the end of the text, n or N before a straight or
     * curly apostrophe, the marks that join words, brackets, sentence
     * marks, non-ASCII letters, marks and punctuation, ill-formed bytes. */
    static const char *const chars[] = {
        "a",
        "e",
        "s",
        "t",
        "n",
        "N",
        "T",
        "S",
        "R",
        "0",
        "7",
        " ",
        " ",
        "\n",
        "\t",
        "'",
        "-",
        ".",
        ",",
        ":",
        "/",
        "%",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "!",
        "?",
        "&",
        "\xc3\xa9",
        "\xc3\x89",
        "\xcc\x81",
        "\xe2\x80\x99",
        "\xe2\x80\x98",
        "\xe2\x80\xb2",
        "\xe2\x80\x9d",
        "\xe2\x80\x93",
        "\xe2\x80\x90",
        "\xe2\x80\xa6",
        "\xe2\x80\xa8",
        "\xc2\xa0",
        "\xd9\xa3", /* Arabic-Indic digit three */
        "\xff",
        "\xe2\x80",
    };
    gzt_buf text = GZT_BUF_INIT;
    size_t ntoks = 0;
    for (int round = 0; round < 6000; round++) {
        gzt_buf_reset(&text);
        /* a few long runs of letters or digits, so that runs end at every
         * offset of a 16-byte step */
        uint32_t n = 1 + rnd() % 120;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = rnd();
            if (r % 16 == 0) {
                for (uint32_t j = r >> 8 & 31; j > 0; j--)
                    assert_int_equal(
                        gzt_buf_putc(&text, (uint8_t)('a' + j % 26)), GZT_OK);
                continue;
            }
            const char *p = chars[(r >> 4) % (sizeof chars / sizeof *chars)];
            assert_int_equal(gzt_buf_append(&text, p, strlen(p)), GZT_OK);
        }
        ntoks += check_fast_equals_ref((const char *)text.p, text.len);
    }
    assert_true(ntoks > 50000);
    /* a token a byte: more records than the room first reserved */
    gzt_buf_reset(&text);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(gzt_buf_putc(&text, "([,!?]"[i % 6]), GZT_OK);
    assert_int_equal(check_fast_equals_ref((const char *)text.p, text.len),
                     3000);
    gzt_buf_free(&text);
}

/* The closing rules of ner.h restated as plainly as possible (a per-byte
 * packing of short words, strchr() for sets of bytes), for the tests to
 * hold gzt_ner_closed() and gzt_ner_close() to. */
static bool
ref_in(const char *const *list, size_t n, const char *s, size_t len)
{
    if (len == 0 || len > 8)
        return false;
    uint64_t k = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 0x80)
            return false;
        k |= (uint64_t)(c >= 'A' && c <= 'Z' ? c + 32 : c) << (56 - 8 * i);
    }
    for (size_t j = 0; j < n; j++) {
        uint64_t w = 0;
        for (size_t i = 0; list[j][i]; i++)
            w |= (uint64_t)(uint8_t)list[j][i] << (56 - 8 * i);
        if (k && w == k)
            return true;
    }
    return false;
}

static const char *const ref_particles[] = {
    "al",  "and", "bin", "da",  "de",  "del", "della", "dello",
    "den", "der", "des", "di",  "do",  "dos", "du",    "el",
    "et",  "for", "ibn", "in",  "la",  "le",  "les",   "los",
    "of",  "on",  "the", "van", "von", "y",   "zu",
};
static const char *const ref_glue[] = {"'s",  "(",  ")",  "and", "do",
                                       "for", "in", "of", "on",  "the"};

static bool
ref_closed(const char *s, size_t len)
{
    if (len == 0)
        return false;
    const uint8_t *u = (const uint8_t *)s;
    if (u[0] >= 'a' && u[0] <= 'z') {
        for (size_t i = 1; i < len; i++)
            if (!((u[i] >= 'a' && u[i] <= 'z') || u[i] == '-' || u[i] == '\''))
                return false;
        return len > 5 ||
               !ref_in(ref_particles,
                       sizeof ref_particles / sizeof *ref_particles, s, len);
    }
    if (u[0] >= '0' && u[0] <= '9') {
        for (size_t i = 1; i < len; i++)
            if (!((u[i] >= '0' && u[i] <= '9') || strchr(".,:/%-", u[i])))
                return false;
        return true;
    }
    if (len == 1)
        return strchr(",.;:!?\"", u[0]) != NULL;
    return false;
}

static bool
ref_loose(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c < 0x21 || c > 0x7e || isalnum(c) || strchr("&/'()", c))
            return false;
    }
    return true;
}

static void
test_closing_equals_its_rules_restated(void **state)
{
    (void)state;
    /* Words of every case of the particles and glue words, near misses
     * ("ofx", "th", "'S", "an d"), words of up to 10 bytes from a small
     * alphabet (upper and lower case, marks, NUL, bytes from 0x80), and
     * sentences of them: closed as the rules say. */
    static const char *const seeds[] = {
        "of",    "OF",     "Of",     "oF",     "the",         "THE",
        "tHe",   "and",    "And",    "aND",    "'s",          "'S",
        "(",     ")",      "(s",     "della",  "Della",       "dellA",
        "dello", "dellos", "y",      "Y",      "van",         "Van",
        "vAn",   "ofx",    "th",     "an d",   "in",          "iN",
        "do",    "DO",     "for",    "fOr",    "on",          "bin",
        "ibn",   "zu",     "al",     "said",   "mln",         "1,200",
        "08/22", "5%",     "1860s",  ",",      ".",           ";",
        "\"",    "-",      "--",     "$",      "&",           "...",
        "AT&T",  "'",      "e-mail", "rock'n", "caf\xc3\xa9", "de\xc3\xa9",
    };
    static const char alphabet[] = "aeonthdlSsTA'-.,:/%()&$0719\"!? \x80\xc3";
    char words[2000][12];
    gzt_nerword w[2000];
    size_t n = 0;
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++, n++) {
        memcpy(words[n], seeds[i], strlen(seeds[i]));
        w[n].s = words[n];
        w[n].len = (uint32_t)strlen(seeds[i]);
    }
    for (; n < 2000; n++) {
        size_t len = 1 + rnd() % 10;
        for (size_t j = 0; j < len; j++)
            words[n][j] =
                rnd() % 50 == 0 ? 0 : alphabet[rnd() % (sizeof alphabet - 1)];
        w[n].s = words[n];
        w[n].len = (uint32_t)len;
    }
    size_t nclosed = 0, nopen = 0;
    for (size_t i = 0; i < n; i++) {
        bool want = ref_closed(w[i].s, w[i].len);
        if (gzt_ner_closed(w[i].s, w[i].len) != want)
            fail_msg("word %zu \"%.*s\": closed %d", i, (int)w[i].len, w[i].s,
                     !want);
        nclosed += want;
        nopen += !want;
    }
    assert_true(nclosed > 100 && nopen > 100);
    /* sentences of seeds and random words in random order */
    for (int round = 0; round < 2000; round++) {
        gzt_nerword sw[GZT_NER_SENT_MAX];
        size_t sn = 1 + rnd() % 30;
        for (size_t i = 0; i < sn; i++)
            sw[i] = w[rnd() % 4 ? rnd() % (sizeof seeds / sizeof *seeds)
                                : rnd() % n];
        uint8_t got[GZT_NER_SENT_MAX];
        gzt_ner_close(sw, sn, got);
        for (size_t i = 0; i < sn; i++) {
            const char *s = sw[i].s;
            size_t len = sw[i].len;
            bool want =
                ref_closed(s, len) || ref_loose(s, len) ||
                ((i == 0 || got[i - 1]) && len <= 3 &&
                 !(s[0] >= 'A' && s[0] <= 'Z') && s[len - 1] != 'S' &&
                 ref_in(ref_glue, sizeof ref_glue / sizeof *ref_glue, s, len));
            if (got[i] != want)
                fail_msg("round %d token %zu \"%.*s\": closed %d", round, i,
                         (int)len, s, got[i]);
        }
    }
}

static void
test_training_is_deterministic(void **state)
{
    (void)state;
    gzt_buf a = GZT_BUF_INIT, b = GZT_BUF_INIT;
    train_tiny(&a, GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ);
    train_tiny(&b, GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    gzt_buf_free(&a);
    gzt_buf_free(&b);
}

/* Words for random sentences: names, cue and glue words, closed words,
 * capitals, a word too long for the word cache, non-ASCII, punctuation. */
static const char *const sum_words[] = {
    "Sergey",       "Lavrov",    "LAVROV",
    "Minister",     "Foreign",   "Ministry",
    "of",           "the",       "The",
    "and",          "Bank",      "England",
    "U.S.",         "Mr.",       "said",
    "on",           "Tehran",    "Moscow",
    "Duma",         "Council",   "Corp",
    "in",           "(",         ")",
    "'s",           ",",         ".",
    "--",           "1,200.5",   "Raouf-Sheybani",
    "Müller",       "São",       "Internationalisation-Programme",
    "van",          "de",        "IRNA",
    "BRICS",        "\"",        "-",
    "Oman",         "Iranian",   "talks",
    "Federation",   "President", "\xc3\xa9",
    "\xc3\x89vian",
};

/* A random word: from the list, or made up (new words miss the cache and
 * now and then share a slot with another word of the sentence). */
static gzt_nerword
random_word(char *buf, size_t cap)
{
    if (rnd() % 3) {
        const char *w =
            sum_words[rnd() % (sizeof sum_words / sizeof *sum_words)];
        return word(w);
    }
    size_t len = 1 + rnd() % 12;
    assert_true(len < cap);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)((i == 0 && rnd() % 2 ? 'A' : 'a') + rnd() % 26);
    gzt_nerword w = {buf, (uint32_t)len};
    return w;
}

/* gzt_ner_sums() through the word cache equals every row summed, on
 * @p rounds random sentences of one document (so that earlier labels
 * count), each scored twice: the second time the cache holds its words.
 * Every fourth sentence is in ASCII capitals, and some of those have a
 * lower-case letter all the same ("é"): the cached path looks for an
 * ASCII lower-case letter first to tell a sentence is not in capitals. */
static void
check_sums_agree(gzt_ner *m, int rounds)
{
    static char bufs[GZT_NER_SENT_MAX][16];
    static int32_t a[GZT_NER_SENT_MAX * GZT_NER_NTAGS],
        b[GZT_NER_SENT_MAX * GZT_NER_NTAGS];
    gzt_nerword w[GZT_NER_SENT_MAX];
    uint8_t tags[GZT_NER_SENT_MAX];
    gzt_nerdoc doc = {0}, ref = {0};
    size_t scored = 0, noted = 0;
    for (int r = 0; r < rounds; r++) {
        size_t n = r % 50 == 49 ? GZT_NER_SENT_MAX : 1 + rnd() % 40;
        for (size_t i = 0; i < n; i++) {
            w[i] = random_word(bufs[i], sizeof bufs[i]);
            if (r % 4 == 3) {
                /* in capitals: the word copied and raised */
                if (w[i].s != bufs[i])
                    memcpy(bufs[i], w[i].s, GZT_MIN(w[i].len, sizeof bufs[i]));
                w[i].len = GZT_MIN(w[i].len, (uint32_t)sizeof bufs[i]);
                w[i].s = bufs[i];
                for (size_t k = 0; k < w[i].len; k++)
                    if (bufs[i][k] >= 'a' && bufs[i][k] <= 'z')
                        bufs[i][k] = (char)(bufs[i][k] - 32);
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            assert_int_equal(gzt_ner_sums(m, &doc, w, n, true, a), GZT_OK);
            assert_int_equal(gzt_ner_sums(m, &doc, w, n, false, b), GZT_OK);
            assert_memory_equal(a, b, n * GZT_NER_NTAGS * sizeof *a);
        }
        for (size_t i = 0; i < n * GZT_NER_NTAGS; i++)
            scored += a[i] != 0;
        /* tagging notes the labels of capitalised words with the keys the
         * scores had: as gzt_nerdoc_note() does from the words */
        assert_int_equal(gzt_ner_tag_words(m, &doc, w, n, tags), GZT_OK);
        assert_int_equal(gzt_nerdoc_note(&ref, w, tags, n), GZT_OK);
        assert_int_equal(doc.n, ref.n);
        assert_int_equal(doc.cap, ref.cap);
        for (size_t k = 0; k < doc.cap; k++) {
            assert_true(doc.keys[k] == ref.keys[k]);
            if (doc.keys[k]) /* (a free slot's value is not set) */
                assert_int_equal(doc.vals[k], ref.vals[k]);
        }
        noted += doc.n;
        if (r % 20 == 19) {
            gzt_nerdoc_reset(&doc);
            gzt_nerdoc_reset(&ref);
        }
    }
    assert_true(scored > 0); /* the sums were not all zero */
    assert_true(noted > 0);
    gzt_nerdoc_fini(&doc);
    gzt_nerdoc_fini(&ref);
}

static void
test_cached_sums_equal_every_row_summed(void **state)
{
    (void)state;
    /* a tiny model with every feature group but the gazetteer (so the
     * sentence-start and capitals features too) */
    gzt_buf model = GZT_BUF_INIT;
    gzt_ner *m = load_tiny(&model, GZT_NERF_ALL & ~(uint32_t)GZT_NERF_GAZ);
    check_sums_agree(m, 400);
    gzt_ner_free(m);
    gzt_buf_free(&model);
}

static void
test_damaged_model_is_rejected(void **state)
{
    (void)state;
    gzt_buf model = GZT_BUF_INIT;
    gzt_ner *m =
        load_tiny(&model, GZT_NERF_WORD | GZT_NERF_SHAPE | GZT_NERF_ORDER2);
    gzt_error err;
    gzt_ner_free(m);
    /* every byte flipped (a heap copy of exact size, for ASan) */
    uint8_t *copy = malloc(model.len);
    assert_non_null(copy);
    for (size_t i = 0; i < model.len; i++) {
        memcpy(copy, model.p, model.len);
        copy[i] ^= 0x20;
        m = (gzt_ner *)1;
        assert_int_equal(gzt_ner_load(&m, copy, model.len, &err), GZT_ECORRUPT);
        assert_null(m);
        assert_non_null(strstr(err.msg, "NER model"));
    }
    /* every truncation */
    for (size_t len = 0; len < model.len; len++) {
        uint8_t *t = malloc(len ? len : 1);
        assert_non_null(t);
        memcpy(t, model.p, len);
        assert_int_equal(gzt_ner_load(&m, t, len, &err), GZT_ECORRUPT);
        free(t);
    }
    free(copy);
    /* allocation failures at each site are out of memory, never a crash */
    for (long k = 1; k < 20; k++) {
        gzt_mem_fail_after(k);
        int rc = gzt_ner_load(&m, model.p, model.len, &err);
        gzt_mem_fail_after(0);
        assert_true(rc == GZT_OK || rc == GZT_ENOMEM);
        gzt_ner_free(rc == GZT_OK ? m : NULL);
    }
    gzt_buf_free(&model);
}

/* ---- the shipped model ------------------------------------------------- */

/* Load common/ner/model.bin with the gazetteers it was trained with. */
static gzt_ner *
shipped_model(const char *src, gzt_gaz **gaz)
{
    char path[4096];
    gzt_buf b = GZT_BUF_INIT;
    gzt_error err;
    snprintf(path, sizeof path, "%s/common/ner/model.bin", src);
    if (read_file(path, &b) != 0)
        fail_msg("cannot read %s", path);
    gzt_ner *m;
    if (gzt_ner_load(&m, b.p, b.len, &err) != GZT_OK)
        fail_msg("%s: %s", path, err.msg);
    gzt_buf_free(&b);
    *gaz = NULL;
    if (gzt_ner_wants_gazetteer(m)) {
        snprintf(path, sizeof path, "%s/common/gazetteers", src);
        if (gzt_gaz_load_files(gaz, path, &err) != GZT_OK)
            fail_msg("%s: %s", path, err.msg);
        gzt_ner_set_gazetteer(m, *gaz);
    }
    return m;
}

static void
test_shipped_model_reproduces_its_validation_f1(void **state)
{
    (void)state;
    const char *shared = need_env("GZT_SHARED");
    const char *src = need_env("GZT_SOURCE");
    char path[4096];
    gzt_buf valid = GZT_BUF_INIT, rec = GZT_BUF_INIT;
    snprintf(path, sizeof path, "%s/data/conll2003/eng.valid.iob2.txt.zst",
             shared);
    if (read_zst(path, &valid) != 0) {
        const char *ci = getenv("CI");
        if (ci && !strcmp(ci, "true"))
            fail_msg("cannot read %s", path);
        print_message("%s missing: skipping\n", path);
        skip();
    }
    snprintf(path, sizeof path, "%s/common/ner/VALID_F1", src);
    if (read_file(path, &rec) != 0)
        fail_msg("cannot read %s", path);
    assert_int_equal(gzt_buf_nul(&rec), GZT_OK);
    double want = strtod((const char *)rec.p, NULL);
    gzt_gaz *gaz;
    gzt_ner *m = shipped_model(src, &gaz);
    gzt_ner_scores s;
    gzt_error err;
    assert_int_equal(
        gzt_ner_eval(&s, m, (const char *)valid.p, valid.len, &err), GZT_OK);
    print_message("validation F1 %.2f (recorded %.2f), %.0f tokens/s\n",
                  s.type[0].f1, want, s.tokens_per_s);
    assert_int_equal(s.type[0].gold, 5942); /* the split's entity count */
    char got[16], rec2[16];
    snprintf(got, sizeof got, "%.2f", s.type[0].f1);
    snprintf(rec2, sizeof rec2, "%.2f", want);
    assert_string_equal(got, rec2);
    assert_true(s.type[0].f1 >= 88.0);
    gzt_ner_free(m);
    gzt_gaz_free(gaz);
    gzt_buf_free(&valid);
    gzt_buf_free(&rec);
}

/* Tag @p len bytes of @p text with @p a and @p b: the same spans. */
static void
same_spans(gzt_ner *a, gzt_ner *b, const char *text, size_t len)
{
    gzt_arena ar;
    gzt_arena_init(&ar, 0);
    gzt_nerspan *sa, *sb;
    size_t na, nb;
    gzt_error err;
    assert_int_equal(gzt_ner_tag(a, text, len, &ar, &sa, &na, &err), GZT_OK);
    assert_int_equal(gzt_ner_tag(b, text, len, &ar, &sb, &nb, &err), GZT_OK);
    assert_int_equal(na, nb);
    assert_true(na > 10);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(sa[i].start, sb[i].start);
        assert_int_equal(sa[i].end, sb[i].end);
        assert_int_equal(sa[i].type, sb[i].type);
    }
    gzt_arena_fini(&ar);
}

static void
test_the_built_in_model_image_tags_like_the_model_file(void **state)
{
    (void)state;
    const char *src = need_env("GZT_SOURCE");
    gzt_gaz *gaz, *igaz;
    gzt_ner *m = shipped_model(src, &gaz), *im;
    gzt_error err;
    /* the image in the library is what model.bin loads into now */
    const uint8_t *img;
    size_t len;
    assert_true(gzt_resource_get("ner.img", &img, &len));
    gzt_buf b = GZT_BUF_INIT;
    assert_int_equal(gzt_ner_image_write(m, &b), GZT_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.p, img, len);
    assert_int_equal(gzt_builtin_model(&im, &err), GZT_OK);
    assert_int_equal(gzt_builtin_gazetteer(&igaz, &err), GZT_OK);
    gzt_ner_set_gazetteer(im, igaz);
    assert_string_equal(gzt_ner_model_info(im), gzt_ner_model_info(m));
    /* the seed articles, and a clone of the image's model */
    static const char *const files[] = {
        "000_74ad9d19b3ce4714.txt", "002_12939b7441be3216.txt",
        "003_fdbb837543be5c6f.txt", "004_fc73e2c017d88888.txt"};
    gzt_ner *clone;
    assert_int_equal(gzt_ner_clone(&clone, im), GZT_OK);
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[4096];
        gzt_buf t = GZT_BUF_INIT;
        snprintf(path, sizeof path, "%s/corpus/%s", src, files[f]);
        if (read_file(path, &t) != 0)
            fail_msg("cannot read %s", path);
        same_spans(m, im, (const char *)t.p, t.len);
        same_spans(m, clone, (const char *)t.p, t.len);
        gzt_buf_free(&t);
    }
    gzt_ner_free(clone);
    /* every sentence of the validation split, where it is at hand */
    const char *shared = getenv("GZT_SHARED");
    char path[4096];
    gzt_buf valid = GZT_BUF_INIT;
    snprintf(path, sizeof path, "%s/data/conll2003/eng.valid.iob2.txt.zst",
             shared ? shared : "/nonexistent");
    if (read_zst(path, &valid) == 0) {
        gzt_ner_scores x, y;
        assert_int_equal(
            gzt_ner_eval(&x, m, (const char *)valid.p, valid.len, &err),
            GZT_OK);
        assert_int_equal(
            gzt_ner_eval(&y, im, (const char *)valid.p, valid.len, &err),
            GZT_OK);
        assert_int_equal(x.tokens_correct, y.tokens_correct);
        for (int t = 0; t < GZT_NER_NTYPES; t++) {
            assert_int_equal(x.type[t].pred, y.type[t].pred);
            assert_int_equal(x.type[t].correct, y.type[t].correct);
        }
    } else {
        print_message("%s missing: the validation split is not compared\n",
                      path);
    }
    gzt_buf_free(&valid);
    gzt_ner_free(im);
    gzt_gaz_free(igaz);
    gzt_ner_free(m);
    gzt_gaz_free(gaz);
    gzt_buf_free(&b);
}

static void
test_what_is_not_a_model_image_is_refused(void **state)
{
    (void)state;
    const uint8_t *img;
    size_t len;
    assert_true(gzt_resource_get("ner.img", &img, &len));
    uint8_t *c = aligned_alloc(64, (len + 127) / 64 * 64);
    assert_non_null(c);
    memcpy(c, img, len);
    gzt_ner *m;
    gzt_error err;
    assert_int_equal(gzt_ner_from_image(&m, c, len, &err), GZT_OK);
    gzt_ner_free(m);
    assert_int_equal(gzt_ner_from_image(&m, c, len - 64, &err), GZT_ECORRUPT);
    assert_null(m);
    assert_int_equal(gzt_ner_from_image(&m, c, len + 64, &err), GZT_ECORRUPT);
    assert_int_equal(gzt_ner_from_image(&m, c + 8, len - 8, &err),
                     GZT_ECORRUPT);
    assert_int_equal(gzt_ner_from_image(&m, NULL, 0, &err), GZT_ECORRUPT);
    /* the magic, the struct size, the groups, the table sizes, the info */
    for (size_t w = 0; w < 7; w++) {
        if (w == 5)
            continue; /* fewer clusters: nothing to check */
        memcpy(c, img, len);
        c[8 * w + (w == 0 ? 0 : w == 2 ? 3 : 1)] ^= 1;
        err.code = GZT_EIO; /* a stale error is replaced */
        strcpy(err.msg, "stale");
        if (gzt_ner_from_image(&m, c, len, &err) != GZT_ECORRUPT)
            fail_msg("header word %zu changed, and the image was taken", w);
        if (!strstr(err.msg, "NER model"))
            fail_msg("word %zu: %s", w, err.msg);
    }
    free(c);
}

/* The seed articles' names the issue lists, by type. */
static const struct {
    const char *name;
    uint8_t type;
} seed_names[] = {
    {"Jalali", GZT_NER_PER},      {"Bogdanov", GZT_NER_PER},
    {"Ryabkov", GZT_NER_PER},     {"Raouf-Sheybani", GZT_NER_PER},
    {"Putin", GZT_NER_PER},       {"Lavrentiev", GZT_NER_PER},
    {"Grushko", GZT_NER_PER},     {"Araghchi", GZT_NER_PER},
    {"Pezeshkian", GZT_NER_PER},  {"Ghalibaf", GZT_NER_PER},
    {"Dzhabarov", GZT_NER_PER},   {"Lavrov", GZT_NER_PER},
    {"Abdollahian", GZT_NER_PER}, {"Baqaei", GZT_NER_PER},
    {"Duma", GZT_NER_ORG},        {"IRNA", GZT_NER_ORG},
    {"BRICS", GZT_NER_ORG},       {"Federation Council", GZT_NER_ORG},
    {"Tehran", GZT_NER_LOC},      {"Moscow", GZT_NER_LOC},
    {"Syria", GZT_NER_LOC},       {"Oman", GZT_NER_LOC},
    {"Muscat", GZT_NER_LOC},
};

static void
test_shipped_model_finds_the_seed_names(void **state)
{
    (void)state;
    const char *src = need_env("GZT_SOURCE");
    static const char *const files[] = {
        "000_74ad9d19b3ce4714.txt", "002_12939b7441be3216.txt",
        "003_fdbb837543be5c6f.txt", "004_fc73e2c017d88888.txt"};
    bool found[sizeof seed_names / sizeof *seed_names] = {false};
    gzt_gaz *gaz;
    gzt_ner *m = shipped_model(src, &gaz);
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[4096];
        gzt_buf b = GZT_BUF_INIT;
        snprintf(path, sizeof path, "%s/corpus/%s", src, files[f]);
        if (read_file(path, &b) != 0)
            fail_msg("cannot read %s", path);
        gzt_arena ar;
        gzt_arena_init(&ar, 0);
        gzt_nerspan *sp;
        size_t n;
        gzt_error err;
        assert_int_equal(
            gzt_ner_tag(m, (const char *)b.p, b.len, &ar, &sp, &n, &err),
            GZT_OK);
        /* a name counts as found when a span of its type contains it */
        for (size_t k = 0; k < n; k++) {
            const char *s = (const char *)b.p + sp[k].start;
            size_t len = sp[k].end - sp[k].start;
            for (size_t j = 0; j < sizeof seed_names / sizeof *seed_names;
                 j++) {
                size_t nl = strlen(seed_names[j].name);
                if (sp[k].type != seed_names[j].type || nl > len)
                    continue;
                for (size_t o = 0; o + nl <= len; o++)
                    if (!memcmp(s + o, seed_names[j].name, nl))
                        found[j] = true;
            }
        }
        gzt_arena_fini(&ar);
        gzt_buf_free(&b);
    }
    int missed = 0;
    for (size_t j = 0; j < sizeof seed_names / sizeof *seed_names; j++)
        if (!found[j]) {
            print_message("missed: %s as %s\n", seed_names[j].name,
                          gzt_ner_type_name(seed_names[j].type));
            missed++;
        }
    assert_int_equal(missed, 0);
    gzt_ner_free(m);
    gzt_gaz_free(gaz);
}

static void
test_shipped_model_sums_through_the_cache_exactly(void **state)
{
    (void)state;
    const char *src = need_env("GZT_SOURCE");
    gzt_gaz *gaz;
    gzt_ner *m = shipped_model(src, &gaz);
    check_sums_agree(m, 2000);
    gzt_ner_free(m);
    gzt_gaz_free(gaz);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_of_hand_cases),
        cmocka_unit_test(test_tokenizer_splits_as_conll_does),
        cmocka_unit_test(test_tokenizer_keeps_byte_offsets),
        cmocka_unit_test(test_features_name_word_context_and_cues),
        cmocka_unit_test(test_nonlocal_feature_carries_an_earlier_label),
        cmocka_unit_test(test_viterbi_finds_the_hand_computed_path),
        cmocka_unit_test(test_viterbi_never_puts_i_after_o_or_another_type),
        cmocka_unit_test(test_viterbi_equals_brute_force_with_closed_tokens),
        cmocka_unit_test(
            test_closed_tokens_are_plain_lower_case_words_and_sentence_marks),
        cmocka_unit_test(test_glue_words_close_only_after_a_closed_token),
        cmocka_unit_test(test_conlleval_counts_only_exact_spans),
        cmocka_unit_test(test_conlleval_reads_iob1_style_starts),
        cmocka_unit_test(test_malformed_iob2_is_named_by_line),
        cmocka_unit_test(test_tiny_model_learns_and_tags_raw_text),
        cmocka_unit_test(test_hostile_text_gives_well_formed_spans),
        cmocka_unit_test(test_tokenizer_ascii_shortcuts_change_nothing),
        cmocka_unit_test(
            test_tokenizer_fast_path_equals_reference_on_random_characters),
        cmocka_unit_test(test_closing_equals_its_rules_restated),
        cmocka_unit_test(test_training_is_deterministic),
        cmocka_unit_test(test_cached_sums_equal_every_row_summed),
        cmocka_unit_test(test_damaged_model_is_rejected),
        cmocka_unit_test(test_shipped_model_reproduces_its_validation_f1),
        cmocka_unit_test(
            test_the_built_in_model_image_tags_like_the_model_file),
        cmocka_unit_test(test_what_is_not_a_model_image_is_refused),
        cmocka_unit_test(test_shipped_model_finds_the_seed_names),
        cmocka_unit_test(test_shipped_model_sums_through_the_cache_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
