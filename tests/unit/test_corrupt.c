/* SPDX-License-Identifier: MIT */
/*
 * test_corrupt.c: damaged indexes are refused, never misread.
 *
 * Two indexes are built: one of corpus/, one of corpus/ plus a second
 * segment and deletions (so that a .del file exists). Then every file of
 * each is damaged in turn, one trial at a time, and restored after it:
 * truncated to a set of lengths around the header and footer, deleted, and
 * changed one byte at a time (all its bits or a single one) at every offset
 * (files up to 64 KiB) or at a stride of offsets with the header and footer
 * always included. Each trial
 * must either make gzt_index_open() or gzt_index_check() fail with
 * GZT_ECORRUPT (GZT_ENOTFOUND for a deleted file) and a message naming the
 * damaged file, or leave every answer of a fixed set of queries and stored
 * documents exactly as it was. Every byte of a binary file is under its
 * checksum and every byte of the manifest under its checksum line, so the
 * second outcome is expected only for the case of a hex digit of the
 * manifest's checksum, and for the LOCK file, which readers never read.
 *
 * An alarm bounds the whole program: a decoder that loops on bad input
 * fails the test instead of hanging it. Run under ASan as well.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/tmpdir.h"
#include "common/base.h"
#include "gazette.h"

/* ---- helpers ------------------------------------------------------------ */

static void
err_clear(gzt_error *e)
{
    e->code = GZT_OK;
    e->msg[0] = '\0';
}

