/* SPDX-License-Identifier: MIT */
/*
 * docterms.h: one document turned into its terms and their positions,
 * ready for the inverter.
 *
 * Analysis (tokenizing, folding, stemming) and entity terms are the part of
 * indexing that needs no shared state, so worker threads run it while the
 * inverting thread only looks terms up and appends postings
 * (gzt_inv_add_terms()). Each thread has its own gzt_docterms.
 *
 * The result is a byte string of records, one per distinct term of the
 * document, in no particular order:
 *
 *   hash    8 bytes, gzt_hash64() of the term, native byte order
 *   len     varint, bytes of the term
 *   term    len bytes
 *   nbytes  varint, bytes of what follows
 *   freq    varint, positions of the term in the document
 *   gaps    freq varints: the first position, then differences (> 0)
 *
 * It lives only in memory between two threads of one process.
 */
#ifndef GZT_DOCTERMS_H
#define GZT_DOCTERMS_H

#include "common/analyze.h"
#include "common/entity.h"

typedef struct gzt_docterms gzt_docterms;

/* What gzt_docterms_run() measured. */
typedef struct gzt_docinfo {
    uint32_t length;    /* tokens of title and body (entity terms not
                           counted) */
    uint32_t title_end; /* first position after the title (0: no title) */
} gzt_docinfo;

/* @p an is borrowed, and used by this object's thread only. GZT_ENOMEM. */
GZT_NODISCARD int gzt_docterms_new(gzt_docterms **out, gzt_analyzer *an);
void gzt_docterms_free(gzt_docterms *dt);

/*
 * Analyse @p title and @p body (valid UTF-8) with the document's @p nents
 * entity mentions, appending the records to @p out. GZT_ENOMEM, or
 * GZT_ETOOBIG when the document has more tokens than positions can count.
 */
GZT_NODISCARD int gzt_docterms_run(gzt_docterms *dt, const char *title,
                                   size_t title_len, const char *body,
                                   size_t body_len, const gzt_entity *ents,
                                   size_t nents, gzt_buf *out,
                                   gzt_docinfo *info, gzt_error *err);

/*
 * gzt_docterms_run() without the records: the document's distinct terms
 * stay in @p dt, to be read with gzt_docterms_next() until the next run.
 * The inverter of a one-thread build reads them so, which saves writing
 * and parsing the records (about 7% of indexing short documents).
 */
GZT_NODISCARD int gzt_docterms_analyse(gzt_docterms *dt, const char *title,
                                       size_t title_len, const char *body,
                                       size_t body_len, const gzt_entity *ents,
                                       size_t nents, gzt_docinfo *info,
                                       gzt_error *err);

/* A distinct term of the document gzt_docterms_analyse() analysed. */
typedef struct gzt_dterm {
    uint64_t hash;         /* gzt_hash64() of the term */
    const char *s;         /* its bytes */
    uint32_t len;          /* bytes */
    uint32_t n;            /* positions */
    const uint64_t *pairs; /* n (term << 32 | position), positions
                              strictly increasing */
    size_t nbytes;         /* bytes of n and the position gaps as varints */
} gzt_dterm;

/* The term at *@p at, advancing *@p at (start at 0); false after the
 * last. */
bool gzt_docterms_next(const gzt_docterms *dt, size_t *at, gzt_dterm *t);

/* Write @p t's n and position gaps as varints at @p o, which has room for
 * t->nbytes: the "freq, gaps" of a record. Returns t->nbytes. */
size_t gzt_dterm_put(const gzt_dterm *t, uint8_t *o);

/* One record of gzt_docterms_run()'s output. */
typedef struct gzt_termrec {
    uint64_t hash;       /* gzt_hash64() of the term */
    const uint8_t *s;    /* its bytes */
    uint32_t len;        /* bytes */
    uint32_t nbytes;     /* bytes of post */
    const uint8_t *post; /* frequency, then position gaps (varints) */
} gzt_termrec;

/* Read the next record of @p r into @p tr; false at the end or when the
 * bytes are not a record. */
bool gzt_termrec_next(gzt_rd *r, gzt_termrec *tr);

#endif
