/* SPDX-License-Identifier: MIT */
/*
 * ner.c: the named-entity tagger at run time (see ner.h): tokenizer,
 * features, Viterbi decoding, and the model file reader and writer.
 *
 * Features are hashed: each (template, value) pair is mixed into a row
 * number of a table of 2^bits rows, each row holding one weight per BIO tag.
 * No feature strings are ever built on the fast path: each token's form,
 * lower-case form, shapes and affixes are hashed once (FNV-1a while the
 * characters are classified), and templates combine those hashes with the
 * template number. A token's score for each tag is the sum of its rows; the
 * transitions add a tag-bigram (and optionally tag-trigram) score; Viterbi
 * picks the best sequence allowed by BIO (I-t only after B-t or I-t). Most
 * rows depend on one word alone (the token's form, affixes and clusters,
 * a neighbour's form and cluster), so at run time a per-thread word cache
 * keeps, per word, those rows already summed for each place the word can
 * take in a window, and a token adds five such sums and the few rows that
 * join words (bigrams, the shape trigram, gazetteer and document cues).
 * The sums are of integers, so the scores are the same to the bit.
 *
 * Weights are stored as int16 with one float scale, sparse (only rows that
 * training touched), and expanded to a dense table at load. The file ends in
 * an XXH3 checksum so that a damaged model is refused, not half-used.
 *
 * Written by hand rather than borrowed: Debian packages no sequence tagger
 * with a C API (apt-cache finds neither CRFsuite nor MITIE nor any "named
 * entity" library), and the whole runtime is a few hundred lines. An
 * averaged perceptron (Collins 2002) rather than a CRF: no gradients or
 * forward-backward, so it trains in seconds on two cores, and with these
 * features it clears the F1 target with room to spare (docs/NER.md).
 */
#include "common/ner.h"

#include <math.h>
#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <utf8proc.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static const char model_magic[8] = {'G', 'Z', 'T', 'N', 'E', 'R', 'M', 0x1a};
#define MODEL_VERSION 1u
#define NEG_INF (-1e30f)

/* ---- names ------------------------------------------------------------- */

static const char *const type_names[GZT_NER_NTYPES] = {"O", "PER", "ORG", "LOC",
                                                       "MISC"};

const char *
gzt_ner_type_name(int type)
{
    return type > 0 && type < GZT_NER_NTYPES ? type_names[type] : "O";
}

int
gzt_ner_type_parse(const char *s, size_t len)
{
    for (int t = 1; t < GZT_NER_NTYPES; t++)
        if (strlen(type_names[t]) == len && memcmp(type_names[t], s, len) == 0)
            return t;
    return -1;
}

/* ---- hashing ----------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define GOLDEN 0x9E3779B97F4A7C15ULL

static inline uint64_t
fnv_step(uint64_t h, uint8_t c)
{
    return (h ^ c) * FNV_PRIME;
}

static inline uint64_t
fnv_bytes(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = fnv_step(h, (uint8_t)s[i]);
    return h;
}

/* murmur3's finaliser: every input bit affects every output bit */
static inline uint64_t
fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

uint64_t
gzt_ner_word_hash(const char *s, size_t len)
{
    uint64_t h = fmix64(fnv_bytes(FNV_OFFSET, s, len));
    return h ? h : 1; /* 0 marks an empty slot */
}

/* Row of feature (template @p t, value @p v). */
static inline uint32_t
row_of(unsigned t, uint64_t v, unsigned shift)
{
    return (uint32_t)(fmix64(v + (uint64_t)(t + 1) * GOLDEN) >> shift);
}

static inline uint64_t
pair(uint64_t a, uint64_t b)
{
    return fmix64(a) * 31 + b;
}

/* ---- characters -------------------------------------------------------- */

enum {
    K_SPACE,  /* separates tokens */
    K_NL,     /* a line break */
    K_LETTER, /* L*, Nl, No */
    K_DIGIT,  /* Nd */
    K_MARK,   /* M*: joins the letter before it */
    K_PUNCT,  /* anything else: a token of its own */
    K_BAD     /* an ill-formed byte */
};

/* ASCII classes: controls are space, except the line feed. */
#define S_ K_SPACE
#define NL K_NL
#define L_ K_LETTER
#define D_ K_DIGIT
#define P_ K_PUNCT
static const uint8_t ascii_classes[128] = {
    S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, NL, S_, S_, S_, S_, S_, S_, S_, S_,
    S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, P_, P_, P_, P_, P_,
    P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, D_, D_, D_, D_, D_, D_, D_, D_, D_,
    D_, P_, P_, P_, P_, P_, P_, P_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,
    L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, P_, P_, P_, P_,
    P_, P_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,
    L_, L_, L_, L_, L_, L_, L_, L_, L_, P_, P_, P_, P_, S_,
};
#undef S_
#undef NL
#undef L_
#undef D_
#undef P_

static inline int
cp_class(int32_t cp)
{
    if (cp >= 0 && cp < 0x80)
        return ascii_classes[cp];
    if (cp < 0)
        return K_BAD;
    if (cp == 0x2028 || cp == 0x2029 || cp == 0x85)
        return K_NL;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return K_LETTER;
    case UTF8PROC_CATEGORY_ND:
        return K_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return K_MARK;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
        return K_SPACE;
    default:
        return K_PUNCT;
    }
}

/* Decode the character at s[i] (i < len): its length, and *cp (-1 when the
 * byte does not start a well-formed sequence; its length is then 1). */
static inline size_t
decode(const uint8_t *s, size_t i, size_t len, int32_t *cp)
{
    if (s[i] < 0x80) {
        *cp = s[i];
        return 1;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t k =
        utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
    if (k <= 0) {
        *cp = -1;
        return 1;
    }
    *cp = c;
    return (size_t)k;
}

static inline bool
is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x2032;
}

static inline bool
is_hyphen(int32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

static inline bool
is_wordclass(int k)
{
    return k == K_LETTER || k == K_DIGIT || k == K_MARK;
}

/* ASCII spelling of a punctuation code point CoNLL writes in ASCII, or
 * NULL to keep the bytes as they are. */
static const char *
punct_norm(int32_t cp)
{
    switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
        return "'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x00AB:
    case 0x00BB:
    case 0x2033:
        return "\"";
    case 0x2010:
    case 0x2011:
    case 0x2212:
        return "-";
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
        return "--";
    case 0x2026:
        return "...";
    case -1:
        return "\xEF\xBF\xBD";
    default:
        return NULL;
    }
}

/* ---- tokenizer --------------------------------------------------------- */

/* Abbreviations that keep their final period (lower case, no period). */
static const char *const abbrevs[] = {
    "adm", "apr",  "assn", "ave",  "blvd",   "bros", "capt", "cmdr",
    "co",  "col",  "corp", "cpl",  "dec",    "dept", "dr",   "feb",
    "ft",  "gen",  "gov",  "hon",  "inc",    "jan",  "jr",   "jul",
    "jun", "lt",   "ltd",  "maj",  "messrs", "mr",   "mrs",  "ms",
    "mt",  "nov",  "oct",  "pres", "prof",   "rep",  "rev",  "sen",
    "sep", "sept", "sgt",  "sr",   "st",     "vs",
};

/* Lower-case words that do occur inside names ("Bank of England", "Vincent
 * van Gogh", "Ministry of the Interior"): never closed. Sorted. */
static const char *const name_particles[] = {
    "al",  "and", "bin", "da",  "de",  "del", "della", "dello",
    "den", "der", "des", "di",  "do",  "dos", "du",    "el",
    "et",  "for", "ibn", "in",  "la",  "le",  "les",   "los",
    "of",  "on",  "the", "van", "von", "y",   "zu",
};

/* Words that are inside names only between two open words ("Bank of
 * England", "Procter and Gamble", "Fiat 's"...): closed after a closed
 * token or at the start of a sentence. Sorted. */
static const char *const glue_words[] = {"'s",  "(",  ")",  "and", "do",
                                         "for", "in", "of", "on",  "the"};

/* An ASCII word of 1..8 bytes lower-cased into the bytes of an integer,
 * first byte lowest; 0 for any other word. Two overlapping loads and a
 * SWAR lower-casing rather than a loop per byte: every plain lower-case
 * word of a text is looked up. Like a per-byte packing, it keys a word and
 * the word with NUL bytes after it alike (tokens hold no NUL). */
static inline uint64_t
pack_word(const char *s, size_t len)
{
    const uint8_t *u = (const uint8_t *)s;
    uint64_t k;
    if (len >= 4 && len <= 8)
        k = gzt_load_u32(u) | (uint64_t)gzt_load_u32(u + len - 4)
                                  << (8 * (len - 4));
    else if (len >= 1 && len <= 3)
        k = u[0] | (uint64_t)u[len >> 1] << (8 * (len >> 1)) |
            (uint64_t)u[len - 1] << (8 * (len - 1));
    else
        return 0;
    if (k & 0x8080808080808080ULL)
        return 0;
    /* bytes >= 'A' and bytes > 'Z' get their top bit set (no carries:
     * each byte is below 0x80) */
    uint64_t upper = (k + 0x3f3f3f3f3f3f3f3fULL) &
                     ~(k + 0x2525252525252525ULL) & 0x8080808080808080ULL;
    return k | upper >> 2;
}

/* A list of short words, looked up by packed key in a small open-addressed
 * table (every ASCII word of a text goes through one). */
#define WL_SLOTS 128 /* a power of two, over twice the longest list */
typedef struct wordlist {
    const char *const *words; /* the list, each 1..8 bytes */
    size_t n;                 /* words */
    uint64_t keys[WL_SLOTS];  /* pack_word() of each; 0 = empty */
} wordlist;

static inline size_t
wl_slot(uint64_t k)
{
    return (size_t)((k * GOLDEN) >> 57) & (WL_SLOTS - 1);
}

static void
wordlist_init(wordlist *l)
{
    for (size_t i = 0; i < l->n && i < WL_SLOTS / 2; i++) {
        uint64_t k = pack_word(l->words[i], strlen(l->words[i]));
        size_t j = wl_slot(k);
        while (l->keys[j])
            j = (j + 1) & (WL_SLOTS - 1);
        l->keys[j] = k;
    }
}

#define WORDLIST(list)                                                         \
    {                                                                          \
        list, sizeof list / sizeof *list,                                      \
        {                                                                      \
            0                                                                  \
        }                                                                      \
    }
static wordlist abbrev_list = WORDLIST(abbrevs);
static wordlist particle_list = WORDLIST(name_particles);
static wordlist glue_list = WORDLIST(glue_words);
_Static_assert(sizeof abbrevs / sizeof *abbrevs <= WL_SLOTS / 2 &&
                   sizeof name_particles / sizeof *name_particles <=
                       WL_SLOTS / 2,
               "a word list fills at most half its table");

/* ASCII bytes by what closing a token makes of them (gzt_ner_closed(),
 * is_loose_punct()): one table load per byte instead of a chain of
 * compares or a strchr(). */
enum {
    CB_LOWER = 1, /* a-z - ': in a plain lower-case word */
    CB_NUM = 2,   /* 0-9 . , : / % -: in a number */
    CB_SENT = 4,  /* , . ; : ! ? ": sentence punctuation, alone */
    CB_LOOSE = 8  /* ASCII punctuation but & / ' ( ) */
};
static uint8_t close_bytes[256];

/* The bytes a word's run of letters may stop at without ending the word:
 * the ASCII marks that may join two runs into one ("1,200", "U.S",
 * "Rhone-Poulenc", "O'Brien", "08/22", "10:30") and every byte from 0x80
 * (a letter, a curly apostrophe...); at any other byte the word ends. */
static uint8_t word_joins[256];

/* The word lists and close_bytes[], made once: the tokenizer, closing and
 * their public wrappers each make sure of it once per call, not per word. */
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void
lists_init(void)
{
    wordlist_init(&abbrev_list);
    wordlist_init(&particle_list);
    wordlist_init(&glue_list);
    for (int c = 0; c < 128; c++) {
        uint8_t f = 0;
        if ((c >= 'a' && c <= 'z') || c == '-' || c == '\'')
            f |= CB_LOWER;
        if ((c >= '0' && c <= '9') || strchr(".,:/%-", c))
            f |= CB_NUM;
        if (strchr(",.;:!?\"", c))
            f |= CB_SENT;
        if (ascii_classes[c] == K_PUNCT && !strchr("&/'()", c))
            f |= CB_LOOSE;
        /* strchr() finds the NUL too: closing has always taken a NUL byte
         * as a number's mark and as sentence punctuation, and keeps to it
         * (no token holds one; a caller's word may) */
        close_bytes[c] = f;
        word_joins[c] = c == '-' || c == '.' || c == ',' || c == ':' ||
                        c == '/' || c == '\'';
    }
    memset(word_joins + 0x80, 1, 0x80);
}

/* true when pack_word() key @p k is in @p l (lists_init() has run) */
static inline bool
has_key(const wordlist *l, uint64_t k)
{
    if (!k)
        return false;
    for (size_t j = wl_slot(k);; j = (j + 1) & (WL_SLOTS - 1)) {
        if (l->keys[j] == k)
            return true;
        if (!l->keys[j])
            return false;
    }
}

/* true when the ASCII word s[0..len) (any case) is in @p l (lists_init()
 * has run) */
static inline bool
in_list(const wordlist *l, const char *s, size_t len)
{
    return has_key(l, pack_word(s, len));
}

/* "U.S", "p.m", "J": letters in groups of at most two separated by dots,
 * which take a final period as part of the token. */
static bool
is_initials(const uint8_t *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (run == 0)
                return false;
            run = 0;
        } else if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') {
            if (++run > 2)
                return false;
        } else {
            return false;
        }
    }
    return run == 1 || (run == 2 && memchr(s, '.', len) != NULL);
}

/* Length of an ASCII contraction suffix ("s", "re", "ve", "ll", "d", "m")
 * starting at s[i] and followed by a non-letter, else 0. */
static size_t
contraction(const uint8_t *s, size_t i, size_t len)
{
    size_t k = 0;
    while (i + k < len && k < 3 && (s[i + k] | 0x20) >= 'a' &&
           (s[i + k] | 0x20) <= 'z')
        k++;
    if (i + k < len) {
        int32_t cp;
        decode(s, i + k, len, &cp);
        int c = cp_class(cp);
        if (c == K_LETTER || c == K_MARK)
            return 0;
    }
    char a = (char)(s[i] | 0x20), b = k > 1 ? (char)(s[i + 1] | 0x20) : 0;
    if (k == 1 && (a == 's' || a == 'd' || a == 'm'))
        return 1;
    if (k == 2 && ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
                   (a == 'l' && b == 'l')))
        return 2;
    return 0;
}

/* true when s[i..] is "n't" (any case, either apostrophe) not followed by
 * a letter; *n gets its byte length */