static uint8_t *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    uint8_t *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void
write_all(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* write @p body and its checksum line as the manifest @p path */
static void
rechecksum(const char *path, const char *body)
{
    char line[64];
    snprintf(line, sizeof line, "checksum %016llx\n",
             (unsigned long long)gzt_hash64(body, strlen(body)));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(body, f) >= 0, 1);
    assert_int_equal(fputs(line, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void
add_doc(gzt_writer *w, const char *id, const char *title, const char *body,
        gzt_date date)
{
    gzt_doc d = {id, title, strlen(title), body, strlen(body), date, NULL};
    gzt_error err = {0};
    if (gzt_writer_add(w, &d, NULL, &err))
        fail_msg("add: %s", err.msg);
}

/* Build an index of corpus/ at @p path; with @p deletions, a second commit
 * adds documents and deletes one of corpus/ so that a .del file exists. */
static void
build(const char *path, bool deletions)
{
    const char *root = getenv("GZT_SOURCE");
    char corpus[512];
    snprintf(corpus, sizeof corpus, "%s/corpus", root);
    gzt_writer *w;
    gzt_error err = {0};
    if (gzt_writer_open(&w, path, NULL, &err) ||
        gzt_writer_add_path(w, corpus, NULL, NULL, &err) ||
        gzt_writer_commit(w, &err))
        fail_msg("build: %s", err.msg);
    if (deletions) {
        add_doc(w, "extra-1", "Tehran summit",
                "Foreign ministers met in Tehran to discuss the pipeline.",
                20250101);
        add_doc(w, "extra-2", "Harbour",
                "The harbour froze; Moscow sent an icebreaker.", 20250102);
        add_doc(w, "extra-3", "", "Russia and Iran signed a treaty.", 0);
        if (gzt_writer_delete(w, "002_12939b7441be3216.txt", &err) ||
            gzt_writer_commit(w, &err))
            fail_msg("build: %s", err.msg);
    }
    gzt_writer_close(w);
}

static const char *const queries[] = {
    "tehran",        "iran russia",
    "+iran +russia", "\"foreign minister\"",
    "moscow -syria", "title:tehran",
    "*:*",           "secur*",
    "date:2025",     "cooperation OR harbour",
};
#define NQUERIES (sizeof queries / sizeof queries[0])

static void sig_printf(char **s, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
sig_printf(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*s + *len, *cap - *len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap = *cap * 2 + (size_t)n;
        *s = realloc(*s, *cap);
        assert_non_null(*s);
    }
}

static uint64_t
fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

/* Everything the fixed queries answer, and every stored document they
 * find, as one string; errors are part of it. */
static char *
answers(gzt_index *idx)
{
    size_t len = 0, cap = 4096;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    gzt_stats st;
    assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
    sig_printf(&s, &len, &cap, "docs %llu deleted %llu tokens %llu\n",
               (unsigned long long)st.docs, (unsigned long long)st.deleted,
               (unsigned long long)st.tokens);
    for (size_t q = 0; q < NQUERIES; q++) {
        gzt_search_opts o;
        gzt_search_opts_init(&o);
        o.limit = 1000;
        gzt_results *r;
        gzt_error err = {0};
        int rc = gzt_search(&r, idx, queries[q], &o, &err);
        sig_printf(&s, &len, &cap, "%s: rc %d", queries[q], rc);
        if (rc) {
            sig_printf(&s, &len, &cap, "\n");
            continue;
        }
        for (size_t i = 0; i < gzt_results_count(r); i++) {
            gzt_hit h;
            assert_int_equal(gzt_results_hit(r, i, &h), GZT_OK);
            sig_printf(&s, &len, &cap, " %s/%.17g/%d", h.id, h.score,
                       (int)h.date);
            gzt_stored d;
            rc = gzt_index_get(&d, idx, h.id, &err);
            if (rc) {
                sig_printf(&s, &len, &cap, "/get %d", rc);
                continue;
            }
            sig_printf(&s, &len, &cap, "/%016llx/%016llx/%016llx/%u",
                       (unsigned long long)fnv(d.title, d.title_len),
                       (unsigned long long)fnv(d.body, d.body_len),
                       (unsigned long long)fnv(d.source, strlen(d.source)),
                       d.length);
            gzt_stored_fini(&d);
        }
        sig_printf(&s, &len, &cap, " total %llu\n",
                   (unsigned long long)gzt_results_total(r));
        gzt_results_free(r);
    }
    return s;
}

/* the answers of the index at @p dir, which must open and check */
static char *
answers_of(const char *dir)
{
    gzt_index *idx;
    gzt_error err = {0};
    if (gzt_index_open(&idx, dir, &err))
        fail_msg("open: %s", err.msg);
    char *s = answers(idx);
    gzt_index_close(idx);
    err_clear(&err);
    if (gzt_index_check(dir, NULL, NULL, &err))
        fail_msg("check: %s", err.msg);
    return s;
}

/* counters over all trials */
typedef struct tally {
    unsigned long trials;   /* damaged states tried */
    unsigned long at_open;  /* refused by gzt_index_open() */
    unsigned long at_check; /* opened, refused by gzt_index_check() */
    unsigned long harmless; /* answered exactly as before */
} tally;

static tally total;

/* One trial on the damaged index at @p dir: the damage is to @p name. */
static void
trial(const char *dir, const char *name, const char *what, const char *ref,
      bool missing)
{
    total.trials++;
    gzt_index *idx = NULL;
    gzt_error err;
    err_clear(&err);
    int rc = gzt_index_open(&idx, dir, &err);
    /* a deleted MANIFEST is "no index here", naming the directory */
    const char *want = missing && !strcmp(name, "MANIFEST") ? dir : name;
    if (rc) {
        assert_null(idx);
        if (rc != (missing ? GZT_ENOTFOUND : GZT_ECORRUPT))
            fail_msg("%s %s: open returned %d: %s", name, what, rc, err.msg);
        if (err.code != rc || !strstr(err.msg, want))
            fail_msg("%s %s: message does not name it: %s", name, what,
                     err.msg);
        total.at_open++;
        return;
    }
    char *got = answers(idx);
    gzt_index_close(idx);
    err_clear(&err);
    rc = gzt_index_check(dir, NULL, NULL, &err);
    if (rc) {
        if (rc != GZT_ECORRUPT || !strstr(err.msg, name))
            fail_msg("%s %s: check returned %d: %s", name, what, rc, err.msg);
        total.at_check++;
    } else {
        if (strcmp(got, ref) != 0)
            fail_msg("%s %s: opened, checked and answered differently:\n"
                     "%s\nwant:\n%s",
                     name, what, got, ref);
        total.harmless++;
    }
    free(got);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names of the files of @p dir, sorted */
static size_t
list_files(const char *dir, char *names[], size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        assert_true(n < cap);
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    return n;
}

/* Damage every file of the index at @p dir in every way, one at a time.
 * A file identical to the one of the same name in @p seen (NULL = none) was
 * damaged everywhere already: it gets a stride of 13 offsets. */
static void
damage_every_file(const char *dir, const char *seen)
{
    char *ref = answers_of(dir);
    char *names[64];
    size_t nfiles = list_files(dir, names, 64);
    assert_true(nfiles >= 8);
    for (size_t fi = 0; fi < nfiles; fi++) {
        char path[512], what[64];
        snprintf(path, sizeof path, "%s/%s", dir, names[fi]);
        size_t size;
        uint8_t *orig = read_all(path, &size);
        bool same = false;
        if (seen) {
            char sp[512];
            snprintf(sp, sizeof sp, "%s/%s", seen, names[fi]);
            if (access(sp, F_OK) == 0) {
                size_t ssize;
                uint8_t *other = read_all(sp, &ssize);
                same = ssize == size && !memcmp(other, orig, size);
                free(other);
            }
        }
        alarm(120);

        /* (a) truncations around the header and footer */
        const size_t cuts[] = {0,        1,         15,        16,
                               17,       size / 2,  size - 17, size - 16,
                               size - 1, size - 32, 31,        32};
        for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
            size_t len = cuts[k];
            if (len >= size) /* also catches size - n wrapping */
                continue;
            assert_int_equal(truncate(path, (off_t)len), 0);
            snprintf(what, sizeof what, "cut to %zu of %zu", len, size);
            trial(dir, names[fi], what, ref, false);
            write_all(path, orig, size);
        }

        /* (b) deleted */
        assert_int_equal(unlink(path), 0);
        trial(dir, names[fi], "deleted", ref, size > 0);
        write_all(path, orig, size);

        /* (c) one byte changed at every offset of files up to 64 KiB, else
         * at a stride of about 4000 offsets, always including the first and
         * last 40 bytes (header, footer, trailers): all its bits (^ 0xff)
         * at even offsets, one bit (cycling) at odd ones, and both near
         * the ends */
        size_t stride = same ? 13 : size <= 65536 ? 1 : size / 4000;
        int fd = open(path, O_WRONLY);
        assert_true(fd >= 0);
        for (size_t off = 0; off < size; off++) {
            bool edge = off < 40 || off + 40 >= size;
            if (off % stride && !edge)
                continue;
            const uint8_t masks[2] = {0xff, (uint8_t)(1u << (off / 2 % 8))};
            for (int m = 0; m < 2; m++) {
                if (!edge && m != (int)(off % 2))
                    continue;
                uint8_t b = (uint8_t)(orig[off] ^ masks[m]);
                assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
                snprintf(what, sizeof what, "byte %zu of %zu ^ 0x%02x", off,
                         size, masks[m]);
                trial(dir, names[fi], what, ref, false);
                assert_int_equal(pwrite(fd, &orig[off], 1, (off_t)off), 1);
            }
        }
        close(fd);
        free(orig);
        free(names[fi]);
    }
    alarm(0);
    /* everything restored: the index reads as before */
    char *after = answers_of(dir);
    assert_string_equal(after, ref);
    free(after);
    free(ref);
}

static int
setup_tally(void **state)
{
    (void)state;
    memset(&total, 0, sizeof total);
    return 0;
}

static int
print_tally(void **state)
{
    (void)state;
    print_message("%lu trials: %lu refused at open, %lu by check, %lu "
                  "harmless\n",
                  total.trials, total.at_open, total.at_check, total.harmless);
    return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_every_damaged_file_of_a_corpus_index_is_refused(void **state)
{
    (void)state;
    if (!getenv("GZT_SOURCE"))
        skip();
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    build(idx, false);
    damage_every_file(idx, NULL);
    gzt_test_tmpdir_remove(dir);
}

static void
test_every_damaged_file_of_an_index_with_deletions_is_refused(void **state)
{
    (void)state;
    if (!getenv("GZT_SOURCE"))
        skip();
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64], plain[64];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    snprintf(plain, sizeof plain, "%s/plain", dir);
    build(idx, true);
    build(plain, false); /* its segment 1 equals ours: skip most of it */
    char *names[64];
    size_t n = list_files(idx, names, 64);
    bool del = false;
    for (size_t i = 0; i < n; i++) {
        del |= strstr(names[i], ".del") != NULL;
        free(names[i]);
    }
    assert_true(del);
    damage_every_file(idx, plain);
    gzt_test_tmpdir_remove(dir);
}

static void
test_manifest_damage_is_reported_with_its_name(void **state)
{
    (void)state;
    if (!getenv("GZT_SOURCE"))
        skip();
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64], man[128];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    snprintf(man, sizeof man, "%s/MANIFEST", idx);
    build(idx, true);
    size_t size;
    uint8_t *orig = read_all(man, &size);
    gzt_index *x = NULL;
    gzt_error err;

    /* a changed byte: the checksum mismatch names the file and offset */
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    memcpy(bad, orig, size);
    bad[22] ^= 0x04; /* in "generation N" */
    write_all(man, bad, size);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));
    assert_non_null(strstr(err.msg, "checksum mismatch"));
    err_clear(&err);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));

    /* truncated: no checksum line */
    write_all(man, orig, size / 2);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));
    assert_non_null(strstr(err.msg, "no checksum line"));

    /* empty */
    write_all(man, orig, 0);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));

    /* deleted: there is no index */
    assert_int_equal(unlink(man), 0);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, idx));
    assert_non_null(strstr(err.msg, "no index"));
    err_clear(&err);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_ENOTFOUND);

    /* re-checksummed manifests that contradict the segment files: the
     * checksum holds, the agreement checks must not */
    char *text = malloc(size + 1);
    assert_non_null(text);
    memcpy(text, orig, size);
    text[size] = '\0';
    char *ck = strstr(text, "checksum ");
    assert_non_null(ck);
    *ck = '\0';
    char *docs = strstr(text, "segment 1 docs 4 deleted 1 tokens ");
    assert_non_null(docs);
    char fixed[4096];
    /* more documents than the segment has */
    docs[15] = '5';
    rechecksum(man, text);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));
    assert_non_null(strstr(err.msg, "disagree"));
    /* a token count the documents do not add up to: only check sees it */
    docs[15] = '4';
    char *tok = docs + strlen("segment 1 docs 4 deleted 1 tokens ");
    tok[0] = tok[0] == '9' ? '8' : (char)(tok[0] + 1);
    rechecksum(man, text);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_OK);
    gzt_index_close(x);
    assert_int_equal(gzt_index_check(idx, NULL, NULL, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, man));
    assert_non_null(strstr(err.msg, "token count"));
    /* a segment that does not exist */
    memcpy(text, orig, size);
    text[size] = '\0';
    *strstr(text, "checksum ") = '\0';
    char *next = strstr(text, "next-segment ");
    assert_non_null(next);
    int n = snprintf(fixed, sizeof fixed, "%.*snext-segment 10\n%s",
                     (int)(next - text), text, strchr(next, '\n') + 1);
    assert_true(n > 0 && (size_t)n < sizeof fixed - 64);
    snprintf(fixed + n, sizeof fixed - (size_t)n,
             "segment 9 docs 1 deleted 0 tokens 1 del -\n");
    rechecksum(man, fixed);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "seg-000009."));
    free(text);

    /* restored, it opens again */
    write_all(man, orig, size);
    err_clear(&err);
    assert_int_equal(gzt_index_open(&x, idx, &err), GZT_OK);
    gzt_index_close(x);
    free(bad);
    free(orig);
    gzt_test_tmpdir_remove(dir);
}

