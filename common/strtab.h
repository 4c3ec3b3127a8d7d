/* SPDX-License-Identifier: MIT */
/*
 * strtab.h: a string interning table, strings to dense ids.
 *
 * The in-memory inverter and each indexing thread's dictionary both give
 * every distinct term a small id; this is the one table they share. Ids
 * count up from 0 in order of first insertion, so an owner keeps its own
 * data for a string in an array indexed by id. Strings are copied into an
 * arena and stay put until gzt_strtab_fini(). Not thread-safe: one table
 * per thread.
 */
#ifndef GZT_STRTAB_H
#define GZT_STRTAB_H

#include "common/base.h"

/* One string of the table. */
typedef struct gzt_strent {
    const char *s; /* bytes (arena; not NUL-terminated) */
    uint32_t len;  /* bytes */
    uint64_t hash; /* gzt_hash64() of the bytes */
} gzt_strent;

typedef struct gzt_strtab {
    gzt_arena strings; /* bytes of the strings */
    gzt_strent *ents;  /* by id */
    uint32_t n;        /* strings */
    uint32_t cap;      /* capacity of ents */
    uint64_t *slots;   /* open addressing: hash high 32 bits << 32 | id +
                          1; 0 empty */
    uint32_t nslots;   /* a power of two, or 0 */
} gzt_strtab;

void gzt_strtab_init(gzt_strtab *t);
void gzt_strtab_fini(gzt_strtab *t);

/* The id of @p s, whose gzt_hash64() is @p h; added when new (its id is
 * then the old t->n). -1 when out of memory. */
int64_t gzt_strtab_intern(gzt_strtab *t, uint64_t h, const char *s,
                          uint32_t len);

/* Bytes held. */
size_t gzt_strtab_memory(const gzt_strtab *t);

#endif
