/* SPDX-License-Identifier: MIT */
/*
 * gazetteer.c: entity lists and the longest-match matcher over tokens.
 *
 * Every name is stored under its key, the name with the spaces taken out,
 * in an open-addressed hash table of 64-bit hashes. The matcher looks up
 * the concatenated bytes of tokens i, i+1, ... and stops at the first run
 * of tokens that is neither a key nor a prefix of one. To make that stop
 * early, every key also registers its prefixes that end where a tokenizer
 * may cut: after each word and beside each ASCII punctuation mark
 * ("People|'s", "Guinea|-|Bissau", "U.S|."). A slot therefore says three
 * things about one byte string: which entry has it as its key, whether a
 * longer key continues from it, and the membership flags of a token with
 * exactly those bytes. Hash hits are confirmed against the stored key, so a
 * collision can cost time but never a wrong match. No allocation happens
 * while matching: a run of tokens is gathered in a stack buffer of
 * GZT_GAZ_NAME_MAX bytes.
 *
 * Most tokens of running text start no key, so the first token of a run is
 * what matching costs: it is hashed in place, a word at a time (a token of
 * up to 8 bytes is one word, key_hash()), and a bitmap beside each table
 * turns most tokens away before a slot is touched or the hash is mixed
 * further. A longer run is rare (it continues only while it is a prefix)
 * and is hashed afresh from the buffer. Each hit is written once, when its
 * token is reached: cue flags and segments that began earlier are carried
 * forward as the ends they reach.
 *
 * A second table holds every key lower-cased (utf8proc's simple mapping)
 * for the ALL-CAPS fallback. Cue phrases are stored lower-case in the
 * lists; here each is also entered in sentence and title case, so that a
 * cue is found with the one exact lookup that every token gets anyway.
 *
 * Lists are checked whole before any row is added (a user list with a bad
 * row changes nothing), then rows are added in order. Built-in entries keep
 * the first row of a name; user rows replace whatever was there.
 */
#include "common/gazetteer.h"

#include <utf8proc.h>

#include "common/io.h"
#include "common/utf8.h"

#define CANON_MAX (4 * GZT_GAZ_NAME_MAX) /* bytes of a canonical form */
#define FOLD_MAX (2 * GZT_GAZ_NAME_MAX)  /* bytes of a folded key at load */
#define TABLE_MIN 1024                   /* initial slots of a table */

/* The lists, in load order; the order of built-in precedence. */
enum { LIST_COUNTRIES, LIST_ORGS, LIST_PEOPLE, LIST_TITLES, LIST_USER };

/* No string: an entry's fkey when the folded key is too long, its canon
 * when it is a cue phrase. */
#define NO_STR UINT32_MAX

/* One name, alias or cue phrase. Its strings are offsets in gzt_gaz.str,
 * so that the built-in image can be used where it lies. */
typedef struct entry {
    uint32_t key;       /* the name without its spaces, as written */
    uint32_t fkey;      /* key lower-cased; NO_STR when it is too long */
    uint32_t canon;     /* canonical form, NUL-terminated, shared by the
                           aliases of a row; NO_STR for a cue phrase */
    uint32_t key_len;   /* bytes of key */
    uint32_t fkey_len;  /* bytes of fkey */
    uint32_t canon_len; /* bytes of canon */
    uint8_t type;       /* gzt_gaz_type; GZT_GAZ_NONE for a cue phrase */
    uint8_t cue;        /* GZT_GAZ_CUE_* bits of a cue phrase */
    uint8_t user;       /* 1 when it comes from a user list */
    uint8_t spare;      /* 0: no padding byte is left undefined */
} entry;

/* What the gazetteer knows about one byte string. */
typedef struct slot {
    uint64_t hash;  /* key_hash() of the bytes; 0 marks an empty slot */
    uint32_t ent;   /* 1 + index of the entry with this key; 0 for none */
    uint32_t cue;   /* 1 + index of the cue phrase with this key; 0: none */
    uint16_t flags; /* GZT_GAZ_F_* of a token with exactly these bytes */
    uint8_t prefix; /* 1 when a longer key continues after these bytes */
} slot;

/* Open addressing, linear probing, at most three fifths full (the built-in
 * lists fill half of a table of their size: a table twice that was
 * megabytes more to write and fault in at start-up, and to read at
 * random). A bitmap of eight bits per slot answers most lookups of words the
 * lists do not hold (most words of running text) without touching the slots,
 * which are megabytes, and before the slot's position is mixed from the hash.
 */
typedef struct table {
    slot *s;        /* cap slots */
    size_t cap;     /* a power of two, or 0 before the first insert */
    size_t n;       /* slots in use */
    uint64_t *bits; /* 8 * cap bits: a hash that may be present */
    unsigned shift; /* 64 - log2(8 * cap): bit_of()'s shift */
} table;

struct gzt_gaz {
    gzt_buf str;     /* keys and canonical forms, each NUL-terminated */
    entry *ents;     /* every entry ever added (replaced ones stay) */
    size_t nents;    /* entries in ents */
    size_t cap_ents; /* allocated */
    size_t nmatch;   /* names and aliases added (not cue phrases) */
    table exact;     /* keys as written */
    table folded;    /* keys lower-cased: the ALL-CAPS fallback */
    bool frozen;     /* str, ents and the tables are a read-only image
                        (gzt_gaz_from_image()): thaw() before a change */
};

/* ---- hashing and tables -------------------------------------------------- */

#define HASH_K1 0x9e3779b97f4a7c15ULL /* odd constants of mixed bits */
#define HASH_K2 0xff51afd7ed558ccdULL
#define HASH_K3 0xc4ceb9fe1a85ec53ULL
#define ONES 0x0101010101010101ULL /* 1 in every byte */
#define HIGH (0x80 * ONES)         /* the high bit of every byte */

static inline uint64_t
load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t
load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A string of at most 8 bytes in one word: its first and last four bytes
 * (overlapping) or, below four, its first, middle and last byte. Every
 * byte of the string is in the word, and the word and the length tell the
 * string; only the string's own bytes are read. */
static inline uint64_t
pack_short(const char *p, size_t len)
{
    if (len >= 4)
        return load32(p) | load32(p + len - 4) << 32;
    if (len == 0)
        return 0;
    return (uint64_t)(uint8_t)p[0] | (uint64_t)(uint8_t)p[len / 2] << 8 |
           (uint64_t)(uint8_t)p[len - 1] << 16;
}

/* key_hash() of a string of @p len <= 8 bytes packed as pack_short():
 * distinct strings of one length never share it. */
static inline uint64_t
hash_short(uint64_t v, size_t len)
{
    uint64_t h = (uint64_t)len * HASH_K1 ^ v;
    return h ? h : 1;
}

/* The 64-bit hash by which the tables know a byte string; 0 is kept for
 * empty slots. Every token of running text is hashed, so it is cheap and
 * only lightly mixed: a short string is its length and its packed word (most
 * tokens), a longer one its 8-byte blocks and then its last 8 bytes. Each
 * block step is a bijection of the state, so strings of one length that
 * differ only in their last blocks never collide. The table mixes further
 * where it needs to (bit_of(), slot_of()). Tables live in memory only, so
 * the hash may differ between machines. */