/* an index of two segments of three documents each, at @p idx */
static void
build_two_segments(const char *idx)
{
    gzt_writer *w;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_OK);
    add_doc(w, "a1", "Tehran", "Diplomats met in Tehran.", 20250101);
    add_doc(w, "a2", "Moscow", "A summit in Moscow on the pipeline.", 20250102);
    add_doc(w, "a3", "", "Harbour ice and a ferry.", 0);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    add_doc(w, "b1", "Ceasefire", "Talks on a ceasefire in the south.",
            20240101);
    add_doc(w, "b2", "Tariffs", "New tariffs on copper and wheat.", 20240102);
    add_doc(w, "b3", "", "Protest at the embassy over tariffs.", 0);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
}

static const char *const kinds[] = {"dict", "post",  "pos",
                                    "dv",   "store", "ids"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* copy segment 2's file of kind @p k over segment 1's; returns the
 * original bytes, restored by swap_back() */
static uint8_t *
swap_in(const char *idx, size_t k, size_t *size)
{
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/seg-000001.%s", idx, kinds[k]);
    snprintf(b, sizeof b, "%s/seg-000002.%s", idx, kinds[k]);
    size_t bsize;
    uint8_t *orig = read_all(a, size), *other = read_all(b, &bsize);
    write_all(a, other, bsize);
    free(other);
    return orig;
}

static void
swap_back(const char *idx, size_t k, uint8_t *orig, size_t size)
{
    char a[256];
    snprintf(a, sizeof a, "%s/seg-000001.%s", idx, kinds[k]);
    write_all(a, orig, size);
    free(orig);
}

static void
test_a_file_of_another_segment_is_refused_by_check(void **state)
{
    /* A file of segment 2 copied over the same kind of file of segment 1
     * has a valid checksum and plausible sizes. gzt_index_check() must
     * refuse every such index (the file it names may be another one of
     * segment 1, where the disagreement shows). */
    (void)state;
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    build_two_segments(idx);
    for (size_t k = 0; k < NKINDS; k++) {
        size_t size;
        uint8_t *orig = swap_in(idx, k, &size);
        gzt_error err = {0};
        int rc = gzt_index_check(idx, NULL, NULL, &err);
        if (rc != GZT_ECORRUPT)
            fail_msg("%s of segment 2 as segment 1's: check returned %d",
                     kinds[k], rc);
        assert_true(strstr(err.msg, "seg-000001.") ||
                    strstr(err.msg, "MANIFEST"));
        swap_back(idx, k, orig, size);
    }
    char *ref = answers_of(idx);
    free(ref);
    gzt_test_tmpdir_remove(dir);
}

/* make the checksum in the footer of the index file @p p (@p size bytes)
 * hold for its bytes again */
static void
reseal(uint8_t *p, size_t size)
{
    uint64_t h = gzt_hash64(p, size - 16);
    for (int i = 0; i < 8; i++)
        p[size - 16 + i] = (uint8_t)(h >> (8 * i));
}

static void
test_a_damaged_store_dictionary_is_corrupt_not_out_of_memory(void **state)
{
    /* Found by tests/fuzz/fuzz_segment.c: gzt_segment_open() reported any
     * failure to load the store's zstd dictionary as "out of memory". A
     * dictionary damaged behind a valid checksum (a writer bug, a
     * deliberate edit) is corruption, and must name the file. */
    (void)state;
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64], path[128];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    gzt_writer *w;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_OK);
    for (int i = 0; i < 200; i++) { /* alike records: a dictionary */
        char id[16], body[160];
        snprintf(id, sizeof id, "d%d", i);
        snprintf(body, sizeof body,
                 "Bulletin %d: officials in %s said talks on %s resumed; "
                 "the United Nations welcomed it.",
                 i, i % 3 ? "Tehran" : "Moscow", i % 2 ? "grain" : "oil");
        add_doc(w, id, "Bulletin", body, 20250101);
    }
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    snprintf(path, sizeof path, "%s/seg-000001.store", idx);
    size_t size;
    uint8_t *orig = read_all(path, &size);
    uint32_t dict_len = (uint32_t)orig[16] | (uint32_t)orig[17] << 8 |
                        (uint32_t)orig[18] << 16 | (uint32_t)orig[19] << 24;
    assert_true(dict_len > 64); /* a zstd dictionary, with its tables */
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    int refused = 0;
    for (size_t off = 8; off < 40; off++) { /* the entropy tables */
        memcpy(bad, orig, size);
        bad[20 + off] ^= 0xff;
        reseal(bad, size);
        write_all(path, bad, size);
        gzt_index *x = NULL;
        err_clear(&err);
        int rc = gzt_index_open(&x, idx, &err);
        if (rc == GZT_OK) {
            gzt_index_close(x);
            continue;
        }
        if (rc != GZT_ECORRUPT)
            fail_msg("dictionary byte %zu: open returned %d: %s", off, rc,
                     err.msg);
        assert_non_null(strstr(err.msg, "seg-000001.store"));
        refused++;
    }
    assert_true(refused > 0);
    write_all(path, orig, size);
    free(bad);
    free(orig);
    gzt_test_tmpdir_remove(dir);
}

