/* SPDX-License-Identifier: MIT */
/*
 * strtab.c: string interning (see strtab.h).
 *
 * Linear probing; a slot is the full 64-bit hash and the record's address,
 * so a probe that meets another string rarely leaves the slot array, and
 * growing never touches the records. A record is the payload, then a
 * header (hash, id, length), then the bytes. Written here rather than
 * taken from a library because the ids must be dense and stable and the
 * payload must share the record's cache line.
 */
#include "common/strtab.h"

#include <string.h>

struct gzt_strtab_slot {
    uint64_t hash;    /* of the string */
    unsigned char *r; /* its record; NULL empty */
};

typedef struct rhead {
    uint64_t hash; /* gzt_hash64() of the bytes */
    uint32_t id;   /* dense id */
    uint32_t len;  /* bytes that follow */
} rhead;

static inline rhead *
head_of(const gzt_strtab *t, unsigned char *r)
{
    return (rhead *)(void *)(r + t->psize);
}

void
gzt_strtab_init(gzt_strtab *t, size_t payload, uint32_t min_slots)
{
    memset(t, 0, sizeof *t);
    gzt_arena_init(&t->mem, 0);
    t->psize = (payload + 15) & ~(size_t)15;
    t->min_slots = min_slots < 16 ? 16 : min_slots;
}

void
gzt_strtab_fini(gzt_strtab *t)
{
    gzt_arena_fini(&t->mem);
    gzt_free(t->recs);
    gzt_free(t->slots);
    size_t psize = t->psize;
    uint32_t min_slots = t->min_slots;
    memset(t, 0, sizeof *t);
    t->psize = psize;
    t->min_slots = min_slots;
}

void
gzt_strtab_clear(gzt_strtab *t)
{
    if (t->n == 0)
        return;
    /* a table grown by one large batch is not kept for small ones: wiping
     * it would cost more than the strings */
    if (t->nslots > t->min_slots && (uint64_t)t->n * 16 < t->nslots) {
        gzt_free(t->slots);
        t->slots = NULL;
        t->nslots = 0;
    } else if ((uint64_t)t->n * 4 < t->nslots) {
        /* few strings in a table kept large (a document's terms after a
         * long document's): empty their slots, found from their records
         * (so before the arena lets them go), rather than wipe the whole
         * array for each */
        uint32_t mask = t->nslots - 1;
        for (uint32_t k = 0; k < t->n; k++) {
            unsigned char *r = t->recs[k];
            uint32_t j = (uint32_t)head_of(t, r)->hash & mask;
            while (t->slots[j].r != r)
                j = (j + 1) & mask;
            t->slots[j] = (gzt_strtab_slot){0, NULL};
        }
    } else {
        memset(t->slots, 0, (size_t)t->nslots * sizeof *t->slots);
    }
    gzt_arena_reset(&t->mem);
    t->n = 0;
}

size_t
gzt_strtab_memory(const gzt_strtab *t)
{
    return t->mem.used + t->cap * sizeof *t->recs +
           (size_t)t->nslots * sizeof *t->slots;
}

static int
grow_slots(gzt_strtab *t)
{
    uint32_t ncap = t->nslots ? t->nslots * 2 : t->min_slots;
    gzt_strtab_slot *ns = gzt_zalloc(ncap, sizeof *ns);
    if (!ns)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i].r)
            continue;
        uint32_t j = (uint32_t)t->slots[i].hash & (ncap - 1);
        while (ns[j].r)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    gzt_free(t->slots);
    t->slots = ns;
    t->nslots = ncap;
    return GZT_OK;
}

void *
gzt_strtab_intern(gzt_strtab *t, uint64_t h, const char *s, uint32_t len,
                  uint32_t *id)
{
    if ((uint64_t)(t->n + 1) * 2 > t->nslots && grow_slots(t))
        return NULL;
    uint32_t mask = t->nslots - 1, j = (uint32_t)h & mask;
    for (; t->slots[j].r; j = (j + 1) & mask) {
        if (t->slots[j].hash != h)
            continue;
        unsigned char *r = t->slots[j].r;
        const rhead *hd = head_of(t, r);
        if (hd->len == len && gzt_mem_eq(hd + 1, s, len)) {
            *id = hd->id;
            return r;
        }
    }
    if (t->n == UINT32_MAX - 1 ||
        (t->n == t->cap &&
         gzt_grow(&t->recs, &t->cap, sizeof *t->recs, t->min_slots / 2)))
        return NULL;
    unsigned char *r = gzt_arena_alloc(&t->mem, t->psize + sizeof(rhead) + len);
    if (!r)
        return NULL;
    memset(r, 0, t->psize);
    rhead *hd = head_of(t, r);
    *hd = (rhead){h, t->n, len};
    memcpy(hd + 1, s, len);
    t->slots[j] = (gzt_strtab_slot){h, r};
    t->recs[t->n] = r;
    *id = t->n++;
    return r;
}

void
gzt_strtab_prefetch_slot(const gzt_strtab *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[(uint32_t)h & (t->nslots - 1)]);
}

void
gzt_strtab_prefetch_record(const gzt_strtab *t, uint64_t h)
{
    if (!t->nslots)
        return;
    const gzt_strtab_slot *sl = &t->slots[(uint32_t)h & (t->nslots - 1)];
    if (sl->hash == h) {
        __builtin_prefetch(sl->r);
        __builtin_prefetch(sl->r + t->psize + sizeof(rhead));
    }
}

const char *
gzt_strtab_str(const gzt_strtab *t, uint32_t id, uint32_t *len, uint64_t *hash)
{
    const rhead *hd = head_of(t, t->recs[id]);
    *len = hd->len;
    if (hash)
        *hash = hd->hash;
    return (const char *)(hd + 1);
}