static inline uint64_t
key_hash(const char *p, size_t len)
{
    if (len <= 8)
        return hash_short(pack_short(p, len), len);
    uint64_t h = (uint64_t)len * HASH_K1;
    for (size_t i = 0; i + 8 < len; i += 8) {
        h = (h ^ load64(p + i)) * HASH_K2;
        h ^= h >> 29;
    }
    h ^= load64(p + len - 8);
    return h ? h : 1;
}

/* The bitmap bit of hash @p h: the top bits of a multiply, which depend on
 * every bit of @p h. */
static inline size_t
bit_of(const table *t, uint64_t h)
{
    return (size_t)((h * HASH_K3) >> t->shift);
}

/* The home slot of hash @p h: murmur3's finaliser, only for the lookups
 * that pass the bitmap. */
static inline size_t
slot_of(const table *t, uint64_t h)
{
    h ^= h >> 33;
    h *= HASH_K2;
    h ^= h >> 33;
    h *= HASH_K3;
    h ^= h >> 33;
    return (size_t)h & (t->cap - 1);
}

/* The slot of hash @p h, or NULL. Both tables are sized when a gazetteer
 * is made, so t->bits is never NULL here. */
static inline const slot *
table_find(const table *t, uint64_t h)
{
    size_t b = bit_of(t, h);
    if (!(t->bits[b / 64] >> (b % 64) & 1))
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = slot_of(t, h);; i = (i + 1) & mask) {
        if (t->s[i].hash == h)
            return &t->s[i];
        if (t->s[i].hash == 0)
            return NULL;
    }
}

/* Bytes of the bitmap of a table of @p cap slots (eight bits a slot). */
static size_t
bits_bytes(size_t cap)
{
    return cap / 8 * sizeof(uint64_t);
}

/* bit_of()'s shift for a table of @p cap slots (a power of two). */
static unsigned
shift_of(size_t cap)
{
    unsigned lg = 0;
    while (((size_t)1 << lg) < cap)
        lg++;
    return 64 - (lg + 3);
}

/* Rehash @p t into at least @p want slots (a power of two). */
static int
table_resize(table *t, size_t want)
{
    size_t cap = t->cap ? t->cap : TABLE_MIN;
    while (cap < want) {
        if (cap > SIZE_MAX / 2 / sizeof(slot))
            return GZT_ENOMEM;
        cap *= 2;
    }
    if (cap == t->cap)
        return GZT_OK;
    slot *s = gzt_zalloc(cap, sizeof(slot));
    uint64_t *bits = gzt_zalloc(cap / 8, sizeof *bits);
    if (!s || !bits) {
        gzt_free(s);
        gzt_free(bits);
        return GZT_ENOMEM;
    }
    slot *old = t->s;
    size_t old_cap = t->cap;
    gzt_free(t->bits);
    t->s = s;
    t->cap = cap;
    t->bits = bits;
    t->shift = shift_of(cap);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].hash)
            continue;
        size_t j = slot_of(t, old[i].hash);
        while (s[j].hash)
            j = (j + 1) & (cap - 1);
        s[j] = old[i];
        size_t b = bit_of(t, old[i].hash);
        bits[b / 64] |= (uint64_t)1 << (b % 64);
    }
    gzt_free(old);
    return GZT_OK;
}

/* The slot of hash @p h, created empty if absent; NULL when out of memory. */
static slot *
table_get(table *t, uint64_t h)
{
    if (5 * (t->n + 1) > 3 * t->cap && table_resize(t, 2 * t->cap) != GZT_OK)
        return NULL;
    size_t mask = t->cap - 1;
    size_t i = slot_of(t, h);
    while (t->s[i].hash && t->s[i].hash != h)
        i = (i + 1) & mask;
    if (!t->s[i].hash) {
        t->s[i].hash = h;
        t->n++;
        size_t b = bit_of(t, h);
        t->bits[b / 64] |= (uint64_t)1 << (b % 64);
    }
    return &t->s[i];
}

/* ---- case ---------------------------------------------------------------- */

enum { CASE_NONE, CASE_UPPER, CASE_OTHER };

/* CASE_UPPER: at least one upper-case letter and no lower-case or
 * title-case one ("IRAN", "U.S."); CASE_NONE: no cased letter ("-", "1996");
 * CASE_OTHER: the rest. Bytes that are not UTF-8 count as caseless. */
static int
token_case(const char *s, size_t len)
{
    bool upper = false;
    for (size_t i = 0; i < len;) {
        uint8_t c = (uint8_t)s[i];
        if (c < 0x80) {
            if (c >= 'a' && c <= 'z')
                return CASE_OTHER;
            upper |= c >= 'A' && c <= 'Z';
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT)
            return CASE_OTHER;
        upper |= cat == UTF8PROC_CATEGORY_LU;
        i += (size_t)k;
    }
    return upper ? CASE_UPPER : CASE_NONE;
}

/* true when @p s has an upper- or title-case letter: a name word. */
static bool
has_capital(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint8_t c = (uint8_t)s[i];
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                return true;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT)
            return true;
        i += (size_t)k;
    }
    return false;
}

/* Write @p s lower-cased to @p out; the bytes written, or SIZE_MAX when
 * they would pass @p cap. Bytes that are not UTF-8 are copied. */
static size_t
fold(char *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint8_t c = (uint8_t)s[i];
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = 1;
        if (c >= 0x80)
            k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                 (utf8proc_ssize_t)(len - i), &cp);
        if (c < 0x80 || k <= 0) {
            if (o >= cap)
                return SIZE_MAX;
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), enc);
        if (m <= 0 || o + (size_t)m > cap)
            return SIZE_MAX;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
        i += (size_t)k;
    }
    return o;
}

/* Upper-case the first character of @p s (len bytes) into @p out, copying
 * the rest; returns the bytes written or SIZE_MAX past @p cap. */
static size_t
capitalise(char *out, size_t cap, const char *s, size_t len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)len, &cp);
    if (k <= 0) {
        if (len > cap)
            return SIZE_MAX;
        memcpy(out, s, len);
        return len;
    }
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), enc);
    if (m <= 0 || (size_t)m + (len - (size_t)k) > cap)
        return SIZE_MAX;
    memcpy(out, enc, (size_t)m);
    memcpy(out + m, s + k, len - (size_t)k);
    return (size_t)m + len - (size_t)k;
}

/* ---- keys ---------------------------------------------------------------- */

/* A name turned into its two keys, with the places a token may end. */
typedef struct keys {
    char k[GZT_GAZ_NAME_MAX];      /* the name without spaces */
    char fk[FOLD_MAX];             /* k lower-cased */
    bool kb[GZT_GAZ_NAME_MAX + 1]; /* kb[i]: a token may end before k[i] */
    bool fkb[FOLD_MAX + 1];        /* the same for fk */
    size_t klen;                   /* bytes of k */
    size_t fklen;                  /* bytes of fk; SIZE_MAX when too long */
} keys;