#if 1
/* BUG: no reader checks the segment number in a file's header
 * (gzt_rfile_open() knows only the magic; open_kind() and load_del() in
 * common/segment.c do not compare bytes 12..15 with the segment id), so
 * gzt_index_open() accepts a file of another segment and searches answer
 * from it: with seg-000002.store copied over seg-000001.store, "tehran"
 * returns b1. Enable when gzt_segment_open() refuses such a file. */
static void
test_a_file_of_another_segment_is_refused_at_open_naming_it(void **state)
{
    (void)state;
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    build_two_segments(idx);
    for (size_t k = 0; k < NKINDS; k++) {
        size_t size;
        uint8_t *orig = swap_in(idx, k, &size);
        char name[64];
        snprintf(name, sizeof name, "seg-000001.%s", kinds[k]);
        gzt_index *x = NULL;
        gzt_error err = {0};
        assert_int_equal(gzt_index_open(&x, idx, &err), GZT_ECORRUPT);
        assert_non_null(strstr(err.msg, name));
        swap_back(idx, k, orig, size);
    }
    gzt_test_tmpdir_remove(dir);
}

/* BUG: gzt_writer_open() on an index with a damaged segment fails with
 * GZT_ECORRUPT, as it should, but its failure path (gzt_writer_close() ->
 * drop_uncommitted()) runs while w->nold is still 0 and unlinks the files
 * of EVERY segment the manifest names, healthy ones included. The same
 * happens on any failure after the manifest was read (language mismatch,
 * out of memory). Enable when gzt_writer_open() sets w->nold before its
 * first possible failure. */
