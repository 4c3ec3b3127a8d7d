/* SPDX-License-Identifier: MIT */
/*
 * test_engines.c: the native engine and the Xapian engine answer alike on
 * Reuters-21578.
 *
 * The corpus (../shared, decompressed into a temporary directory) is
 * indexed twice through the public API, with engine "native" and with
 * engine "xapian", entities on. About 3,300 queries are generated from the
 * documents with a fixed seed (no corpus text is kept in the tree): words
 * of every document-frequency band, OR, +/-, NOT, AND/OR groups, phrases of
 * adjacent words of a document, sloppy and reversed phrases, title:,
 * prefixes, date: filters, --all, and the entity fields person:, org:,
 * place:, misc: and entity:. Then:
 *
 *  - every query has the same exact match count on both engines, or fails
 *    on both with the same error (the prefix ceiling included: 1,024
 *    expansions for all the prefixes of a query). A phrase Xapian refuses
 *    for a word too long to index is skipped and counted. Mismatches are
 * collected; the first 20 are printed and the test fails at the end;
 *  - for single-term queries, where the two engines' BM25 differ only by a
 *    constant idf factor (same k1, b, term frequencies and lengths), the
 *    top-10 sets are equal up to ties at the cut-off (see contained());
 *  - the top-10 overlap of the two engines over every generated query is
 *    measured and printed, overall and by shape, for docs/BENCHMARKS.md;
 *    only its sanity is asserted.
 *
 * Without the shared data the tests are skipped with a message, except
 * under CI=true, where that is a failure. GZT_SANITIZE=1 runs a fifth of
 * the queries. GZT_ENGINES_TRACE=1 prints every query with both counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "gazette.h"
#include "tests/support/tmpdir.h"

#define REUTERS_DOCS 21578
#define MAX_PRINTED 20 /* mismatches printed in full */
#define QMAX 512       /* bytes of a generated query */
#define MAX_BAG 800    /* words of one document considered for a pair */

/* ---- a deterministic generator (splitmix64) ------------------------------ */

static uint64_t rng_state = 0x5eed2157813c0ffeULL;

static uint64_t
rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform in [0, n); 0 when n is 0 */
static uint32_t
rnd(uint32_t n)
{
    return n ? (uint32_t)(rng_next() % n) : 0;
}

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the documents and their vocabulary ---------------------------------- */

typedef struct text {
    char *title, *body;         /* NUL-terminated */
    size_t title_len, body_len; /* bytes */
} text;

/* a lower-cased word of 3 to 15 ASCII letters */
typedef struct word {
    char w[16];    /* NUL-terminated */
    uint32_t df;   /* documents with it (title or body) */
    uint32_t last; /* last document counted, + 1 */
    uint32_t body; /* occurrences in bodies */
    uint32_t cap;  /* of which capitalised inside a sentence, or acronyms */
} word;

enum { RARE, LOW, MID, COMMON, NBANDS };
static const char *const band_names[NBANDS] = {"rare (df 1-3)", "low (4-30)",
                                               "mid (31-500)", "common (>500)"};

typedef struct list {
    uint32_t *v; /* indices into the vocabulary */
    uint32_t n, cap;
} list;

static void
list_push(list *l, uint32_t i)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n++] = i;
}

/* ---- generated queries --------------------------------------------------- */

enum shape {
    SH_TERM,
    SH_OR,
    SH_AND,
    SH_MUST_SHOULD,
    SH_EXCLUDE,
    SH_PHRASE,
    SH_SLOPPY,
    SH_TITLE,
    SH_PREFIX,
    SH_DATE,
    SH_ALL,
    SH_GROUP,
    SH_PERSON,
    SH_ORG,
    SH_PLACE,
    SH_MISC,
    SH_ENTITY,
    NSHAPES
};

static const char *const shape_names[NSHAPES] = {
    "term",    "a b",    "+a +b",   "+a b",  "a -b",   "\"phrase\"",
    "~slop",   "title:", "prefix*", "date:", "--all",  "(groups)",
    "person:", "org:",   "place:",  "misc:", "entity:"};

typedef struct query {
    char text[QMAX]; /* the query */
    enum shape shape;
    int all; /* opts.all */
} query;

/* ---- the shared state: built once by the first test ---------------------- */

static struct {
    bool built, broken;
    char dir[64];
    char native_path[128], xapian_path[128], fts5_path[128];
    gzt_index *native, *xapian;
    gzt_fts5 *fts5; /* the benchmark peer, same analysis */
    text *docs;
    uint32_t ndocs;
    word *vocab;
    uint32_t nvocab, vcap;
    uint32_t *slots; /* hash table: vocabulary index + 1, 0 = empty */
    uint32_t nslots;
    list bands[NBANDS];
    list proper;     /* words mostly capitalised in bodies: names */
    char **names[5]; /* canonical entity names of each gzt_entity_type, most
                        documents first (only letters and spaces) */
    uint32_t nnames[5];
    query *q;
    size_t nq, qcap;
    size_t shape_count[NSHAPES];
} S;

static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

/* the vocabulary index of @p w (lower case), adding it when @p add */
static int64_t
vocab_find(const char *w, bool add)
{
    uint32_t mask = S.nslots - 1;
    for (uint32_t i = (uint32_t)fnv1a(w) & mask;; i = (i + 1) & mask) {
        uint32_t v = S.slots[i];
        if (v == 0) {
            if (!add)
                return -1;
            if (S.nvocab == S.vcap) {
                S.vcap = S.vcap ? S.vcap * 2 : 4096;
                S.vocab = realloc(S.vocab, S.vcap * sizeof *S.vocab);
                assert_non_null(S.vocab);
            }
            word *nw = &S.vocab[S.nvocab];
            memset(nw, 0, sizeof *nw);
            snprintf(nw->w, sizeof nw->w, "%s", w);
            S.slots[i] = ++S.nvocab;
            assert_true(S.nvocab < S.nslots / 2);
            return S.nvocab - 1;
        }
        if (!strcmp(S.vocab[v - 1].w, w))
            return v - 1;
    }
}

/* a maximal run of ASCII letters and digits */
typedef struct run {
    size_t start, end;
} run;

static bool
is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* the next run at or after *pos; false at the end */
static bool
next_run(const char *s, size_t len, size_t *pos, run *r)
{
    size_t i = *pos;
    while (i < len && !is_alnum(s[i]))
        i++;
    if (i >= len)
        return false;
    r->start = i;
    while (i < len && is_alnum(s[i]))
        i++;
    r->end = i;
    *pos = i;
    return true;
}

/* a run of 3 to 15 letters, lower-cased into @p out (16 bytes) */
static bool
run_word(const char *s, const run *r, char *out)
{
    size_t n = r->end - r->start;
    if (n < 3 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[r->start + i];
        if (c >= '0' && c <= '9')
            return false;
        out[i] = (char)tolower((unsigned char)c);
    }
    out[n] = '\0';
    return true;
}

/* a word the analyzer surely sees whole: blank or an opening mark before,
 * blank or closing punctuation and a blank after */
