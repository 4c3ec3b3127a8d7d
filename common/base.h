/* SPDX-License-Identifier: MIT */
/*
 * base.h: the few definitions every gazette source file shares: error
 * helpers, memory (one allocation hook, arenas), growable byte buffers and
 * bounded little-endian and varint readers.
 *
 * Everything that decodes bytes from disk or from a user goes through the
 * bounded readers here, which report failure instead of reading past the end;
 * callers turn that into GZT_ECORRUPT with the file and offset.
 */
#ifndef GZT_BASE_H
#define GZT_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gazette.h"

#define GZT_UNUSED(x) ((void)(x))
#define GZT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define GZT_MAX(a, b) ((a) > (b) ? (a) : (b))
#define GZT_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- errors ------------------------------------------------------------ */

/* Record @p code and a formatted message in @p err (which may be NULL) and
 * return @p code, so that `return gzt_err_set(err, GZT_EIO, ...)` reads
 * naturally. A message already present is kept: the first, most specific
 * failure wins. */
int gzt_err_set(gzt_error *err, int code, const char *fmt, ...)
    GZT_PRINTF(3, 4);
/* Put "@p prefix: " before the message in @p err (NULL allowed). */
void gzt_err_prefix(gzt_error *err, const char *prefix);
/* Clear @p err (NULL allowed). */
void gzt_err_clear(gzt_error *err);

/* ---- memory ------------------------------------------------------------ */

/* All allocation goes through these so that tests can fail the Nth one. */
void *gzt_malloc(size_t n);
void *gzt_calloc(size_t count, size_t size);
/* gzt_calloc() that writes every page at once: for tables that are read
 * before they are written (hash tables). calloc's fresh pages are the
 * shared zero page until written, and that first write flushes the TLB of
 * every thread of the process. */
void *gzt_zalloc(size_t count, size_t size);
void *gzt_realloc(void *p, size_t n);
void gzt_free(void *p);
/* Double the array at *@p pp (@p elem bytes an element, room for *@p cap;
 * room for @p first at the first growth). GZT_ENOMEM leaves it as it was. */
GZT_NODISCARD int gzt_grow(void *pp, size_t *cap, size_t elem, size_t first);
/* Sort the @p n records of @p size bytes at @p v by the little-endian
 * 64-bit key at byte @p key_off of each, stably (records with one key keep
 * their order). A least-significant-digit radix sort, 11 bits a pass, a
 * pass whose digit every record shares skipped: no comparison calls.
 * GZT_ENOMEM (for a buffer as large as @p v) leaves @p v as it was. */
GZT_NODISCARD int gzt_radix_sort(void *v, size_t n, size_t size,
                                 size_t key_off);
char *gzt_strndup(const char *s, size_t len);
char *gzt_strdup(const char *s);
/* Test hook: make the allocation numbered @p n (1-based, counted from this
 * call) and every later one fail; 0 disables. Returns allocations so far. */
long gzt_mem_fail_after(long n);

/* overflow-checked size arithmetic: false on overflow */
static inline bool
gzt_size_mul(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool
gzt_size_add(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Arena: many small allocations freed at once, with a byte ceiling. */
typedef struct gzt_arena_chunk gzt_arena_chunk;
typedef struct gzt_arena {
    gzt_arena_chunk *head; /* newest chunk, chained to older ones */
    size_t used;           /* bytes handed out plus chunk overhead */
    size_t limit;          /* ceiling on used; 0 = unlimited */
} gzt_arena;

void gzt_arena_init(gzt_arena *a, size_t limit);
/* 16-byte aligned, uninitialised; NULL when out of memory or past limit. */
void *gzt_arena_alloc(gzt_arena *a, size_t n);
void *gzt_arena_calloc(gzt_arena *a, size_t n);
char *gzt_arena_strndup(gzt_arena *a, const char *s, size_t len);
/* Forget every allocation, keeping the newest chunk for the next ones. */
void gzt_arena_reset(gzt_arena *a);
void gzt_arena_fini(gzt_arena *a);

/* ---- growable byte buffer ---------------------------------------------- */

typedef struct gzt_buf {
    uint8_t *p; /* bytes, or NULL when empty and never grown */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
} gzt_buf;

#define GZT_BUF_INIT                                                           \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* Grow to hold @p extra more bytes; the out-of-line slow path of
 * gzt_buf_reserve(). */
GZT_NODISCARD int gzt_buf_grow(gzt_buf *b, size_t extra);
/* bytes gzt_buf_put_varint() writes for @p v */
static inline size_t
gzt_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* The appenders are inline: the indexer calls them per posting and per byte,
 * and the common case (room left) is a compare and a store. */
GZT_NODISCARD static inline int
gzt_buf_reserve(gzt_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return GZT_OK;
    return gzt_buf_grow(b, extra);
}
GZT_NODISCARD static inline int
gzt_buf_append(gzt_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return GZT_OK;
    int rc = gzt_buf_reserve(b, n);
    if (rc)
        return rc;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return GZT_OK;
}
GZT_NODISCARD static inline int
gzt_buf_putc(gzt_buf *b, uint8_t c)
{
    int rc = gzt_buf_reserve(b, 1);
    if (rc)
        return rc;
    b->p[b->len++] = c;
    return GZT_OK;
}
/* little endian */
GZT_NODISCARD static inline int
gzt_buf_put_u32(gzt_buf *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24)};
    return gzt_buf_append(b, le, sizeof le);
}
/* little endian */
GZT_NODISCARD static inline int
gzt_buf_put_u64(gzt_buf *b, uint64_t v)
{
    int rc = gzt_buf_reserve(b, 8); /* all or nothing */
    if (rc == GZT_OK)
        rc = gzt_buf_put_u32(b, (uint32_t)v);
    return rc ? rc : gzt_buf_put_u32(b, (uint32_t)(v >> 32));
}
/* LEB128 at @p p, which has room for gzt_varint_len(@p v) bytes; returns
 * that length */
