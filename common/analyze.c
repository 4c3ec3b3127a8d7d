/* SPDX-License-Identifier: MIT */
/*
 * analyze.c: the tokenizer that turns text into terms (see analyze.h; the
 * rules users see are in docs/ANALYSIS.md).
 *
 * A token is a run of letters, digits and marks (Unicode categories L*, N*,
 * M*); everything else separates tokens, with a few joins decided by looking
 * one character to each side: an apostrophe between letters (kept, as '), a
 * '.' or ',' between digits (the ',' dropped), and single letters separated
 * by dots, which make an abbreviation ("U.S." -> "us"). Han, Hiragana and
 * Katakana characters are tokens of their own. Each token is case folded
 * (utf8proc: CASEFOLD | COMPOSE | STABLE) and, unless it is a number or CJK,
 * stemmed (stem.c). Positions count tokens; offsets are into the input.
 *
 * Written by hand because the joins above are news-specific (possessives,
 * abbreviations, thousands separators). Unicode word segmentation (UAX #29,
 * as ICU does it) comes close but differs in each case: it keeps the dots
 * in "U.S" and "x.com" alike, leaves the final dot of "U.S." out and keeps
 * the comma of "1,000"; fixing that would need a second pass over its
 * output, and ICU is a large dependency for it.
 *
 * Speed comes from the common case: on x86-64 (SSE2, which every x86-64
 * has), ASCII is classified sixteen bytes at a time. A token of at most 15
 * ASCII letters and digits, ended by a byte that no rule lets carry it on
 * (a separator; a dot or comma after a letter), is lowered from one load
 * straight into the batch, and the same sixteen bytes usually tell where the
 * next token starts; runs of separators are skipped sixteen bytes at a time.
 * Every other token goes through the careful path below, one character at a
 * time with the lookahead of the rules, though runs of ASCII letters and
 * digits inside it are still copied and lowered sixteen bytes at a time.
 * On other targets the careful path takes every token, and ASCII is
 * classified and lowered a byte at a time from a 128-entry table;
 * test_analyze compares the two paths. Loads never pass the end of the
 * text: the last sixteen bytes are read from a copy padded with zeros,
 * which separate. The token is built in a fixed buffer inside the analyzer (no
 * allocation per token), no token calls utf8proc unless it holds a non-ASCII
 * byte, and a token longer than RAW_MAX bytes as written is not copied past
 * them: it cannot fold to GZT_TERM_MAX bytes or fewer, since neither canonical
 * composition (Hangul L+V+T jamo) nor case folding (the Kelvin sign) divides a
 * length by more than three.
 */
#include "common/analyze.h"

#include <utf8proc.h>

#include "common/stem.h"
#include "common/utf8.h"

#if defined(__SSE2__) && !defined(GZT_ANALYZE_SCALAR)
#include <emmintrin.h>
#define USE_SSE2 1
#else
#define USE_SSE2 0
#endif

#define FOLD_OPTS (UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE)
#define RAW_MAX (8 * GZT_TERM_MAX)
/* A term's room in the batch: GZT_TERM_MAX rounded up to whole 16-byte
 * copies (see put_term()). */
#define TERM_ROOM ((GZT_TERM_MAX + 15) / 16 * 16)

/* Character classes of the tokenizer. */
enum {
    C_SEP,    /* separates tokens */
    C_LETTER, /* L*, except the CJK scripts */
    C_DIGIT,  /* Nd */
    C_NUM,    /* Nl, No: word characters, but not digits of a number */
    C_MARK,   /* M* */
    C_CJK,    /* a letter of Han, Hiragana or Katakana: a token alone */
    C_APOS,   /* ' or U+2019: joins letters */
    C_DOT,    /* . : joins digits, and the letters of abbreviations */
    C_COMMA   /* , : joins digits */
};

#define S C_SEP
#define L C_LETTER
#define D C_DIGIT
#define A C_APOS
#define P C_DOT
#define C C_COMMA
static const uint8_t ascii_class[128] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 00 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 10 */
    S, S, S, S, S, S, S, A, S, S, S, S, C, S, P, S, /* 20 */
    D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S, /* 30 */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 40 */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 50 */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 60 */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 70 */
};
#undef S
#undef L
#undef D
#undef A
#undef P
#undef C