static bool
run_clean(const char *s, size_t len, const run *r)
{
    if (r->start > 0 && !is_space(s[r->start - 1]) && s[r->start - 1] != '(' &&
        s[r->start - 1] != '"')
        return false;
    if (r->end == len || is_space(s[r->end]))
        return true;
    return strchr(",.;:)\"!?", s[r->end]) &&
           (r->end + 1 == len || is_space(s[r->end + 1]));
}

/* only blanks between two runs */
static bool
runs_adjacent(const char *s, const run *a, const run *b)
{
    if (a->end >= b->start)
        return false;
    for (size_t i = a->end; i < b->start; i++)
        if (!is_space(s[i]))
            return false;
    return true;
}

/* capitalised (Xxxx) or an acronym (XXX to XXXXX) */
static bool
run_capitalised(const char *s, const run *r)
{
    size_t n = r->end - r->start;
    const char *p = s + r->start;
    if (!(p[0] >= 'A' && p[0] <= 'Z'))
        return false;
    bool lower = true, upper = true;
    for (size_t i = 1; i < n; i++) {
        lower = lower && p[i] >= 'a' && p[i] <= 'z';
        upper = upper && p[i] >= 'A' && p[i] <= 'Z';
    }
    return lower || (upper && n <= 5);
}

/* the run begins a sentence (or the text) */
static bool
run_sentence_start(const char *s, const run *r)
{
    size_t i = r->start;
    while (i > 0 && (is_space(s[i - 1]) || s[i - 1] == '"'))
        i--;
    return i == 0 || s[i - 1] == '.' || s[i - 1] == '!' || s[i - 1] == '?' ||
           s[i - 1] == ':';
}

static void
count_words(uint32_t doc, const char *s, size_t len, bool body)
{
    size_t pos = 0;
    run r;
    char w[16];
    while (next_run(s, len, &pos, &r)) {
        if (!run_word(s, &r, w))
            continue;
        int64_t at = vocab_find(w, true); /* may move the vocabulary */
        word *v = &S.vocab[at];
        if (v->last != doc + 1) {
            v->last = doc + 1;
            v->df++;
        }
        if (body) {
            v->body++;
            if (run_capitalised(s, &r) && !run_sentence_start(s, &r))
                v->cap++;
        }
    }
}

/* ---- loading the corpus -------------------------------------------------- */

/* the path of the compressed corpus, or skip() (fail under CI=true) */
static void
reuters_source(char *src, size_t cap)
{
    gzt_test_shared_data(src, cap, "reuters21578/reuters21578.jsonl.zst");
}

/* decompress @p src into memory (*len bytes, NUL-terminated) */
static char *
decompress(const char *src, size_t *len)
{
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    ZSTD_DStream *ds = ZSTD_createDStream();
    assert_non_null(ds);
    size_t cap = (size_t)32 << 20, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    static char in[1 << 17];
    size_t got, last = 0;
    while ((got = fread(in, 1, sizeof in, f)) > 0) {
        ZSTD_inBuffer ib = {in, got, 0};
        while (ib.pos < ib.size) {
            if (cap - n < (1 << 20)) {
                cap *= 2;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            ZSTD_outBuffer ob = {out + n, cap - n - 1, 0};
            last = ZSTD_decompressStream(ds, &ob, &ib);
            if (ZSTD_isError(last))
                fail_msg("%s: %s", src, ZSTD_getErrorName(last));
            n += ob.pos;
        }
    }
    assert_int_equal(last, 0); /* a complete frame */
    ZSTD_freeDStream(ds);
    fclose(f);
    out[n] = '\0';
    *len = n;
    return out;
}

static char *
json_text(json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    *len = json_is_string(v) ? json_string_length(v) : 0;
    char *p = malloc(*len + 1);
    assert_non_null(p);
    memcpy(p, s, *len);
    p[*len] = '\0';
    return p;
}

static void
parse_docs(const char *data, size_t len)
{
    S.docs = calloc(REUTERS_DOCS + 1, sizeof *S.docs);
    assert_non_null(S.docs);
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - data) : len;
        if (end > off) {
            json_error_t jerr;
            json_t *o = json_loadb(data + off, end - off, 0, &jerr);
            if (!o)
                fail_msg("corpus line %u: %s", S.ndocs + 1, jerr.text);
            assert_true(S.ndocs < REUTERS_DOCS);
            text *t = &S.docs[S.ndocs++];
            t->title = json_text(o, "title", &t->title_len);
            t->body = json_text(o, "body", &t->body_len);
            json_decref(o);
        }
        off = end + 1;
    }
    assert_int_equal(S.ndocs, REUTERS_DOCS);
}

static void
build_vocab(void)
{
    S.nslots = 1u << 18;
    S.slots = calloc(S.nslots, sizeof *S.slots);
    assert_non_null(S.slots);
    for (uint32_t d = 0; d < S.ndocs; d++) {
        count_words(d, S.docs[d].title, S.docs[d].title_len, false);
        count_words(d, S.docs[d].body, S.docs[d].body_len, true);
    }
    for (uint32_t i = 0; i < S.nvocab; i++) {
        const word *v = &S.vocab[i];
        int band = v->df <= 3     ? RARE
                   : v->df <= 30  ? LOW
                   : v->df <= 500 ? MID
                                  : COMMON;
        list_push(&S.bands[band], i);
        if (v->body >= 3 && v->cap * 10 >= v->body * 8)
            list_push(&S.proper, i);
    }
    for (int b = 0; b < NBANDS; b++)
        assert_true(S.bands[b].n > 50);
    assert_true(S.proper.n > 500);
}

static void
build_index(const char *path, const char *engine, const char *jsonl,
            gzt_index **out)
{
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    wo.engine = engine;
    gzt_error err = {0};
    gzt_writer *w = NULL;
    if (gzt_writer_open(&w, path, &wo, &err))
        fail_msg("gzt_writer_open(%s, %s): %s", path, engine, err.msg);
    gzt_ingest_stats st = {0};
    if (gzt_writer_add_path(w, jsonl, NULL, &st, &err))
        fail_msg("gzt_writer_add_path (%s): %s", engine, err.msg);
    assert_int_equal(st.added, REUTERS_DOCS);
    assert_int_equal(st.errors, 0);
    if (gzt_writer_commit(w, &err))
        fail_msg("gzt_writer_commit (%s): %s", engine, err.msg);
    gzt_writer_close(w);
    if (gzt_index_open(out, path, &err))
        fail_msg("gzt_index_open(%s): %s", path, err.msg);
    gzt_stats st2;
    assert_int_equal(gzt_index_stats(*out, &st2), GZT_OK);
    assert_int_equal(st2.docs, REUTERS_DOCS);
    assert_string_equal(st2.engine, engine);
    assert_int_equal(st2.entities, 1);
}

/* ---- query generation ---------------------------------------------------- */

static void add(enum shape shape, int all, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add(enum shape shape, int all, const char *fmt, ...)
{
    if (S.nq == S.qcap) {
        S.qcap = S.qcap ? S.qcap * 2 : 4096;
        S.q = realloc(S.q, S.qcap * sizeof *S.q);
        assert_non_null(S.q);
    }
    query *q = &S.q[S.nq++];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->text, sizeof q->text, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && n < QMAX);
    q->shape = shape;
    q->all = all;
    S.shape_count[shape]++;
}

static const char *
band_word(int band)
{
    const list *l = &S.bands[band];
    return S.vocab[l->v[rnd(l->n)]].w;
}

