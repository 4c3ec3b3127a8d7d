/* SPDX-License-Identifier: MIT */
/*
 * analyze.h: the one text analysis of gazette, shared by indexing and
 * querying so that documents and queries see the same terms.
 *
 * Input is valid UTF-8 (callers repair it first with gzt_utf8_repair()).
 * Output is a stream of tokens: the analysed term (Unicode case folded with
 * utf8proc, NFC, then Snowball-stemmed with libstemmer unless the language is
 * "none"), its byte range in the input and its position.
 */
#ifndef GZT_ANALYZE_H
#define GZT_ANALYZE_H

#include "common/base.h"

/* Terms longer than this many bytes (after folding) are dropped; their
 * position is still consumed. */
#define GZT_TERM_MAX 120

typedef struct gzt_token {
    const char *term;  /* analysed term; not NUL-terminated; valid only
                          during the callback */
    uint32_t term_len; /* bytes of term */
    uint32_t start;    /* byte offset of the token's first byte in input */
    uint32_t end;      /* one past its last byte */
    uint32_t pos;      /* position: first_pos + index of the token */
    uint64_t hash;     /* gzt_hash64() of term when the stemmer gave it
                          (stems of words of up to 64 bytes, which its
                          cache keeps with their hashes), else 0 */
} gzt_token;

/* Called for each token; a non-zero return stops analysis and is returned
 * by gzt_analyze(). */
typedef int (*gzt_token_fn)(void *ctx, const gzt_token *tok);

typedef struct gzt_analyzer gzt_analyzer;

/* @p language: a libstemmer algorithm name ("english", "german", ...; see
 * gzt_languages()) or "none". GZT_EINVAL for an unknown language. */
GZT_NODISCARD int gzt_analyzer_new(gzt_analyzer **out, const char *language,
                                   gzt_error *err);
void gzt_analyzer_free(gzt_analyzer *a);
/* the canonical language name ("english", "none") */
const char *gzt_analyzer_language(const gzt_analyzer *a);

/* Tokenize @p text, calling @p fn for every token in order. Positions start
 * at @p first_pos; *next_pos (may be NULL) receives the position after the
 * last token. Returns GZT_OK, GZT_ENOMEM, GZT_ETOOBIG (@p len or the
 * positions past UINT32_MAX) or what @p fn returned. */
GZT_NODISCARD int gzt_analyze(gzt_analyzer *a, const char *text, size_t len,
                              uint32_t first_pos, gzt_token_fn fn, void *ctx,
                              uint32_t *next_pos);

/* Case fold (no stemming, no tokenizing) @p text into @p out (replacing its
 * contents); used for prefix queries. */
GZT_NODISCARD int gzt_analyzer_fold(gzt_analyzer *a, const char *text,
                                    size_t len, gzt_buf *out);

/* ---- term prefixes ------------------------------------------------------
 * Analysed terms are case folded, so they never contain an ASCII capital.
 * Query terms of other fields carry a capital-letter prefix (as in Xapian).
 * The native index stores title words once, as plain terms at title
 * positions; the searcher turns "S" + term into a position filter. */
#define GZT_PREFIX_TITLE 'S'  /* "S" + analysed title term */
#define GZT_PREFIX_PERSON 'P' /* "P" + analysed word of a person's name */
#define GZT_PREFIX_ORG 'O'    /* "O" + analysed word of an organisation */
#define GZT_PREFIX_PLACE 'L'  /* "L" + analysed word of a place */
#define GZT_PREFIX_MISC 'M'   /* "M" + analysed word of another name */
#define GZT_PREFIX_ENTITY 'E' /* "E" + entity key of a canonical form */
#define GZT_PREFIX_FACET 'T'  /* "T" + type letter + canonical form */

/* The entity key of a canonical form: case folded (no stemming), runs of
 * whitespace made one space, trimmed; replaces the contents of @p out.
 * entity:"Sergey  LAVROV" and the indexed "Sergey Lavrov" share a key. */
GZT_NODISCARD int gzt_entity_key(gzt_analyzer *a, const char *text, size_t len,
                                 gzt_buf *out);
#endif