struct gzt_analyzer {
    gzt_stemmer *stem;      /* the language's stemmer */
    utf8proc_int32_t *ucs;  /* utf8proc's work buffer, reused */
    size_t ucs_cap;         /* code points ucs holds */
    gzt_buf tmp;            /* fold(): repaired copy of ill-formed input */
    size_t raw_len;         /* bytes in raw */
    char raw[RAW_MAX + 16]; /* the token being built: ASCII lowered,
                               apostrophes as ', no commas, no dots of
                               abbreviations; 16 spare bytes, as
                               ascii_run() stores 16 at a time */
};

/* The text being analysed, with a padded copy of its end for 16-byte loads
 * (on the stack of gzt_analyze(), like the batch). */
typedef struct input {
    const uint8_t *p; /* the text */
    size_t len;       /* its bytes */
    uint8_t tail[32]; /* its last min(len, 16) bytes, ending at tail[16],
                         then zeros; zeros before them when len < 16 */
} input;

static void
input_init(input *t, const uint8_t *p, size_t len)
{
    size_t n = GZT_MIN(len, 16);
    t->p = p;
    t->len = len;
    memset(t->tail, 0, sizeof t->tail);
    if (n)
        memcpy(t->tail + 16 - n, p + len - n, n);
}

static inline bool
is_word(int cls)
{
    return cls >= C_LETTER && cls <= C_CJK;
}

static inline uint8_t
ascii_lower(uint8_t c)
{
    return (uint8_t)(c + ((unsigned)(c - 'A') < 26u ? 32 : 0));
}

/* Kana and ideographs. Korean is not here: it separates words by spaces. */
static bool
is_cjk(utf8proc_int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) ||   /* Hiragana, Katakana */
           (cp >= 0x3005 && cp <= 0x3006) ||   /* 々 〆 */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* Katakana extension */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* halfwidth Katakana */
           (cp >= 0x1B000 && cp <= 0x1B16F) || /* Kana supplement */
           (cp >= 0x20000 && cp <= 0x3FFFF);   /* extensions B and later */
}

/* Class of the non-ASCII character at @p p; *clen receives its length.
 * Ill-formed bytes (which repaired input has not) separate, one at a
 * time, so that no input makes the tokenizer read past the end. */
static int
classify_slow(const uint8_t *p, size_t avail, size_t *clen)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n =
        utf8proc_iterate(p, (utf8proc_ssize_t)GZT_MIN(avail, 4), &cp);

    if (n <= 0) {
        *clen = 1;
        return C_SEP;
    }
    *clen = (size_t)n;
    if (cp == 0x2019)
        return C_APOS;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_cjk(cp) ? C_CJK : C_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_NUM;
    default:
        return C_SEP;
    }
}

/* Class of the character at p[i] (i < len) and its length. */
static inline int
classify(const uint8_t *p, size_t i, size_t len, size_t *clen)
{
    if (p[i] < 0x80) {
        *clen = 1;
        return ascii_class[p[i]];
    }
    return classify_slow(p + i, len - i, clen);
}

/* Class at p[i], or C_SEP past the end. */
static inline int
class_at(const uint8_t *p, size_t i, size_t len, size_t *clen)
{
    if (i >= len) {
        *clen = 0;
        return C_SEP;
    }
    return classify(p, i, len, clen);
}

#if USE_SSE2
/* The 16 bytes at p[i] (i < len): from the text itself, or near its end
 * from the padded copy, where the bytes past the end are zeros. */
static inline __m128i
load16(const input *t, size_t i)
{
    if (i + 16 <= t->len)
        return _mm_loadu_si128((const __m128i *)(const void *)(t->p + i));
    /* i + 16 - len is 1..16: the index, not the pointer, is formed first */
    return _mm_loadu_si128(
        (const __m128i *)(const void *)(t->tail + (i + 16 - t->len)));
}

/* 0xFF where @p v has an ASCII letter. SSE2 compares signed bytes only, so
 * each range test moves its range to the bottom of the signed bytes: after
 * adding 0x80 - 'a', 'a'..'z' are -128..-103 and everything else is above
 * (bytes >= 0x80 wrap to small positives). OR-ing 0x20 lowers capitals,
 * and maps no non-letter onto a letter. */
static inline __m128i
letters16(__m128i v)
{
    __m128i x = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                             _mm_set1_epi8((char)(0x80 - 'a')));
    return _mm_cmplt_epi8(x, _mm_set1_epi8((char)(0x80 + 26)));
}