/* a word of any band: rare 15%, low 25%, mid 35%, common 25% */
static const char *
any_word(void)
{
    uint32_t p = rnd(100);
    return band_word(p < 15 ? RARE : p < 40 ? LOW : p < 75 ? MID : COMMON);
}

static const char *
proper_word(void)
{
    return S.vocab[S.proper.v[rnd(S.proper.n)]].w;
}

/* a random document with a body of some length */
static const text *
any_doc(void)
{
    for (;;) {
        const text *t = &S.docs[rnd(S.ndocs)];
        if (t->body_len >= 200)
            return t;
    }
}

/* the words of one random document */
typedef struct bag {
    const char *w[MAX_BAG];
    uint32_t n;
} bag;

static void
doc_bag(bag *b)
{
    do {
        const text *t = any_doc();
        size_t pos = 0;
        run r;
        char w[16];
        b->n = 0;
        while (b->n < MAX_BAG && next_run(t->body, t->body_len, &pos, &r))
            if (run_word(t->body, &r, w))
                b->w[b->n++] = S.vocab[vocab_find(w, false)].w;
    } while (b->n < 5);
}

/* a word of the bag; 70% of the time one in at most 3,000 documents when
 * a few tries find one */
static const char *
bag_word(const bag *b)
{
    const char *w = b->w[rnd(b->n)];
    if (rnd(10) < 7)
        for (int i = 0; i < 8; i++) {
            const char *c = b->w[rnd(b->n)];
            if (S.vocab[vocab_find(c, false)].df <= 3000)
                return c;
        }
    return w;
}

/* two words of one document in @p a, @p b (half the time), else of any
 * documents */
static void
pair(const char **a, const char **b)
{
    if (rnd(2)) {
        bag g;
        doc_bag(&g);
        *a = bag_word(&g);
        *b = bag_word(&g);
    } else {
        *a = any_word();
        *b = any_word();
    }
}

/*
 * @p n consecutive clean words (run_clean, only blanks between them) of a
 * random document's body (or title), lower-cased unless @p keep_case, into
 * @p out[i] (16 bytes each); with @p names, only capitalised words that are
 * mostly capitalised in the corpus, the first not at a sentence start.
 */
static void
doc_words(char (*out)[16], uint32_t n, bool title, bool names, bool keep_case)
{
    assert_true(n >= 1 && n <= 8);
    for (int attempt = 0; attempt < 100000; attempt++) {
        const text *t = title ? &S.docs[rnd(S.ndocs)] : any_doc();
        const char *s = title ? t->title : t->body;
        size_t len = title ? t->title_len : t->body_len;
        if (len < 10)
            continue;
        size_t pos = title ? 0 : rnd((uint32_t)len);
        while (pos > 0 && pos < len && !is_space(s[pos]))
            pos++; /* from the next word on */
        run rs[8] = {{0, 0}}, r;
        uint32_t have = 0;
        char w[16];
        while (next_run(s, len, &pos, &r)) {
            bool ok = run_word(s, &r, w) && run_clean(s, len, &r);
            if (ok && names) {
                int64_t v = vocab_find(w, false);
                ok = run_capitalised(s, &r) && v >= 0 &&
                     S.vocab[v].cap * 10 >= S.vocab[v].body * 8 &&
                     (have > 0 || !run_sentence_start(s, &r));
            }
            if (!ok) {
                have = 0;
                continue;
            }
            if (have > 0 && !runs_adjacent(s, &rs[have - 1], &r))
                have = 0;
            if (have == n) {
                memmove(rs, rs + 1, (n - 1) * sizeof *rs);
                have--;
            }
            rs[have++] = r;
            if (have == n && rnd(3) == 0)
                break; /* not always the first window */
        }
        if (have < n)
            continue;
        for (uint32_t i = 0; i < n; i++) {
            size_t l = rs[i].end - rs[i].start;
            memcpy(out[i], s + rs[i].start, l);
            out[i][l] = '\0';
            if (!keep_case)
                for (size_t j = 0; j < l; j++)
                    out[i][j] = (char)tolower((unsigned char)out[i][j]);
        }
        return;
    }
    fail_msg("no %u adjacent words found", n);
}

/* a prefix of 3 to 5 letters (@p lo to @p hi) of @p w into @p out */
static void
prefix_of(const char *w, uint32_t lo, uint32_t hi, char *out)
{
    size_t n = lo + rnd(hi - lo + 1);
    if (n > strlen(w))
        n = strlen(w);
    memcpy(out, w, n);
    out[n] = '\0';
}

/* ---- entity names, from the facets of the native index ----------------- */

/* letters and single spaces, 3 to 60 bytes */
static bool
name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 60 || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] == ' ' && s[i + 1] != ' ')))
            return false;
    return true;
}

static void
load_names(void)
{
    for (int t = GZT_ENTITY_PER; t <= GZT_ENTITY_MISC; t++) {
        gzt_facets *f = NULL;
        gzt_error err = {0};
        if (gzt_index_entities(&f, S.native, NULL, NULL, t, 0, &err))
            fail_msg("gzt_index_entities: %s", err.msg);
        size_t n = gzt_facets_count(f);
        S.names[t] = calloc(n + 1, sizeof *S.names[t]);
        assert_non_null(S.names[t]);
        for (size_t i = 0; i < n; i++) {
            const gzt_facet *x = gzt_facets_get(f, i);
            assert_non_null(x);
            assert_int_equal(x->type, t);
            if (name_ok(x->canonical)) {
                S.names[t][S.nnames[t]] = strdup(x->canonical);
                assert_non_null(S.names[t][S.nnames[t]++]);
            }
        }
        gzt_facets_free(f);
        assert_true(S.nnames[t] > 20);
    }
}

/* a canonical name of type @p t: half the time of the 200 in most
 * documents, else of all */
static const char *
entity_name(int t)
{
    uint32_t n = S.nnames[t];
    return S.names[t][rnd(rnd(2) && n > 200 ? 200 : n)];
}

/* a word of 3 to 15 letters of a name of type @p t, lower-cased */
static void
entity_word(int t, char *out)
{
    for (;;) {
        const char *s = entity_name(t);
        size_t len = strlen(s), pos = 0, k = 0;
        run r, rs[16];
        while (k < 16 && next_run(s, len, &pos, &r))
            if (run_word(s, &r, out))
                rs[k++] = r;
        if (k && run_word(s, &rs[rnd((uint32_t)k)], out))
            return;
    }
}

/* ---- dates of 1987 (the corpus runs from 26 February to 20 October) ----- */

static const int mdays[13] = {0,  31, 28, 31, 30, 31, 30,
                              31, 31, 30, 31, 30, 31};

/* day @p doy (1-based) of 1987 as YYYY-MM-DD */
static void
day_of(int doy, char *out, size_t cap)
{
    int m = 1;
    while (doy > mdays[m]) {
        doy -= mdays[m];
        m++;
    }
    snprintf(out, cap, "1987-%02u-%02u", (unsigned)m % 13u,
             (unsigned)doy % 32u);
}

static void
rand_day(char *out, size_t cap)
{
    day_of(50 + (int)rnd(250), out, cap); /* 19 February to 27 October */
}