static bool
is_nt(const uint8_t *s, size_t i, size_t len, size_t *n)
{
    if (i + 2 >= len || (s[i] | 0x20) != 'n')
        return false;
    int32_t cp;
    size_t k = decode(s, i + 1, len, &cp);
    if (!is_apostrophe(cp) || i + 1 + k >= len || (s[i + 1 + k] | 0x20) != 't')
        return false;
    size_t e = i + 2 + k;
    if (e < len) {
        decode(s, e, len, &cp);
        int c = cp_class(cp);
        if (c == K_LETTER || c == K_MARK || c == K_DIGIT)
            return false;
    }
    *n = e - i;
    return true;
}

/* End of the word or number starting at s[i], a character at a time: the
 * rules, as gzt_ner_tokenize_ref() applies them (scan_word_fast() is the
 * same with shortcuts, and the tests compare the two). */
static size_t
scan_word(const uint8_t *s, size_t i, size_t len)
{
    size_t start = i;
    int32_t cp, cp2;
    for (;;) {
        int prevk = K_SPACE;
        while (i < len) {
            size_t k = decode(s, i, len, &cp);
            int c = cp_class(cp);
            if (!is_wordclass(c))
                break;
            /* "don't": stop before the n of n't */
            if ((s[i] | 0x20) == 'n' && i > start) {
                size_t n;
                if (is_nt(s, i, len, &n))
                    return i;
            }
            prevk = c;
            i += k;
        }
        if (i >= len)
            return i;
        size_t k = decode(s, i, len, &cp);
        if (i + k >= len)
            return i;
        decode(s, i + k, len, &cp2);
        int next = cp_class(cp2);
        if (is_hyphen(cp) && is_wordclass(next)) {
            i += k;
        } else if (cp == '.' && (next == K_LETTER || next == K_DIGIT)) {
            i += k;
        } else if ((cp == ',' || cp == ':' || cp == '/') && prevk == K_DIGIT &&
                   next == K_DIGIT) {
            i += k;
        } else if (is_apostrophe(cp) && next == K_LETTER) {
            if (contraction(s, i + k, len))
                return i;
            i += k;
        } else {
            return i;
        }
    }
}

/* ASCII letters and digits (n and N too). */
static inline bool
ascii_alnum(uint8_t c)
{
    return c < 0x80 &&
           (ascii_classes[c] == K_LETTER || ascii_classes[c] == K_DIGIT);
}

#ifdef __SSE2__
/* How many of the 16 bytes at @p p are ASCII letters or digits, from the
 * first (signed compares: bytes from 0x80 are negative, in no range). */
static inline unsigned
alnum_run16(const uint8_t *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i low = _mm_or_si128(x, _mm_set1_epi8(0x20));
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    unsigned ok = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
    return (unsigned)__builtin_ctz(~ok | 0x10000u);
}
#endif

/* scan_word() with shortcuts: ASCII letters and digits sixteen at a time;
 * n't looked for only where a run stops (its apostrophe is what stops it)
 * instead of at every n; and a run that stops at an ASCII byte that joins
 * nothing ends the word without decoding. *plain is cleared when the word
 * takes a byte from 0x80 (its form is then not its bytes). */
static size_t
scan_word_fast(const uint8_t *s, size_t i, size_t len, bool *plain)
{
    size_t start = i;
    int32_t cp, cp2;
    for (;;) {
        int lastk = K_SPACE; /* class of the last non-ASCII character taken */
        while (i < len) {
#ifdef __SSE2__
            if (i + 16 <= len) {
                unsigned run = alnum_run16(s + i);
                i += run;
                if (run == 16)
                    continue;
            } else
#endif
            {
                while (i < len && ascii_alnum(s[i]))
                    i++;
                if (i >= len)
                    break;
            }
            if (s[i] < 0x80)
                break;
            size_t k = decode(s, i, len, &cp);
            int c = cp_class(cp);
            if (!is_wordclass(c))
                break;
            lastk = c;
            *plain = false;
            i += k;
        }
        /* the run took a character: the word's first, or one after a
         * join, which the join checked is a word character */
        if (i >= len)
            return i;
        uint8_t b = s[i];
        if (!word_joins[b])
            return i;
        size_t n;
        if (i - 1 > start && (s[i - 1] | 0x20) == 'n' &&
            is_nt(s, i - 1, len, &n))
            return i - 1; /* "don't": stop before the n of n't */
        /* a multi-byte character's last byte is from 0x80 */
        int prevk = s[i - 1] < 0x80 ? ascii_classes[s[i - 1]] : lastk;
        size_t k = decode(s, i, len, &cp);
        if (i + k >= len)
            return i;
        decode(s, i + k, len, &cp2);
        int next = cp_class(cp2);
        /* the joins of scan_word(), in its order */
        bool joins = (is_hyphen(cp) && is_wordclass(next)) ||
                     (cp == '.' && (next == K_LETTER || next == K_DIGIT)) ||
                     ((cp == ',' || cp == ':' || cp == '/') &&
                      prevk == K_DIGIT && next == K_DIGIT) ||
                     (is_apostrophe(cp) && next == K_LETTER &&
                      !contraction(s, i + k, len));
        if (!joins)
            return i;
        if (b >= 0x80)
            *plain = false;
        i += k;
    }
}

typedef struct tokstate {
    gzt_buf *toks;    /* gzt_nertok records, up to out */
    gzt_buf *forms;   /* the text, then the forms that are not its bytes */
    const uint8_t *s; /* the text */
    size_t len;       /* its bytes */
    gzt_nertok *out;  /* where the next record goes, in toks */
    gzt_nertok *room; /* end of the room reserved in toks */
    bool brk;         /* the next token starts a sentence */
    bool final;       /* the last token ended a sentence (. ! ?) */
    size_t sent_n;    /* tokens in the current sentence */
} tokstate;

/* Make room in @p b for more records after those up to @p out (as many
 * again, at least 64): where the next goes, or NULL when out of memory.
 * The tokstate stays out of it, so that its fields can live in
 * registers. */
static gzt_nertok *
grow_toks(gzt_buf *b, gzt_nertok *out)
{
    b->len = (size_t)((uint8_t *)out - b->p);
    size_t more =
        b->len > 64 * sizeof(gzt_nertok) ? b->len : 64 * sizeof(gzt_nertok);
    if (gzt_buf_reserve(b, more) != GZT_OK)
        return NULL;
    return (gzt_nertok *)(void *)(b->p + b->len);
}

/* Append the record of the token s[a..b) with its form. The records are
 * written in place, not through gzt_buf_append(): the state stays in
 * registers and a record costs a few stores. */
static inline __attribute__((always_inline)) int
emit(tokstate *ts, size_t a, size_t b, uint32_t form, size_t form_len)
{
    if (ts->out == ts->room) {
        gzt_nertok *out = grow_toks(ts->toks, ts->out);
        if (!out)
            return GZT_ENOMEM;
        ts->out = out;
        ts->room = out + (ts->toks->cap - ts->toks->len) / sizeof *out;
    }
    /* brk starts true: the first token starts a sentence */
    uint8_t sent = 0;
    if (ts->brk || ts->sent_n >= GZT_NER_SENT_MAX) {
        sent = 1;
        ts->sent_n = 0;
        ts->brk = false;
    }
    ts->sent_n++;
    gzt_nertok *t = ts->out++;
    t->start = (uint32_t)a;
    t->end = (uint32_t)b;
    t->form = form;
    t->form_len = (uint16_t)form_len;
    t->sent = sent;
    return GZT_OK;
}

/* Append the normalised form of s[a..b) to @p forms (cut to
 * GZT_NER_FORM_MAX bytes on a character boundary): *form gets its offset
 * and *form_len its length. GZT_OK or GZT_ENOMEM. */
static int
put_form(gzt_buf *forms, const uint8_t *s, size_t len, size_t a, size_t b,
         uint32_t *form, size_t *form_len)
{
    *form = (uint32_t)forms->len;
    size_t flen = 0;
    for (size_t i = a; i < b;) {
        int32_t cp;
        size_t k = decode(s, i, len, &cp);
        const char *rep = cp >= 0x80 || cp < 0 ? punct_norm(cp)
                          : cp == '['          ? "("
                          : cp == ']'          ? ")"
                                               : NULL;
        const char *src = rep ? rep : (const char *)s + i;
        size_t n = rep ? strlen(rep) : k;
        if (flen + n > GZT_NER_FORM_MAX)
            break;
        if (gzt_buf_append(forms, src, n) != GZT_OK)
            return GZT_ENOMEM;
        flen += n;
        i += k;
    }
    *form_len = flen;
    return GZT_OK;
}

/* Append the token s[a..b). @p plain says that its form is its bytes
 * (plain ASCII, no square bracket): the form is then those bytes in the
 * copy of the text that starts the forms buffer, if they are at most
 * GZT_NER_FORM_MAX; else it is written after the text. */
static inline __attribute__((always_inline)) int
push_token(tokstate *ts, size_t a, size_t b, bool plain)
{
    uint32_t form = (uint32_t)a;
    size_t form_len = b - a;
    if ((!plain || form_len > GZT_NER_FORM_MAX) &&
        put_form(ts->forms, ts->s, ts->len, a, b, &form, &form_len) != GZT_OK)
        return GZT_ENOMEM;
    return emit(ts, a, b, form, form_len);
}

/* After a token starting with the character @p cp (class @p c, at s[i];
 * @p space when whitespace came before it): a sentence breaks after . ! ?
 * unless a lower-case word follows; a quote or bracket glued to the mark
 * still closes the sentence. */
static inline void
note_final(tokstate *ts, int32_t cp, int c, size_t i, bool space)
{
    bool closing = !space && c == K_PUNCT &&
                   (cp == '"' || cp == '\'' || cp == ')' || cp == ']' ||
                    cp == 0x201D || cp == 0x2019);
    bool lower = c == K_LETTER &&
                 (cp < 0x80 ? (ts->s[i] >= 'a' && ts->s[i] <= 'z')
                            : utf8proc_category(cp) == UTF8PROC_CATEGORY_LL);
    if (!closing && !lower)
        ts->brk = true;
    if (!closing)
        ts->final = false;
}

/* The reference tokenizer: every character decoded and classified, every
 * token's bytes checked for its form. */
static int
tokenize_ref(tokstate *ts)
{
    const uint8_t *s = ts->s;
    size_t len = ts->len;
    size_t i = 0, nl = 0;
    bool space = true; /* whitespace since the last token */
    while (i < len) {
        int32_t cp;
        size_t k = decode(s, i, len, &cp);
        int c = cp_class(cp);
        if (c == K_SPACE || c == K_NL) {
            if (c == K_NL)
                nl++;
            else if (nl > 0 && (cp == ' ' || cp == '\t'))
                ts->brk = ts->brk || /* an indented line */
                          ts->out != (gzt_nertok *)(void *)ts->toks->p;
            if (nl >= 2)
                ts->brk = true;
            space = true;
            i += k;
            continue;
        }
        nl = 0;
        size_t end;
        size_t n;
        if ((c == K_LETTER || c == K_DIGIT) && !space && (s[i] | 0x20) == 'n' &&
            is_nt(s, i, len, &n)) {
            end = i + n; /* n't split from "don't" */
        } else if (is_apostrophe(cp) && !space && i + k < len &&
                   (n = contraction(s, i + k, len)) > 0) {
            end = i + k + n; /* 's 're 've 'll 'd 'm */
        } else if (c == K_LETTER || c == K_DIGIT || c == K_MARK) {
            end = scan_word(s, i, len);
            if (end < len && s[end] == '.' &&
                (is_initials(s + i, end - i) ||
                 in_list(&abbrev_list, (const char *)s + i, end - i)))
                end++;
        } else if (cp == '-' || cp == '.') {
            end = i + 1;
            while (end < len && s[end] == (uint8_t)cp)
                end++;
        } else {
            end = i + k;
        }
        if (ts->final)
            note_final(ts, cp, c, i, space);
        bool plain = true;
        for (size_t j = i; plain && j < end; j++)
            plain = s[j] < 0x80 && s[j] != '[' && s[j] != ']';
        if (push_token(ts, i, end, plain) != GZT_OK)
            return GZT_ENOMEM;
        if (c == K_PUNCT &&
            (cp == '.' || cp == '!' || cp == '?' || cp == 0x2026))
            ts->final = true;
        space = false;
        i = end;
    }
    return GZT_OK;
}

/* tokenize_ref() with shortcuts: ASCII is classified by table, words are
 * scanned by scan_word_fast(), and a token's form is known to be its bytes
 * from how it was scanned (no second pass over them). */
static int
tokenize_fast(tokstate *state)
{
    /* a copy whose address no call outside this file takes: its fields
     * can stay in registers */
    tokstate copy = *state, *ts = &copy;
    int rc = GZT_OK;
    const uint8_t *s = ts->s;
    size_t len = ts->len;
    size_t i = 0, nl = 0;
    bool space = true; /* whitespace since the last token */
    while (i < len) {
        int32_t cp;
        size_t k;
        int c;
        if (s[i] < 0x80) {
            cp = s[i];
            k = 1;
            c = ascii_classes[cp];
        } else {
            k = decode(s, i, len, &cp);
            c = cp_class(cp);
        }
        if (c == K_SPACE || c == K_NL) {
            /* an indented line breaks; before the first token, brk is
             * still true (tokenize_ref() spells this out) */
            if (c == K_NL)
                nl++;
            else if (nl > 0 && (cp == ' ' || cp == '\t'))
                ts->brk = true;
            if (nl >= 2)
                ts->brk = true;
            space = true;
            i += k;
            continue;
        }
        nl = 0;
        size_t end;
        size_t n;
        bool plain = true; /* the token's form is its bytes */
        if (c == K_LETTER || c == K_DIGIT || c == K_MARK) {
            if (!space && (s[i] | 0x20) == 'n' && is_nt(s, i, len, &n)) {
                end = i + n;    /* n't split from "don't" */
                plain = n == 3; /* else a non-ASCII apostrophe */
            } else {
                end = scan_word_fast(s, i, len, &plain);
                if (end < len && s[end] == '.' &&
                    (is_initials(s + i, end - i) ||
                     in_list(&abbrev_list, (const char *)s + i, end - i)))
                    end++;
            }
        } else if (is_apostrophe(cp) && !space && i + k < len &&
                   (n = contraction(s, i + k, len)) > 0) {
            end = i + k + n; /* 's 're 've 'll 'd 'm */
            plain = k == 1;
        } else if (cp == '-' || cp == '.') {
            end = i + 1;
            while (end < len && s[end] == (uint8_t)cp)
                end++;
        } else {
            end = i + k;
            plain = cp >= 0 && cp < 0x80 && cp != '[' && cp != ']';
        }
        if (ts->final)
            note_final(ts, cp, c, i, space);
        if ((rc = push_token(ts, i, end, plain)) != GZT_OK)
            break;
        if (c == K_PUNCT &&
            (cp == '.' || cp == '!' || cp == '?' || cp == 0x2026))
            ts->final = true;
        /* one space after a token, the common case, needs no turn of the
         * loop: after a token nl is 0, so a space only sets space */
        space = end < len && s[end] == ' ';
        i = end + space;
    }
    state->out = copy.out;
    return rc;
}

