/* SPDX-License-Identifier: MIT */
/*
 * xwrite.h: documents into a Xapian database with gazette's own analysis,
 * so that both engines index the same tokens (the writer side of the
 * Xapian engine).
 *
 * A document becomes: one posting per position of each analysed word
 * (within-document frequency = occurrences, as the native inverter counts
 * them); the title's words again under GZT_PREFIX_TITLE ("S"), for
 * title: queries; the entity terms of its mentions (person:, org:,
 * place:, misc:, entity:, facet) at the mentions' positions; the unique
 * id term (common/xapian.h); the date in value slot GZT_XSLOT_DATE (eight
 * ASCII digits, so that value ranges sort as dates); the content hash in
 * GZT_XSLOT_HASH (16 hex digits); and the native stored record as the
 * document data. Title copies and entity terms add positions but no
 * within-document frequency: Xapian's document length is then the number
 * of text tokens, the length gazette's BM25 normalises by, and they match
 * without scoring.
 */
#ifndef GZT_XWRITE_H
#define GZT_XWRITE_H

#include "common/analyze.h"
#include "common/date.h"
#include "common/entity.h"
#include "common/segment.h"
#include "common/xapian.h"

#include "indexer/docterms.h"

/* The boolean term of a document's source: "XS" and 16 hex digits of the
 * hash of its path (gazette prune finds a source's documents by it). */
#define GZT_XSOURCE_TERM_LEN 18
void gzt_xsource_term(char out[GZT_XSOURCE_TERM_LEN + 1], const char *src,
                      size_t len);

typedef struct gzt_xwriter gzt_xwriter;

/* A writer analysing with @p an (borrowed). GZT_ENOMEM. */
GZT_NODISCARD int gzt_xwriter_new(gzt_xwriter **out, gzt_analyzer *an);
void gzt_xwriter_free(gzt_xwriter *xw);

/*
 * Add to @p db (or replace there, by its id) the document @p f (id, title,
 * body, source, entities as stored) dated @p date with content hash
 * @p hash and its @p nents mentions. GZT_ENOMEM, GZT_ETOOBIG, or the
 * database's error.
 */
GZT_NODISCARD int gzt_xwriter_add(gzt_xwriter *xw, gzt_xdb *db,
                                  const gzt_docfields *f, gzt_date date,
                                  uint64_t hash, const gzt_entity *ents,
                                  size_t nents, gzt_error *err);

/* gzt_xwriter_add() of a document already analysed: @p recs are its
 * gzt_docterms_run() records and @p info what that run reported. */
GZT_NODISCARD int gzt_xwriter_add_terms(gzt_xwriter *xw, gzt_xdb *db,
                                        const gzt_docfields *f, gzt_date date,
                                        uint64_t hash, const uint8_t *recs,
                                        size_t len, const gzt_docinfo *info,
                                        gzt_error *err);

#endif