static void
rand_range(char *out, size_t cap)
{
    int a = 50 + (int)rnd(250), b = a + (int)rnd(31);
    char x[16], y[16];
    day_of(a, x, sizeof x);
    day_of(b, y, sizeof y);
    snprintf(out, cap, "%s..%s", x, y);
}

static void
rand_month(char *out, size_t cap)
{
    snprintf(out, cap, "1987-%02d", 2 + (int)rnd(9));
}

/* ---- the generated set --------------------------------------------------- */

static void
gen_terms(size_t n)
{
    /* 1/6 rare, 1/4 low, 1/3 mid, 1/4 common */
    for (size_t i = 0; i < n; i++) {
        size_t k = i * 12 / n;
        int band = k < 2 ? RARE : k < 5 ? LOW : k < 9 ? MID : COMMON;
        add(SH_TERM, 0, "%s", band_word(band));
    }
}

static void
gen_booleans(size_t n)
{
    const char *a, *b, *c;
    for (size_t i = 0; i < n; i++) {
        pair(&a, &b);
        add(SH_OR, 0, "%s %s", a, b);
    }
    for (size_t i = 0; i < n; i++) {
        pair(&a, &b);
        if (i % 4 == 3)
            add(SH_AND, 0, "+%s +%s +%s", a, b, any_word());
        else
            add(SH_AND, 0, "+%s +%s", a, b);
    }
    for (size_t i = 0; i < n * 4 / 5; i++) {
        pair(&a, &b);
        if (i % 3 == 2)
            add(SH_MUST_SHOULD, 0, "+%s %s %s", a, b, any_word());
        else
            add(SH_MUST_SHOULD, 0, "+%s %s", a, b);
    }
    for (size_t i = 0; i < n * 4 / 5; i++) {
        pair(&a, &b);
        c = any_word();
        switch (i % 5) {
        case 0:
        case 1:
            add(SH_EXCLUDE, 0, "%s -%s", a, b);
            break;
        case 2:
            add(SH_EXCLUDE, 0, "%s %s -%s", a, c, b);
            break;
        case 3:
            add(SH_EXCLUDE, 0, "-%s", a);
            break;
        default:
            add(SH_EXCLUDE, 0, "+%s -%s -%s", a, b, c);
            break;
        }
    }
}

static void
gen_phrases(size_t n)
{
    char w[8][16];
    for (size_t i = 0; i < n; i++) {
        switch (i % 6) {
        case 0:
        case 1:
        case 2:
            doc_words(w, 2, false, false, false);
            add(SH_PHRASE, 0, "\"%s %s\"", w[0], w[1]);
            break;
        case 3:
            doc_words(w, 3, false, false, false);
            add(SH_PHRASE, 0, "\"%s %s %s\"", w[0], w[1], w[2]);
            break;
        case 4:
            doc_words(w, 2, false, false, false);
            add(SH_PHRASE, 0, "+\"%s %s\" %s", w[0], w[1], any_word());
            break;
        default:
            doc_words(w, 2, false, false, false);
            add(SH_PHRASE, 0, "\"%s %s\" -%s", w[0], w[1], any_word());
            break;
        }
    }
    /* sloppy: words @p gap positions apart in a document, slops around
     * what they need, in order and reversed */
    for (size_t i = 0; i < n * 2 / 3; i++) {
        uint32_t gap = 1 + rnd(4);
        doc_words(w, gap + 1, false, false, false);
        int need = (int)gap - 1,
            slops[4] = {need - 1, need, need + 1, need + 3};
        int slop = slops[rnd(4)];
        if (slop < 0)
            slop = 0;
        switch (i % 4) {
        case 0:
        case 1:
            add(SH_SLOPPY, 0, "\"%s %s\"~%d", w[0], w[gap], slop);
            break;
        case 2:
            add(SH_SLOPPY, 0, "\"%s %s\"~%u", w[gap], w[0], rnd(9));
            break;
        default:
            if (gap >= 2)
                add(SH_SLOPPY, 0, "\"%s %s %s\"~%d", w[0], w[1], w[gap], slop);
            else
                add(SH_SLOPPY, 0, "\"%s %s\"~%u +%s", w[0], w[1], rnd(4),
                    any_word());
            break;
        }
    }
}

static void
gen_titles(size_t n)
{
    char w[8][16];
    for (size_t i = 0; i < n; i++) {
        switch (i % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
            doc_words(w, 1, true, false, false);
            add(SH_TITLE, 0, "title:%s", w[0]);
            break;
        case 4:
        case 5:
            doc_words(w, 2, true, false, false);
            add(SH_TITLE, 0, "title:\"%s %s\"", w[0], w[1]);
            break;
        case 6:
            doc_words(w, 1, true, false, false);
            add(SH_TITLE, 0, "title:%s %s", w[0], any_word());
            break;
        case 7:
            doc_words(w, 1, true, false, false);
            add(SH_TITLE, 0, "%s -title:%s", any_word(), w[0]);
            break;
        case 8:
            doc_words(w, 2, true, false, false);
            add(SH_TITLE, 0, "title:(%s %s)", w[0], w[1]);
            break;
        default:
            doc_words(w, 2, true, false, false);
            add(SH_TITLE, 0, "title:(%s -%s)", w[0], w[1]);
            break;
        }
    }
}

static void
gen_prefixes(size_t n)
{
    char p[16], p2[16];
    for (size_t i = 0; i < n; i++) {
        switch (i % 20) {
        case 16:
            prefix_of(any_word(), 3, 5, p);
            add(SH_PREFIX, 0, "title:%s*", p);
            break;
        case 17:
            prefix_of(any_word(), 3, 5, p);
            add(SH_PREFIX, 0, "+%s* +%s", p, any_word());
            break;
        case 18:
            /* two short prefixes: several hundred expansions each */
            prefix_of(any_word(), 2, 2, p);
            prefix_of(any_word(), 2, 2, p2);
            add(SH_PREFIX, 0, "%s* %s*", p, p2);
            break;
        case 19:
            prefix_of(any_word(), 2, 2, p);
            add(SH_PREFIX, 0, "%s*", p);
            break;
        default:
            prefix_of(any_word(), 3, 5, p);
            add(SH_PREFIX, 0, "%s*", p);
            break;
        }
    }
}

static void
gen_dates(size_t n)
{
    char d[48], e[48], w[8][16];
    const char *a, *b;
    for (size_t i = 0; i < n; i++) {
        pair(&a, &b);
        switch (i % 10) {
        case 0:
            rand_month(d, sizeof d);
            add(SH_DATE, 0, "+%s +date:%s", a, d);
            break;
        case 1:
            rand_range(d, sizeof d);
            add(SH_DATE, 0, "%s date:%s", a, d);
            break;
        case 2:
            rand_month(d, sizeof d);
            add(SH_DATE, 0, "+%s -date:%s", a, d);
            break;
        case 3:
            rand_day(d, sizeof d);
            if (i % 20 == 3)
                add(SH_DATE, 0, "date:%s", d);
            else /* the compact form */
                add(SH_DATE, 0, "date:%.4s%.2s%.2s %s", d, d + 5, d + 8, a);
            break;
        case 4:
            rand_month(d, sizeof d);
            rand_month(e, sizeof e);
            if (strcmp(d, e) > 0) {
                char t[48];
                memcpy(t, d, sizeof t);
                memcpy(d, e, sizeof d);
                memcpy(e, t, sizeof e);
            }
            doc_words(w, 2, false, false, false);
            add(SH_DATE, 0, "\"%s %s\" date:%s..%s", w[0], w[1], d, e);
            break;
        case 5:
            rand_day(d, sizeof d);
            add(SH_DATE, 0, "%s OR date:%s", a, d);
            break;
        case 6:
            rand_day(d, sizeof d);
            add(SH_DATE, 0, "%s date:..%s", a, d);
            break;
        case 7:
            rand_day(d, sizeof d);
            add(SH_DATE, 0, "%s %s date:%s..", a, b, d);
            break;
        case 8:
            rand_range(d, sizeof d);
            add(SH_DATE, 0, "(%s OR %s) date:%s", a, b, d);
            break;
        default:
            rand_month(d, sizeof d);
            add(SH_DATE, 0, "date:%s -%s", d, a);
            break;
        }
    }
}