static bool
is_punct(uint8_t c)
{
    return c < 0x80 && c > ' ' && !(c >= '0' && c <= '9') &&
           !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Mark beside every ASCII punctuation mark of @p k as a possible cut. */
static void
mark_punct(const char *k, size_t len, bool *b)
{
    for (size_t i = 0; i < len; i++) {
        if (is_punct((uint8_t)k[i])) {
            b[i] = true;
            b[i + 1] = true;
        }
    }
}

/* Words of @p s (split on spaces), at most GZT_GAZ_MAX_TOKENS + 1 counted. */
static size_t
count_words(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n <= GZT_GAZ_MAX_TOKENS; i++)
        n += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
    return n;
}

/* Fill @p kk from @p name; false when the key would pass
 * GZT_GAZ_NAME_MAX (rows are checked when parsed, but a cue phrase in
 * title case may grow). */
static bool
make_keys(keys *kk, const char *name, size_t len)
{
    /* a key is at most as long as the name, its fold at most twice that */
    size_t clear = GZT_MIN(len, (size_t)GZT_GAZ_NAME_MAX) + 1;
    memset(kk->kb, 0, clear);
    memset(kk->fkb, 0, GZT_MIN(2 * clear, sizeof kk->fkb));
    kk->klen = 0;
    kk->fklen = 0;
    for (size_t i = 0; i < len;) {
        if (name[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && name[j] != ' ')
            j++;
        if (j - i > GZT_GAZ_NAME_MAX - kk->klen)
            return false;
        memcpy(kk->k + kk->klen, name + i, j - i);
        kk->klen += j - i;
        kk->kb[kk->klen] = true;
        if (kk->fklen != SIZE_MAX) {
            size_t m = fold(kk->fk + kk->fklen, sizeof kk->fk - kk->fklen,
                            name + i, j - i);
            if (m == SIZE_MAX || kk->fklen + m > GZT_GAZ_NAME_MAX) {
                kk->fklen = SIZE_MAX;
            } else {
                kk->fklen += m;
                kk->fkb[kk->fklen] = true;
            }
        }
        i = j;
    }
    mark_punct(kk->k, kk->klen, kk->kb);
    if (kk->fklen != SIZE_MAX)
        mark_punct(kk->fk, kk->fklen, kk->fkb);
    return true;
}

/* The hashes of @p k's cut prefixes, then of @p k, into @p h (room for
 * @p len of them); their count. */
static size_t
key_hashes(const char *k, size_t len, const bool *cut, uint64_t *h)
{
    size_t n = 0;
    for (size_t i = 1; i < len; i++)
        if (cut[i])
            h[n++] = key_hash(k, i);
    h[n++] = key_hash(k, len);
    return n;
}

/* Ask for the slots of the @p n hashes @p h: a table of megabytes written
 * at random, where each insert waited for its slot, was most of loading
 * the lists; asked for together, the slots of a key's prefixes in both
 * tables load at once. */
static void
table_prefetch(const table *t, const uint64_t *h, size_t n)
{
    for (size_t i = 0; i < n && t->cap; i++)
        __builtin_prefetch(&t->s[slot_of(t, h[i])], 1);
}

/* Enter the @p n hashes of key_hashes() into @p t: the prefixes, then the
 * key; the slot of the whole key, or NULL when out of memory. */
static slot *
table_add_key(table *t, const uint64_t *h, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        slot *p = table_get(t, h[i]);
        if (!p)
            return NULL;
        p->prefix = 1;
    }
    return table_get(t, h[n - 1]);
}

/* The string at offset @p off of g->str. */
static const char *
str_at(const gzt_gaz *g, uint32_t off)
{
    return (const char *)g->str.p + off;
}

static bool
key_eq(const gzt_gaz *g, const entry *e, bool folded, const char *s, size_t len)
{
    uint32_t k = folded ? e->fkey : e->key;
    size_t klen = folded ? e->fkey_len : e->key_len;
    return k != NO_STR && klen == len && memcmp(str_at(g, k), s, len) == 0;
}

/* ---- adding entries ------------------------------------------------------ */

/* Copy @p len bytes of @p s and a NUL to the end of g->str; their offset
 * in @p off. */
static int
str_add(gzt_gaz *g, const char *s, size_t len, uint32_t *off)
{
    if (len >= NO_STR - g->str.len)
        return GZT_ETOOBIG;
    *off = (uint32_t)g->str.len;
    if (gzt_buf_append(&g->str, s, len) || gzt_buf_putc(&g->str, 0))
        return GZT_ENOMEM;
    return GZT_OK;
}

static int
push_entry(gzt_gaz *g, const keys *kk, uint32_t *idx)
{
    if (g->nents == g->cap_ents) {
        size_t cap = g->cap_ents ? 2 * g->cap_ents : 4096;
        size_t bytes;
        if (cap > UINT32_MAX - 1 || !gzt_size_mul(cap, sizeof(entry), &bytes))
            return GZT_ETOOBIG;
        entry *e = gzt_realloc(g->ents, bytes);
        if (!e)
            return GZT_ENOMEM;
        g->ents = e;
        g->cap_ents = cap;
    }
    entry *e = &g->ents[g->nents];
    memset(e, 0, sizeof *e);
    e->fkey = e->canon = NO_STR;
    int rc = str_add(g, kk->k, kk->klen, &e->key);
    if (rc)
        return rc;
    e->key_len = (uint32_t)kk->klen;
    if (kk->fklen != SIZE_MAX) {
        if (kk->fklen == kk->klen && memcmp(kk->fk, kk->k, kk->klen) == 0)
            e->fkey = e->key; /* already lower case */
        else if ((rc = str_add(g, kk->fk, kk->fklen, &e->fkey)) != GZT_OK)
            return rc;
        e->fkey_len = (uint32_t)kk->fklen;
    }
    *idx = (uint32_t)g->nents++;
    return GZT_OK;
}

/* Point @p s (the slot of entry @p idx's key) at the entry, unless an entry
 * that takes precedence is there: a built-in first entry stays, a user
 * entry replaces. A different key with the same 64-bit hash keeps the
 * slot (the newcomer then never matches; no such pair is known). */
static void
claim(gzt_gaz *g, uint32_t *field, uint32_t idx, bool folded)
{
    const entry *e = &g->ents[idx];
    if (*field) {
        const entry *o = &g->ents[*field - 1];
        if (!key_eq(g, o, folded, str_at(g, folded ? e->fkey : e->key),
                    folded ? e->fkey_len : e->key_len))
            return;
        if (!e->user)
            return;
    }
    *field = idx + 1;
}

