/* SPDX-License-Identifier: MIT */
/*
 * entity.h: entity recognition as the index uses it: the statistical tagger
 * (ner.h) for spans and types, the gazetteers (gazetteer.h) for canonical
 * forms, the user's lists taking precedence, and in-document coreference
 * ("Lavrov" after "Sergey Lavrov" is Sergey Lavrov).
 */
#ifndef GZT_ENTITY_H
#define GZT_ENTITY_H

#include "common/gazetteer.h"
#include "common/ner.h"

/* A recognised mention. */
typedef struct gzt_entity {
    uint32_t start;         /* first byte in the text */
    uint32_t end;           /* one past its last byte */
    uint8_t type;           /* gzt_nertype: PER, ORG, LOC, MISC */
    uint8_t field;          /* GZT_ENT_BODY or GZT_ENT_TITLE */
    const char *canonical;  /* canonical form, NUL-terminated */
    uint32_t canonical_len; /* bytes */
} gzt_entity;

#define GZT_ENT_BODY 0
#define GZT_ENT_TITLE 1

typedef struct gzt_recognizer gzt_recognizer;

/* The built-in lists with @p model (gzt_ner_train() bytes; NULL: the
 * built-in model). GZT_ECORRUPT when the model is damaged, GZT_ENOMEM. */
GZT_NODISCARD int gzt_recognizer_new(gzt_recognizer **out, const void *model,
                                     size_t model_len, gzt_error *err);
void gzt_recognizer_free(gzt_recognizer *r);
/* A recognizer for another thread that shares the model and lists of @p r
 * (which must outlive it, and get no more lists). GZT_ENOMEM. */
GZT_NODISCARD int gzt_recognizer_clone(gzt_recognizer **out,
                                       const gzt_recognizer *r, gzt_error *err);
/* Add a user list (gazetteer.h format); its entries take precedence. */
GZT_NODISCARD int gzt_recognizer_add_list(gzt_recognizer *r, const char *data,
                                          size_t len, const char *path,
                                          gzt_error *err);

/*
 * The mentions of one document, title first then body (a document is one
 * unit for coreference), in text order per field. Allocated from @p arena.
 */
GZT_NODISCARD int gzt_recognizer_find(gzt_recognizer *r, const char *title,
                                      size_t title_len, const char *body,
                                      size_t body_len, gzt_arena *arena,
                                      gzt_entity **out, size_t *n,
                                      gzt_error *err);

/* The stored form of entities (a store record's fifth field), appended to
 * @p out. @p title and @p body are the text the spans are in: a mention
 * that is its own canonical form stores no copy of it (docs/FORMAT.md). */
GZT_NODISCARD int gzt_entity_encode(gzt_buf *out, const gzt_entity *e, size_t n,
                                    const char *title, const char *body);
/* Decode @p len bytes of the mentions of @p title and @p body: *out from
 * @p arena, each canonical form NUL-terminated; GZT_ECORRUPT when
 * malformed or a span falls outside [0, title_len) / [0, body_len). */
GZT_NODISCARD int gzt_entity_decode(const void *p, size_t len,
                                    const char *title, size_t title_len,
                                    const char *body, size_t body_len,
                                    gzt_arena *arena, gzt_entity **out,
                                    size_t *n);

/* A gazetteer of the built-in lists (common/gazetteers/), over the image of
 * its tables that the build made (common/mkimage.c): nothing is built or
 * copied until a user list is added. */
GZT_NODISCARD int gzt_builtin_gazetteer(gzt_gaz **out, gzt_error *err);

/* The built-in tagger model (common/ner/model.bin), over the image of its
 * tables that the build made: nothing is decoded or copied. */
GZT_NODISCARD int gzt_builtin_model(gzt_ner **out, gzt_error *err);

/* The query-field term prefix of an entity type (GZT_PREFIX_PERSON...). */
char gzt_entity_prefix(int type);

#endif