/* 0xFF where @p v has an ASCII digit (the same trick as letters16()). */
static inline __m128i
digits16(__m128i v)
{
    __m128i x = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0')));
    return _mm_cmplt_epi8(x, _mm_set1_epi8((char)(0x80 + 10)));
}
#endif

/*
 * The first i' >= @p i with p[i'] an ASCII letter or digit or a non-ASCII
 * byte (which may start a word: classify() decides), or len. Every other
 * ASCII byte separates where a token would start: the joining characters
 * join only inside one.
 */
static inline size_t
skip_seps(const input *t, size_t i)
{
#if USE_SSE2
    while (i < t->len) {
        __m128i v = load16(t, i);
        /* the padding is zeros, so a bit found is before the end */
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(letters16(v), digits16(v)), v));
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    return t->len;
#else
    while (i < t->len && t->p[i] < 0x80 && !is_word(ascii_class[t->p[i]]))
        i++;
    return i;
#endif
}

/*
 * Append the run of ASCII letters and digits at p[i] to a->raw, lowered,
 * and return one past it. *number becomes false if it has a letter;
 * *toolong becomes true if a->raw fills up (it keeps RAW_MAX bytes, and the
 * run is still read to its end).
 */
static inline size_t
ascii_run(gzt_analyzer *a, const input *t, size_t i, bool *number,
          bool *toolong)
{
#if USE_SSE2
    for (;;) {
        __m128i v = load16(t, i);
        __m128i let = letters16(v);
        unsigned word =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(let, digits16(v)));
        /* bytes before the first that is not a word byte: 0..16 */
        unsigned n = (unsigned)__builtin_ctz(~word);
        /* a->raw has 16 spare bytes past RAW_MAX, and raw_len <= RAW_MAX */
        _mm_storeu_si128(
            (__m128i *)(void *)(a->raw + a->raw_len),
            _mm_or_si128(v, _mm_and_si128(let, _mm_set1_epi8(0x20))));
        if ((unsigned)_mm_movemask_epi8(let) & ((1u << n) - 1))
            *number = false;
        a->raw_len += n;
        if (a->raw_len > RAW_MAX) {
            a->raw_len = RAW_MAX;
            *toolong = true;
        }
        i += n;
        if (n < 16)
            return i;
    }
#else
    const uint8_t *p = t->p;
    while (i < t->len && p[i] < 0x80) {
        int k = ascii_class[p[i]];
        if (k == C_LETTER)
            *number = false;
        else if (k != C_DIGIT)
            break;
        if (a->raw_len < RAW_MAX)
            a->raw[a->raw_len++] = (char)ascii_lower(p[i]);
        else
            *toolong = true;
        i++;
    }
    return i;
#endif
}

/* Append @p n bytes to the token, lowering ASCII; false (and nothing
 * appended) once the token is past RAW_MAX. */
static inline bool
raw_put(gzt_analyzer *a, const uint8_t *s, size_t n, bool *nonascii)
{
    if (a->raw_len + n > RAW_MAX)
        return false;
    if (n == 1 && s[0] < 0x80) {
        a->raw[a->raw_len++] = (char)ascii_lower(s[0]);
    } else {
        memcpy(a->raw + a->raw_len, s, n);
        a->raw_len += n;
        *nonascii = true;
    }
    return true;
}

/*
 * Try to read an abbreviation starting with the letter at p[i] (class
 * C_LETTER, @p clen bytes): two or more single letters (each perhaps with
 * marks) separated by dots, with an optional final dot. On success the
 * letters are in a->raw and *end is one past the last letter or the final
 * dot. A letter counts as single when no word character follows it.
 */
static bool
scan_abbrev(gzt_analyzer *a, const uint8_t *p, size_t len, size_t i,
            size_t clen, size_t *end, bool *nonascii)
{
    size_t n = 0, j = i;

    a->raw_len = 0;
    for (;;) {
        size_t k = j + clen, nl;
        int nc = class_at(p, k, len, &nl);
        while (nc == C_MARK) {
            k += nl;
            nc = class_at(p, k, len, &nl);
        }
        if (is_word(nc) || (n == 0 && nc != C_DOT))
            break;
        if (!raw_put(a, p + j, k - j, nonascii))
            return false;
        n++;
        *end = k;
        if (nc != C_DOT)
            break;
        *end = k + 1; /* the final dot belongs to the abbreviation */
        if (class_at(p, k + 1, len, &clen) != C_LETTER)
            break;
        j = k + 1;
    }
    return n >= 2;
}