static int
tokenize(gzt_buf *toks, gzt_buf *forms, const char *text, size_t len, bool fast)
{
    gzt_buf_reset(toks);
    gzt_buf_reset(forms);
    if (len > UINT32_MAX)
        return GZT_ETOOBIG;
    pthread_once(&lists_once, lists_init);
    /* most forms are their token's bytes: one copy of the text holds them
     * all, and only the others are written after it */
    if (gzt_buf_append(forms, text, len) != GZT_OK)
        return GZT_ENOMEM;
    /* room for the records of a text of 5-byte tokens (Reuters averages
     * 5.6 bytes with the space), at most 64 K of them at first (a long
     * text may hold few tokens); grow_toks() adds more */
    size_t room = len / 5 + 16 < 65536 ? len / 5 + 16 : 65536;
    if (gzt_buf_reserve(toks, room * sizeof(gzt_nertok)) != GZT_OK)
        return GZT_ENOMEM;
    gzt_nertok *out = (gzt_nertok *)(void *)toks->p;
    tokstate ts = {toks, forms, (const uint8_t *)text,
                   len,  out,   out + toks->cap / sizeof(gzt_nertok),
                   true, false, 0};
    int rc = fast ? tokenize_fast(&ts) : tokenize_ref(&ts);
    toks->len = (size_t)((uint8_t *)ts.out - toks->p);
    return rc;
}

int
gzt_ner_tokenize(gzt_buf *toks, gzt_buf *forms, const char *text, size_t len)
{
    return tokenize(toks, forms, text, len, true);
}

int
gzt_ner_tokenize_ref(gzt_buf *toks, gzt_buf *forms, const char *text,
                     size_t len)
{
    return tokenize(toks, forms, text, len, false);
}

/* ---- word information -------------------------------------------------- */

/* Title words: a name often follows ("Foreign Minister Sergey Lavrov"). */
static const char *const title_words[] = {
    "adviser",      "advisor",     "ambassador", "bishop",    "captain",
    "chairman",     "chairwoman",  "chancellor", "coach",     "commander",
    "commissioner", "counterpart", "deputy",     "diplomat",  "director",
    "dr",           "dr.",         "emir",       "envoy",     "gen",
    "gen.",         "general",     "governor",   "judge",     "king",
    "leader",       "mayor",       "minister",   "mr",        "mr.",
    "mrs",          "mrs.",        "ms",         "ms.",       "nominee",
    "pope",         "premier",     "president",  "prince",    "princess",
    "prosecutor",   "queen",       "rep.",       "secretary", "sen.",
    "senator",      "sheikh",      "speaker",    "spokesman", "spokesperson",
    "spokeswoman",  "striker",     "sultan",
};

/* Words that end or head organisation names. */
static const char *const org_words[] = {
    "agency",       "airlines",     "assembly",   "association", "authority",
    "bank",         "board",        "club",       "co",          "co.",
    "commission",   "committee",    "company",    "congress",    "corp",
    "corp.",        "corporation",  "council",    "court",       "department",
    "duma",         "federation",   "foundation", "fund",        "group",
    "inc",          "inc.",         "institute",  "league",      "ltd",
    "ltd.",         "ministry",     "movement",   "news",        "office",
    "organisation", "organization", "parliament", "party",       "plc",
    "senate",       "service",      "union",      "united",      "university",
};

/* The cue lists as sorted hashes of their (lower-case, ASCII) words, the
 * same hash word_info() computes for a token's lower-case form, so that a
 * lookup is a short binary search over integers. Filled once. */
#define CUE_MAX_LEN 16
static uint64_t cue_title[sizeof title_words / sizeof *title_words];
static uint64_t cue_org[sizeof org_words / sizeof *org_words];
static const size_t n_title = sizeof cue_title / sizeof *cue_title;
static const size_t n_org = sizeof cue_org / sizeof *cue_org;
static pthread_once_t cue_once = PTHREAD_ONCE_INIT;

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void
cue_init(void)
{
    for (size_t i = 0; i < n_title; i++)
        cue_title[i] =
            fnv_bytes(FNV_OFFSET, title_words[i], strlen(title_words[i]));
    for (size_t i = 0; i < n_org; i++)
        cue_org[i] = fnv_bytes(FNV_OFFSET, org_words[i], strlen(org_words[i]));
    qsort(cue_title, n_title, sizeof *cue_title, cmp_u64);
    qsort(cue_org, n_org, sizeof *cue_org, cmp_u64);
}

static bool
cue_find(const uint64_t *list, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (list[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && list[lo] == h;
}

enum {
    F_CAP = 1u << 0,    /* first character is an upper-case letter */
    F_HASLOW = 1u << 1, /* has a lower-case letter */
    F_HASUP = 1u << 2,  /* has an upper-case letter */
    F_TITLE = 1u << 3,  /* a title word */
    F_ORGW = 1u << 4,   /* an organisation word */
    F_ALPHA = 1u << 5,  /* has a letter */
};

/* What the features need to know of one token. */
typedef struct tinfo {
    uint64_t form;                  /* hash of the normalised form */
    uint64_t lower;                 /* hash of its lower-case form */
    uint64_t shape;                 /* hash of the long shape */
    uint64_t sshape;                /* hash of the collapsed shape */
    uint64_t pre[4];                /* hashes of the first 1..4 characters */
    uint64_t suf[4];                /* hashes of the last 1..4 characters */
    uint16_t cl[GZT_NER_CL_LEVELS]; /* cluster ids + 1; 0 = unknown word */
    uint8_t nchars;                 /* characters, up to 255 */
    uint8_t flags;                  /* F_* */
    uint8_t nl; /* type given to this word earlier in the document + 1 */
} tinfo;

/* Readable strings of one token, for feature names. */
typedef struct tstr {
    char lower[4 * GZT_NER_FORM_MAX + 1]; /* lower-case form */
    char shape[GZT_NER_FORM_MAX + 1];     /* long shape */
    char sshape[GZT_NER_FORM_MAX + 1];    /* collapsed shape */
    uint8_t pre[4];                       /* bytes of the 1..4-char prefix */
    uint8_t suf[4];                       /* bytes of the 1..4-char suffix */
} tstr;

static const uint16_t *
cluster_find(const gzt_nerfx *fx, uint64_t h)
{
    if (fx->cl_n == 0)
        return NULL;
    size_t mask = fx->cl_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (fx->cl[i].key == h)
            return fx->cl[i].ids;
        if (fx->cl[i].key == 0)
            return NULL;
    }
}

/* Room in the cluster table for @p n words, at most three fifths full
 * (the shipped model's 150,000 words fill 57% of 4 MiB; half full took
 * 8 MiB to write at start-up). */
static int
cl_reserve(gzt_nerfx *fx, size_t n)
{
    if (n * 5 <= fx->cl_cap * 3)
        return GZT_OK;
    size_t cap = fx->cl_cap ? fx->cl_cap : 1024;
    while (cap * 3 < n * 5)
        if ((cap *= 2) > SIZE_MAX / 2 / sizeof(gzt_nercl))
            return GZT_ENOMEM;
    gzt_nercl *t = gzt_zalloc(cap, sizeof *t);
    if (!t)
        return GZT_ENOMEM;
    for (size_t i = 0; i < fx->cl_cap; i++) {
        if (!fx->cl[i].key)
            continue;
        size_t j = fx->cl[i].key & (cap - 1);
        while (t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = fx->cl[i];
    }
    gzt_free(fx->cl);
    fx->cl = t;
    fx->cl_cap = cap;
    return GZT_OK;
}

int
gzt_nerfx_add_cluster(gzt_nerfx *fx, uint64_t h, const uint16_t *ids)
{
    if (h == 0)
        h = 1;
    if ((fx->cl_n + 1) * 5 > fx->cl_cap * 3 &&
        cl_reserve(fx, GZT_MAX(fx->cl_n + 1, fx->cl_cap)))
        return GZT_ENOMEM;
    size_t mask = fx->cl_cap - 1, i = h & mask;
    while (fx->cl[i].key && fx->cl[i].key != h)
        i = (i + 1) & mask;
    if (!fx->cl[i].key)
        fx->cl_n++;
    fx->cl[i].key = h;
    for (int l = 0; l < GZT_NER_CL_LEVELS; l++)
        fx->cl[i].ids[l] = (uint16_t)(ids[l] + 1);
    return GZT_OK;
}

void
gzt_nerfx_fini(gzt_nerfx *fx)
{
    if (!fx)
        return;
    gzt_free(fx->cl);
    fx->cl = NULL;
    fx->cl_cap = fx->cl_n = 0;
}

static uint8_t
doc_get(const gzt_nerdoc *d, uint64_t h)
{
    if (!d || d->n == 0)
        return 0;
    size_t mask = d->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (d->keys[i] == h)
            return d->vals[i];
        if (d->keys[i] == 0)
            return 0;
    }
}

void
gzt_nerdoc_reset(gzt_nerdoc *d)
{
    if (d->n) {
        memset(d->keys, 0, d->cap * sizeof *d->keys);
        d->n = 0;
    }
}

void
gzt_nerdoc_fini(gzt_nerdoc *d)
{
    gzt_free(d->keys);
    gzt_free(d->vals);
    memset(d, 0, sizeof *d);
}

/* Store type @p v + 1 for word hash @p h. */
static int
doc_put(gzt_nerdoc *d, uint64_t h, uint8_t v)
{
    if ((d->n + 1) * 2 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        uint64_t *keys = gzt_calloc(cap, sizeof *keys);
        uint8_t *vals = gzt_malloc(cap);
        if (!keys || !vals) {
            gzt_free(keys);
            gzt_free(vals);
            return GZT_ENOMEM;
        }
        for (size_t i = 0; i < d->cap; i++) {
            if (!d->keys[i])
                continue;
            size_t j = d->keys[i] & (cap - 1);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = d->keys[i];
            vals[j] = d->vals[i];
        }
        gzt_free(d->keys);
        gzt_free(d->vals);
        d->keys = keys;
        d->vals = vals;
        d->cap = cap;
    }
    size_t mask = d->cap - 1, i = h & mask;
    while (d->keys[i] && d->keys[i] != h)
        i = (i + 1) & mask;
    if (!d->keys[i])
        d->n++;
    d->keys[i] = h;
    d->vals[i] = (uint8_t)(v + 1);
    return GZT_OK;
}

/* Is the character at s[0] (ASCII fast path) an upper-case letter? */
static inline bool
first_is_upper(const char *s, size_t len)
{
    if (len == 0)
        return false;
    uint8_t c = (uint8_t)s[0];
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    int32_t cp;
    decode((const uint8_t *)s, 0, len, &cp);
    if (cp < 0)
        return false;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

/* gzt_ner_closed() once lists_init() has run. */
static inline bool
closed_word(const uint8_t *u, size_t len)
{
    if (len == 0)
        return false;
    uint8_t c0 = u[0];
    if (c0 >= 'a' && c0 <= 'z') {
        /* a plain lower-case word: ASCII letters, inner hyphens and
         * apostrophes, nothing upper-case ("iPhone" stays open) */
        for (size_t i = 1; i < len; i++)
            if (!(close_bytes[u[i]] & CB_LOWER))
                return false;
        return len > 5 || !in_list(&particle_list, (const char *)u, len);
    }
    if (c0 >= '0' && c0 <= '9') {
        /* a number: digits and the marks inside numbers and dates */
        for (size_t i = 1; i < len; i++)
            if (!(close_bytes[u[i]] & CB_NUM))
                return false;
        return true;
    }
    return len == 1 && (close_bytes[c0] & CB_SENT);
}

bool
gzt_ner_closed(const char *s, size_t len)
{
    pthread_once(&lists_once, lists_init);
    return closed_word((const uint8_t *)s, len);
}

/* Punctuation that never stands inside a name: ASCII marks only, and none
 * of & / ' ( ) ("AT&T", "Rhone-Poulenc/Rorer", "O'Neill", "(UK)"). */
static inline bool
is_loose_punct(const uint8_t *u, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(close_bytes[u[i]] & CB_LOOSE))
            return false;
    return true;
}

void
gzt_ner_close(const gzt_nerword *w, size_t n, uint8_t *closed)
{
    pthread_once(&lists_once, lists_init);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = (const uint8_t *)w[i].s;
        size_t len = w[i].len;
        /* in_list() ignores case: "The", "Of" and "'S" stay open */
        closed[i] = closed_word(s, len) || is_loose_punct(s, len) ||
                    ((i == 0 || closed[i - 1]) && len <= 3 &&
                     !(s[0] >= 'A' && s[0] <= 'Z') && s[len - 1] != 'S' &&
                     in_list(&glue_list, (const char *)s, len));
    }
}

/* Lower-case hash of a word (as features key the document memory). */
static uint64_t lower_hash(const char *s, size_t len);

/* The keys a word's clusters are looked up by, in order (0: none): its
 * form, then for a capitalised word its title-case and lower-case forms. */
typedef struct clkeys {
    uint64_t k[3];
} clkeys;

/*
 * Classify each character of @p w once, computing every hash the features
 * need but the clusters, whose keys go to @p ck; @p st (may be NULL)
 * receives the readable strings.
 */