static inline size_t
gzt_varint_put(uint8_t *p, uint64_t v)
{
    uint8_t *q = p;
    while (v >= 0x80) {
        *q++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *q++ = (uint8_t)v;
    return (size_t)(q - p);
}
/* LEB128 */
GZT_NODISCARD static inline int
gzt_buf_put_varint(gzt_buf *b, uint64_t v)
{
    int rc = gzt_buf_reserve(b, 10);
    if (rc)
        return rc;
    b->len += gzt_varint_put(b->p + b->len, v);
    return GZT_OK;
}
/* append a printf-formatted string (no NUL kept in len) */
GZT_NODISCARD int gzt_buf_printf(gzt_buf *b, const char *fmt, ...)
    GZT_PRINTF(2, 3);
/* make p[len] == 0 without counting it; for handing out C strings */
GZT_NODISCARD int gzt_buf_nul(gzt_buf *b);
void gzt_buf_reset(gzt_buf *b); /* len = 0, keep memory */
void gzt_buf_free(gzt_buf *b);

/* ---- images of in-memory tables ---------------------------------------- */

/* An image (gzt_gaz_image_write(), gzt_ner_image_write()) is a table laid
 * out as it lies in memory, each part at a multiple of GZT_IMG_ALIGN bytes
 * from its start, so that the library can point into it where it lies. */
#define GZT_IMG_ALIGN 64

/* @p n rounded up to a multiple of GZT_IMG_ALIGN. */
static inline size_t
gzt_img_round(size_t n)
{
    return (n + GZT_IMG_ALIGN - 1) & ~(size_t)(GZT_IMG_ALIGN - 1);
}

/* Zeros to @p out up to the next multiple of GZT_IMG_ALIGN. */
GZT_NODISCARD int gzt_img_pad(gzt_buf *out);

/* @p n bytes of @p p to @p out, then gzt_img_pad(). */
GZT_NODISCARD int gzt_img_put(gzt_buf *out, const void *p, size_t n);

/* The part of @p n bytes at image @p b + *@p off, and *@p off moved past it.
 * An image is read-only memory (the library's .rodata): the pointer is
 * writable in type only, for tables that are otherwise the owner's, and
 * nothing may write through it. */
void *gzt_img_at(const uint8_t *b, size_t *off, size_t n);

/* ---- comparison -------------------------------------------------------- */

/* memcmp(a, b, n) == 0 without a call: hash tables compare keys of a few
 * bytes that almost always match, where libc's call and length dispatch
 * cost more than the compare. Reads only the n bytes of each. */
static inline bool
gzt_mem_eq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    uint64_t u, v;
    if (n >= 8) {
        for (; n > 8; n -= 8, x += 8, y += 8) {
            memcpy(&u, x, 8);
            memcpy(&v, y, 8);
            if (u != v)
                return false;
        }
        memcpy(&u, x + n - 8, 8); /* the last 8, overlapping */
        memcpy(&v, y + n - 8, 8);
        return u == v;
    }
    if (n >= 4) {
        uint32_t s, t, w, z;
        memcpy(&s, x, 4);
        memcpy(&t, y, 4);
        memcpy(&w, x + n - 4, 4);
        memcpy(&z, y + n - 4, 4);
        return s == t && w == z;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

/* ---- bounded readers --------------------------------------------------- */

static inline uint32_t
gzt_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t
gzt_load_u64(const uint8_t *p)
{
    return (uint64_t)gzt_load_u32(p) | (uint64_t)gzt_load_u32(p + 4) << 32;
}
static inline void
gzt_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A cursor over untrusted bytes. Every get fails (returns false) instead of
 * reading past end; after a failure the reader stays failed. */
typedef struct gzt_rd {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last readable byte */
    bool bad;           /* sticky: a read ran past end or was malformed */
} gzt_rd;

static inline gzt_rd
gzt_rd_make(const void *p, size_t len)
{
    gzt_rd r = {(const uint8_t *)p, (const uint8_t *)p + len, false};
    return r;
}
/* The readers below take the common one-byte varint inline; the general
 * case is gzt_rd_varint_long. */
bool gzt_rd_varint_long(gzt_rd *r, uint64_t *v);
static inline bool
gzt_rd_varint(gzt_rd *r, uint64_t *v)
{
    if (!r->bad && r->p < r->end && *r->p < 0x80) {
        *v = *r->p++;
        return true;
    }
    return gzt_rd_varint_long(r, v);
}
static inline bool /* fails if > UINT32_MAX */
gzt_rd_varint32(gzt_rd *r, uint32_t *v)
{
    uint64_t x;
    if (!gzt_rd_varint(r, &x) || x > UINT32_MAX) {
        r->bad = true;
        return false;
    }
    *v = (uint32_t)x;
    return true;
}
bool gzt_rd_u32(gzt_rd *r, uint32_t *v);
bool gzt_rd_u64(gzt_rd *r, uint64_t *v);
/* borrow @p n bytes */
static inline bool
gzt_rd_bytes(gzt_rd *r, size_t n, const uint8_t **out)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return false;
    }
    *out = r->p;
    r->p += n;
    return true;
}

/* ---- hashing ----------------------------------------------------------- */

/* XXH3 64-bit: checksums of files and content hashes of documents. */
uint64_t gzt_hash64(const void *p, size_t len);

#endif