/* Add a name or alias that matches (@p type) or a cue phrase (@p cue). */
static int
add_key(gzt_gaz *g, const char *name, size_t len, uint8_t type, uint8_t cue,
        uint32_t canon, size_t canon_len, bool user)
{
    keys kk;
    if (!make_keys(&kk, name, len) || kk.klen == 0)
        return GZT_OK;
    if (cue) {
        /* the same phrase twice (as a title and an org cue): merge kinds */
        const slot *s = table_find(&g->exact, key_hash(kk.k, kk.klen));
        if (s && s->cue &&
            key_eq(g, &g->ents[s->cue - 1], false, kk.k, kk.klen)) {
            g->ents[s->cue - 1].cue |= cue;
            return GZT_OK;
        }
    }
    uint32_t idx;
    int rc = push_entry(g, &kk, &idx);
    if (rc)
        return rc;
    entry *e = &g->ents[idx];
    e->type = type;
    e->cue = cue;
    e->user = user;
    e->canon = canon;
    e->canon_len = (uint32_t)canon_len;
    if (!cue)
        g->nmatch++;
    uint64_t h[GZT_GAZ_NAME_MAX], fh[GZT_GAZ_NAME_MAX];
    size_t nh = key_hashes(kk.k, kk.klen, kk.kb, h), nfh = 0;
    table_prefetch(&g->exact, h, nh);
    if (kk.fklen != SIZE_MAX) {
        nfh = key_hashes(kk.fk, kk.fklen, kk.fkb, fh);
        table_prefetch(&g->folded, fh, nfh);
    }
    slot *s = table_add_key(&g->exact, h, nh);
    if (!s)
        return GZT_ENOMEM;
    claim(g, cue ? &s->cue : &s->ent, idx, false);
    if (kk.fklen != SIZE_MAX) {
        s = table_add_key(&g->folded, fh, nfh);
        if (!s)
            return GZT_ENOMEM;
        claim(g, cue ? &s->cue : &s->ent, idx, true);
    }
    return GZT_OK;
}

/* Give @p flags to a token written @p w (and to its ALL-CAPS form). */
static int
flag_token(gzt_gaz *g, const char *w, size_t len, uint16_t flags)
{
    slot *s = table_get(&g->exact, key_hash(w, len));
    if (!s)
        return GZT_ENOMEM;
    s->flags |= flags;
    char f[FOLD_MAX];
    size_t m = fold(f, sizeof f, w, len);
    if (m != SIZE_MAX) {
        s = table_get(&g->folded, key_hash(f, m));
        if (!s)
            return GZT_ENOMEM;
        s->flags |= flags;
    }
    return GZT_OK;
}

/* Give @p flags to every name word of @p name, whole and, when hyphenated,
 * by part. */
static int
flag_words(gzt_gaz *g, const char *name, size_t len, uint16_t flags)
{
    for (size_t i = 0; i < len;) {
        if (name[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && name[j] != ' ')
            j++;
        if (has_capital(name + i, j - i)) {
            int rc = flag_token(g, name + i, j - i, flags);
            if (rc)
                return rc;
            const char *h = memchr(name + i, '-', j - i);
            for (size_t a = i; h && a < j;) {
                size_t b = a;
                while (b < j && name[b] != '-')
                    b++;
                if (b > a && has_capital(name + a, b - a)) {
                    rc = flag_token(g, name + a, b - a, flags);
                    if (rc)
                        return rc;
                }
                a = b + 1;
            }
        }
        i = j;
    }
    return GZT_OK;
}

/* ---- list rows ----------------------------------------------------------- */

/* One row of a list, pointing into the list's bytes. */
typedef struct row {
    const char *name;    /* first column */
    size_t name_len;     /* bytes of name */
    uint8_t type;        /* gzt_gaz_type, or a GZT_GAZ_CUE_* for titles.txt */
    const char *canon;   /* third column, or name when empty */
    size_t canon_len;    /* bytes of canon */
    const char *aliases; /* fourth column, '|'-separated; may be empty */
    size_t aliases_len;  /* bytes of aliases */
} row;

static int
parse_type(const char *s, size_t len)
{
    static const char *const names[] = {"PER", "ORG", "LOC", "MISC"};
    for (int t = 0; t < 4; t++) {
        size_t n = strlen(names[t]);
        if (len != n)
            continue;
        size_t i = 0;
        while (i < n && (s[i] & ~0x20) == names[t][i])
            i++;
        if (i == n)
            return t + 1;
    }
    return 0;
}

/* A name (or alias) within the ceilings? */
static int
check_name(const char *s, size_t len, const char *what, const char *label,
           size_t line, gzt_error *err)
{
    size_t bytes = 0;
    for (size_t i = 0; i < len; i++)
        bytes += s[i] != ' ';
    if (bytes > GZT_GAZ_NAME_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "%s:%zu: %s longer than %d bytes",
                           label, line, what, GZT_GAZ_NAME_MAX);
    if (count_words(s, len) > GZT_GAZ_MAX_TOKENS)
        return gzt_err_set(err, GZT_ETOOBIG, "%s:%zu: %s of more than %d words",
                           label, line, what, GZT_GAZ_MAX_TOKENS);
    return GZT_OK;
}

/* Split line @p line (number @p lineno) of list @p list into @p r. */
static int
parse_row(const char *p, size_t len, int list, const char *label, size_t lineno,
          row *r, gzt_error *err)
{
    const char *col[5];
    size_t clen[5];
    size_t ncol = 0;
    for (size_t i = 0;;) {
        const char *tab = memchr(p + i, '\t', len - i);
        size_t end = tab ? (size_t)(tab - p) : len;
        if (ncol == (list == LIST_TITLES ? 2 : 4))
            return gzt_err_set(err, GZT_EINVAL, "%s:%zu: more than %d columns",
                               label, lineno, list == LIST_TITLES ? 2 : 4);
        col[ncol] = p + i;
        clen[ncol++] = end - i;
        if (!tab)
            break;
        i = end + 1;
    }
    if (!gzt_utf8_valid(p, len))
        return gzt_err_set(err, GZT_EINVAL, "%s:%zu: not valid UTF-8", label,
                           lineno);
    memset(r, 0, sizeof *r);
    r->name = col[0];
    r->name_len = clen[0];
    if (count_words(r->name, r->name_len) == 0)
        return gzt_err_set(err, GZT_EINVAL, "%s:%zu: empty name", label,
                           lineno);
    if (ncol < 2 || clen[1] == 0)
        return gzt_err_set(err, GZT_EINVAL,
                           list == LIST_TITLES
                               ? "%s:%zu: missing cue kind (want "
                                 "phrase<TAB>title or phrase<TAB>org)"
                               : "%s:%zu: missing type (want "
                                 "name<TAB>type[<TAB>canonical[<TAB>"
                                 "aliases]])",
                           label, lineno);
    if (list == LIST_TITLES) {
        if (clen[1] == 5 && memcmp(col[1], "title", 5) == 0)
            r->type = GZT_GAZ_CUE_TITLE;
        else if (clen[1] == 3 && memcmp(col[1], "org", 3) == 0)
            r->type = GZT_GAZ_CUE_ORG;
        else
            return gzt_err_set(err, GZT_EINVAL,
                               "%s:%zu: unknown cue kind \"%.*s\" (want "
                               "title or org)",
                               label, lineno, (int)GZT_MIN(clen[1], 64),
                               col[1]);
    } else {
        int t = parse_type(col[1], clen[1]);
        if (!t)
            return gzt_err_set(err, GZT_EINVAL,
                               "%s:%zu: unknown type \"%.*s\" (want PER, "
                               "ORG, LOC or MISC)",
                               label, lineno, (int)GZT_MIN(clen[1], 64),
                               col[1]);
        r->type = (uint8_t)t;
    }
    r->canon = ncol > 2 && clen[2] ? col[2] : r->name;
    r->canon_len = ncol > 2 && clen[2] ? clen[2] : r->name_len;
    if (ncol > 3) {
        r->aliases = col[3];
        r->aliases_len = clen[3];
    }
    int rc = check_name(r->name, r->name_len, "name", label, lineno, err);
    if (rc)
        return rc;
    if (r->canon_len > CANON_MAX)
        return gzt_err_set(err, GZT_ETOOBIG,
                           "%s:%zu: canonical form longer than %d bytes", label,
                           lineno, CANON_MAX);
    for (size_t i = 0; i < r->aliases_len;) {
        const char *bar = memchr(r->aliases + i, '|', r->aliases_len - i);
        size_t end = bar ? (size_t)(bar - r->aliases) : r->aliases_len;
        rc = check_name(r->aliases + i, end - i, "alias", label, lineno, err);
        if (rc)
            return rc;
        i = end + 1;
    }
    return GZT_OK;
}

/* Call @p fn for every row of a list, with its line number; stops at the
 * first error. */
typedef int (*row_fn)(gzt_gaz *g, const row *r, int list, void *ctx);

static int
each_row(gzt_gaz *g, const char *data, size_t len, int list, const char *label,
         row_fn fn, void *ctx, gzt_error *err)
{
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t n = end - i;
        lineno++;
        if (n && data[i + n - 1] == '\r')
            n--;
        if (n && data[i] != '#') {
            row r;
            int rc = parse_row(data + i, n, list, label, lineno, &r, err);
            if (rc)
                return rc;
            if (fn) {
                rc = fn(g, &r, list, ctx);
                if (rc)
                    return gzt_err_set(err, rc, "%s:%zu: %s", label, lineno,
                                       gzt_strerror(rc));
            }
        }
        i = end + 1;
    }
    return GZT_OK;
}

