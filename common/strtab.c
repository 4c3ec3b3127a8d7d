/* SPDX-License-Identifier: MIT */
/*
 * strtab.c: string interning (see strtab.h).
 *
 * Linear probing over slots that keep the hash's high half beside the id,
 * so a miss rarely touches the string; the load stays at or below one
 * half. The table is written here rather than taken from a library because
 * it is thirty lines and the ids must be dense and stable.
 */
#include "common/strtab.h"

#include <string.h>

#define TAG_MASK 0xffffffff00000000u

void
gzt_strtab_init(gzt_strtab *t)
{
    memset(t, 0, sizeof *t);
    gzt_arena_init(&t->strings, 0);
}

void
gzt_strtab_fini(gzt_strtab *t)
{
    gzt_arena_fini(&t->strings);
    gzt_free(t->ents);
    gzt_free(t->slots);
    memset(t, 0, sizeof *t);
}

size_t
gzt_strtab_memory(const gzt_strtab *t)
{
    return t->strings.used + (size_t)t->cap * sizeof *t->ents +
           (size_t)t->nslots * sizeof *t->slots;
}

static int
grow_slots(gzt_strtab *t)
{
    uint32_t ncap = t->nslots ? t->nslots * 2 : 4096;
    uint64_t *ns = gzt_calloc(ncap, sizeof *ns);
    if (!ns)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < t->nslots; i++) {
        uint64_t e = t->slots[i];
        if (!e)
            continue;
        uint32_t j = (uint32_t)t->ents[(uint32_t)e - 1].hash & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = e;
    }
    gzt_free(t->slots);
    t->slots = ns;
    t->nslots = ncap;
    return GZT_OK;
}

int64_t
gzt_strtab_intern(gzt_strtab *t, uint64_t h, const char *s, uint32_t len)
{
    if ((uint64_t)(t->n + 1) * 2 > t->nslots && grow_slots(t))
        return -1;
    uint64_t tag = h & TAG_MASK;
    uint32_t j = (uint32_t)h & (t->nslots - 1);
    while (t->slots[j]) {
        uint64_t e = t->slots[j];
        if ((e & TAG_MASK) == tag) {
            const gzt_strent *x = &t->ents[(uint32_t)e - 1];
            if (x->len == len && !memcmp(x->s, s, len))
                return (uint32_t)e - 1;
        }
        j = (j + 1) & (t->nslots - 1);
    }
    if (t->n == UINT32_MAX - 1)
        return -1;
    if (t->n == t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2 : 4096;
        gzt_strent *ne = gzt_realloc(t->ents, (size_t)ncap * sizeof *ne);
        if (!ne)
            return -1;
        t->ents = ne;
        t->cap = ncap;
    }
    char *copy = gzt_arena_strndup(&t->strings, s, len);
    if (!copy)
        return -1;
    t->ents[t->n] = (gzt_strent){copy, len, h};
    t->slots[j] = tag | (t->n + 1);
    return t->n++;
}
