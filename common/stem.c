/* SPDX-License-Identifier: MIT */
/*
 * stem.c: Snowball stemming through libstemmer, with a cache (see stem.h).
 *
 * This is the only file that includes <libstemmer.h>: libstemmer's
 * conventions (int lengths, unsigned char symbols, NULL for both "unknown
 * algorithm" and "out of memory", a result buffer owned by the stemmer,
 * case-sensitive algorithm names with aliases it does not list) are turned
 * into gazette's here and nowhere else.
 *
 * The cache is an open-addressed hash table (linear probing, at most half
 * full) from folded word to stem. Keys and stems live back to back in one
 * byte pool addressed by offset, so that growing the pool never invalidates
 * the table. When the table holds GZT_STEM_CACHE_MAX entries it is emptied
 * rather than evicted piecemeal: news vocabulary is Zipfian, so the frequent
 * words are back in the cache within a few hundred documents, and emptying
 * costs nothing per lookup (no LRU links to maintain). On both Reuters
 * corpora more than 95% of lookups hit.
 */
#include "common/stem.h"

#include <ctype.h>
#include <libstemmer.h>
#include <limits.h>
#include <pthread.h>

#define SLOTS_MIN 1024
#define SLOTS_MAX (2 * (size_t)GZT_STEM_CACHE_MAX)

typedef struct slot {
    uint64_t hash;      /* hash of the word with bit 0 set; 0 = empty slot */
    uint64_t stem_hash; /* gzt_hash64() of the stem */
    uint32_t off;       /* offset of the word in the pool; the stem follows */
    uint8_t word_len;   /* bytes of the word */
    uint8_t stem_len;   /* bytes of the stem */
} slot;

struct gzt_stemmer {
    struct sb_stemmer *sb; /* libstemmer's stemmer; NULL for "none" */
    const char *language;  /* canonical name, static storage */
    slot *slots;           /* the cache table; NULL until first use */
    size_t nslots;         /* slots allocated: a power of two */
    size_t count;          /* slots in use */
    gzt_buf pool;          /* words and stems of the cached entries */
};

/* libstemmer 2.x accepts these ISO 639 codes besides the names it lists
 * (its modules.txt); sb_stemmer_list() does not report them. */
static const char *const aliases[][2] = {
    {"ar", "arabic"},      {"ara", "arabic"},    {"hy", "armenian"},
    {"hye", "armenian"},   {"arm", "armenian"},  {"eu", "basque"},
    {"eus", "basque"},     {"baq", "basque"},    {"ca", "catalan"},
    {"cat", "catalan"},    {"da", "danish"},     {"dan", "danish"},
    {"nl", "dutch"},       {"dut", "dutch"},     {"nld", "dutch"},
    {"en", "english"},     {"eng", "english"},   {"fi", "finnish"},
    {"fin", "finnish"},    {"fr", "french"},     {"fre", "french"},
    {"fra", "french"},     {"de", "german"},     {"ger", "german"},
    {"deu", "german"},     {"el", "greek"},      {"gre", "greek"},
    {"ell", "greek"},      {"hi", "hindi"},      {"hin", "hindi"},
    {"hu", "hungarian"},   {"hun", "hungarian"}, {"id", "indonesian"},
    {"ind", "indonesian"}, {"ga", "irish"},      {"gle", "irish"},
    {"it", "italian"},     {"ita", "italian"},   {"lt", "lithuanian"},
    {"lit", "lithuanian"}, {"ne", "nepali"},     {"nep", "nepali"},
    {"no", "norwegian"},   {"nor", "norwegian"}, {"pt", "portuguese"},
    {"por", "portuguese"}, {"ro", "romanian"},   {"rum", "romanian"},
    {"ron", "romanian"},   {"ru", "russian"},    {"rus", "russian"},
    {"sr", "serbian"},     {"srp", "serbian"},   {"es", "spanish"},
    {"esl", "spanish"},    {"spa", "spanish"},   {"sv", "swedish"},
    {"swe", "swedish"},    {"ta", "tamil"},      {"tam", "tamil"},
    {"tr", "turkish"},     {"tur", "turkish"},   {"yi", "yiddish"},
    {"yid", "yiddish"},
};

/* ---- languages --------------------------------------------------------- */

/* libstemmer's algorithms without duplicates, then "none"; NULL-ended. */
static const char *languages[128];
static pthread_once_t languages_once = PTHREAD_ONCE_INIT;

static void
languages_init(void)
{
    size_t n = 0;
    for (const char **l = sb_stemmer_list(); *l; l++) {
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = strcmp(languages[i], *l) == 0;
        if (!dup && n + 2 < sizeof languages / sizeof languages[0])
            languages[n++] = *l;
    }
    languages[n++] = "none";
    languages[n] = NULL;
}

const char **
gzt_languages(void)
{
    pthread_once(&languages_once, languages_init);
    return languages;
}

const char *
gzt_stem_canonical(const char *name)
{
    char low[32];
    size_t len = name ? strlen(name) : sizeof low;

    if (len >= sizeof low)
        return NULL;
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)tolower((unsigned char)name[i]);

    const char **langs = gzt_languages();
    for (size_t i = 0; langs[i]; i++)
        if (strcmp(langs[i], low) == 0)
            return langs[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(aliases[i][0], low) != 0)
            continue;
        /* only when this libstemmer build has the algorithm */
        for (size_t j = 0; langs[j]; j++)
            if (strcmp(langs[j], aliases[i][1]) == 0)
                return langs[j];
    }
    return NULL;
}

/* ---- stemmer ----------------------------------------------------------- */