/* true when @p w is a word of one of the row's "~" aliases. */
static bool
is_surname_word(const row *r, const char *w, size_t wlen)
{
    for (size_t i = 0; i < r->aliases_len;) {
        const char *bar = memchr(r->aliases + i, '|', r->aliases_len - i);
        size_t end = bar ? (size_t)(bar - r->aliases) : r->aliases_len;
        if (r->aliases[i] == '~') {
            for (size_t a = i + 1; a < end;) {
                size_t b = a;
                while (b < end && r->aliases[b] != ' ')
                    b++;
                if (b - a == wlen && memcmp(r->aliases + a, w, wlen) == 0)
                    return true;
                a = b + 1;
            }
        }
        i = end + 1;
    }
    return false;
}

/* Flag the first word of a person's name or alias as a given name. */
static int
flag_first(gzt_gaz *g, const row *r, const char *s, size_t len)
{
    while (len && *s == ' ') {
        s++;
        len--;
    }
    size_t w = 0;
    while (w < len && s[w] != ' ')
        w++;
    if (w == len || !has_capital(s, w) || is_surname_word(r, s, w))
        return GZT_OK; /* one word alone is not a first name */
    return flag_token(g, s, w, GZT_GAZ_F_FIRST);
}

/* Add one name or alias of @p r. */
static int
add_name(gzt_gaz *g, const row *r, const char *s, size_t len, uint32_t canon,
         uint16_t wflags, bool user)
{
    int rc = add_key(g, s, len, r->type, 0, canon, r->canon_len, user);
    if (!rc && wflags)
        rc = flag_words(g, s, len, wflags);
    if (!rc && r->type == GZT_GAZ_PER)
        rc = flag_first(g, r, s, len);
    return rc;
}

/* Spellings of a lower-case cue phrase in running text. */
enum { VARIANT_SENTENCE, VARIANT_TITLE, VARIANT_EVERY_WORD };

/* true for the small words that title case leaves in lower case. */
static bool
is_small_word(const char *w, size_t len)
{
    static const char *const small[] = {"of", "the",  "and",    "for", "to",
                                        "in", "on",   "&",      "at",  "a",
                                        "an", "with", "without"};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        if (strlen(small[i]) == len && memcmp(small[i], w, len) == 0)
            return true;
    return false;
}

/* Write @p s in case @p mode to @p out: "Foreign minister" (sentence),
 * "Minister of Foreign Affairs" (title), "Minister Of Foreign Affairs"
 * (every word). Returns the bytes written, or SIZE_MAX past @p cap. */
static size_t
case_variant(char *out, size_t cap, const char *s, size_t len, int mode)
{
    if (mode == VARIANT_SENTENCE)
        return capitalise(out, cap, s, len);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        size_t n;
        if (mode == VARIANT_TITLE && i > 0 && is_small_word(s + i, j - i)) {
            n = j - i;
            if (n > cap - o)
                return SIZE_MAX;
            memcpy(out + o, s + i, n);
        } else {
            n = capitalise(out + o, cap - o, s + i, j - i);
            if (n == SIZE_MAX)
                return SIZE_MAX;
        }
        o += n;
        if (j < len) {
            if (o == cap)
                return SIZE_MAX;
            out[o++] = ' ';
            j++;
        }
        i = j;
    }
    return o;
}

/* Add a cue phrase of titles.txt as written and in the other cases. */
static int
add_cue(gzt_gaz *g, const row *r)
{
    int rc = add_key(g, r->name, r->name_len, GZT_GAZ_NONE, r->type, NO_STR, 0,
                     false);
    for (int mode = VARIANT_SENTENCE; !rc && mode <= VARIANT_EVERY_WORD;
         mode++) {
        char v[GZT_GAZ_NAME_MAX + 32];
        size_t n = case_variant(v, sizeof v, r->name, r->name_len, mode);
        if (n != SIZE_MAX) /* the same phrase merges with what is there */
            rc = add_key(g, v, n, GZT_GAZ_NONE, r->type, NO_STR, 0, false);
    }
    return rc;
}

/* Add everything row @p r says. */
static int
apply_row(gzt_gaz *g, const row *r, int list, void *ctx)
{
    GZT_UNUSED(ctx);
    bool user = list == LIST_USER;
    if (list == LIST_TITLES)
        return add_cue(g, r);

    uint32_t canon;
    int rc = str_add(g, r->canon, r->canon_len, &canon);
    if (rc)
        return rc;
    uint16_t wflags = list == LIST_COUNTRIES ? GZT_GAZ_F_COUNTRY
                      : list == LIST_ORGS    ? GZT_GAZ_F_ORG
                      : user                 ? GZT_GAZ_F_USER
                                             : 0;
    if (user && r->type == GZT_GAZ_ORG)
        wflags |= GZT_GAZ_F_ORG;
    rc = add_name(g, r, r->name, r->name_len, canon, wflags, user);
    for (size_t i = 0; !rc && i < r->aliases_len;) {
        const char *a = r->aliases + i;
        const char *bar = memchr(a, '|', r->aliases_len - i);
        size_t n = bar ? (size_t)(bar - a) : r->aliases_len - i;
        i += n + 1;
        if (count_words(a, n) == 0)
            continue;
        if (a[0] == '~') {
            /* a feature only: a person's surname */
            uint16_t f = wflags;
            if (r->type == GZT_GAZ_PER)
                f |= GZT_GAZ_F_SURNAME;
            if (f)
                rc = flag_words(g, a + 1, n - 1, f);
            continue;
        }
        rc = add_name(g, r, a, n, canon, wflags, user);
    }
    return rc;
}

