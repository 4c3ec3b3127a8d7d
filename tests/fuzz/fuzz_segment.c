/* SPDX-License-Identifier: MIT */
/*
 * fuzz_segment.c: every on-disk decoder of a native index at once
 * (common/segment.c, common/manifest.c, searcher/search.c, searcher/check.c)
 * on damaged files.
 *
 * Once per process a small index is built (gzt_fuzzkit_build_index: two
 * segments and a deletion file) and copied to a working directory. Each
 * input then damages one file of the copy, opens it with gzt_index_open(),
 * runs a fixed set of searches with their snippets and stored documents,
 * lists the entities, runs gzt_index_check(), and puts the file back.
 *
 * Every byte of an index file is under a checksum, which damage almost
 * always breaks, and that path is tested to exhaustion by
 * tests/unit/test_corrupt.c. Here the damage is made to pass the checksum
 * instead, so that what lies behind it is decoded: the file's header and
 * footer (or the manifest's checksum line) are written afresh around the
 * damaged body. Input: byte 0 picks the file (in name order), byte 1 the
 * kind of damage, the rest is that damage:
 *
 *   kind 0: the rest is the file's new body;
 *   kind 1: the rest is a list of patches, each a varint offset into the
 *           body (taken modulo its length), a byte n, and 1 + n % 8 bytes
 *           XORed into the body there;
 *   kind 2: the rest is the whole file as it is (no checksum made good).
 *
 * Higher bits of byte 1 vary the search options. Any error is fine as long
 * as it is a gzt_err code with a message; out of memory is not (nothing
 * here is big), nor a crash, a leak or a read out of bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/io.h"
#include "common/manifest.h"
#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

#define NFILES_MAX 32

/* The pristine index, read once. */
typedef struct pristine {
    char work[256];              /* the working copy's directory */
    char *names[NFILES_MAX];     /* its file names, sorted */
    gzt_buf bytes[NFILES_MAX];   /* their original bytes */
    char paths[NFILES_MAX][320]; /* their paths in the working copy */
    size_t n;                    /* files */
} pristine;

static const char *const queries[] = {
    "tehran",
    "lavrov tehran",
    "+iran +russia",
    "\"foreign minister\"",
    "bulletin -moscow",
    "title:tehran",
    "*:*",
    "talk*",
    "date:2024-01",
    "grain OR harbour",
    "\"lavrov met\"~3",
    "person:lavrov",
    "NOT bulletin",
};
#define NQUERIES (sizeof queries / sizeof queries[0])

static void
setup(pristine *p)
{
    char base[256];
    gzt_fuzzkit_path(base, sizeof base, "base");
    gzt_fuzzkit_build_index(base);
    gzt_fuzzkit_path(p->work, sizeof p->work, "work");
    GZT_FUZZ_CHECK(mkdir(p->work, 0700) == 0);
    size_t n;
    char **names = gzt_fuzzkit_list(base, &n);
    p->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], "LOCK")) /* readers never read it */
            continue;
        GZT_FUZZ_CHECK(p->n < NFILES_MAX);
        char from[320];
        snprintf(from, sizeof from, "%s/%s", base, names[i]);
        gzt_fuzzkit_path(p->paths[p->n], sizeof p->paths[p->n], "work");
        size_t at = strlen(p->paths[p->n]);
        snprintf(p->paths[p->n] + at, sizeof p->paths[p->n] - at, "/%s",
                 names[i]);
        p->names[p->n] = gzt_strdup(names[i]);
        GZT_FUZZ_CHECK(p->names[p->n] != NULL);
        gzt_fuzzkit_read(from, &p->bytes[p->n]);
        gzt_fuzzkit_write(p->paths[p->n], p->bytes[p->n].p, p->bytes[p->n].len);
        p->n++;
    }
    gzt_fuzzkit_list_free(names, n);
    GZT_FUZZ_CHECK(p->n >= 13); /* MANIFEST, 2 x 6 segment files, .del */
}

static bool
is_manifest(const char *name)
{
    return !strcmp(name, GZT_MANIFEST_NAME);
}

/* Where the checksummed body of @p b lies: [*from, *to). */
static void
body_of(const char *name, const gzt_buf *b, size_t *from, size_t *to)
{
    if (is_manifest(name)) {
        /* everything before the last line */
        size_t i = b->len ? b->len - 1 : 0;
        while (i > 0 && b->p[i - 1] != '\n')
            i--;
        *from = 0;
        *to = i;
    } else {
        GZT_FUZZ_CHECK(b->len >= GZT_HEADER_LEN + GZT_FOOTER_LEN);
        *from = GZT_HEADER_LEN;
        *to = b->len - GZT_FOOTER_LEN;
    }
}

/* Append the checksum that makes @p out (all of it so far) valid. */
static void
seal(const char *name, gzt_buf *out)
{
    if (is_manifest(name)) {
        GZT_FUZZ_CHECK(gzt_buf_printf(out, "checksum %016llx\n",
                                      (unsigned long long)gzt_hash64(
                                          out->p, out->len)) == GZT_OK);
        return;
    }
    uint64_t h = gzt_hash64(out->p, out->len);
    GZT_FUZZ_CHECK(gzt_buf_put_u64(out, h) == GZT_OK &&
                   gzt_buf_put_u32(out, GZT_FORMAT_VERSION) == GZT_OK &&
                   gzt_buf_append(out, "GZTE", 4) == GZT_OK);
}