static void
word_info_core(const gzt_nerfx *fx, const gzt_nerword *w, tinfo *t, tstr *st,
               clkeys *ck)
{
    const uint8_t *s = (const uint8_t *)w->s;
    size_t len = GZT_MIN(w->len, (uint32_t)GZT_NER_FORM_MAX);
    uint64_t hf = FNV_OFFSET, hl = FNV_OFFSET, hs = FNV_OFFSET,
             hss = FNV_OFFSET;
    uint64_t htitle = FNV_OFFSET; /* first char as is, the rest lowered */
    size_t nch = 0, run = 0, lpos = 0;
    char prevsh = 0, prevss = 0;
    uint8_t flags = 0;
    size_t cstart[GZT_NER_FORM_MAX + 1]; /* byte offset of each character */
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t k = decode(s, i, len, &cp);
        cstart[nch] = i;
        char sh;
        uint8_t lowb[8];
        size_t lown;
        if (cp >= 0 && cp < 0x80) {
            uint8_t c = (uint8_t)cp;
            if (c >= 'A' && c <= 'Z') {
                sh = 'X';
                lowb[0] = (uint8_t)(c + 32);
            } else {
                sh = c >= 'a' && c <= 'z'   ? 'x'
                     : c >= '0' && c <= '9' ? 'd'
                                            : (char)c;
                lowb[0] = c;
            }
            lown = 1;
        } else {
            int cls = cp_class(cp);
            utf8proc_category_t cat = cp >= 0 ? utf8proc_category(cp) : 0;
            if (cls == K_LETTER || cls == K_MARK)
                sh =
                    (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT)
                        ? 'X'
                        : 'x';
            else if (cls == K_DIGIT)
                sh = 'd';
            else
                sh = '*';
            int32_t lc = cp >= 0 ? utf8proc_tolower(cp) : 0xFFFD;
            utf8proc_ssize_t n = utf8proc_encode_char(lc, lowb);
            lown = n > 0 ? (size_t)n : 0;
        }
        if (sh == 'X')
            flags |= F_HASUP | F_ALPHA | (nch == 0 ? F_CAP : 0);
        else if (sh == 'x')
            flags |= F_HASLOW | F_ALPHA;
        for (size_t j = 0; j < k; j++)
            hf = fnv_step(hf, s[i + j]);
        for (size_t j = 0; j < lown; j++) {
            hl = fnv_step(hl, lowb[j]);
            if (nch > 0)
                htitle = fnv_step(htitle, lowb[j]);
        }
        if (nch == 0)
            for (size_t j = 0; j < k; j++)
                htitle = fnv_step(htitle, s[i + j]);
        if (st && lpos + lown < sizeof st->lower) {
            memcpy(st->lower + lpos, lowb, lown);
            lpos += lown;
        }
        /* long shape: runs cut at 4; collapsed: runs cut at 1 */
        run = sh == prevsh ? run + 1 : 1;
        if (run <= 4) {
            hs = fnv_step(hs, (uint8_t)sh);
            if (st) {
                size_t p = strlen(st->shape);
                if (p + 1 < sizeof st->shape)
                    st->shape[p] = sh;
            }
        }
        if (sh != prevss) {
            hss = fnv_step(hss, (uint8_t)sh);
            if (st) {
                size_t p = strlen(st->sshape);
                if (p + 1 < sizeof st->sshape)
                    st->sshape[p] = sh;
            }
            prevss = sh;
        }
        prevsh = sh;
        if (nch < 4)
            t->pre[nch] = hf;
        nch++;
        i += k;
    }
    cstart[nch] = len;
    t->form = hf;
    t->lower = hl;
    t->shape = hs;
    t->sshape = hss;
    t->nchars = (uint8_t)GZT_MIN(nch, 255u);
    for (size_t j = 0; j < 4 && j < nch; j++) {
        size_t from = cstart[nch - 1 - j];
        t->suf[j] =
            fnv_bytes(FNV_OFFSET ^ 0x5f, (const char *)s + from, len - from);
        if (st) {
            st->suf[j] = (uint8_t)(len - from);
            st->pre[j] = (uint8_t)cstart[j + 1];
        }
    }
    if (fx->groups & GZT_NERF_CUES) {
        if (len <= CUE_MAX_LEN && cue_find(cue_title, n_title, hl))
            flags |= F_TITLE;
        if (len <= CUE_MAX_LEN && cue_find(cue_org, n_org, hl))
            flags |= F_ORGW;
    }
    t->flags = flags;
    memset(ck, 0, sizeof *ck);
    if (fx->cl_n) {
        ck->k[0] = gzt_ner_word_hash(w->s, len);
        if ((flags & F_HASUP) && !(flags & F_HASLOW))
            ck->k[1] = fmix64(htitle) ? fmix64(htitle) : 1;
        if (flags & F_HASUP)
            ck->k[2] = fmix64(hl) ? fmix64(hl) : 1;
    }
}

/* ask for the slot of the first cluster key */
static inline void
cluster_prefetch(const gzt_nerfx *fx, const clkeys *ck)
{
    if (fx->cl_n)
        __builtin_prefetch(&fx->cl[ck->k[0] & (fx->cl_cap - 1)]);
}

/* the clusters of a word: the first of its keys the table holds */
static void
cluster_resolve(const gzt_nerfx *fx, const clkeys *ck, tinfo *t)
{
    for (int k = 0; k < 3; k++) {
        const uint16_t *ids = ck->k[k] ? cluster_find(fx, ck->k[k]) : NULL;
        if (ids) {
            memcpy(t->cl, ids, sizeof t->cl);
            return;
        }
    }
}

/* word_info_core() and the clusters, looked up at once */
static void
word_info(const gzt_nerfx *fx, const gzt_nerword *w, tinfo *t, tstr *st)
{
    clkeys ck;
    word_info_core(fx, w, t, st, &ck);
    cluster_resolve(fx, &ck, t);
}

/* ---- word cache -------------------------------------------------------
 * word_info() hashes every character five ways and looks the word up in
 * the cluster table; news text repeats its words, so a tagger keeps the
 * results of the last words it saw, direct-mapped by a hash of the bytes,
 * and with them the sums of the weight rows the word gives in each role
 * (filled by the tagger on first use, sums_cached()). */
#define WC_SLOTS 16384 /* a power of two */
#define WC_KEY 22      /* longer words are not cached */

/* The roles a word plays in the features of an open token: itself, the
 * words before it (-1, -2) and after it (+1, +2). What a word gives in
 * each role depends on the word alone, so the tagger sums those rows once
 * per word and role (sums_cached()). */
enum { R_SELF, R_PREV1, R_PREV2, R_NEXT1, R_NEXT2, R_COUNT };

typedef struct wcent {
    uint8_t len;      /* bytes of the key; 0 for an empty slot */
    uint8_t have;     /* bit r: sums[r] holds role r's row sums */
    char key[WC_KEY]; /* the word */
    tinfo t;          /* word_info() of the key (nl unset) */
    int32_t sums[R_COUNT][GZT_NER_NTAGS]; /* per role, its rows summed */
} wcent;

struct gzt_nerwc {
    const gzt_nerfx *fx; /* the features the entries were computed for */
    const int16_t *W;    /* the weights sums[] were computed from */
    wcent e[WC_SLOTS];   /* slots */
};

gzt_nerwc *
gzt_nerwc_new(void)
{
    /* written at once (gzt_zalloc()): slots are read before they are
     * written, and reading calloc's untouched pages first maps the shared
     * zero page, then faults again and flushes every thread's TLB on the
     * first write (40 ms more system time indexing Reuters) */
    return gzt_zalloc(1, sizeof(gzt_nerwc));
}

void
gzt_nerwc_free(gzt_nerwc *wc)
{
    gzt_free(wc);
}

/*
 * word_info() of the @p n words of a sentence without the readable strings,
 * through @p wc when not NULL, for the words whose @p need byte is set (all
 * when @p need is NULL; the others' @p t is left as it was). @p slot gets
 * each word's cache slot, or NULL (a later word of the sentence may have
 * taken it: compare the key). The cluster table is large and read at
 * random: the slots of every word missing from the cache are asked for
 * first and read after, so that the misses overlap.
 */
static void
word_info_sentence(const gzt_nerfx *fx, gzt_nerwc *wc, const gzt_nerword *w,
                   size_t n, const uint8_t *need, tinfo *t, wcent **slot)
{
    clkeys ck[GZT_NER_SENT_MAX];
    uint8_t miss[GZT_NER_SENT_MAX];
    if (wc && wc->fx != fx) {
        /* (a new cache was zeroed when made) */
        if (wc->fx)
            memset(wc->e, 0, sizeof wc->e);
        wc->fx = fx;
        wc->W = NULL;
    }
    /* the cache is larger than a core's own cache too: ask for every slot
     * first */
    for (size_t i = 0; i < n; i++) {
        slot[i] = NULL;
        if (need && !need[i])
            continue;
        if (wc && w[i].len > 0 && w[i].len <= WC_KEY) {
            slot[i] = &wc->e[gzt_hash64(w[i].s, w[i].len) & (WC_SLOTS - 1)];
            __builtin_prefetch(slot[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        miss[i] = 0;
        if (need && !need[i])
            continue;
        if (slot[i]) {
            wcent *e = slot[i];
            if (e->len == w[i].len && gzt_mem_eq(e->key, w[i].s, w[i].len)) {
                t[i] = e->t;
                continue;
            }
        }
        word_info_core(fx, &w[i], &t[i], NULL, &ck[i]);
        cluster_prefetch(fx, &ck[i]);
        miss[i] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!miss[i])
            continue;
        cluster_resolve(fx, &ck[i], &t[i]);
        wcent *e = slot[i];
        if (e) {
            e->t = t[i];
            e->len = (uint8_t)w[i].len;
            e->have = 0;
            memcpy(e->key, w[i].s, w[i].len);
        }
    }
}

static uint64_t
lower_hash(const char *s, size_t len)
{
    /* the same bytes word_info() hashes into tinfo.lower */
    const uint8_t *p = (const uint8_t *)s;
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            uint8_t c = p[i++];
            h = fnv_step(h, c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c);
            continue;
        }
        int32_t cp;
        size_t k = decode(p, i, len, &cp);
        uint8_t lowb[8];
        utf8proc_ssize_t n =
            utf8proc_encode_char(cp >= 0 ? utf8proc_tolower(cp) : 0xFFFD, lowb);
        for (utf8proc_ssize_t j = 0; j < n; j++)
            h = fnv_step(h, lowb[j]);
        i += k;
    }
    return h | 1;
}

int
gzt_nerdoc_note(gzt_nerdoc *d, const gzt_nerword *w, const uint8_t *tags,
                size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!first_is_upper(w[i].s, w[i].len))
            continue;
        uint64_t h = lower_hash(w[i].s, GZT_MIN(w[i].len, GZT_NER_FORM_MAX));
        if (doc_put(d, h, GZT_NER_TAG_TYPE(tags[i])) != GZT_OK)
            return GZT_ENOMEM;
    }
    return GZT_OK;
}

/* ---- shapes (for tests and names) -------------------------------------- */

size_t
gzt_ner_shape(char *out, size_t cap, const char *s, size_t len, bool collapse)
{
    gzt_nerfx fx;
    memset(&fx, 0, sizeof fx);
    gzt_nerword w = {s, (uint32_t)len};
    tinfo t;
    tstr st;
    memset(&st, 0, sizeof st);
    word_info(&fx, &w, &t, &st);
    const char *src = collapse ? st.sshape : st.shape;
    size_t n = strlen(src);
    if (cap == 0)
        return 0;
    n = GZT_MIN(n, cap - 1);
    memcpy(out, src, n);
    out[n] = '\0';
    return n;
}

/* ---- features ---------------------------------------------------------- */

/* Feature templates; the number is mixed into the hash, so never renumber
 * one that a shipped model uses. */
enum {
    T_BIAS,
    T_W0,
    T_L0,
    T_LM1,
    T_LP1,
    T_LM2,
    T_LP2,
    T_BM,
    T_BP,
    T_SH0,
    T_SSM1,
    T_SS0,
    T_SSP1,
    T_SS3,
    T_PRE, /* + 0..3 */
    T_SUF = T_PRE + 4,
    T_FIRST = T_SUF + 4,
    T_AC,
    T_ACL0,
    T_CL0, /* + level */
    T_CLM1 = T_CL0 + GZT_NER_CL_LEVELS,
    T_CLP1 = T_CLM1 + GZT_NER_CL_LEVELS,
    T_TITLE = T_CLP1 + GZT_NER_CL_LEVELS,
    T_ORG0,
    T_ORGP1,
    T_NL,
    T_NLSH,
    T_GAZF,                /* + flag bit 0..5 */
    T_GAZSEG = T_GAZF + 6, /* segment B/I and type */
    T_GAZTM1,              /* the previous token is in a title */
    T_GAZOP1,              /* the next token is an organisation cue */
    T_GAZTITLE0,           /* the token is in a title */
    T_COUNT
};

static const char *const tmpl_names[T_COUNT] = {
    [T_BIAS] = "bias",
    [T_W0] = "w0",
    [T_L0] = "l0",
    [T_LM1] = "l-1",
    [T_LP1] = "l+1",
    [T_LM2] = "l-2",
    [T_LP2] = "l+2",
    [T_BM] = "l-1|l0",
    [T_BP] = "l0|l+1",
    [T_SH0] = "shape0",
    [T_SSM1] = "ss-1",
    [T_SS0] = "ss0",
    [T_SSP1] = "ss+1",
    [T_SS3] = "ss-1|ss0|ss+1",
    [T_PRE] = "pre1",
    [T_PRE + 1] = "pre2",
    [T_PRE + 2] = "pre3",
    [T_PRE + 3] = "pre4",
    [T_SUF] = "suf1",
    [T_SUF + 1] = "suf2",
    [T_SUF + 2] = "suf3",
    [T_SUF + 3] = "suf4",
    [T_FIRST] = "first|ss0",
    [T_AC] = "allcaps",
    [T_ACL0] = "allcaps|l0",
    [T_CL0] = "cl0@1",
    [T_CL0 + 1] = "cl0@2",
    [T_CL0 + 2] = "cl0@3",
    [T_CL0 + 3] = "cl0@4",
    [T_CLM1] = "cl-1@1",
    [T_CLM1 + 1] = "cl-1@2",
    [T_CLM1 + 2] = "cl-1@3",
    [T_CLM1 + 3] = "cl-1@4",
    [T_CLP1] = "cl+1@1",
    [T_CLP1 + 1] = "cl+1@2",
    [T_CLP1 + 2] = "cl+1@3",
    [T_CLP1 + 3] = "cl+1@4",
    [T_TITLE] = "title-k",
    [T_ORG0] = "orgword0",
    [T_ORGP1] = "orgword+1",
    [T_NL] = "earlier",
    [T_NLSH] = "earlier|ss0",
    [T_GAZF] = "gaz.country",
    [T_GAZF + 1] = "gaz.first",
    [T_GAZF + 2] = "gaz.surname",
    [T_GAZF + 3] = "gaz.title",
    [T_GAZF + 4] = "gaz.orgcue",
    [T_GAZF + 5] = "gaz.org",
    [T_GAZSEG] = "gaz.seg",
    [T_GAZTM1] = "gaz.title-1",
    [T_GAZOP1] = "gaz.orgcue+1",
    [T_GAZTITLE0] = "gaz.title0|ss0",
};

/* Output of the extractor for one token. */
typedef struct fxout {
    uint32_t *rows; /* row numbers */
    unsigned n;     /* rows so far */
    unsigned shift; /* 64 - bits */
    gzt_buf *names; /* readable names, or NULL */
    int rc;         /* sticky error of names */
} fxout;