int
gzt_stemmer_new(gzt_stemmer **out, const char *language, gzt_error *err)
{
    gzt_stemmer *s = NULL;
    const char *canon = gzt_stem_canonical(language);

    *out = NULL;
    if (!canon)
        return gzt_err_set(err, GZT_EINVAL,
                           "unknown language \"%s\" (`gazette --help` lists "
                           "the languages)",
                           language ? language : "(null)");
    s = gzt_calloc(1, sizeof *s);
    if (!s)
        goto fail;
    s->language = canon;
    if (strcmp(canon, "none") != 0) {
        /* the name is known, so NULL here can only mean out of memory */
        s->sb = sb_stemmer_new(canon, "UTF_8");
        if (!s->sb)
            goto fail;
    }
    *out = s;
    return GZT_OK;
fail:
    gzt_free(s);
    return gzt_err_set(err, GZT_ENOMEM, "out of memory creating the %s stemmer",
                       canon);
}

void
gzt_stemmer_free(gzt_stemmer *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    gzt_free(s->slots);
    gzt_buf_free(&s->pool);
    gzt_free(s);
}

const char *
gzt_stemmer_language(const gzt_stemmer *s)
{
    return s->language;
}

/* Forget every entry, keeping the memory for the next ones. */
static void
cache_clear(gzt_stemmer *s)
{
    if (s->slots)
        memset(s->slots, 0, s->nslots * sizeof *s->slots);
    s->count = 0;
    gzt_buf_reset(&s->pool);
}

/* Double the table (or create it); false when out of memory. */
static bool
cache_grow(gzt_stemmer *s)
{
    size_t n = s->nslots ? 2 * s->nslots : SLOTS_MIN;
    slot *t = gzt_calloc(n, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < s->nslots; i++) {
        if (!s->slots[i].hash)
            continue;
        size_t j = s->slots[i].hash & (n - 1);
        while (t[j].hash)
            j = (j + 1) & (n - 1);
        t[j] = s->slots[i];
    }
    gzt_free(s->slots);
    s->slots = t;
    s->nslots = n;
    return true;
}

/* Remember that @p word stems to @p stem. Failing to (out of memory) only
 * costs a later lookup, so it is not reported. */
static void
cache_put(gzt_stemmer *s, uint64_t h, const char *word, size_t len,
          const char *stem, size_t stem_len, uint64_t stem_hash)
{
    if (stem_len > UINT8_MAX)
        return;
    if (s->count >= GZT_STEM_CACHE_MAX)
        cache_clear(s);
    if (2 * (s->count + 1) > s->nslots) {
        if (s->nslots >= SLOTS_MAX || !cache_grow(s))
            return;
    }
    size_t off = s->pool.len;
    if (off > UINT32_MAX - 512 ||
        gzt_buf_reserve(&s->pool, len + stem_len) != GZT_OK)
        return;
    memcpy(s->pool.p + off, word, len);
    memcpy(s->pool.p + off + len, stem, stem_len);
    s->pool.len += len + stem_len;

    size_t j = h & (s->nslots - 1);
    while (s->slots[j].hash)
        j = (j + 1) & (s->nslots - 1);
    s->slots[j] =
        (slot){h, stem_hash, (uint32_t)off, (uint8_t)len, (uint8_t)stem_len};
    s->count++;
}

/* the cache's key of a word: never 0, which marks an empty slot */
static inline uint64_t
word_key(const char *word, size_t len)
{
    return gzt_hash64(word, len) | 1;
}

uint64_t
gzt_stemmer_prefetch(const gzt_stemmer *s, const char *word, size_t len)
{
    if (!s->sb || len > GZT_STEM_CACHE_WORD_MAX)
        return 0;
    uint64_t h = word_key(word, len);
    if (s->slots)
        __builtin_prefetch(&s->slots[h & (s->nslots - 1)]);
    return h;
}

const char *
gzt_stemmer_stem(gzt_stemmer *s, const char *word, size_t len, size_t *out_len,
                 uint64_t *out_hash)
{
    return gzt_stemmer_stem_at(s, word, len, 0, out_len, out_hash);
}

const char *
gzt_stemmer_stem_at(gzt_stemmer *s, const char *word, size_t len, uint64_t key,
                    size_t *out_len, uint64_t *out_hash)
{
    uint64_t h = key;

    if (out_hash)
        *out_hash = 0;
    if (!s->sb || len > INT_MAX) {
        *out_len = len;
        return word;
    }
    bool cacheable = len <= GZT_STEM_CACHE_WORD_MAX;
    if (cacheable && s->slots) {
        if (!h)
            h = word_key(word, len);
        size_t mask = s->nslots - 1;
        for (size_t j = h & mask; s->slots[j].hash; j = (j + 1) & mask) {
            const slot *e = &s->slots[j];
            if (e->hash == h && e->word_len == len &&
                gzt_mem_eq(s->pool.p + e->off, word, len)) {
                *out_len = e->stem_len;
                if (out_hash)
                    *out_hash = e->stem_hash;
                return (const char *)s->pool.p + e->off + len;
            }
        }
    }

    const sb_symbol *r =
        sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!r)
        return NULL;
    int rlen = sb_stemmer_length(s->sb);
    *out_len = rlen > 0 ? (size_t)rlen : 0;
    if (cacheable) {
        if (!h)
            h = word_key(word, len);
        uint64_t sh = gzt_hash64(r, *out_len);
        if (out_hash)
            *out_hash = sh;
        cache_put(s, h, word, len, (const char *)r, *out_len, sh);
    }
    return (const char *)r;
}
