/* SPDX-License-Identifier: MIT */
/*
 * stem.h: Snowball stemming (libstemmer) behind a cache, for the analyzer.
 *
 * A ::gzt_stemmer turns a case-folded word into its stem for one language.
 * News text repeats its words a great deal, so each stemmer keeps a bounded
 * cache from word to stem and only asks libstemmer about words it has not
 * seen lately. The language "none" stems nothing: every word is its own stem.
 * gzt_languages() (gazette.h) lists the names accepted here.
 */
#ifndef GZT_STEM_H
#define GZT_STEM_H

#include "common/base.h"

/* Most entries a stemmer's cache holds before it is emptied and refilled. */
#define GZT_STEM_CACHE_MAX 65536
/* Words longer than this many bytes are stemmed without being cached. */
#define GZT_STEM_CACHE_WORD_MAX 64

typedef struct gzt_stemmer gzt_stemmer;

/*
 * The canonical name of language @p name: a name of gzt_languages() itself,
 * or one of libstemmer's aliases ("en", "eng" -> "english"; "de", "ger",
 * "deu" -> "german"; ...), matched without regard to ASCII case. Returns a
 * string with static storage, or NULL when @p name is no known language.
 * "porter" is the original Porter algorithm, not an alias of "english".
 */
const char *gzt_stem_canonical(const char *name);

/*
 * Create a stemmer for @p language (a name accepted by
 * gzt_stem_canonical(), or "none").
 *
 * @param[out] out  the stemmer, or NULL on failure; free with
 *                  gzt_stemmer_free().
 * @return GZT_OK, GZT_EINVAL (unknown language, named in @p err with a
 *         pointer to `gazette --help`), GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_stemmer_new(gzt_stemmer **out, const char *language,
                                  gzt_error *err);

/* Free @p s; NULL is a no-op. */
void gzt_stemmer_free(gzt_stemmer *s);

/* The canonical name of @p s's language ("english", "none"). */
const char *gzt_stemmer_language(const gzt_stemmer *s);

/*
 * The stem of the @p len bytes of case-folded UTF-8 at @p word.
 *
 * The result is not NUL-terminated; *out_len receives its length. It is
 * owned by @p s (or, for "none", is @p word itself) and stays valid until
 * the next call on @p s or until @p word is released, whichever is first.
 * When @p out_hash is not NULL it receives gzt_hash64() of the stem, kept
 * in the cache so that a word seen before costs no second hash, or 0 when
 * the stem was not hashed. Returns NULL only when out of memory.
 */
const char *gzt_stemmer_stem(gzt_stemmer *s, const char *word, size_t len,
                             size_t *out_len, uint64_t *out_hash);

/*
 * Start loading the cache entry of @p word, for a gzt_stemmer_stem_at() a
 * little later: a caller with several words to stem asks for all their
 * entries first, so that the cache misses overlap. Returns the key to pass
 * on (0 when the word is not looked up in the cache).
 */
uint64_t gzt_stemmer_prefetch(const gzt_stemmer *s, const char *word,
                              size_t len);
/* gzt_stemmer_stem() of a word whose key gzt_stemmer_prefetch() gave. */
const char *gzt_stemmer_stem_at(gzt_stemmer *s, const char *word, size_t len,
                                uint64_t key, size_t *out_len,
                                uint64_t *out_hash);

#endif