static void GZT_PRINTF(3, 4)
    name_feature(fxout *o, unsigned t, const char *fmt, ...)
{
    if (o->rc != GZT_OK)
        return;
    char v[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    o->rc = gzt_buf_printf(o->names, "%s=%s\n", tmpl_names[t], v);
}

#define EMIT(o, t, v, ...)                                                     \
    do {                                                                       \
        if ((o)->n < GZT_NER_MAXFEAT)                                          \
            (o)->rows[(o)->n++] = row_of((t), (v), (o)->shift);                \
        if ((o)->names)                                                        \
            name_feature((o), (t), __VA_ARGS__);                               \
    } while (0)

/* hashes standing for the words before and after the sentence */
#define H_BOS 0x1b0500ULL
#define H_EOS 0x1e0500ULL

int
gzt_nerfx_extract(const gzt_nerfx *fx, const gzt_nerdoc *doc,
                  const gzt_nerword *w, size_t n, const uint8_t *closed,
                  const gzt_gaz_hit *given, gzt_nerwc *wc, uint32_t *rows,
                  uint8_t *nrows, gzt_buf *names)
{
    tinfo ti[GZT_NER_SENT_MAX];
    tstr *ts = NULL;
    static const tstr bos = {"<s>", "<s>", "<s>", {0}, {0}};
    static const tstr eos = {"</s>", "</s>", "</s>", {0}, {0}};
    const uint32_t g = fx->groups;
    if (n > GZT_NER_SENT_MAX)
        n = GZT_NER_SENT_MAX;
    if (g & GZT_NERF_CUES)
        pthread_once(&cue_once, cue_init);
    if (names) {
        ts = gzt_calloc(n ? n : 1, sizeof *ts);
        if (!ts)
            return GZT_ENOMEM;
    }
    bool anylow = false, anyup = false;
    if (!ts) {
        wcent *slot[GZT_NER_SENT_MAX];
        word_info_sentence(fx, wc, w, n, NULL, ti, slot);
    }
    for (size_t i = 0; i < n; i++) {
        if (ts)
            word_info(fx, &w[i], &ti[i], &ts[i]);
        anylow |= (ti[i].flags & F_HASLOW) != 0;
        anyup |= (ti[i].flags & F_HASUP) != 0;
        if ((g & GZT_NERF_NONLOCAL) && (ti[i].flags & F_CAP))
            ti[i].nl = doc_get(doc, ti[i].lower | 1);
    }
    const bool allcaps = anyup && !anylow;
    gzt_gaz_hit own[GZT_NER_SENT_MAX];
    const gzt_gaz_hit *hits = given ? given : own;
    const bool gaz = (g & GZT_NERF_GAZ) && fx->gaz;
    if (gaz && !given) {
        gzt_gaz_tok gt[GZT_NER_SENT_MAX];
        for (size_t i = 0; i < n; i++) {
            gt[i].s = w[i].s;
            gt[i].len = w[i].len;
        }
        gzt_gaz_match(fx->gaz, gt, n, own);
    }
    fxout o = {NULL, 0, 64 - fx->bits, names, GZT_OK};
    for (size_t i = 0; i < n; i++) {
        const tinfo *t = &ti[i];
        const tinfo *p1 = i > 0 ? &ti[i - 1] : NULL;
        const tinfo *p2 = i > 1 ? &ti[i - 2] : NULL;
        const tinfo *n1 = i + 1 < n ? &ti[i + 1] : NULL;
        const tinfo *n2 = i + 2 < n ? &ti[i + 2] : NULL;
        const tstr *s0 = ts ? &ts[i] : NULL;
        const tstr *sp1 = ts ? (p1 ? &ts[i - 1] : &bos) : NULL;
        const tstr *sp2 = ts ? (p2 ? &ts[i - 2] : &bos) : NULL;
        const tstr *sn1 = ts ? (n1 ? &ts[i + 1] : &eos) : NULL;
        const tstr *sn2 = ts ? (n2 ? &ts[i + 2] : &eos) : NULL;
        uint64_t lm1 = p1 ? p1->lower : H_BOS, lm2 = p2 ? p2->lower : H_BOS;
        uint64_t lp1 = n1 ? n1->lower : H_EOS, lp2 = n2 ? n2->lower : H_EOS;
        int wl = (int)GZT_MIN(w[i].len, GZT_NER_FORM_MAX);
        if (names && i > 0)
            o.rc = o.rc ? o.rc : gzt_buf_putc(names, '\n');
        o.rows = rows + i * GZT_NER_MAXFEAT;
        o.n = 0;
        if (closed && closed[i]) {
            nrows[i] = 0; /* tagged O without scores */
            continue;
        }
        EMIT(&o, T_BIAS, 0, "1");
        if (g & GZT_NERF_WORD) {
            EMIT(&o, T_W0, t->form, "%.*s", wl, w[i].s);
            EMIT(&o, T_L0, t->lower, "%s", s0->lower);
        }
        if (g & GZT_NERF_WINDOW) {
            EMIT(&o, T_LM1, lm1, "%s", sp1->lower);
            EMIT(&o, T_LP1, lp1, "%s", sn1->lower);
            EMIT(&o, T_LM2, lm2, "%s", sp2->lower);
            EMIT(&o, T_LP2, lp2, "%s", sn2->lower);
            EMIT(&o, T_BM, pair(lm1, t->lower), "%s|%s", sp1->lower, s0->lower);
            EMIT(&o, T_BP, pair(t->lower, lp1), "%s|%s", s0->lower, sn1->lower);
        }
        if (g & GZT_NERF_SHAPE) {
            uint64_t sm1 = p1 ? p1->sshape : H_BOS;
            uint64_t sp = n1 ? n1->sshape : H_EOS;
            EMIT(&o, T_SH0, t->shape, "%s", s0->shape);
            EMIT(&o, T_SS0, t->sshape, "%s", s0->sshape);
            EMIT(&o, T_SSM1, sm1, "%s", sp1->sshape);
            EMIT(&o, T_SSP1, sp, "%s", sn1->sshape);
            EMIT(&o, T_SS3, pair(pair(sm1, t->sshape), sp), "%s|%s|%s",
                 sp1->sshape, s0->sshape, sn1->sshape);
        }
        if (g & GZT_NERF_AFFIX) {
            for (unsigned k = 0; k < 4 && k < t->nchars; k++) {
                if (k + 1 == t->nchars && k > 0)
                    break; /* the whole word: w0 says it */
                EMIT(&o, T_PRE + k, t->pre[k], "%.*s", s0 ? s0->pre[k] : 0,
                     w[i].s);
                EMIT(&o, T_SUF + k, t->suf[k], "%.*s", s0 ? s0->suf[k] : 0,
                     w[i].s + (s0 ? wl - s0->suf[k] : 0));
            }
        }
        if (g & GZT_NERF_SENT) {
            if (i == 0)
                EMIT(&o, T_FIRST, t->sshape, "%s", s0->sshape);
        }
        if (g & GZT_NERF_CAPS) {
            if (allcaps) {
                EMIT(&o, T_AC, 1, "1");
                EMIT(&o, T_ACL0, t->lower, "%s", s0->lower);
            }
        }
        if (g & GZT_NERF_CLUSTER) {
            for (unsigned l = 0; l < GZT_NER_CL_LEVELS; l++)
                if (t->cl[l])
                    EMIT(&o, T_CL0 + l, t->cl[l], "%u", t->cl[l] - 1u);
            for (unsigned l = 0; l < GZT_NER_CL_LEVELS; l++) {
                if (p1 && p1->cl[l])
                    EMIT(&o, T_CLM1 + l, p1->cl[l], "%u", p1->cl[l] - 1u);
                if (n1 && n1->cl[l])
                    EMIT(&o, T_CLP1 + l, n1->cl[l], "%u", n1->cl[l] - 1u);
            }
        }
        if (g & GZT_NERF_CUES) {
            if (p1 && (p1->flags & F_TITLE))
                EMIT(&o, T_TITLE, 1, "1");
            else if (p2 && (p2->flags & F_TITLE) && (p1->flags & F_CAP))
                EMIT(&o, T_TITLE, 2, "2");
            if (t->flags & F_ORGW)
                EMIT(&o, T_ORG0, t->flags & F_CAP, "%d",
                     (t->flags & F_CAP) != 0);
            if (n1 && (n1->flags & F_ORGW) && (n1->flags & F_CAP))
                EMIT(&o, T_ORGP1, 1, "1");
        }
        if (gaz) {
            const gzt_gaz_hit *h = &hits[i];
            for (unsigned b = 0; b < 6; b++)
                if (h->flags & (1u << b))
                    EMIT(&o, T_GAZF + b, 1, "1");
            if (h->seg != GZT_GAZ_SEG_O)
                EMIT(&o, T_GAZSEG, h->seg * 8u + h->seg_type, "%s-%s",
                     h->seg == GZT_GAZ_SEG_B ? "B" : "I",
                     gzt_gaz_type_name(h->seg_type));
            if (h->flags & GZT_GAZ_F_TITLE)
                EMIT(&o, T_GAZTITLE0, t->sshape, "%s", s0->sshape);
            if (i > 0 && (hits[i - 1].flags & GZT_GAZ_F_TITLE))
                EMIT(&o, T_GAZTM1, 1, "1");
            if (i + 1 < n && (hits[i + 1].flags & GZT_GAZ_F_ORGCUE))
                EMIT(&o, T_GAZOP1, 1, "1");
        }
        if ((g & GZT_NERF_NONLOCAL) && t->nl) {
            EMIT(&o, T_NL, t->nl, "%s", gzt_ner_type_name(t->nl - 1));
            EMIT(&o, T_NLSH, pair(t->nl, t->sshape), "%s|%s",
                 gzt_ner_type_name(t->nl - 1), s0->sshape);
        }
        nrows[i] = (uint8_t)o.n;
    }
    gzt_free(ts);
    return o.rc;
}

/* ---- Viterbi ----------------------------------------------------------- */

size_t
gzt_ner_viterbi_scratch(size_t n)
{
    return (n ? n : 1) * 10 * GZT_NER_NTAGS;
}

/* May tag @p c follow tag @p p (GZT_NER_START = nothing before)? */
static inline bool
allowed(unsigned p, unsigned c)
{
    if (!GZT_NER_TAG_IS_I(c))
        return true;
    return p == c || p + 1 == c;
}

/* The tags token @p i may take: O alone when it is closed. */
static inline unsigned
ntags_at(const uint8_t *closed, size_t i)
{
    return closed && closed[i] ? 1 : GZT_NER_NTAGS;
}

typedef float v4sf __attribute__((vector_size(16)));
typedef int32_t v4si __attribute__((vector_size(16)));

/* The best score so far of tags 1..8 over the predecessors tried, as two
 * vectors of 4 (GCC and Clang vector extensions; SSE2 on x86-64), and the
 * predecessor that gave each. */
typedef struct best8 {
    v4sf lo, hi;   /* best scores of tags 1..4 and 5..8 */
    v4si alo, ahi; /* their predecessors */
} best8;

static inline void
best8_init(best8 *b, int32_t first)
{
    const v4sf u = {NEG_INF * 2, NEG_INF * 2, NEG_INF * 2, NEG_INF * 2};
    const v4si a = {first, first, first, first};
    b->lo = b->hi = u;
    b->alo = b->ahi = a;
}

/* Predecessor @p p gives tags 1..8 the scores @p vl, @p vh: keep those
 * that beat the best so far (strictly: ties keep the earlier one) where
 * @p okl, @p okh allow. */
static inline void
best8_take(best8 *b, v4sf vl, v4sf vh, v4si okl, v4si okh, int32_t p)
{
    const v4si pv = {p, p, p, p};
    v4si ml = (vl > b->lo) & okl, mh = (vh > b->hi) & okh;
    b->lo = (v4sf)(((v4si)vl & ml) | ((v4si)b->lo & ~ml));
    b->hi = (v4sf)(((v4si)vh & mh) | ((v4si)b->hi & ~mh));
    b->alo = (pv & ml) | (b->alo & ~ml);
    b->ahi = (pv & mh) | (b->ahi & ~mh);
}

/* All nine tags' best and predecessor, tag O's given apart. */
static inline void
best8_out(const best8 *b, float best0, int32_t arg0, float best[GZT_NER_NTAGS],
          int32_t arg[GZT_NER_NTAGS])
{
    best[0] = best0;
    arg[0] = arg0;
    memcpy(best + 1, &b->lo, sizeof b->lo);
    memcpy(best + 5, &b->hi, sizeof b->hi);
    memcpy(arg + 1, &b->alo, sizeof b->alo);
    memcpy(arg + 5, &b->ahi, sizeof b->ahi);
}

/* Which of tags 1..8 (two vectors of four) predecessor p may go to: tags
 * 1..8 are B-t, I-t pairs, and I-t follows only B-t or I-t. A table, as
 * building the masks in the loop cost a fifth of the step. */
static const v4si step_ok[GZT_NER_NTAGS][2] = {
    {{-1, 0, -1, 0}, {-1, 0, -1, 0}},  /* O */
    {{-1, -1, -1, 0}, {-1, 0, -1, 0}}, /* B-PER */
    {{-1, -1, -1, 0}, {-1, 0, -1, 0}}, /* I-PER */
    {{-1, 0, -1, -1}, {-1, 0, -1, 0}}, /* B-ORG */
    {{-1, 0, -1, -1}, {-1, 0, -1, 0}}, /* I-ORG */
    {{-1, 0, -1, 0}, {-1, -1, -1, 0}}, /* B-LOC */
    {{-1, 0, -1, 0}, {-1, -1, -1, 0}}, /* I-LOC */
    {{-1, 0, -1, 0}, {-1, 0, -1, -1}}, /* B-MISC */
    {{-1, 0, -1, 0}, {-1, 0, -1, -1}}, /* I-MISC */
};

/* One step of first-order Viterbi between two open tokens: for every tag c
 * the best predecessor p of d[p] + t1[p][c] among those BIO allows, tag O
 * apart and the other 8 as two vectors of 4 (GCC and Clang vector
 * extensions; SSE2 on x86-64). The same additions and comparisons as the
 * scalar loop, p ascending, so ties keep the first p as it does. */
static void
step_open(float *nd, uint8_t *bp, const float *d, const float *t1,
          const float *ei)
{
    float best0 = NEG_INF * 2;
    int32_t arg0 = 0;
    best8 b;
    best8_init(&b, 0);
    for (int32_t p = 0; p < GZT_NER_NTAGS; p++) {
        const float dp = d[p], *tr = t1 + p * GZT_NER_NTAGS;
        float v0 = dp + tr[0];
        if (v0 > best0) {
            best0 = v0;
            arg0 = p;
        }
        v4sf dv = {dp, dp, dp, dp}, tl, th;
        memcpy(&tl, tr + 1, sizeof tl);
        memcpy(&th, tr + 5, sizeof th);
        best8_take(&b, dv + tl, dv + th, step_ok[p][0], step_ok[p][1], p);
    }
    float best[GZT_NER_NTAGS];
    int32_t arg[GZT_NER_NTAGS];
    best8_out(&b, best0, arg0, best, arg);
    for (unsigned c = 0; c < GZT_NER_NTAGS; c++) {
        nd[c] = best[c] + ei[c];
        bp[c] = (uint8_t)arg[c];
    }
}

static void
viterbi1(uint8_t *tags, const float *e, size_t n, const float *t1,
         const uint8_t *closed, uint8_t *bp)
{
    float d[GZT_NER_NTAGS], nd[GZT_NER_NTAGS];
    for (unsigned c = 0; c < GZT_NER_NTAGS; c++)
        d[c] = c < ntags_at(closed, 0) && allowed(GZT_NER_START, c)
                   ? t1[GZT_NER_START * GZT_NER_NTAGS + c] + e[c]
                   : NEG_INF * 2;
    for (size_t i = 1; i < n; i++) {
        const float *ei = e + i * GZT_NER_NTAGS;
        unsigned np = ntags_at(closed, i - 1), nc = ntags_at(closed, i);
        if (np == 1 && nc == 1) {
            /* a closed token after another (most of them): O after O, the
             * other states still unreached */
            d[0] = d[0] + t1[0] + ei[0];
            bp[i * GZT_NER_NTAGS] = 0;
            continue;
        }
        if (np == GZT_NER_NTAGS && nc == GZT_NER_NTAGS) {
            step_open(nd, bp + i * GZT_NER_NTAGS, d, t1, ei);
            memcpy(d, nd, sizeof d);
            continue;
        }
        for (unsigned c = 0; c < GZT_NER_NTAGS; c++)
            nd[c] = NEG_INF * 2;
        for (unsigned c = 0; c < nc; c++) {
            float best = NEG_INF * 2;
            unsigned arg = 0;
            for (unsigned p = 0; p < np; p++) {
                if (!allowed(p, c))
                    continue;
                float v = d[p] + t1[p * GZT_NER_NTAGS + c];
                if (v > best) {
                    best = v;
                    arg = p;
                }
            }
            nd[c] = best + ei[c];
            bp[i * GZT_NER_NTAGS + c] = (uint8_t)arg;
        }
        memcpy(d, nd, sizeof d);
    }
    unsigned c = 0;
    for (unsigned k = 1; k < GZT_NER_NTAGS; k++)
        if (d[k] > d[c])
            c = k;
    for (size_t i = n; i-- > 0;) {
        tags[i] = (uint8_t)c;
        if (i > 0)
            c = bp[i * GZT_NER_NTAGS + c];
    }
}

/* Second order: the state is the pair (previous tag, tag). A closed token
 * has the one tag O, so a run of them costs one state each. */
/* Mark the @p n states at @p d unreached, four at a time. */
static void
unreach(float *d, unsigned n)
{
    const v4sf u = {NEG_INF * 2, NEG_INF * 2, NEG_INF * 2, NEG_INF * 2};
    unsigned k = 0;
    for (; k + 4 <= n; k += 4)
        memcpy(d + k, &u, sizeof u);
    for (; k < n; k++)
        d[k] = NEG_INF * 2;
}

static void
viterbi2(uint8_t *tags, const float *e, size_t n, const float *t1,
         const float *t2, const uint8_t *closed, uint8_t *bp)
{
    enum { P = 10, S = 10 * GZT_NER_NTAGS };
    float da[S], nda[S], *d = da, *nd = nda;
    unreach(d, S);
    for (unsigned c = 0; c < ntags_at(closed, 0); c++)
        if (allowed(GZT_NER_START, c))
            d[GZT_NER_START * GZT_NER_NTAGS + c] =
                t1[GZT_NER_START * GZT_NER_NTAGS + c] +
                t2[(GZT_NER_START * P + GZT_NER_START) * GZT_NER_NTAGS + c] +
                e[c];
    for (size_t i = 1; i < n; i++) {
        const float *ei = e + i * GZT_NER_NTAGS;
        uint8_t *bpi = bp + i * S;
        unsigned np = ntags_at(closed, i - 1), nc = ntags_at(closed, i);
        /* every state unreached (a loop over only the states this token
         * can be in cost more in its stores and branches) */
        unreach(nd, S);
        for (unsigned p = 0; p < np; p++) {
            /* the live predecessor pairs (pp, p): at i = 1 only (START, p);
             * later every pair BIO allows among the tags token i - 2 may
             * take */
            unsigned lo, hi;
            if (i == 1) {
                lo = hi = GZT_NER_START;
                if (d[GZT_NER_START * GZT_NER_NTAGS + p] <= NEG_INF)
                    continue;
            } else if (GZT_NER_TAG_IS_I(p)) {
                lo = p - 1;
                hi = p;
                if (ntags_at(closed, i - 2) == 1)
                    continue; /* I after a closed O: never */
            } else {
                lo = 0;
                hi = ntags_at(closed, i - 2) - 1;
            }
            /* best over pp for every c at once: tag O apart, the other 8
             * as two vectors of 4 (GCC and Clang vector extensions; SSE2
             * on x86-64); ties keep the first pp, as a scalar loop would */
            float best0 = NEG_INF * 2;
            int32_t arg0 = (int32_t)lo;
            best8 b;
            best8_init(&b, (int32_t)lo);
            const v4si all = {-1, -1, -1, -1};
            for (unsigned pp = lo; pp <= hi; pp++) {
                float dp = d[pp * GZT_NER_NTAGS + p];
                const float *tr = t2 + (pp * P + p) * GZT_NER_NTAGS;
                float v0 = dp + tr[0];
                if (v0 > best0) {
                    best0 = v0;
                    arg0 = (int32_t)pp;
                }
                v4sf dv = {dp, dp, dp, dp}, tl, th;
                memcpy(&tl, tr + 1, sizeof tl);
                memcpy(&th, tr + 5, sizeof th);
                best8_take(&b, dv + tl, dv + th, all, all, (int32_t)pp);
            }
            float best[GZT_NER_NTAGS];
            int32_t arg[GZT_NER_NTAGS];
            best8_out(&b, best0, arg0, best, arg);
            const float *t1p = t1 + p * GZT_NER_NTAGS;
            for (unsigned c = 0; c < nc; c++) {
                if (!allowed(p, c))
                    continue;
                nd[p * GZT_NER_NTAGS + c] = best[c] + t1p[c] + ei[c];
                bpi[p * GZT_NER_NTAGS + c] = (uint8_t)arg[c];
            }
        }
        float *t = d;
        d = nd;
        nd = t;
    }
    unsigned best = 0, nlast = ntags_at(closed, n - 1);
    for (unsigned p = 0; p < P; p++)
        for (unsigned c = 0; c < nlast; c++)
            if (d[p * GZT_NER_NTAGS + c] > d[best])
                best = p * GZT_NER_NTAGS + c;
    unsigned p = best / GZT_NER_NTAGS, c = best % GZT_NER_NTAGS;
    for (size_t i = n; i-- > 0;) {
        tags[i] = (uint8_t)c;
        if (i > 0) {
            unsigned pp = bp[i * S + p * GZT_NER_NTAGS + c];
            c = p;
            p = pp;
        }
    }
}

void
gzt_ner_viterbi(uint8_t *tags, const float *emit, size_t n, const float *t1,
                const float *t2, const uint8_t *closed, void *scratch)
{
    if (n == 0)
        return;
    if (t2)
        viterbi2(tags, emit, n, t1, t2, closed, scratch);
    else
        viterbi1(tags, emit, n, t1, closed, scratch);
}

/* ---- the model --------------------------------------------------------- */

struct gzt_ner {
    gzt_nerfx fx;                        /* features */
    int16_t *w;                          /* 2^bits rows x 9 quantised weights */
    float scale;                         /* weight = w * scale */
    float t1[GZT_NER_T1_LEN];            /* tag bigram weights */
    float t2[GZT_NER_T2_LEN];            /* tag trigram weights (if order2) */
    bool order2;                         /* second-order transitions */
    char *info;                          /* description, NUL-terminated */
    bool borrowed;                       /* fx tables, w and info belong to
                                            the model this is a clone of */
    gzt_buf toks;                        /* tokenizer output */
    gzt_buf forms;                       /* normalised forms */
    gzt_buf spans;                       /* spans of the current call */
    gzt_buf hits;                        /* gzt_gaz_hit per token */
    gzt_nerwc *wc;                       /* word cache, made on first use */
    gzt_nerdoc doc;                      /* document memory */
    gzt_nerword words[GZT_NER_SENT_MAX]; /* one sentence */
    uint8_t nrows[GZT_NER_SENT_MAX];     /* features per token */
    uint8_t tags[GZT_NER_SENT_MAX];      /* decoded tags */
    uint8_t closed[GZT_NER_SENT_MAX];    /* gzt_ner_closed() per token */
    uint64_t nlkey[GZT_NER_SENT_MAX];    /* per token, the document memory's
                                            key of a capitalised word, else 0
                                            (sums_cached()) */
    uint32_t rows[GZT_NER_SENT_MAX * GZT_NER_MAXFEAT]; /* feature rows */
    int32_t sums[GZT_NER_SENT_MAX * GZT_NER_NTAGS];    /* tag scores */
    int32_t edge[5][GZT_NER_NTAGS]; /* sums of the roles of the words beyond
                                       a sentence (sums_cached(); not
                                       R_SELF) */
    bool edge_ok;                   /* edge[] is filled */
    float emit[GZT_NER_SENT_MAX * GZT_NER_NTAGS]; /* tag scores */
    uint64_t scratch[GZT_NER_SENT_MAX * 10 * GZT_NER_NTAGS / 8 + 1];
};

void
gzt_ner_free(gzt_ner *m)
{
    if (!m)
        return;
    if (!m->borrowed) {
        gzt_nerfx_fini(&m->fx);
        gzt_free(m->w);
        gzt_free(m->info);
    }
    gzt_buf_free(&m->toks);
    gzt_buf_free(&m->forms);
    gzt_buf_free(&m->spans);
    gzt_buf_free(&m->hits);
    gzt_nerwc_free(m->wc);
    gzt_nerdoc_fini(&m->doc);
    gzt_free(m);
}

int
gzt_ner_clone(gzt_ner **out, const gzt_ner *m)
{
    gzt_ner *c = gzt_calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return GZT_ENOMEM;
    c->fx = m->fx;
    c->w = m->w;
    c->scale = m->scale;
    memcpy(c->t1, m->t1, sizeof c->t1);
    memcpy(c->t2, m->t2, sizeof c->t2);
    c->order2 = m->order2;
    c->info = m->info;
    c->borrowed = true;
    return GZT_OK;
}

void
gzt_ner_set_gazetteer(gzt_ner *m, const gzt_gaz *gaz)
{
    m->fx.gaz = gaz;
}

bool
gzt_ner_wants_gazetteer(const gzt_ner *m)
{
    return (m->fx.groups & GZT_NERF_GAZ) != 0;
}

const char *
gzt_ner_model_info(const gzt_ner *m)
{
    return m && m->info ? m->info : "";
}

static int
put_f32(gzt_buf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return gzt_buf_put_u32(b, u);
}

static bool
rd_f32(gzt_rd *r, float *f)
{
    uint32_t u;
    if (!gzt_rd_u32(r, &u))
        return false;
    memcpy(f, &u, sizeof u);
    if (!isfinite(*f) || fabsf(*f) > 1e9f) {
        r->bad = true;
        return false;
    }
    return true;
}

/*
 * File layout (little endian): magic[8], u32 version, u32 groups, u32 bits,
 * u32 ntags, f32 scale, varint info length + info bytes, f32 t1[90],
 * f32 t2[900] when groups has ORDER2, u32 cluster levels, varint cluster
 * count, then per cluster word u64 hash + levels x u16 ids; varint row
 * count, then per row varint (row - previous row - 1) and 9 zigzag varint
 * int16 weights; finally u64 XXH3-64 of everything before it.
 */
int
gzt_ner_encode(gzt_buf *out, const gzt_ner_weights *mw)
{
    const gzt_nerfx *fx = mw->fx;
    size_t nrows = (size_t)1 << fx->bits, base = out->len;
    float maxabs = 0;
    for (size_t i = 0; i < nrows * GZT_NER_NTAGS; i++)
        maxabs = GZT_MAX(maxabs, fabsf(mw->w[i]));
    float scale = maxabs > 0 ? maxabs / 32767.0f : 1.0f;
    const char *info = mw->info ? mw->info : "";
    int rc = gzt_buf_append(out, model_magic, sizeof model_magic);
    uint32_t groups = fx->groups & ~(uint32_t)GZT_NERF_ORDER2;
    if (mw->t2)
        groups |= GZT_NERF_ORDER2;
    rc = rc ? rc : gzt_buf_put_u32(out, MODEL_VERSION);
    rc = rc ? rc : gzt_buf_put_u32(out, groups);
    rc = rc ? rc : gzt_buf_put_u32(out, fx->bits);
    rc = rc ? rc : gzt_buf_put_u32(out, GZT_NER_NTAGS);
    rc = rc ? rc : put_f32(out, scale);
    rc = rc ? rc : gzt_buf_put_varint(out, strlen(info));
    rc = rc ? rc : gzt_buf_append(out, info, strlen(info));
    for (size_t i = 0; i < GZT_NER_T1_LEN && !rc; i++)
        rc = put_f32(out, mw->t1[i]);
    for (size_t i = 0; mw->t2 && i < GZT_NER_T2_LEN && !rc; i++)
        rc = put_f32(out, mw->t2[i]);
    rc = rc ? rc : gzt_buf_put_u32(out, GZT_NER_CL_LEVELS);
    rc = rc ? rc : gzt_buf_put_varint(out, fx->cl_n);
    for (size_t i = 0; i < fx->cl_cap && !rc; i++) {
        if (!fx->cl[i].key)
            continue;
        rc = gzt_buf_put_u64(out, fx->cl[i].key);
        for (int l = 0; l < GZT_NER_CL_LEVELS && !rc; l++) {
            uint16_t v = (uint16_t)(fx->cl[i].ids[l] - 1);
            uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
            rc = gzt_buf_append(out, b, 2);
        }
    }
    /* quantise, then write the rows with any non-zero weight */
    size_t used = 0;
    for (size_t r = 0; r < nrows; r++)
        for (int t = 0; t < GZT_NER_NTAGS; t++)
            if (lrintf(mw->w[r * GZT_NER_NTAGS + t] / scale) != 0) {
                used++;
                break;
            }
    rc = rc ? rc : gzt_buf_put_varint(out, used);
    size_t prev = 0;
    for (size_t r = 0; r < nrows && !rc; r++) {
        long q[GZT_NER_NTAGS];
        bool any = false;
        for (int t = 0; t < GZT_NER_NTAGS; t++) {
            q[t] = lrintf(mw->w[r * GZT_NER_NTAGS + t] / scale);
            q[t] = GZT_MAX(-32767, GZT_MIN(32767, q[t]));
            any |= q[t] != 0;
        }
        if (!any)
            continue;
        rc = gzt_buf_put_varint(out, r - prev);
        prev = r + 1;
        for (int t = 0; t < GZT_NER_NTAGS && !rc; t++) {
            uint64_t z =
                q[t] < 0 ? ((uint64_t)(-q[t]) << 1) - 1 : (uint64_t)q[t] << 1;
            rc = gzt_buf_put_varint(out, z);
        }
    }
    if (!rc)
        rc = gzt_buf_put_u64(out, XXH3_64bits(out->p + base, out->len - base));
    return rc;
}

static int
corrupt(gzt_error *err, const char *what)
{
    return gzt_err_set(err, GZT_ECORRUPT, "NER model: %s", what);
}

int
gzt_ner_load(gzt_ner **out, const void *bytes, size_t len, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    const uint8_t *b = bytes;
    if (!bytes || len < sizeof model_magic + 8)
        return corrupt(err, "too short");
    if (memcmp(b, model_magic, sizeof model_magic) != 0)
        return corrupt(err, "not a model file (bad magic)");
    if (XXH3_64bits(b, len - 8) != gzt_load_u64(b + len - 8))
        return corrupt(err, "checksum mismatch (damaged file)");
    gzt_ner *m = gzt_calloc(1, sizeof *m);
    if (!m)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = GZT_ECORRUPT;
    const char *why = "truncated";
    gzt_rd r =
        gzt_rd_make(b + sizeof model_magic, len - 8 - sizeof model_magic);
    uint32_t version, groups, bits, ntags, levels;
    uint64_t info_len, ncl, nrows;
    const uint8_t *p;
    if (!gzt_rd_u32(&r, &version) || !gzt_rd_u32(&r, &groups) ||
        !gzt_rd_u32(&r, &bits) || !gzt_rd_u32(&r, &ntags) ||
        !rd_f32(&r, &m->scale) || !gzt_rd_varint(&r, &info_len))
        goto fail;
    if (version != MODEL_VERSION) {
        why = "unsupported version";
        goto fail;
    }
    if ((groups & ~(uint32_t)GZT_NERF_ALL) || bits < 8 || bits > 24 ||
        ntags != GZT_NER_NTAGS || info_len > 4096) {
        why = "bad header";
        goto fail;
    }
    if (!gzt_rd_bytes(&r, info_len, &p))
        goto fail;
    m->info = gzt_strndup((const char *)p, info_len);
    m->fx.groups = groups;
    m->fx.bits = bits;
    m->order2 = (groups & GZT_NERF_ORDER2) != 0;
    for (size_t i = 0; i < GZT_NER_T1_LEN; i++)
        if (!rd_f32(&r, &m->t1[i]))
            goto fail;
    for (size_t i = 0; m->order2 && i < GZT_NER_T2_LEN; i++)
        if (!rd_f32(&r, &m->t2[i]))
            goto fail;
    if (!gzt_rd_u32(&r, &levels) || !gzt_rd_varint(&r, &ncl))
        goto fail;
    if (levels != GZT_NER_CL_LEVELS || ncl > (size_t)(r.end - r.p) / 16) {
        why = "bad cluster table";
        goto fail;
    }
    /* the table at its final size at once: growing it rehashed every word
     * about twice and wrote twice its memory */
    if (!m->info || cl_reserve(&m->fx, ncl))
        goto nomem;
    for (uint64_t i = 0; i < ncl; i++) {
        uint64_t h;
        uint16_t ids[GZT_NER_CL_LEVELS];
        if (!gzt_rd_u64(&r, &h) || !gzt_rd_bytes(&r, 2 * GZT_NER_CL_LEVELS, &p))
            goto fail;
        for (int l = 0; l < GZT_NER_CL_LEVELS; l++) {
            ids[l] = (uint16_t)(p[2 * l] | p[2 * l + 1] << 8);
            if (ids[l] == UINT16_MAX) {
                why = "bad cluster id";
                goto fail;
            }
        }
        if (gzt_nerfx_add_cluster(&m->fx, h, ids) != GZT_OK)
            goto nomem;
    }
    size_t total = (size_t)1 << bits;
    m->w = gzt_calloc(total, GZT_NER_NTAGS * sizeof *m->w);
    if (!m->w)
        goto nomem;
    if (!gzt_rd_varint(&r, &nrows))
        goto fail;
    if (nrows > total) {
        why = "bad row count";
        goto fail;
    }
    uint64_t row = 0;
    for (uint64_t i = 0; i < nrows; i++) {
        uint64_t delta;
        if (!gzt_rd_varint(&r, &delta))
            goto fail;
        if (delta >= total || row + delta >= total) {
            why = "row out of range";
            goto fail;
        }
        row += delta;
        for (int t = 0; t < GZT_NER_NTAGS; t++) {
            uint64_t z;
            if (!gzt_rd_varint(&r, &z))
                goto fail;
            if (z > 65534) {
                why = "weight out of range";
                goto fail;
            }
            int64_t v = (z & 1) ? -(int64_t)((z + 1) >> 1) : (int64_t)(z >> 1);
            m->w[row * GZT_NER_NTAGS + t] = (int16_t)v;
        }
        row++;
    }
    if (r.p != r.end) {
        why = "trailing bytes";
        goto fail;
    }
    *out = m;
    return GZT_OK;
nomem:
    rc = GZT_ENOMEM;
    why = "out of memory";
fail:
    gzt_ner_free(m);
    if (rc == GZT_ENOMEM)
        return gzt_err_set(err, rc, "NER model: out of memory");
    return corrupt(err, why);
}

/* ---- the built-in image ------------------------------------------------ */

/* gzt_ner_image_write() lays a loaded model out as it lies in memory, as
 * gazetteer.c does the lists: a header of NH_WORDS 64-bit words, then the
 * scale and transition weights, the description, the cluster table and the
 * weight table, each part at a multiple of GZT_IMG_ALIGN bytes (base.h);
 * a model made from it is `borrowed`, so nothing frees or writes them. The
 * build writes the built-in model's image for the machine that runs it, so
 * that gzt_ner_from_image() points at it instead of decoding and writing
 * about 9 MB of tables at every start. */
static const char ner_img_magic[8] = {'G', 'Z', 'T', 'N', 'E', 'R', 'I', '1'};

enum {
    NH_MAGIC,  /* ner_img_magic */
    NH_CL,     /* sizeof(gzt_nercl) */
    NH_GROUPS, /* fx.groups */
    NH_BITS,   /* fx.bits */
    NH_CLCAP,  /* slots of the cluster table (0: none) */
    NH_CLN,    /* of them in use */
    NH_INFO,   /* bytes of the description, without its NUL */
    NH_WORDS
};

int
gzt_ner_image_write(const gzt_ner *m, gzt_buf *out)
{
    uint64_t h[NH_WORDS] = {0};
    memcpy(&h[NH_MAGIC], ner_img_magic, 8);
    h[NH_CL] = sizeof(gzt_nercl);
    h[NH_GROUPS] = m->fx.groups;
    h[NH_BITS] = m->fx.bits;
    h[NH_CLCAP] = m->fx.cl_cap;
    h[NH_CLN] = m->fx.cl_n;
    h[NH_INFO] = strlen(m->info);
    float f[1 + GZT_NER_T1_LEN + GZT_NER_T2_LEN];
    f[0] = m->scale;
    memcpy(f + 1, m->t1, sizeof m->t1);
    memcpy(f + 1 + GZT_NER_T1_LEN, m->t2, sizeof m->t2);
    gzt_buf_reset(out);
    int rc = gzt_img_put(out, h, sizeof h);
    if (!rc)
        rc = gzt_img_put(out, f, sizeof f);
    if (!rc)
        rc = gzt_img_put(out, m->info, h[NH_INFO] + 1);
    if (!rc && m->fx.cl_cap)
        rc = gzt_img_put(out, m->fx.cl, m->fx.cl_cap * sizeof(gzt_nercl));
    if (!rc)
        rc = gzt_img_put(out, m->w,
                         ((size_t)GZT_NER_NTAGS << m->fx.bits) * sizeof *m->w);
    return rc;
}

int
gzt_ner_from_image(gzt_ner **out, const void *image, size_t len, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    const uint8_t *b = image;
    uint64_t h[NH_WORDS];
    if (!b || (uintptr_t)b % GZT_IMG_ALIGN || len < sizeof h ||
        memcmp(b, ner_img_magic, 8) != 0)
        return corrupt(err, "not a model image");
    for (size_t i = 0; i < NH_WORDS; i++)
        h[i] = gzt_load_u64(b + 8 * i);
    size_t nf = 1 + GZT_NER_T1_LEN + GZT_NER_T2_LEN;
    bool ok = h[NH_CL] == sizeof(gzt_nercl) &&
              !(h[NH_GROUPS] & ~(uint64_t)GZT_NERF_ALL) && h[NH_BITS] >= 8 &&
              h[NH_BITS] <= 24 && !(h[NH_CLCAP] & (h[NH_CLCAP] - 1)) &&
              h[NH_CLN] <= h[NH_CLCAP] &&
              h[NH_CLCAP] <= len / sizeof(gzt_nercl) && h[NH_INFO] <= 4096;
    size_t wbytes =
        ok ? ((size_t)GZT_NER_NTAGS << h[NH_BITS]) * sizeof(int16_t) : 0;
    if (!ok || gzt_img_round(sizeof h) + gzt_img_round(nf * sizeof(float)) +
                       gzt_img_round(h[NH_INFO] + 1) +
                       gzt_img_round(h[NH_CLCAP] * sizeof(gzt_nercl)) +
                       gzt_img_round(wbytes) !=
                   len)
        return corrupt(err, "the model image does not fit this build");
    gzt_ner *m = gzt_calloc(1, sizeof *m);
    if (!m)
        return gzt_err_set(err, GZT_ENOMEM, "NER model: out of memory");
    size_t off = gzt_img_round(sizeof h);
    const float *f = gzt_img_at(b, &off, nf * sizeof(float));
    m->scale = f[0];
    memcpy(m->t1, f + 1, sizeof m->t1);
    memcpy(m->t2, f + 1 + GZT_NER_T1_LEN, sizeof m->t2);
    m->info = gzt_img_at(b, &off, h[NH_INFO] + 1);
    m->fx.groups = (uint32_t)h[NH_GROUPS];
    m->fx.bits = (unsigned)h[NH_BITS];
    m->order2 = (m->fx.groups & GZT_NERF_ORDER2) != 0;
    m->fx.cl = h[NH_CLCAP]
                   ? gzt_img_at(b, &off, h[NH_CLCAP] * sizeof(gzt_nercl))
                   : NULL;
    m->fx.cl_cap = h[NH_CLCAP];
    m->fx.cl_n = h[NH_CLN];
    m->w = gzt_img_at(b, &off, wbytes);
    m->borrowed = true;
    *out = m;
    return GZT_OK;
}

/* ---- tagging ----------------------------------------------------------- */

static int tag_sentence(gzt_ner *m, gzt_nerdoc *doc, const gzt_nerword *w,
                        size_t n, const gzt_gaz_hit *hits, uint8_t *tags);

int
gzt_ner_tag_words(gzt_ner *m, gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
                  uint8_t *tags)
{
    return tag_sentence(m, doc, w, n, NULL, tags);
}

/* Add the @p n weight rows numbered @p r of @p W to @p s, tag by tag.
 * Eight tags at a time
 * where SSE2 is there (every x86-64), in registers: the plain loop kept the
 * sums in memory and paid a read-modify-write per tag and row, most of the
 * tagger's time. Integer sums, so the same to the bit in any order. */
static void
add_rows(const int16_t *W, const uint32_t *r, unsigned n,
         int32_t s[GZT_NER_NTAGS])
{
    unsigned t0 = 0;
#ifdef __SSE2__
    _Static_assert(GZT_NER_NTAGS >= 8, "a row holds the eight tags loaded");
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(s + 4));
    for (unsigned k = 0; k < n; k++) {
        /* tags 0..7; a row has 9, so the load stays inside it */
        const int16_t *wr = W + (size_t)r[k] * GZT_NER_NTAGS;
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)wr);
        lo = _mm_add_epi32(lo, _mm_srai_epi32(_mm_unpacklo_epi16(x, x), 16));
        hi = _mm_add_epi32(hi, _mm_srai_epi32(_mm_unpackhi_epi16(x, x), 16));
    }
    _mm_storeu_si128((__m128i *)(void *)s, lo);
    _mm_storeu_si128((__m128i *)(void *)(s + 4), hi);
    t0 = 8;
