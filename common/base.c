/* SPDX-License-Identifier: MIT */
/*
 * base.c: errors, the allocation hook, arenas, byte buffers, bounded readers
 * and hashing (see base.h).
 *
 * The allocation hook is a countdown: gzt_mem_fail_after(n) makes the nth
 * allocation from then on fail, so a test can walk every allocation site of
 * an operation in turn and demand a clean GZT_ENOMEM each time.
 */
#include "common/base.h"

#include <stdio.h>
#include <stdlib.h>
/* inlined: the terms an indexer hashes are a few bytes, where a call
 * through the shared library and its dispatch cost as much as the hash */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---- errors ------------------------------------------------------------ */

static const char *const err_names[] = {
    "ok",           "out of memory",  "invalid argument",
    "I/O error",    "corrupt index",  "too big",
    "not found",    "backend error",  "index is locked by another writer",
    "syntax error", "already exists",
};

const char *
gzt_strerror(int code)
{
    if (code > 0 || -code >= (int)(sizeof err_names / sizeof err_names[0]))
        return "unknown error";
    return err_names[-code];
}

const char *
gzt_version(void)
{
    return GAZETTE_VERSION;
}

int
gzt_err_set(gzt_error *err, int code, const char *fmt, ...)
{
    if (err && err->code == GZT_OK) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void
gzt_err_prefix(gzt_error *err, const char *prefix)
{
    if (!err)
        return;
    char msg[sizeof err->msg + 1024];
    snprintf(msg, sizeof msg, "%s: %s", prefix, err->msg);
    memcpy(err->msg, msg, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = '\0';
}

void
gzt_err_clear(gzt_error *err)
{
    if (err) {
        err->code = GZT_OK;
        err->msg[0] = '\0';
    }
}

/* ---- memory ------------------------------------------------------------ */

static long mem_countdown; /* 0 = off; else allocations left before failing */
static long mem_calls;     /* allocations since the hook was set */

/* atomic: worker threads allocate too */
static bool
mem_should_fail(void)
{
    __atomic_fetch_add(&mem_calls, 1, __ATOMIC_RELAXED);
    long c = __atomic_load_n(&mem_countdown, __ATOMIC_RELAXED);
    for (;;) {
        if (c == 0)
            return false;
        if (c == 1)
            return true; /* stays failing until reset */
        if (__atomic_compare_exchange_n(&mem_countdown, &c, c - 1, false,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return false;
    }
}

long
gzt_mem_fail_after(long n)
{
    long calls = __atomic_exchange_n(&mem_calls, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&mem_countdown, n, __ATOMIC_RELAXED);
    return calls;
}

void *
gzt_malloc(size_t n)
{
    if (mem_should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *
gzt_calloc(size_t count, size_t size)
{
    if (mem_should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *
gzt_zalloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = gzt_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *
gzt_realloc(void *p, size_t n)
{
    if (mem_should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

int
gzt_grow(void *pp, size_t *cap, size_t elem, size_t first)
{
    size_t ncap = *cap ? *cap * 2 : first, bytes;
    if (__builtin_mul_overflow(ncap, elem, &bytes))
        return GZT_ENOMEM;
    void *np = gzt_realloc(*(void **)pp, bytes);
    if (!np)
        return GZT_ENOMEM;
    *(void **)pp = np;
    *cap = ncap;
    return GZT_OK;
}

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

int
gzt_radix_sort(void *v, size_t n, size_t size, size_t key_off)
{
    if (n < 2)
        return GZT_OK;
    uint8_t *tmp = gzt_malloc(n * size);
    if (!tmp)
        return GZT_ENOMEM;
    uint8_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
        size_t at[RADIX] = {0};
        for (size_t i = 0; i < n; i++)
            at[gzt_load_u64(src + i * size + key_off) >> shift & (RADIX - 1)]++;
        if (at[gzt_load_u64(src + key_off) >> shift & (RADIX - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            const uint8_t *e = src + i * size;
            size_t d = gzt_load_u64(e + key_off) >> shift & (RADIX - 1);
            memcpy(dst + at[d]++ * size, e, size);
        }
        uint8_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * size);
    gzt_free(tmp);
    return GZT_OK;
}

void
gzt_free(void *p)
{
    free(p);
}

char *
gzt_strndup(const char *s, size_t len)
{
    char *d = gzt_malloc(len + 1);
    if (d) {
        if (len)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *
gzt_strdup(const char *s)
{
    return gzt_strndup(s, strlen(s));
}

/* ---- arena ------------------------------------------------------------- */

struct gzt_arena_chunk {
    gzt_arena_chunk *next; /* older chunk */
    size_t cap;            /* usable bytes in data */
    size_t used;           /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64 * 1024)

void
gzt_arena_init(gzt_arena *a, size_t limit)
{
    a->head = NULL;
    a->used = 0;
    a->limit = limit;
}

void *
gzt_arena_alloc(gzt_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        return NULL;
    gzt_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = GZT_MAX(need, (size_t)ARENA_CHUNK);
        size_t total;
        if (!gzt_size_add(cap, sizeof *c, &total))
            return NULL;
        if (a->limit && a->used + total > a->limit)
            return NULL;
        c = gzt_malloc(total);
        if (!c)
            return NULL;
        c->next = a->head;
        c->cap = cap;
        c->used = 0;
        a->head = c;
        a->used += sizeof *c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *
gzt_arena_calloc(gzt_arena *a, size_t n)
{
    void *p = gzt_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *
gzt_arena_strndup(gzt_arena *a, const char *s, size_t len)
{
    char *d = gzt_arena_alloc(a, len + 1);
    if (d) {
        if (len)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void
gzt_arena_reset(gzt_arena *a)
{
    gzt_arena_chunk *c = a->head;
    if (!c)
        return;
    gzt_arena_chunk *old = c->next;
    while (old) {
        gzt_arena_chunk *next = old->next;
        gzt_free(old);
        old = next;
    }
    c->next = NULL;
    c->used = 0;
    a->used = sizeof *c;
}

void
gzt_arena_fini(gzt_arena *a)
{
    gzt_arena_reset(a);
    gzt_free(a->head);
    a->head = NULL;
    a->used = 0;
}

/* ---- buffers ----------------------------------------------------------- */

int
gzt_buf_grow(gzt_buf *b, size_t extra)
{
    size_t need;
    if (!gzt_size_add(b->len, extra, &need))
        return GZT_ENOMEM;
    if (need <= b->cap)
        return GZT_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return GZT_ENOMEM;
        cap *= 2;
    }
    uint8_t *p = gzt_realloc(b->p, cap);
    if (!p)
        return GZT_ENOMEM;
    b->p = p;
    b->cap = cap;
    return GZT_OK;
}

int
gzt_buf_printf(gzt_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    int rc = n < 0 ? GZT_EINVAL : gzt_buf_reserve(b, (size_t)n + 1);
    if (rc == GZT_OK) {
        vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    return rc;
}

int
gzt_buf_nul(gzt_buf *b)
{
    int rc = gzt_buf_reserve(b, 1);
    if (rc)
        return rc;
    b->p[b->len] = 0;
    return GZT_OK;
}

void
gzt_buf_reset(gzt_buf *b)
{
    b->len = 0;
}

void
gzt_buf_free(gzt_buf *b)
{
    gzt_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- bounded readers --------------------------------------------------- */

bool
gzt_rd_varint_long(gzt_rd *r, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->bad || r->p >= r->end) {
            r->bad = true;
            return false;
        }
        uint8_t c = *r->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    r->bad = true;
    return false;
}

bool
gzt_rd_u32(gzt_rd *r, uint32_t *v)
{
    if (r->bad || r->end - r->p < 4) {
        r->bad = true;
        return false;
    }
    *v = gzt_load_u32(r->p);
    r->p += 4;
    return true;
}

bool
gzt_rd_u64(gzt_rd *r, uint64_t *v)
{
    if (r->bad || r->end - r->p < 8) {
        r->bad = true;
        return false;
    }
    *v = gzt_load_u64(r->p);
    r->p += 8;
    return true;
}

/* ---- hashing ----------------------------------------------------------- */

uint64_t
gzt_hash64(const void *p, size_t len)
{
    return XXH3_64bits(p, len);
}

int
gzt_img_pad(gzt_buf *out)
{
    int rc = GZT_OK;
    for (size_t pad = gzt_img_round(out->len) - out->len; !rc && pad; pad--)
        rc = gzt_buf_putc(out, 0);
    return rc;
}

int
gzt_img_put(gzt_buf *out, const void *p, size_t n)
{
    int rc = n ? gzt_buf_append(out, p, n) : GZT_OK;
    return rc ? rc : gzt_img_pad(out);
}

void *
gzt_img_at(const uint8_t *b, size_t *off, size_t n)
{
    void *p = (void *)(uintptr_t)(b + *off);
    *off += gzt_img_round(n);
    return p;
}