/*
 * Read the word starting at p[i] (class @p cls, @p clen bytes) into a->raw.
 * *end is one past it; *number is true when it has only digits (and the
 * dots between them); *toolong when it did not fit in a->raw.
 */
static size_t
scan_word(gzt_analyzer *a, const input *t, size_t i, int cls, size_t clen,
          bool *nonascii, bool *number, bool *toolong)
{
    const uint8_t *p = t->p;
    size_t len = t->len;
    int base = cls; /* class of the last character that was not a mark */

    a->raw_len = 0;
    for (;;) {
        /* an ASCII letter or digit is left to the run below */
        if (p[i] >= 0x80) {
            if (cls != C_DIGIT)
                *number = false;
            if (cls != C_MARK)
                base = cls;
            if (!*toolong && !raw_put(a, p + i, clen, nonascii))
                *toolong = true;
            i += clen;
        }

        /* ASCII letters and digits: no lookahead, no utf8proc */
        size_t run = i;
        i = ascii_run(a, t, i, number, toolong);
        if (i > run)
            base = cls = ascii_class[p[i - 1]];
        if (i >= len)
            return i;
        /* the common end of a word: an ASCII separator */
        if (p[i] < 0x80 && ascii_class[p[i]] == C_SEP)
            return i;

        size_t nl, al;
        int nc = classify(p, i, len, &nl);
        if (nc >= C_LETTER && nc <= C_MARK) {
            cls = nc;
            clen = nl;
            continue;
        }
        if (nc == C_APOS && base == C_LETTER &&
            class_at(p, i + nl, len, &al) == C_LETTER) {
            if (!*toolong && !raw_put(a, (const uint8_t *)"'", 1, nonascii))
                *toolong = true;
            i += nl;
            cls = C_LETTER;
            clen = al;
            continue;
        }
        if ((nc == C_DOT || nc == C_COMMA) && cls == C_DIGIT &&
            class_at(p, i + 1, len, &al) == C_DIGIT) {
            if (nc == C_DOT && !*toolong &&
                !raw_put(a, (const uint8_t *)".", 1, nonascii))
                *toolong = true;
            i += 1;
            cls = C_DIGIT;
            clen = al;
            continue;
        }
        return i;
    }
}

/* Case fold @p len bytes of well-formed UTF-8 into a->ucs; *out points at
 * the result there. GZT_OK, GZT_ENOMEM, or GZT_EINVAL should utf8proc
 * reject the text. */
static int
fold_utf8(gzt_analyzer *a, const uint8_t *s, size_t len, const char **out,
          size_t *out_len)
{
    utf8proc_ssize_t n = 0;

    if (len > (size_t)PTRDIFF_MAX / 4)
        return GZT_ETOOBIG;
    if (len > 0) {
        n = utf8proc_decompose(s, (utf8proc_ssize_t)len, a->ucs,
                               (utf8proc_ssize_t)(a->ucs_cap - 1), FOLD_OPTS);
        if (n < 0)
            return GZT_EINVAL;
        if ((size_t)n >= a->ucs_cap) {
            /* one more code point: utf8proc_reencode() NUL-terminates */
            size_t cap = (size_t)n + 1, bytes;
            if (!gzt_size_mul(cap, sizeof *a->ucs, &bytes))
                return GZT_ENOMEM;
            utf8proc_int32_t *u = gzt_realloc(a->ucs, bytes);
            if (!u)
                return GZT_ENOMEM;
            a->ucs = u;
            a->ucs_cap = cap;
            n = utf8proc_decompose(s, (utf8proc_ssize_t)len, a->ucs,
                                   (utf8proc_ssize_t)(a->ucs_cap - 1),
                                   FOLD_OPTS);
            if (n < 0 || (size_t)n >= a->ucs_cap)
                return GZT_EINVAL;
        }
        n = utf8proc_reencode(a->ucs, n, FOLD_OPTS);
        if (n < 0)
            return GZT_EINVAL;
    }
    *out = (const char *)a->ucs;
    *out_len = (size_t)n;
    return GZT_OK;
}