#endif
    for (unsigned k = 0; k < n; k++)
        for (unsigned t = t0; t < GZT_NER_NTAGS; t++)
            s[t] += W[(size_t)r[k] * GZT_NER_NTAGS + t];
}

/* The sums of the @p n weight rows numbered @p r of @p W. */
static void
sum_rows(const int16_t *W, const uint32_t *r, unsigned n,
         int32_t s[GZT_NER_NTAGS])
{
    memset(s, 0, GZT_NER_NTAGS * sizeof *s);
    add_rows(W, r, n, s);
}

/* Tag scores the plain way: every feature's row (gzt_nerfx_extract()). */
static int
sums_plain(gzt_ner *m, const gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
           const gzt_gaz_hit *hits, int32_t *sums)
{
    int rc = gzt_nerfx_extract(&m->fx, doc, w, n, m->closed, hits, NULL,
                               m->rows, m->nrows, NULL);
    if (rc != GZT_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        sum_rows(m->w, m->rows + i * GZT_NER_MAXFEAT, m->nrows[i],
                 sums + i * GZT_NER_NTAGS);
    return GZT_OK;
}

/*
 * The rows word @p t gives an open token in role @p r (NULL: the position
 * is beyond the sentence). These are the features of gzt_nerfx_extract()
 * that depend on that one word; test_ner.c checks that the two agree.
 */
static unsigned
role_rows(const gzt_nerfx *fx, const tinfo *t, unsigned r, uint32_t *rows)
{
    const uint32_t g = fx->groups;
    const unsigned shift = 64 - fx->bits;
    const bool prev = r == R_PREV1 || r == R_PREV2;
    const uint64_t lower = t ? t->lower : prev ? H_BOS : H_EOS;
    const uint64_t sshape = t ? t->sshape : prev ? H_BOS : H_EOS;
    unsigned n = 0;
#define ROW(tm, v) (rows[n++] = row_of((tm), (v), shift))
    switch (r) {
    case R_SELF:
        ROW(T_BIAS, 0);
        if (g & GZT_NERF_WORD) {
            ROW(T_W0, t->form);
            ROW(T_L0, t->lower);
        }
        if (g & GZT_NERF_SHAPE) {
            ROW(T_SH0, t->shape);
            ROW(T_SS0, t->sshape);
        }
        if (g & GZT_NERF_AFFIX)
            for (unsigned k = 0; k < 4 && k < t->nchars; k++) {
                if (k + 1 == t->nchars && k > 0)
                    break;
                ROW(T_PRE + k, t->pre[k]);
                ROW(T_SUF + k, t->suf[k]);
            }
        if (g & GZT_NERF_CLUSTER)
            for (unsigned l = 0; l < GZT_NER_CL_LEVELS; l++)
                if (t->cl[l])
                    ROW(T_CL0 + l, t->cl[l]);
        if ((g & GZT_NERF_CUES) && (t->flags & F_ORGW))
            ROW(T_ORG0, t->flags & F_CAP);
        break;
    case R_PREV1:
    case R_NEXT1:
        if (g & GZT_NERF_WINDOW)
            ROW(prev ? T_LM1 : T_LP1, lower);
        if (g & GZT_NERF_SHAPE)
            ROW(prev ? T_SSM1 : T_SSP1, sshape);
        if ((g & GZT_NERF_CLUSTER) && t)
            for (unsigned l = 0; l < GZT_NER_CL_LEVELS; l++)
                if (t->cl[l])
                    ROW((prev ? T_CLM1 : T_CLP1) + l, t->cl[l]);
        if (!prev && (g & GZT_NERF_CUES) && t && (t->flags & F_ORGW) &&
            (t->flags & F_CAP))
            ROW(T_ORGP1, 1);
        break;
    default:
        if (g & GZT_NERF_WINDOW)
            ROW(prev ? T_LM2 : T_LP2, lower);
        break;
    }
#undef ROW
    return n;
}

/* The sums of the rows word @p t (NULL: beyond the sentence) gives in
 * role @p r, when its slot @p e (NULL when the slot holds another word)
 * does not hold them yet: worked out, and kept in @p e from then on, or
 * in @p own. */
static const int32_t *
role_sums(gzt_ner *m, wcent *e, const tinfo *t, unsigned r, int32_t *own)
{
    if (!t)
        return m->edge[r];
    uint32_t rows[24]; /* a word alone gives at most 18 */
    int32_t *d = e ? e->sums[r] : own;
    sum_rows(m->w, rows, role_rows(&m->fx, t, r, rows), d);
    if (e)
        e->have |= (uint8_t)(1u << r);
    return d;
}

/* Add to @p s what word @p t gives in role @p r (see role_sums()). */
static inline void
add_role(gzt_ner *m, wcent *e, const tinfo *t, unsigned r, int32_t *s)
{
    int32_t own[GZT_NER_NTAGS];
    const int32_t *v =
        e && (e->have >> r & 1) ? e->sums[r] : role_sums(m, e, t, r, own);
    unsigned k = 0;
#ifdef __SSE2__
    for (; k + 4 <= GZT_NER_NTAGS; k += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(v + k));
        _mm_storeu_si128((__m128i *)(void *)(s + k), _mm_add_epi32(a, b));
    }
#endif
    for (; k < GZT_NER_NTAGS; k++)
        s[k] += v[k];
}