static void
gen_all(size_t n)
{
    char w[8][16];
    const char *a, *b;
    for (size_t i = 0; i < n; i++) {
        pair(&a, &b);
        switch (i % 6) {
        case 0:
        case 1:
            add(SH_ALL, 1, "%s %s", a, b);
            break;
        case 2:
            add(SH_ALL, 1, "%s %s %s", a, b, any_word());
            break;
        case 3:
            doc_words(w, 2, false, false, false);
            add(SH_ALL, 1, "%s \"%s %s\"", a, w[0], w[1]);
            break;
        case 4:
            add(SH_ALL, 1, "%s %s -%s", a, b, any_word());
            break;
        default:
            add(SH_ALL, 1, "%s OR %s %s", a, b, any_word());
            break;
        }
    }
}

static void
gen_groups(size_t n)
{
    const char *a, *b, *c, *d;
    for (size_t i = 0; i < n; i++) {
        pair(&a, &b);
        pair(&c, &d);
        switch (i % 10) {
        case 0:
            add(SH_GROUP, 0, "(%s OR %s) -%s", a, b, c);
            break;
        case 1:
            add(SH_GROUP, 0, "(%s OR %s) AND %s", a, c, b);
            break;
        case 2:
            add(SH_GROUP, 0, "+(%s %s) -(%s %s)", a, b, c, d);
            break;
        case 3:
            add(SH_GROUP, 0, "%s AND (%s OR NOT %s)", a, b, c);
            break;
        case 4:
            add(SH_GROUP, 0, "(%s AND %s) OR (%s AND %s)", a, b, c, d);
            break;
        case 5:
            add(SH_GROUP, 0, "NOT %s", a);
            break;
        case 6:
            add(SH_GROUP, 0, "%s && %s || %s", a, b, c);
            break;
        case 7:
            add(SH_GROUP, 0, "!%s %s", a, b);
            break;
        case 8:
            add(SH_GROUP, 0, "((%s OR %s) AND (%s OR %s)) -%s", a, c, b, d,
                any_word());
            break;
        default:
            add(SH_GROUP, 0, "%s OR NOT %s", a, b);
            break;
        }
    }
}

/*
 * The entity fields: values are capitalised words of the bodies and pairs
 * of them (which may name no entity of the type, or none at all), and
 * names and words of names the tagger recognised (from the facets).
 */
static void
gen_fields(size_t n)
{
    static const char *const fields[5] = {"", "person", "org", "place", "misc"};
    static const enum shape shapes[5] = {SH_TERM, SH_PERSON, SH_ORG, SH_PLACE,
                                         SH_MISC};
    char w[8][16], p[16], x[16];
    for (int t = GZT_ENTITY_PER; t <= GZT_ENTITY_MISC; t++)
        for (size_t i = 0; i < (t == GZT_ENTITY_MISC ? n / 2 : n); i++) {
            const char *fl = fields[t];
            switch (i % 8) {
            case 0:
                add(shapes[t], 0, "%s:%s", fl, proper_word());
                break;
            case 1:
                doc_words(w, 2, false, true, false);
                add(shapes[t], 0, "%s:\"%s %s\"", fl, w[0], w[1]);
                break;
            case 2:
            case 3:
                entity_word(t, x);
                add(shapes[t], 0, "%s:%s", fl, x);
                break;
            case 4:
                add(shapes[t], 0, "%s:\"%s\"", fl, entity_name(t));
                break;
            case 5:
                entity_word(t, x);
                add(shapes[t], 0, "+%s:%s +%s", fl, x, any_word());
                break;
            case 6:
                entity_word(t, x);
                add(shapes[t], 0, "%s:%s -%s:%s", fl, x,
                    fields[1 + (t + (int)rnd(3)) % 4], proper_word());
                break;
            default:
                entity_word(t, x);
                prefix_of(x, 3, 5, p);
                add(shapes[t], 0, "%s:%s*", fl, p);
                break;
            }
        }
    char cap[16];
    for (size_t i = 0; i < n * 3 / 2; i++) {
        int t = GZT_ENTITY_PER + (int)rnd(4);
        switch (i % 8) {
        case 0:
            doc_words(w, 2, false, true, true);
            add(SH_ENTITY, 0, "entity:\"%s %s\"", w[0], w[1]);
            break;
        case 1:
        case 2:
            add(SH_ENTITY, 0, "entity:\"%s\"", entity_name(t));
            break;
        case 3:
            snprintf(cap, sizeof cap, "%s", proper_word());
            cap[0] = (char)toupper((unsigned char)cap[0]);
            add(SH_ENTITY, 0, "entity:\"%s\"", cap);
            break;
        case 4:
            prefix_of(proper_word(), 3, 5, p);
            add(SH_ENTITY, 0, "entity:%s*", p);
            break;
        case 5:
            add(SH_ENTITY, 0, "+entity:\"%s\" %s", entity_name(t), any_word());
            break;
        case 6:
            add(SH_ENTITY, 0, "entity:\"%s\" -%s", entity_name(t), any_word());
            break;
        default:
            doc_words(w, 2, false, true, true);
            add(SH_ENTITY, 0, "entity:\"%s %s\" %s", w[0], w[1], any_word());
            break;
        }
    }
}

/* about 3,300 queries; a fifth under GZT_SANITIZE=1 */
static void
generate(void)
{
    const char *san = getenv("GZT_SANITIZE");
    size_t div = san && !strcmp(san, "1") ? 5 : 1;
    gen_terms(300 / div);
    gen_booleans(250 / div);
    gen_phrases(300 / div);
    gen_titles(200 / div);
    gen_prefixes(200 / div);
    gen_dates(250 / div);
    gen_all(200 / div);
    gen_groups(250 / div);
    gen_fields(100 / div);
}

/* ---- building everything once -------------------------------------------- */

