/* SPDX-License-Identifier: MIT */
/*
 * invert.h: the in-memory inverted index of the documents added since the
 * last flush; flushing writes it as one segment.
 */
#ifndef GZT_INVERT_H
#define GZT_INVERT_H

#include "common/analyze.h"
#include "common/entity.h"
#include "common/segment.h"
#include "indexer/docterms.h"
#include "indexer/segwrite.h"

typedef struct gzt_inv gzt_inv;

GZT_NODISCARD int gzt_inv_new(gzt_inv **out, gzt_analyzer *a);
void gzt_inv_free(gzt_inv *inv);

/* Analyse and buffer a document (fields valid UTF-8) with its @p nents
 * entity mentions (indexed as entity terms at the positions of the
 * mentions). *doc receives its number in the batch. */
GZT_NODISCARD int gzt_inv_add(gzt_inv *inv, const gzt_docfields *f,
                              gzt_date date, uint64_t hash,
                              const gzt_entity *ents, size_t nents,
                              uint32_t *doc, gzt_error *err);
/* Buffer a document analysed by gzt_docterms_run() (@p terms, @p info);
 * @p f gives the stored fields. *doc receives its number in the batch. */
GZT_NODISCARD int gzt_inv_add_terms(gzt_inv *inv, const gzt_docfields *f,
                                    gzt_date date, uint64_t hash,
                                    const void *terms, size_t terms_len,
                                    const gzt_docinfo *info, uint32_t *doc,
                                    gzt_error *err);
/* Forget buffered document @p doc (replaced within the batch). */
void gzt_inv_delete(gzt_inv *inv, uint32_t doc);
/* content hash of buffered document @p doc */
uint64_t gzt_inv_hash(const gzt_inv *inv, uint32_t doc);
/* approximate bytes of the buffered documents */
size_t gzt_inv_memory(const gzt_inv *inv);
/* buffered documents not deleted */
uint32_t gzt_inv_live(const gzt_inv *inv);
/* Write the live buffered documents as segment @p segid of @p dir and
 * empty the buffer (also on failure). With @p thread the stored documents
 * are compressed on a second thread meanwhile; without, the inverter keeps
 * its document arrays and record buffer for the next segment. */
GZT_NODISCARD int gzt_inv_flush(gzt_inv *inv, const char *dir, uint32_t segid,
                                bool thread, gzt_segw_info *info,
                                gzt_error *err);

/* external id of buffered document @p doc (borrowed) */
const char *gzt_inv_id(const gzt_inv *inv, uint32_t doc, size_t *len);
#endif