int
gzt_analyzer_new(gzt_analyzer **out, const char *language, gzt_error *err)
{
    gzt_analyzer *a = NULL;
    int rc;

    *out = NULL;
    a = gzt_calloc(1, sizeof *a);
    if (!a) {
        rc = GZT_ENOMEM;
        goto fail;
    }
    /* enough for any token that fits in raw: a byte folds and decomposes
     * to at most three code points */
    a->ucs_cap = 3 * RAW_MAX + 1;
    a->ucs = gzt_malloc(a->ucs_cap * sizeof *a->ucs);
    if (!a->ucs) {
        rc = GZT_ENOMEM;
        goto fail;
    }
    if ((rc = gzt_stemmer_new(&a->stem, language, err)) != GZT_OK)
        goto fail;
    *out = a;
    return GZT_OK;
fail:
    gzt_analyzer_free(a);
    if (rc == GZT_ENOMEM)
        gzt_err_set(err, rc, "out of memory creating an analyzer");
    return rc;
}

void
gzt_analyzer_free(gzt_analyzer *a)
{
    if (!a)
        return;
    gzt_stemmer_free(a->stem);
    gzt_free(a->ucs);
    gzt_buf_free(&a->tmp);
    gzt_free(a);
}

const char *
gzt_analyzer_language(const gzt_analyzer *a)
{
    return gzt_stemmer_language(a->stem);
}

/*
 * Tokens wait in a batch of BATCH before they are stemmed and handed on:
 * the stem cache is larger than a core's L2 cache, and asking for each
 * token's cache entry as it is found lets the entries of a batch load
 * together instead of one after the other. The batch lives on the stack of
 * gzt_analyze(), so a callback may analyse other text with the analyzer.
 */
#define BATCH 16

typedef struct btok {
    gzt_token t;  /* offsets and position; term set when handed on */
    uint64_t key; /* gzt_stemmer_prefetch()'s key; 0 not cached */
    uint8_t len;  /* bytes of the folded word */
    bool stem;    /* to be stemmed */
} btok;

typedef struct tbatch {
    btok tok[BATCH];              /* tokens */
    size_t n;                     /* count */
    char bytes[BATCH][TERM_ROOM]; /* their folded words */
} tbatch;

/* Copy the folded word @p term (1..GZT_TERM_MAX bytes) into @p dst, which
 * has TERM_ROOM bytes, in whole 16-byte pieces: a few moves, where a call
 * to memcpy() for a length it must test costs more than the word does. The
 * bytes past @p term_len are read (from a->raw or a->ucs, both long enough)
 * but never used. */
static inline void
put_term(char *dst, const char *term, size_t term_len)
{
    for (size_t k = 0; k < term_len; k += 16)
        memcpy(dst + k, term + k, 16);
}

/* Queue a token whose folded word (@p term_len bytes) is already in the
 * batch's next slot, asking for its stem cache entry. */
static inline void
queue_token(gzt_analyzer *a, tbatch *b, size_t start, size_t end, uint32_t pos,
            size_t term_len, bool stem)
{
    btok *bt = &b->tok[b->n];
    bt->t.start = (uint32_t)start;
    bt->t.end = (uint32_t)end;
    bt->t.pos = pos;
    bt->t.hash = 0;
    bt->len = (uint8_t)term_len;
    bt->stem = stem;
    bt->key =
        stem ? gzt_stemmer_prefetch(a->stem, b->bytes[b->n], term_len) : 0;
    b->n++;
}

#if USE_SSE2
/*
 * Whether a run of @p n ASCII letters and digits, whose letters are the set
 * bits of @p letters, is a whole token when p[e] (e = its start + n) follows
 * it: true when the rules of scan_word() and scan_abbrev() could not carry
 * the token on. The text's end and ASCII separators end it; a comma ends a
 * word whose last character is a letter (commas join digits only), and so
 * does a dot, unless the word is a single letter (which may begin "U.S.").
 * An apostrophe or a non-ASCII byte is left to the careful path.
 */
static inline bool
ends_word(const uint8_t *p, size_t len, size_t e, unsigned letters, unsigned n)
{
    if (e == len)
        return true;
    if (p[e] >= 0x80)
        return false;
    int k = ascii_class[p[e]];
    if (k == C_SEP)
        return true;
    return (k == C_COMMA || (k == C_DOT && n > 1)) && (letters >> (n - 1) & 1);
}
#endif