/* ---- loading ------------------------------------------------------------- */

static gzt_gaz *
gaz_new(void)
{
    return gzt_calloc(1, sizeof(gzt_gaz));
}

void
gzt_gaz_free(gzt_gaz *g)
{
    if (!g)
        return;
    if (!g->frozen) {
        gzt_free(g->exact.s);
        gzt_free(g->exact.bits);
        gzt_free(g->folded.bits);
        gzt_free(g->folded.s);
        gzt_free(g->ents);
        gzt_buf_free(&g->str);
    }
    gzt_free(g);
}

/* Check list @p data whole, then add it. */
static int
add_list(gzt_gaz *g, const char *data, size_t len, int list, const char *label,
         gzt_error *err)
{
    if (len > GZT_GAZ_LIST_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "%s: larger than %zu bytes", label,
                           GZT_GAZ_LIST_MAX);
    if (!data)
        return GZT_OK;
    int rc = each_row(g, data, len, list, label, NULL, NULL, err);
    if (!rc)
        rc = each_row(g, data, len, list, label, apply_row, NULL, err);
    return rc;
}

int
gzt_gaz_load(gzt_gaz **out, const char *countries, size_t countries_len,
             const char *people, size_t people_len, const char *orgs,
             size_t orgs_len, const char *titles, size_t titles_len,
             gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    gzt_gaz *g = gaz_new();
    if (!g)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    /* about one key or prefix per 8 bytes of list (half as many in the
     * folded table): size the tables once, for that many at three fifths
     * full, instead of growing them */
    size_t total =
        countries_len / 8 + people_len / 8 + orgs_len / 8 + titles_len / 8;
    total = GZT_MIN(total, (size_t)1 << 20);
    int rc = GZT_OK;
    if (table_resize(&g->exact, total * 5 / 3) ||
        table_resize(&g->folded, total * 5 / 6))
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    if (!rc)
        rc = add_list(g, countries, countries_len, LIST_COUNTRIES,
                      "countries.tsv", err);
    if (!rc)
        rc = add_list(g, orgs, orgs_len, LIST_ORGS, "orgs.tsv", err);
    if (!rc)
        rc = add_list(g, people, people_len, LIST_PEOPLE, "people.tsv", err);
    if (!rc)
        rc = add_list(g, titles, titles_len, LIST_TITLES, "titles.txt", err);
    if (rc)
        goto fail;
    *out = g;
    return GZT_OK;
fail:
    gzt_gaz_free(g);
    return rc;
}

int
gzt_gaz_load_files(gzt_gaz **out, const char *dir, gzt_error *err)
{
    static const char *const names[4] = {"countries.tsv", "people.tsv",
                                         "orgs.tsv", "titles.txt"};
    gzt_buf b[4] = {GZT_BUF_INIT, GZT_BUF_INIT, GZT_BUF_INIT, GZT_BUF_INIT};
    int rc = GZT_OK;
    gzt_err_clear(err);
    *out = NULL;
    for (int i = 0; i < 4 && !rc; i++) {
        char *p = gzt_path_join(dir, names[i]);
        if (!p) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            break;
        }
        rc = gzt_io_read_file(p, &b[i], GZT_GAZ_LIST_MAX, err);
        gzt_free(p);
    }
    if (rc)
        goto fail;
    rc = gzt_gaz_load(out, (const char *)b[0].p, b[0].len, (const char *)b[1].p,
                      b[1].len, (const char *)b[2].p, b[2].len,
                      (const char *)b[3].p, b[3].len, err);
fail:
    for (int i = 3; i >= 0; i--)
        gzt_buf_free(&b[i]);
    return rc;
}

/* ---- the built-in image -------------------------------------------------- */

/* gzt_gaz_image_write() lays a gazetteer out as it lies in memory: a header
 * of H_WORDS 64-bit words, then the strings, the entries, and each table's
 * slots and bitmap, every part at a multiple of GZT_IMG_ALIGN bytes from the
 * start (base.h). The build makes it for the machine that runs it (the structs'
 * layout and the byte order are this build's; the header records the
 * sizes), so that gzt_gaz_from_image() points at it instead of building
 * megabytes of tables at every start. Padding is written as zeros, so that
 * one set of lists always gives the same bytes. */
static const char gaz_magic[8] = {'G', 'Z', 'T', 'G', 'A', 'Z', 'I', '1'};

enum {
    H_MAGIC,  /* gaz_magic */
    H_ENTRY,  /* sizeof(entry) */
    H_SLOT,   /* sizeof(slot) */
    H_NENTS,  /* entries */
    H_NMATCH, /* names and aliases */
    H_STR,    /* bytes of strings */
    H_EXACT,  /* slots of the exact table */
    H_EXACTN, /* of them in use */
    H_FOLD,   /* slots of the folded table */
    H_FOLDN,  /* of them in use */
    H_WORDS
};

static int
img_put_table(gzt_buf *out, const table *t)
{
    int rc = GZT_OK;
    for (size_t i = 0; !rc && i < t->cap; i++) {
        slot c;
        memset(&c, 0, sizeof c);
        c.hash = t->s[i].hash;
        c.ent = t->s[i].ent;
        c.cue = t->s[i].cue;
        c.flags = t->s[i].flags;
        c.prefix = t->s[i].prefix;
        rc = gzt_buf_append(out, &c, sizeof c);
    }
    if (!rc)
        rc = gzt_img_pad(out);
    if (!rc)
        rc = gzt_buf_append(out, t->bits, bits_bytes(t->cap));
    return rc ? rc : gzt_img_pad(out);
}

int
gzt_gaz_image_write(const gzt_gaz *g, gzt_buf *out)
{
    uint64_t h[H_WORDS] = {0};
    memcpy(&h[H_MAGIC], gaz_magic, 8);
    h[H_ENTRY] = sizeof(entry);
    h[H_SLOT] = sizeof(slot);
    h[H_NENTS] = g->nents;
    h[H_NMATCH] = g->nmatch;
    h[H_STR] = g->str.len;
    h[H_EXACT] = g->exact.cap;
    h[H_EXACTN] = g->exact.n;
    h[H_FOLD] = g->folded.cap;
    h[H_FOLDN] = g->folded.n;
    gzt_buf_reset(out);
    int rc = gzt_buf_append(out, h, sizeof h);
    if (!rc)
        rc = gzt_img_pad(out);
    if (!rc)
        rc = gzt_buf_append(out, g->str.p, g->str.len);
    if (!rc)
        rc = gzt_img_pad(out);
    for (size_t i = 0; !rc && i < g->nents; i++) {
        entry e = g->ents[i];
        e.spare = 0;
        rc = gzt_buf_append(out, &e, sizeof e);
    }
    if (!rc)
        rc = gzt_img_pad(out);
    if (!rc)
        rc = img_put_table(out, &g->exact);
    if (!rc)
        rc = img_put_table(out, &g->folded);
    return rc;
}