static void
test_a_failed_writer_open_removes_no_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/gzt-corrupt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64], path[128];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    build_two_segments(idx);
    snprintf(path, sizeof path, "%s/seg-000002.dv", idx);
    size_t size;
    uint8_t *orig = read_all(path, &size);
    orig[20] ^= 1;
    write_all(path, orig, size);
    char *names0[64], *names1[64];
    size_t n0 = list_files(idx, names0, 64);
    gzt_writer *w = NULL;
    gzt_error err = {0};
    assert_int_equal(gzt_writer_open(&w, idx, NULL, &err), GZT_ECORRUPT);
    assert_non_null(strstr(err.msg, "seg-000002.dv"));
    size_t n1 = list_files(idx, names1, 64);
    assert_int_equal(n1, n0);
    for (size_t i = 0; i < n0; i++) {
        assert_string_equal(names1[i], names0[i]);
        free(names0[i]);
        free(names1[i]);
    }
    orig[20] ^= 1;
    write_all(path, orig, size);
    free(orig);
    char *ref = answers_of(idx);
    free(ref);
    gzt_test_tmpdir_remove(dir);
}
#endif

int
main(void)
{
    alarm(600);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_damaged_file_of_a_corpus_index_is_refused),
        cmocka_unit_test(
            test_every_damaged_file_of_an_index_with_deletions_is_refused),
        cmocka_unit_test(test_manifest_damage_is_reported_with_its_name),
        cmocka_unit_test(test_a_file_of_another_segment_is_refused_by_check),
        cmocka_unit_test(
            test_a_damaged_store_dictionary_is_corrupt_not_out_of_memory),
#if 1
        /* BUG: the header's segment number is never checked */
        cmocka_unit_test(
            test_a_file_of_another_segment_is_refused_at_open_naming_it),
        /* BUG: a failed gzt_writer_open() deletes every segment's files */
        cmocka_unit_test(test_a_failed_writer_open_removes_no_file),
#endif
    };
    return cmocka_run_group_tests(tests, setup_tally, print_tally);
}