static void
ensure_built(void)
{
    if (S.broken)
        fail_msg("the shared setup failed in an earlier test");
    if (S.built)
        return;
    char src[4096];
    reuters_source(src, sizeof src);
    S.broken = true; /* until the end of this function */
    double t0 = now_s();
    gzt_test_tmpdir_new(S.dir, "engines");
    size_t len;
    char *data = decompress(src, &len);
    char jsonl[128];
    snprintf(jsonl, sizeof jsonl, "%s/reuters.jsonl", S.dir);
    FILE *f = fopen(jsonl, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    parse_docs(data, len);
    free(data);
    build_vocab();
    double t1 = now_s();
    snprintf(S.native_path, sizeof S.native_path, "%s/native.idx", S.dir);
    snprintf(S.xapian_path, sizeof S.xapian_path, "%s/xapian.idx", S.dir);
    build_index(S.native_path, "native", jsonl, &S.native);
    double t2 = now_s();
    build_index(S.xapian_path, "xapian", jsonl, &S.xapian);
    double t3 = now_s();
    snprintf(S.fts5_path, sizeof S.fts5_path, "%s/fts5.db", S.dir);
    const char *srcs[1] = {jsonl};
    gzt_error ferr = {0};
    if (gzt_fts5_build(S.fts5_path, srcs, 1, NULL, "english", NULL, &ferr) ||
        gzt_fts5_open(&S.fts5, S.fts5_path, &ferr))
        fail_msg("fts5: %s", ferr.msg);
    load_names();
    generate();
    double t4 = now_s();
    printf("engines: corpus read and vocabulary (%u words) in %.2f s; "
           "native index %.2f s, xapian index %.2f s; %zu queries generated "
           "in %.2f s\n",
           S.nvocab, t1 - t0, t2 - t1, t3 - t2, S.nq, t4 - t3);
    for (int b = 0; b < NBANDS; b++)
        printf("engines:   band %-14s %6u words\n", band_names[b],
               S.bands[b].n);
    fflush(stdout);
    S.broken = false;
    S.built = true;
}

static int
teardown(void **state)
{
    (void)state;
    gzt_index_close(S.native);
    gzt_index_close(S.xapian);
    gzt_fts5_close(S.fts5);
    if (S.dir[0])
        gzt_test_tmpdir_remove(S.dir);
    for (uint32_t d = 0; d < S.ndocs; d++) {
        free(S.docs[d].title);
        free(S.docs[d].body);
    }
    free(S.docs);
    free(S.vocab);
    free(S.slots);
    for (int b = 0; b < NBANDS; b++)
        free(S.bands[b].v);
    free(S.proper.v);
    for (int t = 0; t < 5; t++) {
        for (uint32_t i = 0; i < S.nnames[t]; i++)
            free(S.names[t][i]);
        free(S.names[t]);
    }
    free(S.q);
    memset(&S, 0, sizeof S);
    return 0;
}

/* ---- searching ----------------------------------------------------------- */

typedef struct outcome {
    int rc;         /* of gzt_search */
    uint64_t total; /* exact matches when rc is GZT_OK */
    char msg[512];  /* the error */
} outcome;

static outcome
count(gzt_index *idx, const query *q)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.count_only = 1;
    o.all = q->all;
    gzt_results *r = NULL;
    gzt_error err = {0};
    outcome out = {0, 0, ""};
    out.rc = gzt_search(&r, idx, q->text, &o, &err);
    if (out.rc == GZT_OK) {
        out.total = gzt_results_total(r);
        gzt_results_free(r);
    } else {
        snprintf(out.msg, sizeof out.msg, "%s", err.msg);
    }
    return out;
}

typedef struct hitv {
    char id[24];  /* external id */
    double score; /* BM25 */
} hitv;

/* the @p k best hits of @p q on @p idx into @p out (*n of them) */
static int
top(gzt_index *idx, const query *q, size_t k, hitv *out, size_t *n,
    uint64_t *total, gzt_error *err)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = k;
    o.all = q->all;
    gzt_results *r = NULL;
    int rc = gzt_search(&r, idx, q->text, &o, err);
    *n = 0;
    *total = 0;
    if (rc)
        return rc;
    *total = gzt_results_total(r);
    *n = gzt_results_count(r);
    assert_true(*n <= k);
    for (size_t i = 0; i < *n; i++) {
        gzt_hit h;
        assert_int_equal(gzt_results_hit(r, i, &h), GZT_OK);
        assert_true(strlen(h.id) < sizeof out[i].id);
        snprintf(out[i].id, sizeof out[i].id, "%s", h.id);
        out[i].score = h.score;
    }
    gzt_results_free(r);
    return GZT_OK;
}

static bool
has_id(const hitv *h, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(h[i].id, id))
            return true;
    return false;
}

/* the score and 1-based rank of document @p id for @p q on @p idx (whose
 * @p total matches include it); false when it is not among them */
static bool
score_of(gzt_index *idx, const query *q, uint64_t total, const char *id,
         double *score, size_t *rank)
{
    size_t k = total < 200 ? (size_t)total : 200;
    for (int round = 0; round < 2; round++) {
        hitv *h = malloc((k ? k : 1) * sizeof *h);
        assert_non_null(h);
        size_t n;
        uint64_t t;
        gzt_error err = {0};
        if (top(idx, q, k, h, &n, &t, &err))
            fail_msg("%s: %s", q->text, err.msg);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(h[i].id, id)) {
                *score = h[i].score;
                *rank = i + 1;
                free(h);
                return true;
            }
        free(h);
        k = total < (1u << 20) ? (size_t)total : 1u << 20;
    }
    return false;
}

/* ---- 1. match counts ----------------------------------------------------- */

typedef struct report {
    size_t n;                            /* mismatches */
    char lines[MAX_PRINTED][QMAX + 600]; /* the first ones */
} report;

static void mismatch(report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mismatch(report *rep, const char *fmt, ...)
{
    if (rep->n < MAX_PRINTED) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rep->lines[rep->n], sizeof rep->lines[rep->n], fmt, ap);
        va_end(ap);
    }
    rep->n++;
}

static void
fail_report(const report *rep, const char *what, size_t of)
{
    if (!rep->n)
        return;
    for (size_t i = 0; i < rep->n && i < MAX_PRINTED; i++)
        printf("MISMATCH %s\n", rep->lines[i]);
    if (rep->n > MAX_PRINTED)
        printf("... and %zu more\n", rep->n - MAX_PRINTED);
    fflush(stdout);
    fail_msg("%zu of %zu queries: %s", rep->n, of, what);
}