/* Point @p t at a table of @p cap slots (@p n in use) at b + *off. */
static void
img_table(table *t, const uint8_t *b, size_t *off, uint64_t cap, uint64_t n)
{
    t->cap = cap;
    t->n = n;
    t->s = gzt_img_at(b, off, cap * sizeof(slot));
    t->bits = gzt_img_at(b, off, bits_bytes(cap));
    t->shift = shift_of(cap);
}

/* Bytes of a table of @p cap slots in an image, or SIZE_MAX when @p cap is
 * not a power of two from TABLE_MIN up or could not fit in @p len. */
static size_t
img_table_bytes(uint64_t cap, uint64_t n, size_t len)
{
    if (cap < TABLE_MIN || (cap & (cap - 1)) || n >= cap ||
        cap > len / sizeof(slot))
        return SIZE_MAX;
    return gzt_img_round(cap * sizeof(slot)) + gzt_img_round(bits_bytes(cap));
}

int
gzt_gaz_from_image(gzt_gaz **out, const void *image, size_t len, gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    const uint8_t *b = image;
    uint64_t h[H_WORDS];
    if (!b || (uintptr_t)b % GZT_IMG_ALIGN || len < sizeof h ||
        memcmp(b, gaz_magic, 8) != 0)
        return gzt_err_set(err, GZT_ECORRUPT,
                           "built-in lists: not a gazetteer image");
    for (size_t i = 0; i < H_WORDS; i++)
        h[i] = gzt_load_u64(b + 8 * i);
    size_t et = img_table_bytes(h[H_EXACT], h[H_EXACTN], len);
    size_t ft = img_table_bytes(h[H_FOLD], h[H_FOLDN], len);
    if (h[H_ENTRY] != sizeof(entry) || h[H_SLOT] != sizeof(slot) ||
        h[H_NENTS] > len / sizeof(entry) || h[H_NMATCH] > h[H_NENTS] ||
        h[H_STR] > len || et == SIZE_MAX || ft == SIZE_MAX ||
        gzt_img_round(sizeof h) + gzt_img_round(h[H_STR]) +
                gzt_img_round(h[H_NENTS] * sizeof(entry)) + et + ft !=
            len)
        return gzt_err_set(err, GZT_ECORRUPT,
                           "built-in lists: the image does not fit this "
                           "build");
    gzt_gaz *g = gaz_new();
    if (!g)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    size_t off = gzt_img_round(sizeof h);
    g->str.p = gzt_img_at(b, &off, h[H_STR]);
    g->str.len = g->str.cap = h[H_STR];
    g->ents = gzt_img_at(b, &off, h[H_NENTS] * sizeof(entry));
    g->nents = g->cap_ents = h[H_NENTS];
    g->nmatch = h[H_NMATCH];
    img_table(&g->exact, b, &off, h[H_EXACT], h[H_EXACTN]);
    img_table(&g->folded, b, &off, h[H_FOLD], h[H_FOLDN]);
    g->frozen = true;
    *out = g;
    return GZT_OK;
}