/*
 * Tag scores through the word cache: an open token's score is the sums of
 * its own word's rows and of its neighbours' (each kept per word and role
 * in the cache, so that a word's features are hashed and summed once)
 * plus the rows of the features that join words or come from the
 * document and the gazetteer (word bigrams, the shape trigram, title cues,
 * gazetteer hits, earlier labels). Integer sums, so the same as
 * sums_plain() to the bit. Words two tokens or more from every open token
 * are not looked at.
 */
static int
sums_cached(gzt_ner *m, const gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
            const gzt_gaz_hit *given, int32_t *sums)
{
    const gzt_nerfx *fx = &m->fx;
    const uint32_t g = fx->groups;
    const unsigned shift = 64 - fx->bits;
    const uint8_t *closed = m->closed;
    gzt_nerwc *wc = m->wc;
    tinfo ti[GZT_NER_SENT_MAX];
    wcent *slot[GZT_NER_SENT_MAX];
    uint8_t need[GZT_NER_SENT_MAX];
    size_t nopen = 0;
    memset(need, 0, n);
    for (size_t i = 0; i < n; i++) {
        if (closed[i])
            continue;
        nopen++;
        for (size_t j = i > 2 ? i - 2 : 0; j <= i + 2 && j < n; j++)
            need[j] = 1;
    }
    memset(sums, 0, n * GZT_NER_NTAGS * sizeof *sums);
    memset(m->nlkey, 0, n * sizeof *m->nlkey);
    if (nopen == 0)
        return GZT_OK;
    if (g & GZT_NERF_CAPS) /* the sentence's case: every word */
        memset(need, 1, n);
    if (g & GZT_NERF_CUES)
        pthread_once(&cue_once, cue_init);
    if (!m->edge_ok) {
        for (unsigned r = R_PREV1; r < R_COUNT; r++) {
            uint32_t rows[24];
            sum_rows(m->w, rows, role_rows(fx, NULL, r, rows), m->edge[r]);
        }
        m->edge_ok = true;
    }
    if (wc->W != m->w) {
        if (wc->W)
            for (size_t k = 0; k < WC_SLOTS; k++)
                wc->e[k].have = 0;
        wc->W = m->w;
    }
    word_info_sentence(fx, wc, w, n, need, ti, slot);
    bool anylow = false, anyup = false;
    for (size_t i = 0; i < n; i++) {
        if (!need[i])
            continue;
        wcent *e = slot[i];
        if (e && (e->len != w[i].len || !gzt_mem_eq(e->key, w[i].s, w[i].len)))
            slot[i] = NULL; /* a later word took the slot */
        anylow |= (ti[i].flags & F_HASLOW) != 0;
        anyup |= (ti[i].flags & F_HASUP) != 0;
        /* (every capitalised word is here: no closed word starts with a
         * capital, so every one is open and looked up) */
        if (ti[i].flags & F_CAP)
            m->nlkey[i] = ti[i].lower | 1;
    }
    const bool allcaps = anyup && !anylow;
    gzt_gaz_hit own[GZT_NER_SENT_MAX];
    const gzt_gaz_hit *hits = given ? given : own;
    const bool gaz = (g & GZT_NERF_GAZ) && fx->gaz;
    if (gaz && !given)
        gzt_gaz_match(fx->gaz, (const gzt_gaz_tok *)w, n, own);
    _Static_assert(sizeof(gzt_gaz_tok) == sizeof(gzt_nerword),
                   "a sentence's words are its gazetteer tokens");
    /* each open token's own and neighbours' sums, then the rows of the
     * features that join words, asked for while the previous open token's
     * are added */
    size_t prev_open = n;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && closed[i])
            continue;
        if (i < n) {
            const tinfo *t = &ti[i];
            int32_t *s = sums + i * GZT_NER_NTAGS;
            uint32_t *rows = m->rows + i * GZT_NER_MAXFEAT;
            unsigned nr = 0;
#define ROW(tm, x) (rows[nr++] = row_of((tm), (x), shift))
            add_role(m, slot[i], t, R_SELF, s);
            add_role(m, i > 0 ? slot[i - 1] : NULL, i > 0 ? &ti[i - 1] : NULL,
                     R_PREV1, s);
            add_role(m, i > 1 ? slot[i - 2] : NULL, i > 1 ? &ti[i - 2] : NULL,
                     R_PREV2, s);
            add_role(m, i + 1 < n ? slot[i + 1] : NULL,
                     i + 1 < n ? &ti[i + 1] : NULL, R_NEXT1, s);
            add_role(m, i + 2 < n ? slot[i + 2] : NULL,
                     i + 2 < n ? &ti[i + 2] : NULL, R_NEXT2, s);
            const tinfo *p1 = i > 0 ? &ti[i - 1] : NULL;
            const tinfo *p2 = i > 1 ? &ti[i - 2] : NULL;
            const tinfo *n1 = i + 1 < n ? &ti[i + 1] : NULL;
            if (g & GZT_NERF_WINDOW) {
                ROW(T_BM, pair(p1 ? p1->lower : H_BOS, t->lower));
                ROW(T_BP, pair(t->lower, n1 ? n1->lower : H_EOS));
            }
            if (g & GZT_NERF_SHAPE)
                ROW(T_SS3, pair(pair(p1 ? p1->sshape : H_BOS, t->sshape),
                                n1 ? n1->sshape : H_EOS));
            if ((g & GZT_NERF_SENT) && i == 0)
                ROW(T_FIRST, t->sshape);
            if ((g & GZT_NERF_CAPS) && allcaps) {
                ROW(T_AC, 1);
                ROW(T_ACL0, t->lower);
            }
            if (g & GZT_NERF_CUES) {
                if (p1 && (p1->flags & F_TITLE))
                    ROW(T_TITLE, 1);
                else if (p2 && (p2->flags & F_TITLE) && (p1->flags & F_CAP))
                    ROW(T_TITLE, 2);
            }
            if (gaz) {
                const gzt_gaz_hit *h = &hits[i];
                for (unsigned b = 0; b < 6; b++)
                    if (h->flags & (1u << b))
                        ROW(T_GAZF + b, 1);
                if (h->seg != GZT_GAZ_SEG_O)
                    ROW(T_GAZSEG, h->seg * 8u + h->seg_type);
                if (h->flags & GZT_GAZ_F_TITLE)
                    ROW(T_GAZTITLE0, t->sshape);
                if (i > 0 && (hits[i - 1].flags & GZT_GAZ_F_TITLE))
                    ROW(T_GAZTM1, 1);
                if (i + 1 < n && (hits[i + 1].flags & GZT_GAZ_F_ORGCUE))
                    ROW(T_GAZOP1, 1);
            }
            if ((g & GZT_NERF_NONLOCAL) && (t->flags & F_CAP)) {
                uint8_t nl = doc_get(doc, t->lower | 1);
                if (nl) {
                    ROW(T_NL, nl);
                    ROW(T_NLSH, pair(nl, t->sshape));
                }
            }
#undef ROW
            for (unsigned r = 0; r < nr; r++)
                __builtin_prefetch(m->w + (size_t)rows[r] * GZT_NER_NTAGS);
            m->nrows[i] = (uint8_t)nr;
        }
        if (prev_open < n)
            add_rows(m->w, m->rows + prev_open * GZT_NER_MAXFEAT,
                     m->nrows[prev_open], sums + prev_open * GZT_NER_NTAGS);
        prev_open = i;
    }
    return GZT_OK;
}