static void
test_match_counts_are_equal(void **state)
{
    (void)state;
    ensure_built();
    static report rep;
    memset(&rep, 0, sizeof rep);
    size_t matched[NSHAPES] = {0}, errors[NSHAPES] = {0};
    size_t toobig_both = 0, refused_long = 0;
    size_t other_both = 0;
    const char *tr = getenv("GZT_ENGINES_TRACE");
    bool trace = tr && !strcmp(tr, "1");
    double t0 = now_s();
    for (size_t i = 0; i < S.nq; i++) {
        const query *q = &S.q[i];
        outcome a = count(S.native, q), b = count(S.xapian, q);
        if (trace)
            printf("%s%s\t%d %llu\t%d %llu\n", q->all ? "--all " : "", q->text,
                   a.rc, (unsigned long long)a.total, b.rc,
                   (unsigned long long)b.total);
        if (a.rc == GZT_OK && b.rc == GZT_OK) {
            if (a.total != b.total)
                mismatch(&rep, "[%s] %s%s: native %llu, xapian %llu",
                         shape_names[q->shape], q->all ? "--all " : "", q->text,
                         (unsigned long long)a.total,
                         (unsigned long long)b.total);
            else if (a.total)
                matched[q->shape]++;
        } else if (a.rc == b.rc) {
            errors[q->shape]++;
            if (a.rc == GZT_ETOOBIG)
                toobig_both++;
            else
                other_both++;
        } else if (a.rc == GZT_OK && b.rc == GZT_EINVAL &&
                   strstr(b.msg, "too long to index")) {
            refused_long++;
        } else {
            mismatch(&rep,
                     "[%s] %s%s: native %s (%d) %llu \"%s\", xapian %s (%d) "
                     "%llu \"%s\"",
                     shape_names[q->shape], q->all ? "--all " : "", q->text,
                     gzt_strerror(a.rc), a.rc, (unsigned long long)a.total,
                     a.msg, gzt_strerror(b.rc), b.rc,
                     (unsigned long long)b.total, b.msg);
        }
    }
    double t1 = now_s();
    printf("engines: %zu queries counted on both engines in %.2f s\n", S.nq,
           t1 - t0);
    printf("engines:   %-9s %7s %9s %7s\n", "shape", "queries", "matching",
           "errors");
    for (int s = 0; s < NSHAPES; s++)
        printf("engines:   %-9s %7zu %9zu %7zu\n", shape_names[s],
               S.shape_count[s], matched[s], errors[s]);
    printf("engines: GZT_ETOOBIG on both %zu; other errors on both %zu; "
           "phrases xapian refuses (skipped) %zu\n",
           toobig_both, other_both, refused_long);
    fflush(stdout);
    /* the set means something: most queries match, few fail */
    size_t m = 0, e = 0;
    for (int s = 0; s < NSHAPES; s++) {
        m += matched[s];
        e += errors[s];
    }
    assert_true(m * 10 >= S.nq * 7);
    assert_true(e * 50 <= S.nq);
    fail_report(&rep, "the native and xapian match counts differ", S.nq);
}

/* The FTS5 peer of gazette bench counts what the native engine counts, for
 * every query it can say (no dates, entity fields, sloppy phrases, --all,
 * or matches of everything); what it refuses is GZT_EINVAL, and only for
 * those shapes. */
static void
test_fts5_peer_counts_are_equal(void **state)
{
    (void)state;
    ensure_built();
    static report rep;
    memset(&rep, 0, sizeof rep);
    size_t compared[NSHAPES] = {0}, refused[NSHAPES] = {0};
    double t0 = now_s();
    for (size_t i = 0; i < S.nq; i++) {
        const query *q = &S.q[i];
        if (q->all)
            continue; /* the peer parses without --all */
        outcome a = count(S.native, q);
        if (a.rc != GZT_OK)
            continue;
        uint64_t n = 0;
        gzt_error err = {0};
        int rc = gzt_fts5_search(S.fts5, q->text, 0, 0, &n, &err);
        if (rc == GZT_EINVAL && strstr(err.msg, "not available on the fts5")) {
            refused[q->shape]++;
            bool may = q->shape == SH_SLOPPY || q->shape == SH_DATE ||
                       q->shape >= SH_PERSON || q->shape == SH_GROUP ||
                       q->shape == SH_EXCLUDE || q->shape == SH_PHRASE;
            if (!may)
                mismatch(&rep, "[%s] %s: fts5 refused: %s",
                         shape_names[q->shape], q->text, err.msg);
            continue;
        }
        if (rc != GZT_OK) {
            mismatch(&rep, "[%s] %s: fts5 %s: %s", shape_names[q->shape],
                     q->text, gzt_strerror(rc), err.msg);
            continue;
        }
        compared[q->shape]++;
        if (n != a.total)
            mismatch(&rep, "[%s] %s: native %llu, fts5 %llu",
                     shape_names[q->shape], q->text,
                     (unsigned long long)a.total, (unsigned long long)n);
    }
    printf("engines: fts5 peer counted in %.2f s\n", now_s() - t0);
    printf("engines:   %-9s %9s %8s\n", "shape", "compared", "refused");
    size_t total = 0;
    for (int sh = 0; sh < NSHAPES; sh++) {
        printf("engines:   %-9s %9zu %8zu\n", shape_names[sh], compared[sh],
               refused[sh]);
        total += compared[sh];
    }
    fflush(stdout);
    /* the shapes FTS5 can say were nearly all compared */
    static const enum shape said[] = {SH_TERM,   SH_OR,    SH_AND,
                                      SH_PHRASE, SH_TITLE, SH_PREFIX};
    for (size_t k = 0; k < sizeof said / sizeof *said; k++)
        assert_true(compared[said[k]] * 10 >= S.shape_count[said[k]] * 9);
    assert_true(total * 2 >= S.nq);
    fail_report(&rep, "the native and fts5 match counts differ", total);
}

/* ---- 2. single-term top-10 ----------------------------------------------- */

typedef struct top_stats {
    size_t queries;     /* single-term queries compared */
    size_t same_list;   /* the same ids in the same order */
    size_t same_set;    /* the same ids */
    size_t ties_first;  /* ids let through by a tie at the first's cut-off */
    size_t ties_second; /* ... at the second's */
    size_t straddle;    /* queries with native's 10th and 11th tied */
    double worst_ratio; /* largest relative spread of xapian/native score */
} top_stats;

static void
print_lists(const query *q, const hitv *a, size_t na, const hitv *b, size_t nb)
{
    printf("  %-30s | %s\n", "native id score", "xapian id score");
    for (size_t i = 0; i < 11 && (i < na || i < nb); i++) {
        char l[64] = "", r[64] = "";
        if (i < na)
            snprintf(l, sizeof l, "%.23s %.9f", a[i].id, a[i].score);
        if (i < nb)
            snprintf(r, sizeof r, "%.23s %.9f", b[i].id, b[i].score);
        printf("  %2zu %-27s | %s\n", i + 1, l, r);
    }
    (void)q;
}

/*
 * Whether the top 10 of @p a (the first engine's 11 best hits, so that a
 * tie across its cut-off shows) is in the top 10 of @p b (the second's),
 * up to ties at the cut-off: a document of a's top 10 missing from b's
 * must be tied with a's 10th hit while a's 11th is tied with it too, or
 * have in b exactly the score of b's 10th hit (tied across b's cut-off).
 *
 * That is what two rankings by the same order allow when they break ties
 * differently. For one term both engines score
 * idf * tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)) with the same tf,
 * dl, avgdl, k1 and b (Xapian with min_normlen 0), and only the idf, a
 * constant of the query, differs: the orders are the same. (Xapian's
 * default min_normlen of 0.5 would not only tie short documents but rank
 * a short one with tf 1 below longer ones with tf 2 that gazette ranks
 * below it: this test fails on 17 of the 300 queries with it.)
 */