/* Stem the tokens of @p b and hand them to @p fn in order, emptying the
 * batch. When fn stops (returns non-zero), *@p stopped is set, *@p stop is
 * the position after the token it stopped at, and its code is returned;
 * the tokens after that one are dropped, as they are when stemming runs out
 * of memory (GZT_ENOMEM). */
static int
flush_batch(gzt_analyzer *a, tbatch *b, gzt_token_fn fn, void *ctx,
            uint32_t *stop, bool *stopped)
{
    size_t n = b->n;
    b->n = 0;
    for (size_t k = 0; k < n; k++) {
        btok *bt = &b->tok[k];
        const char *term = b->bytes[k];
        size_t term_len = bt->len;
        if (bt->stem) {
            size_t stem_len;
            uint64_t h;
            const char *stem = gzt_stemmer_stem_at(a->stem, term, term_len,
                                                   bt->key, &stem_len, &h);
            if (!stem)
                return GZT_ENOMEM;
            if (stem_len > 0) {
                term = stem;
                term_len = stem_len;
                bt->t.hash = h;
            }
        }
        bt->t.term = term;
        bt->t.term_len = (uint32_t)term_len;
        int rc = fn(ctx, &bt->t);
        if (rc) {
            *stop = bt->t.pos + 1;
            *stopped = true;
            return rc;
        }
    }
    return GZT_OK;
}

int
gzt_analyze(gzt_analyzer *a, const char *text, size_t len, uint32_t first_pos,
            gzt_token_fn fn, void *ctx, uint32_t *next_pos)
{
    const uint8_t *p = (const uint8_t *)text;
    uint32_t pos = first_pos;
    size_t i = 0;
    int rc = GZT_OK;
    bool stopped = false;
    uint32_t stop = 0;
    tbatch b;
    b.n = 0;
    input in;
    bool at_start = false; /* p[i] is known to start a token */

    if (len > UINT32_MAX)
        return GZT_ETOOBIG;
    input_init(&in, p, len);
    for (;;) {
        /* ASCII separators, sixteen at a time where SSE2 is */
        if (!at_start && (i = skip_seps(&in, i)) >= len)
            break;
        at_start = false;
#if USE_SSE2
        /*
         * The common token: up to 15 ASCII letters and digits and then a
         * byte that ends it (ends_word()). It is lowered straight into the
         * batch, and the same 16 bytes tell where the next token starts
         * when it starts among them.
         */
        if (p[i] < 0x80) {
            __m128i v = load16(&in, i);
            __m128i let = letters16(v);
            __m128i word = _mm_or_si128(let, digits16(v));
            unsigned lm = (unsigned)_mm_movemask_epi8(let);
            unsigned n =
                (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(word));
            if (n < 16 && ends_word(p, len, i + n, lm, n)) {
                if (pos == UINT32_MAX) {
                    rc = GZT_ETOOBIG;
                    break;
                }
                _mm_storeu_si128(
                    (__m128i *)(void *)b.bytes[b.n],
                    _mm_or_si128(v, _mm_and_si128(let, _mm_set1_epi8(0x20))));
                queue_token(a, &b, i, i + n, pos++, n,
                            (lm & ((1u << n) - 1)) != 0);
                /* what skip_seps() would find, when it is in these bytes
                 * (bytes n + 1 .. 15; n itself separates) */
                unsigned rest =
                    (unsigned)_mm_movemask_epi8(_mm_or_si128(word, v)) >>
                    (n + 1);
                if (rest) {
                    i += n + 1 + (unsigned)__builtin_ctz(rest);
                    at_start = true;
                } else {
                    i += 16;
                }
                if (b.n == BATCH &&
                    (rc = flush_batch(a, &b, fn, ctx, &stop, &stopped)) != 0)
                    break;
                continue;
            }
        }
#endif
        size_t clen, end = i;
        int cls = classify(p, i, len, &clen);
        if (!is_word(cls)) {
            i += clen;
            continue;
        }

        bool nonascii = false, number = true, toolong = false, cjk = false;
        if (cls == C_CJK) {
            /* the character and its marks (dakuten) */
            cjk = true;
            number = false;
            end = i + clen;
            size_t ml;
            while (class_at(p, end, len, &ml) == C_MARK)
                end += ml;
            a->raw_len = 0;
            toolong = !raw_put(a, p + i, end - i, &nonascii);
        } else if (cls == C_LETTER &&
                   /* an ASCII letter starts an abbreviation only if a dot
                    * or a mark (non-ASCII) follows it: most words are
                    * ruled out without the call */
                   (p[i] >= 0x80 ||
                    (i + 1 < len && (p[i + 1] == '.' || p[i + 1] >= 0x80))) &&
                   scan_abbrev(a, p, len, i, clen, &end, &nonascii)) {
            number = false;
        } else {
            nonascii = false;
            end = scan_word(a, &in, i, cls, clen, &nonascii, &number, &toolong);
        }

        if (pos == UINT32_MAX) {
            rc = GZT_ETOOBIG;
            break;
        }
        size_t start = i;
        uint32_t tpos = pos++;
        i = end;
        if (toolong)
            continue;

        const char *term = a->raw;
        size_t term_len = a->raw_len;
        if (nonascii) {
            rc = fold_utf8(a, (const uint8_t *)a->raw, a->raw_len, &term,
                           &term_len);
            if (rc == GZT_ENOMEM)
                break;
            if (rc != GZT_OK) { /* cannot happen: raw is well-formed */
                rc = GZT_OK;
                continue;
            }
        }
        if (term_len > GZT_TERM_MAX || term_len == 0)
            continue;
        put_term(b.bytes[b.n], term, term_len);
        queue_token(a, &b, start, end, tpos, term_len, !number && !cjk);
        if (b.n == BATCH &&
            (rc = flush_batch(a, &b, fn, ctx, &stop, &stopped)) != 0)
            break;
    }
    /* the tokens found before an error are handed on first: fn may stop
     * at one of them, as it did before the error was reached */
    if (b.n) {
        int frc = flush_batch(a, &b, fn, ctx, &stop, &stopped);
        if (frc && (stopped || rc == GZT_OK))
            rc = frc;
    }
    /* after an error of its own the analyzer leaves *next_pos alone */
    if (next_pos && (stopped || rc == GZT_OK))
        *next_pos = stopped ? stop : pos;
    return rc;
}