/* Tag scores of a sentence whose closed tokens are in m->closed: those
 * tokens get zeros. */
static int
sentence_sums(gzt_ner *m, const gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
              const gzt_gaz_hit *hits, bool cached, int32_t *sums)
{
    if (!cached)
        return sums_plain(m, doc, w, n, hits, sums);
    if (!m->wc && !(m->wc = gzt_nerwc_new()))
        return GZT_ENOMEM;
    return sums_cached(m, doc, w, n, hits, sums);
}

int
gzt_ner_sums(gzt_ner *m, const gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
             bool cached, int32_t *sums)
{
    if (n > GZT_NER_SENT_MAX)
        n = GZT_NER_SENT_MAX;
    if (n == 0)
        return GZT_OK;
    gzt_ner_close(w, n, m->closed);
    return sentence_sums(m, doc, w, n, NULL, cached, sums);
}

/* gzt_ner_tag_words() with the gazetteer hits of the sentence when known */
static int
tag_sentence(gzt_ner *m, gzt_nerdoc *doc, const gzt_nerword *w, size_t n,
             const gzt_gaz_hit *hits, uint8_t *tags)
{
    if (n == 0)
        return GZT_OK;
    if (n > GZT_NER_SENT_MAX)
        n = GZT_NER_SENT_MAX;
    gzt_ner_close(w, n, m->closed);
    int rc = sentence_sums(m, doc, w, n, hits, true, m->sums);
    if (rc != GZT_OK)
        return rc;
    /* a closed token's one state (O) scores 0; its others are not read */
    for (size_t i = 0; i < n; i++) {
        float *e = m->emit + i * GZT_NER_NTAGS;
        const int32_t *s = m->sums + i * GZT_NER_NTAGS;
        if (m->closed[i])
            e[0] = 0;
        else
            for (int t = 0; t < GZT_NER_NTAGS; t++)
                e[t] = (float)s[t] * m->scale;
    }
    gzt_ner_viterbi(tags, m->emit, n, m->t1, m->order2 ? m->t2 : NULL,
                    m->closed, m->scratch);
    /* gzt_nerdoc_note() with the keys sums_cached() had */
    if (doc && (m->fx.groups & GZT_NERF_NONLOCAL))
        for (size_t i = 0; i < n; i++)
            if (m->nlkey[i] &&
                doc_put(doc, m->nlkey[i], GZT_NER_TAG_TYPE(tags[i])) != GZT_OK)
                return GZT_ENOMEM;
    return GZT_OK;
}

int
gzt_ner_tag(gzt_ner *m, const char *text, size_t len, gzt_arena *arena,
            gzt_nerspan **out, size_t *n, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    *n = 0;
    int rc = gzt_ner_tokenize(&m->toks, &m->forms, text, len);
    if (rc == GZT_ETOOBIG)
        return gzt_err_set(err, rc, "NER: text of %zu bytes is too long", len);
    if (rc != GZT_OK)
        return gzt_err_set(err, rc, "NER: out of memory");
    gzt_buf_reset(&m->spans);
    gzt_nerdoc_reset(&m->doc);
    const gzt_nertok *tk = (const gzt_nertok *)m->toks.p;
    size_t ntok = m->toks.len / sizeof *tk;
    gzt_buf_reset(&m->hits);
    gzt_gaz_hit *hits = NULL;
    if (m->fx.gaz) {
        if (gzt_buf_reserve(&m->hits, (ntok + 1) * sizeof *hits))
            return gzt_err_set(err, GZT_ENOMEM, "NER: out of memory");
        m->hits.len = ntok * sizeof *hits;
        hits = (gzt_gaz_hit *)(void *)m->hits.p;
    }
    const char *forms = (const char *)m->forms.p;
    for (size_t i = 0; i < ntok;) {
        size_t j = i + 1;
        while (j < ntok && !tk[j].sent)
            j++;
        for (size_t k = i; k < j; k++) {
            m->words[k - i].s = forms + tk[k].form;
            m->words[k - i].len = tk[k].form_len;
        }
        /* the gazetteer's hits, kept for gzt_ner_hits() */
        if (hits)
            gzt_gaz_match(m->fx.gaz, (const gzt_gaz_tok *)m->words, j - i,
                          hits + i);
        rc = tag_sentence(m, &m->doc, m->words, j - i, hits ? hits + i : NULL,
                          m->tags);
        if (rc != GZT_OK)
            return gzt_err_set(err, rc, "NER: out of memory");
        gzt_nerspan sp = {0, 0, 0, 0, 0};
        for (size_t k = i; k <= j; k++) {
            uint8_t tag = k < j ? m->tags[k - i] : 0;
            uint8_t type = GZT_NER_TAG_TYPE(tag);
            bool cont = GZT_NER_TAG_IS_I(tag) && type == sp.type;
            if (sp.type && !cont) {
                if (gzt_buf_append(&m->spans, &sp, sizeof sp) != GZT_OK)
                    return gzt_err_set(err, GZT_ENOMEM, "NER: out of memory");
                sp.type = 0;
            }
            if (type && !cont) {
                sp.start = tk[k].start;
                sp.type = type;
                sp.tok = (uint32_t)k;
                sp.ntok = 0;
            }
            if (type) {
                sp.end = tk[k].end;
                sp.ntok++;
            }
        }
        i = j;
    }
    *n = m->spans.len / sizeof(gzt_nerspan);
    if (*n == 0)
        return GZT_OK;
    *out = gzt_arena_alloc(arena, m->spans.len);
    if (!*out) {
        *n = 0;
        return gzt_err_set(err, GZT_ENOMEM, "NER: arena full");
    }
    memcpy(*out, m->spans.p, m->spans.len);
    return GZT_OK;
}

const gzt_nertok *
gzt_ner_tokens(const gzt_ner *m, size_t *n)
{
    *n = m->toks.len / sizeof(gzt_nertok);
    return (const gzt_nertok *)(const void *)m->toks.p;
}

const gzt_gaz_hit *
gzt_ner_hits(const gzt_ner *m)
{
    return m->fx.gaz ? (const gzt_gaz_hit *)(const void *)m->hits.p : NULL;
}