static bool
contained(const query *q, const char *aname, const hitv *a, size_t na,
          const char *bname, gzt_index *bidx, const hitv *b, size_t nb,
          uint64_t total, top_stats *st, report *rep)
{
    size_t ka = na < 10 ? na : 10, kb = nb < 10 ? nb : 10;
    for (size_t i = 0; i < ka; i++) {
        if (has_id(b, kb, a[i].id))
            continue;
        if (na > 10 && a[i].score == a[9].score && a[10].score == a[9].score) {
            st->ties_first++;
            continue;
        }
        double s = 0;
        size_t rank = 0;
        bool found = score_of(bidx, q, total, a[i].id, &s, &rank);
        if (found && kb == 10 && s == b[9].score) {
            st->ties_second++;
            continue;
        }
        if (found)
            mismatch(rep,
                     "%s: %s's #%zu, id %s (score %.9f), is #%zu on %s with "
                     "score %.9f below its 10th %.9f",
                     q->text, aname, i + 1, a[i].id, a[i].score, rank, bname, s,
                     kb ? b[kb - 1].score : 0.0);
        else
            mismatch(rep, "%s: %s's #%zu, id %s, does not match on %s", q->text,
                     aname, i + 1, a[i].id, bname);
        return false;
    }
    return true;
}

static void
test_single_term_top10_sets_are_equal_up_to_ties(void **state)
{
    (void)state;
    ensure_built();
    static report rep;
    memset(&rep, 0, sizeof rep);
    top_stats st = {0};
    double t0 = now_s();
    for (size_t i = 0; i < S.nq; i++) {
        const query *q = &S.q[i];
        if (q->shape != SH_TERM)
            continue;
        hitv a[11], b[11];
        size_t na, nb;
        uint64_t ta, tb;
        gzt_error err = {0};
        if (top(S.native, q, 11, a, &na, &ta, &err))
            fail_msg("native: %s: %s", q->text, err.msg);
        if (top(S.xapian, q, 11, b, &nb, &tb, &err))
            fail_msg("xapian: %s: %s", q->text, err.msg);
        st.queries++;
        st.straddle += na > 10 && a[9].score == a[10].score;
        if (ta != tb || na != nb) {
            mismatch(&rep,
                     "%s: native %llu matches (%zu hits), xapian %llu "
                     "(%zu hits)",
                     q->text, (unsigned long long)ta, na,
                     (unsigned long long)tb, nb);
            continue;
        }
        size_t k = na < 10 ? na : 10;
        bool same_list = true, same_set = true;
        double lo = 0, hi = 0;
        for (size_t j = 0; j < k; j++) {
            same_list = same_list && !strcmp(a[j].id, b[j].id);
            same_set = same_set && has_id(b, k, a[j].id);
        }
        /* xapian's score over native's is the idf ratio, the same for
         * every document both hold */
        for (size_t j = 0; j < k; j++)
            for (size_t l = 0; l < k; l++)
                if (!strcmp(a[j].id, b[l].id) && a[j].score > 0) {
                    double r = b[l].score / a[j].score;
                    lo = lo == 0 || r < lo ? r : lo;
                    hi = r > hi ? r : hi;
                }
        if (hi > 0 && (hi - lo) / hi > st.worst_ratio)
            st.worst_ratio = (hi - lo) / hi;
        st.same_list += same_list;
        st.same_set += same_set;
        size_t before = rep.n;
        if (!same_set && contained(q, "native", a, na, "xapian", S.xapian, b,
                                   nb, tb, &st, &rep))
            contained(q, "xapian", b, nb, "native", S.native, a, na, ta, &st,
                      &rep);
        if (rep.n > before && before < MAX_PRINTED) {
            printf("MISMATCH %s\n", rep.lines[before]);
            print_lists(q, a, na, b, nb);
        }
    }
    double t1 = now_s();
    printf("engines: %zu single-term queries, top 10 in %.2f s: same list "
           "%zu, same set %zu, ids let through by ties at the cut-off "
           "%zu (native's) + %zu (xapian's), queries with a tie across "
           "native's cut-off %zu; xapian/native score ratio varies within "
           "a query by at most %.3g (relative)\n",
           st.queries, t1 - t0, st.same_list, st.same_set, st.ties_first,
           st.ties_second, st.straddle, st.worst_ratio);
    fflush(stdout);
    assert_true(st.queries >= 50);
    fail_report(&rep,
                "single-term top-10 sets differ beyond ties at the cut-off",
                st.queries);
}

/* ---- 3. top-10 overlap of every query ------------------------------------ */

static void
test_top10_overlap_is_measured(void **state)
{
    (void)state;
    ensure_built();
    static report rep;
    memset(&rep, 0, sizeof rep);
    double sum_frac[NSHAPES] = {0}, sum_jac[NSHAPES] = {0};
    size_t n[NSHAPES] = {0}, same[NSHAPES] = {0};
    double t0 = now_s();
    for (size_t i = 0; i < S.nq; i++) {
        const query *q = &S.q[i];
        hitv a[10], b[10];
        size_t na, nb;
        uint64_t ta, tb;
        gzt_error ea = {0}, eb = {0};
        int ra = top(S.native, q, 10, a, &na, &ta, &ea);
        int rb = top(S.xapian, q, 10, b, &nb, &tb, &eb);
        if (ra || rb || ta == 0)
            continue; /* errors and counts: the first test */
        if (ta != tb || na != nb) {
            mismatch(&rep,
                     "%s%s: native %llu matches (%zu hits), xapian "
                     "%llu (%zu hits)",
                     q->all ? "--all " : "", q->text, (unsigned long long)ta,
                     na, (unsigned long long)tb, nb);
            continue;
        }
        size_t inter = 0;
        for (size_t j = 0; j < na; j++)
            inter += has_id(b, nb, a[j].id);
        enum shape s = q->shape;
        n[s]++;
        sum_frac[s] += (double)inter / (double)na;
        sum_jac[s] += (double)inter / (double)(na + nb - inter);
        same[s] += inter == na;
    }
    double t1 = now_s();
    size_t all_n = 0, all_same = 0;
    double all_frac = 0, all_jac = 0;
    printf("engines: top-10 overlap, native vs xapian (%.2f s); per query "
           "|common| / min(10, matches) and Jaccard, averaged over the "
           "queries that match\n",
           t1 - t0);
    printf("engines:   %-9s %7s %9s %8s %9s\n", "shape", "queries", "overlap",
           "jaccard", "same set");
    for (int s = 0; s < NSHAPES; s++) {
        if (!n[s])
            continue;
        printf("engines:   %-9s %7zu %9.4f %8.4f %8.1f%%\n", shape_names[s],
               n[s], sum_frac[s] / (double)n[s], sum_jac[s] / (double)n[s],
               100.0 * (double)same[s] / (double)n[s]);
        all_n += n[s];
        all_same += same[s];
        all_frac += sum_frac[s];
        all_jac += sum_jac[s];
    }
    assert_true(all_n > 0);
    printf("engines:   %-9s %7zu %9.4f %8.4f %8.1f%%\n", "all", all_n,
           all_frac / (double)all_n, all_jac / (double)all_n,
           100.0 * (double)all_same / (double)all_n);
    fflush(stdout);
    fail_report(&rep, "the ranked searches count differently", S.nq);
    /* sanity only: the two BM25s share k1, b, tf and lengths */
    assert_true(all_frac / (double)all_n > 0.5);
    assert_true(all_jac / (double)all_n <= all_frac / (double)all_n + 1e-12);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_counts_are_equal),
        cmocka_unit_test(test_fts5_peer_counts_are_equal),
        cmocka_unit_test(test_single_term_top10_sets_are_equal_up_to_ties),
        cmocka_unit_test(test_top10_overlap_is_measured),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