/* A heap copy of @p n bytes at @p p (at least one byte), or NULL. */
static void *
dup_bytes(const void *p, size_t n)
{
    void *d = gzt_malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* Copy a frozen gazetteer's image to the heap, so that it can change. */
static int
thaw(gzt_gaz *g)
{
    if (!g->frozen)
        return GZT_OK;
    uint8_t *str = dup_bytes(g->str.p, g->str.len);
    entry *ents = dup_bytes(g->ents, g->nents * sizeof(entry));
    slot *es = dup_bytes(g->exact.s, g->exact.cap * sizeof(slot));
    uint64_t *eb = dup_bytes(g->exact.bits, bits_bytes(g->exact.cap));
    slot *fs = dup_bytes(g->folded.s, g->folded.cap * sizeof(slot));
    uint64_t *fb = dup_bytes(g->folded.bits, bits_bytes(g->folded.cap));
    if (!str || !ents || !es || !eb || !fs || !fb) {
        gzt_free(str);
        gzt_free(ents);
        gzt_free(es);
        gzt_free(eb);
        gzt_free(fs);
        gzt_free(fb);
        return GZT_ENOMEM;
    }
    g->str.p = str;
    g->ents = ents;
    g->exact.s = es;
    g->exact.bits = eb;
    g->folded.s = fs;
    g->folded.bits = fb;
    g->frozen = false;
    return GZT_OK;
}

int
gzt_gaz_add_user(gzt_gaz *g, const char *data, size_t len, const char *path,
                 gzt_error *err)
{
    gzt_err_clear(err);
    if (thaw(g))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    return add_list(g, data, len, LIST_USER, path ? path : "entities", err);
}

size_t
gzt_gaz_count(const gzt_gaz *g)
{
    return g->nmatch;
}

const char *
gzt_gaz_type_name(int type)
{
    switch (type) {
    case GZT_GAZ_PER:
        return "PER";
    case GZT_GAZ_ORG:
        return "ORG";
    case GZT_GAZ_LOC:
        return "LOC";
    case GZT_GAZ_MISC:
        return "MISC";
    default:
        return "";
    }
}

/* ---- matching ------------------------------------------------------------ */

/* The best of one pass over the tokens from one start. */
typedef struct found {
    const entry *ent; /* longest entry, a user one first; NULL for none */
    size_t len;       /* its tokens */
    const entry *cue; /* longest cue phrase; NULL for none */
    size_t cue_len;   /* its tokens */
    uint16_t flags;   /* flags of the first token */
} found;

/* Does (@p e, @p len) beat what @p f holds? User entries first, then
 * length. */
static bool
beats(const entry *e, size_t len, const entry *old, size_t old_len)
{
    if (!old)
        return true;
    if (e->user != old->user)
        return e->user > old->user;
    return len > old_len;
}

/* Fill @p f from the run of tokens that starts at token @p i, whose bytes
 * (lower-cased in the folded pass) are key[0..blen) with slot @p s in
 * @p t, extended as far as @p t has keys or prefixes. In the folded pass
 * every token after the first must be ALL-CAPS or caseless. A longer run is
 * gathered in @p buf (GZT_GAZ_NAME_MAX bytes) and hashed afresh: a run
 * continues only while it is a prefix of a key, which is rare. */
static void
scan(const gzt_gaz *g, const table *t, bool folded, const gzt_gaz_tok *toks,
     size_t i, size_t n, const char *key, size_t blen, const slot *s, char *buf,
     found *f)
{
    memset(f, 0, sizeof *f);
    f->flags = s->flags;
    for (size_t j = i;;) {
        size_t len = j - i + 1;
        if (s->ent) {
            const entry *e = &g->ents[s->ent - 1];
            if (key_eq(g, e, folded, key, blen) &&
                beats(e, len, f->ent, f->len)) {
                f->ent = e;
                f->len = len;
            }
        }
        if (s->cue) {
            const entry *e = &g->ents[s->cue - 1];
            if (key_eq(g, e, folded, key, blen)) {
                f->cue = e;
                f->cue_len = len;
            }
        }
        if (!s->prefix || ++j == n || j - i == GZT_GAZ_MAX_TOKENS)
            break;
        const gzt_gaz_tok *tk = &toks[j];
        if (tk->len == 0 || tk->len > GZT_GAZ_NAME_MAX - blen)
            break;
        if (key != buf) {
            memcpy(buf, key, blen);
            key = buf;
        }
        size_t m;
        if (folded) {
            if (token_case(tk->s, tk->len) == CASE_OTHER)
                break;
            m = fold(buf + blen, GZT_GAZ_NAME_MAX - blen, tk->s, tk->len);
            if (m == SIZE_MAX)
                break;
        } else {
            memcpy(buf + blen, tk->s, tk->len);
            m = tk->len;
        }
        blen += m;
        s = table_find(t, key_hash(buf, blen));
        if (!s)
            break;
    }
}

/* Of a word of bytes below 0x80: the bytes in [@p lo, @p hi], as their
 * high bits. Adding at most 0x80 to such a byte never carries into the
 * next one. */
static inline uint64_t
bytes_in(uint64_t v, uint8_t lo, uint8_t hi)
{
    return (v + (uint64_t)(0x80 - lo) * ONES) &
           ~(v + (uint64_t)(0x7f - hi) * ONES) & HIGH;
}

/* The best matches from token @p i into @p f: the exact pass, and for an
 * ALL-CAPS token the folded one, which wins only where it finds more.
 * Returns false, leaving @p f alone, when neither table knows the token
 * (most tokens of running text: one hash, one bit). */
static inline bool
find_at(const gzt_gaz *g, const gzt_gaz_tok *toks, size_t i, size_t n, found *f)
{
    char buf[GZT_GAZ_NAME_MAX];
    const char *p = toks[i].s;
    size_t len = toks[i].len;
    if (len == 0 || len > sizeof buf)
        return false;
    uint64_t v = len <= 8 ? pack_short(p, len) : 0;
    const slot *s =
        table_find(&g->exact, len <= 8 ? hash_short(v, len) : key_hash(p, len));
    bool got = s != NULL;
    if (got)
        scan(g, &g->exact, false, toks, i, n, p, len, s, buf, f);
    /* The folded pass needs an ALL-CAPS first token (a lower-case first
     * letter, the common case, is not). A short ASCII token is told,
     * folded and hashed in its packed word, so that it is folded into buf
     * only when its bit in the folded table is set. */
    uint8_t c0 = (uint8_t)p[0];
    if (c0 >= 'a' && c0 <= 'z')
        return got;
    size_t m;
    if (len <= 8 && !(v & HIGH)) {
        uint64_t up = bytes_in(v, 'A', 'Z');
        if (!up || bytes_in(v, 'a', 'z'))
            return got;
        s = table_find(&g->folded, hash_short(v | up >> 2, len));
        if (!s)
            return got;
        m = fold(buf, sizeof buf, p, len); /* the same bytes, as ASCII */
    } else {
        /* a lower-case last letter: "Washington" is read no further */
        uint8_t cl = (uint8_t)p[len - 1];
        if ((cl >= 'a' && cl <= 'z') || token_case(p, len) != CASE_UPPER)
            return got;
        m = fold(buf, sizeof buf, p, len);
        s = m == SIZE_MAX ? NULL : table_find(&g->folded, key_hash(buf, m));
        if (!s)
            return got;
    }
    if (!got)
        memset(f, 0, sizeof *f);
    found c;
    scan(g, &g->folded, true, toks, i, n, buf, m, s, buf, &c);
    f->flags |= c.flags;
    if (c.ent && (!f->ent || beats(c.ent, c.len, f->ent, f->len))) {
        f->ent = c.ent;
        f->len = c.len;
    }
    if (c.cue && c.cue_len > f->cue_len) {
        f->cue = c.cue;
        f->cue_len = c.cue_len;
    }
    return true;
}

/* The segmentation of gzt_gaz_match() when user entries start in @p hits:
 * they are laid down first, then built-in ones in the gaps. */
static void
segment_user_first(gzt_gaz_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hits[i].seg = GZT_GAZ_SEG_O;
        hits[i].seg_type = 0;
    }
    for (int pass = 1; pass >= 0; pass--) {
        for (size_t i = 0; i < n;) {
            const gzt_gaz_hit *h = &hits[i];
            bool open = h->len && h->user == pass;
            for (size_t k = i; open && k < i + h->len; k++)
                open = hits[k].seg == GZT_GAZ_SEG_O;
            if (!open) {
                i++;
                continue;
            }
            for (size_t k = i; k < i + h->len; k++) {
                hits[k].seg = k == i ? GZT_GAZ_SEG_B : GZT_GAZ_SEG_I;
                hits[k].seg_type = h->type;
            }
            i += h->len;
        }
    }
}

/* Each hit is written whole when its token is reached, so nothing is
 * cleared first: a cue phrase's flags reach later tokens through the end
 * of the furthest title and organisation cue seen so far, and without user
 * entries the greedy segmentation is laid in the same pass. A token that
 * starts nothing, past every cue and segment, gets a blank hit. */
void
gzt_gaz_match(const gzt_gaz *g, const gzt_gaz_tok *toks, size_t n,
              gzt_gaz_hit *hits)
{
    size_t title_end = 0; /* tokens before this are in a title cue */
    size_t org_end = 0;   /* tokens before this are in an organisation cue */
    size_t seg_end = 0;   /* the last segment laid ends before this */
    size_t busy_end = 0;  /* the furthest of the three */
    uint8_t seg_type = 0; /* the type of that segment */
    bool user = false;    /* a user entry starts somewhere */
    for (size_t i = 0; i < n; i++) {
        found f;
        gzt_gaz_hit *o = &hits[i];
        if (!find_at(g, toks, i, n, &f)) {
            if (i >= busy_end) {
                memset(o, 0, sizeof *o);
                continue;
            }
            memset(&f, 0, sizeof f);
        }
        memset(o, 0, sizeof *o);
        if (f.ent) {
            o->canonical = str_at(g, f.ent->canon);
            o->canonical_len = f.ent->canon_len;
            o->type = f.ent->type;
            o->len = (uint8_t)f.len;
            o->user = f.ent->user;
            user |= f.ent->user;
        }
        if (f.cue) {
            o->cue = f.cue->cue;
            o->cue_len = (uint8_t)f.cue_len;
            if (f.cue->cue & GZT_GAZ_CUE_TITLE)
                title_end = GZT_MAX(title_end, i + f.cue_len);
            if (f.cue->cue & GZT_GAZ_CUE_ORG)
                org_end = GZT_MAX(org_end, i + f.cue_len);
        }
        o->flags = (uint16_t)(f.flags | (i < title_end ? GZT_GAZ_F_TITLE : 0) |
                              (i < org_end ? GZT_GAZ_F_ORGCUE : 0));
        if (i < seg_end) {
            o->seg = GZT_GAZ_SEG_I;
            o->seg_type = seg_type;
        } else if (o->len) {
            o->seg = GZT_GAZ_SEG_B;
            o->seg_type = seg_type = o->type;
            seg_end = i + o->len;
        }
        busy_end = GZT_MAX(GZT_MAX(title_end, org_end), seg_end);
    }
    if (user)
        segment_user_first(hits, n);
}