int
gzt_analyzer_fold(gzt_analyzer *a, const char *text, size_t len, gzt_buf *out)
{
    const uint8_t *p = (const uint8_t *)text;
    size_t i = 0;
    int rc;

    gzt_buf_reset(out);
    while (i < len && p[i] < 0x80)
        i++;
    if (i == len) {
        if ((rc = gzt_buf_reserve(out, len)) != GZT_OK)
            return rc;
        for (i = 0; i < len; i++)
            out->p[i] = ascii_lower(p[i]);
        out->len = len;
        return GZT_OK;
    }

    if (!gzt_utf8_valid(text, len)) {
        gzt_buf_reset(&a->tmp);
        if ((rc = gzt_utf8_repair(&a->tmp, text, len, NULL)) != GZT_OK)
            return rc;
        p = a->tmp.p;
        len = a->tmp.len;
    }
    const char *f;
    size_t flen;
    if ((rc = fold_utf8(a, p, len, &f, &flen)) != GZT_OK)
        return rc;
    if ((rc = gzt_buf_reserve(out, flen)) != GZT_OK)
        return rc;
    /* U+2019 becomes ', as in terms, so that "don’t*" finds "don't" */
    for (i = 0; i < flen; i++) {
        if (flen - i >= 3 && memcmp(f + i, "\xE2\x80\x99", 3) == 0) {
            out->p[out->len++] = '\'';
            i += 2;
        } else {
            out->p[out->len++] = (uint8_t)f[i];
        }
    }
    return GZT_OK;
}

int
gzt_entity_key(gzt_analyzer *a, const char *text, size_t len, gzt_buf *out)
{
    int rc = gzt_analyzer_fold(a, text, len, out);
    if (rc)
        return rc;
    /* collapse whitespace in place */
    size_t w = 0;
    bool space = true; /* drops leading spaces */
    for (size_t i = 0; i < out->len; i++) {
        uint8_t c = out->p[i];
        bool is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (is_space) {
            if (!space)
                out->p[w++] = ' ';
            space = true;
        } else {
            out->p[w++] = c;
            space = false;
        }
    }
    if (w && out->p[w - 1] == ' ')
        w--;
    out->len = w;
    return GZT_OK;
}