/* The damaged form of file @p k into @p out. */
static void
damage(const pristine *p, size_t k, int kind, const uint8_t *d, size_t len,
       gzt_buf *out)
{
    const gzt_buf *orig = &p->bytes[k];
    size_t from, to;
    body_of(p->names[k], orig, &from, &to);
    gzt_buf_reset(out);
    if (kind == 2) {
        GZT_FUZZ_CHECK(gzt_buf_append(out, d, len) == GZT_OK);
        return;
    }
    GZT_FUZZ_CHECK(gzt_buf_append(out, orig->p, from) == GZT_OK);
    if (kind == 0) {
        GZT_FUZZ_CHECK(gzt_buf_append(out, d, len) == GZT_OK);
    } else {
        GZT_FUZZ_CHECK(gzt_buf_append(out, orig->p + from, to - from) ==
                       GZT_OK);
        gzt_rd r = gzt_rd_make(d, len);
        uint64_t off;
        const uint8_t *nb, *x;
        while (to > from && gzt_rd_varint(&r, &off) &&
               gzt_rd_bytes(&r, 1, &nb)) {
            /* the last patch may have fewer bytes than it asks for */
            size_t n = GZT_MIN(1 + *nb % 8u, (size_t)(r.end - r.p));
            if (!gzt_rd_bytes(&r, n, &x))
                break;
            for (size_t i = 0; i < n; i++)
                out->p[from + (off + i) % (to - from)] ^= x[i];
        }
    }
    seal(p->names[k], out);
}

/* rc must be a gzt_err code, and not out of memory */
static void
check_rc(int rc, const gzt_error *err)
{
    if (rc == GZT_ENOMEM || (err && rc != GZT_OK && err->code != rc))
        fprintf(stderr, "rc %d, error %d: %s\n", rc, err ? err->code : 0,
                err ? err->msg : "");
    GZT_FUZZ_CHECK(rc <= GZT_OK && rc >= GZT_EEXIST);
    GZT_FUZZ_CHECK(rc != GZT_ENOMEM);
    if (rc != GZT_OK && err)
        GZT_FUZZ_CHECK(err->code == rc && err->msg[0] != '\0');
}

static void
search(gzt_index *idx, const char *q, uint8_t flags)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = 20;
    o.all = flags & 1;
    o.sort = (gzt_sort)((flags >> 1) % 3);
    o.fast_topk = (flags >> 3) & 1;
    gzt_results *r = NULL;
    gzt_error err = {0};
    int rc = gzt_search(&r, idx, q, &o, &err);
    check_rc(rc, &err);
    if (rc != GZT_OK)
        return;
    size_t n = gzt_results_count(r);
    GZT_FUZZ_CHECK(n <= o.limit);
    for (size_t i = 0; i < n; i++) {
        gzt_hit h;
        GZT_FUZZ_CHECK(gzt_results_hit(r, i, &h) == GZT_OK);
        GZT_FUZZ_CHECK(h.id != NULL && h.rank == i + 1);
        if (i < 3) {
            gzt_snippet s;
            rc = gzt_results_snippet(&s, r, i, 0, &err);
            check_rc(rc, &err);
            if (rc == GZT_OK) {
                for (size_t k = 0; k < s.nspans; k++)
                    GZT_FUZZ_CHECK(s.spans[k].start <= s.spans[k].end &&
                                   s.spans[k].end <= s.text_len);
                gzt_snippet_fini(&s);
            }
        }
        gzt_stored d;
        rc = gzt_index_get(&d, idx, h.id, &err);
        check_rc(rc, &err);
        if (rc == GZT_OK)
            gzt_stored_fini(&d);
    }
    gzt_results_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pristine p;
    if (!p.n)
        setup(&p);
    if (size < 2)
        return 0;
    size_t k = data[0] % p.n;
    int kind = data[1] % 3;
    gzt_buf bad = GZT_BUF_INIT;
    damage(&p, k, kind, data + 2, size - 2, &bad);
    gzt_fuzzkit_write(p.paths[k], bad.p, bad.len);
    gzt_buf_free(&bad);

    gzt_index *idx = NULL;
    gzt_error err = {0};
    int rc = gzt_index_open(&idx, p.work, &err);
    check_rc(rc, &err);
    if (rc == GZT_OK) {
        gzt_stats st;
        GZT_FUZZ_CHECK(gzt_index_stats(idx, &st) == GZT_OK);
        for (size_t q = 0; q < NQUERIES; q++)
            search(idx, queries[q], (uint8_t)(data[1] >> 2));
        gzt_facets *f = NULL;
        rc = gzt_index_entities(&f, idx, NULL, NULL, 0, 10, &err);
        check_rc(rc, &err);
        if (rc == GZT_OK) {
            for (size_t i = 0; i < gzt_facets_count(f); i++)
                GZT_FUZZ_CHECK(gzt_facets_get(f, i)->canonical != NULL);
            gzt_facets_free(f);
        }
        gzt_index_close(idx);
    }
    rc = gzt_index_check(p.work, NULL, NULL, &err);
    check_rc(rc, &err);

    gzt_fuzzkit_write(p.paths[k], p.bytes[k].p, p.bytes[k].len);
    return 0;
}
