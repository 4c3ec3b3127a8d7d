/* SPDX-License-Identifier: MIT */
/*
 * strtab.h: a string interning table, strings to dense ids, each with a
 * fixed-size payload of the owner's.
 *
 * The in-memory inverter (a term's postings), each indexing thread (a
 * document's terms) and the entity-term cache all map strings to small
 * ids. Ids count up from 0 in order of first insertion. The payload, the
 * hash, the length and the bytes of an entry sit together in one arena
 * record, and a slot of the table keeps the full hash beside the record's
 * address, so finding a string touches two cache lines: its slot and its
 * record. (With separate arrays for slots, entries, bytes and payloads a
 * lookup in a table larger than the caches paid four misses, which was a
 * third of indexing time on short documents.) Records stay put until
 * gzt_strtab_clear() or gzt_strtab_fini(). Not thread-safe: one table per
 * thread.
 */
#ifndef GZT_STRTAB_H
#define GZT_STRTAB_H

#include "common/base.h"

typedef struct gzt_strtab_slot gzt_strtab_slot;

typedef struct gzt_strtab {
    gzt_arena mem;          /* records */
    size_t psize;           /* payload bytes, a multiple of 16 */
    unsigned char **recs;   /* record of each id */
    uint32_t n;             /* strings */
    size_t cap;             /* capacity of recs */
    gzt_strtab_slot *slots; /* open addressing, at most half full */
    uint32_t nslots;        /* a power of two, or 0 */
    uint32_t min_slots;     /* slots at the first growth */
} gzt_strtab;

/* @p payload bytes (zeroed) come with each string; the table starts at
 * @p min_slots slots (a power of two) when first used. */
void gzt_strtab_init(gzt_strtab *t, size_t payload, uint32_t min_slots);
void gzt_strtab_fini(gzt_strtab *t);
/* Forget every string, keeping memory for the next ones. */
void gzt_strtab_clear(gzt_strtab *t);

/*
 * The payload of @p s, whose gzt_hash64() is @p h, with its id in @p *id;
 * added (payload zeroed, id the old t->n) when new. NULL when out of
 * memory.
 */
void *gzt_strtab_intern(gzt_strtab *t, uint64_t h, const char *s, uint32_t len,
                        uint32_t *id);

/* Hints before a gzt_strtab_intern() of hash @p h: load its slot; later,
 * load the record the slot names (a caller with many strings to look up
 * runs the first over all of them, then the second, then the lookups, so
 * the cache misses overlap). */
void gzt_strtab_prefetch_slot(const gzt_strtab *t, uint64_t h);
void gzt_strtab_prefetch_record(const gzt_strtab *t, uint64_t h);

/* The payload of id @p id (< t->n). */
static inline void *
gzt_strtab_payload(const gzt_strtab *t, uint32_t id)
{
    return t->recs[id];
}

/* The bytes (not NUL-terminated), length and hash of id @p id. */
const char *gzt_strtab_str(const gzt_strtab *t, uint32_t id, uint32_t *len,
                           uint64_t *hash);

/* Bytes held. */
size_t gzt_strtab_memory(const gzt_strtab *t);

#endif
