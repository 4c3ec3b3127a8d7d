/* SPDX-License-Identifier: MIT */
/*
 * fuzzkit.c: helpers of the fuzz targets (see fuzzkit.h): the private
 * temporary directory, whole-file reads and writes, and the small index of
 * the segment and search targets.
 *
 * Failures here are the harness's, not the input's, so they abort with a
 * message instead of returning codes: a fuzzer that silently stopped
 * exercising anything would look like a clean run.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "tests/fuzz/fuzzkit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/date.h"
#include "common/utf8.h"
#include "gazette.h"
#include "indexer/ingest.h"

static char tmpdir[64];    /* "" until made */
static pid_t tmpdir_owner; /* the process that made it (not a fork) */

void
gzt_fuzzkit_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

static void
die(const char *what, const char *path)
{
    fprintf(stderr, "fuzzkit: %s %s: %s\n", what, path, strerror(errno));
    abort();
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void
remove_tmpdir(void)
{
    if (tmpdir[0] && getpid() == tmpdir_owner)
        (void)nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
gzt_fuzzkit_tmpdir(void)
{
    if (!tmpdir[0]) {
        /* memory-backed when there is such a place: the file targets
         * write files at every execution */
        const char *t = getenv("TMPDIR");
        if (!t || !*t || strlen(t) >= 40)
            t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(tmpdir, sizeof tmpdir, "%s/gzt-fuzz-XXXXXX", t);
        if (!mkdtemp(tmpdir))
            die("mkdtemp", tmpdir);
        tmpdir_owner = getpid();
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

void
gzt_fuzzkit_path(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", gzt_fuzzkit_tmpdir(), name);
    if (n < 0 || (size_t)n >= cap)
        die("path too long:", name);
}

void
gzt_fuzzkit_write(const char *path, const void *p, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open", path);
    const uint8_t *b = p;
    while (len > 0) {
        ssize_t w = write(fd, b, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write", path);
        b += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0)
        die("close", path);
}

void
gzt_fuzzkit_read(const char *path, gzt_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("fopen", path);
    gzt_buf_reset(out);
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (gzt_buf_append(out, chunk, n) != GZT_OK)
            die("out of memory reading", path);
    if (ferror(f))
        die("fread", path);
    fclose(f);
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
gzt_fuzzkit_list(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        die("opendir", dir);
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap && gzt_grow(&names, &cap, sizeof *names, 16))
            die("out of memory listing", dir);
        if (!(names[count] = gzt_strdup(e->d_name)))
            die("out of memory listing", dir);
        count++;
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, cmp_name);
    *n = count;
    return names;
}

void
gzt_fuzzkit_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gzt_free(names[i]);
    gzt_free(names);
}

/* ---- the index of the segment and search targets ----------------------- */

static void
add(gzt_writer *w, const char *id, const char *title, const char *body,
    gzt_date date)
{
    gzt_doc d = {id,   title,    title ? strlen(title) : 0, body, strlen(body),
                 date, "fuzzkit"};
    gzt_error err = {0};
    if (gzt_writer_add(w, &d, NULL, &err) != GZT_OK) {
        fprintf(stderr, "fuzzkit: add %s: %s\n", id, err.msg);
        abort();
    }
}

static void
check(int rc, const char *what, const gzt_error *err)
{
    if (rc != GZT_OK) {
        fprintf(stderr, "fuzzkit: %s: %s\n", what, err->msg);
        abort();
    }
}

void
gzt_fuzzkit_build_index(const char *dir)
{
    static const char *const places[] = {"Tehran", "Moscow", "Geneva", "Baku",
                                         "Ankara"};
    static const char *const topics[] = {
        "nuclear talks resumed", "the pipeline deal was signed",
        "grain exports rose", "a ceasefire held in the south",
        "sanctions were eased"};
    gzt_writer *w;
    gzt_error err = {0};
    check(gzt_writer_open(&w, dir, NULL, &err), "open writer", &err);
    char id[32], title[64], body[512];
    for (int i = 0; i < 130; i++) {
        snprintf(id, sizeof id, "b%03d", i);
        snprintf(title, sizeof title, "Bulletin from %s", places[i % 5]);
        snprintf(body, sizeof body,
                 "%s, %d March 2024 - Officials said %s. Sergey Lavrov met "
                 "them in %s.",
                 places[(i + 2) % 5], 1 + i % 28, topics[i % 5], places[i % 5]);
        add(w, id, i % 7 ? title : NULL, body, 20240101 + i % 28);
    }
    check(gzt_writer_commit(w, &err), "commit 1", &err);
    add(w, "a1", "Lavrov to visit Tehran",
        "TEHRAN - Russian Foreign Minister Sergei Lavrov is set to travel to "
        "Tehran in the coming days for crucial talks covering bilateral, "
        "regional and international concerns, according to Iran's Foreign "
        "Ministry spokesperson.",
        20250222);
    add(w, "a2", "Strategic partnership",
        "Moscow and Tehran signed a comprehensive strategic partnership "
        "treaty; President Vladimir Putin and President Masoud Pezeshkian "
        "attended. The U.S. State Department declined to comment.",
        20250117);
    add(w, "a3", NULL,
        "Harbour ice closed the port of Baku for 3 days; 1,200 tonnes of "
        "grain waited. \"We expect it to reopen,\" an official said.",
        0);
    add(w, "a4", "Über die Gespräche",
        "Die Außenminister trafen sich in Genf. 日本語のテキスト. Ελληνικά. "
        "Русский текст о переговорах.",
        20231105);
    check(gzt_writer_delete(w, "b007", &err), "delete", &err);
    check(gzt_writer_commit(w, &err), "commit 2", &err);
    gzt_writer_close(w);
}

/* ---- ingest ------------------------------------------------------------- */

/* What the ingest callback counts. */
typedef struct sink {
    size_t docs; /* documents received */
} sink;

static int
on_doc(void *ctx, const gzt_doc *d)
{
    sink *s = ctx;
    GZT_FUZZ_CHECK(d->id != NULL);
    size_t idlen = strlen(d->id);
    GZT_FUZZ_CHECK(idlen > 0 && idlen <= GZT_ID_MAX);
    GZT_FUZZ_CHECK(gzt_utf8_valid(d->id, idlen));
    GZT_FUZZ_CHECK(d->title || d->title_len == 0);
    GZT_FUZZ_CHECK(d->body || d->body_len == 0);
    if (d->title_len) {
        GZT_FUZZ_CHECK(gzt_utf8_valid(d->title, d->title_len));
        GZT_FUZZ_CHECK(!memchr(d->title, 0, d->title_len));
    }
    if (d->body_len) {
        GZT_FUZZ_CHECK(gzt_utf8_valid(d->body, d->body_len));
        GZT_FUZZ_CHECK(!memchr(d->body, 0, d->body_len));
    }
    GZT_FUZZ_CHECK(d->date == 0 || gzt_date_valid(d->date));
    s->docs++;
    return 0;
}

static void
on_warn(void *ctx, const char *msg)
{
    (void)ctx;
    GZT_FUZZ_CHECK(msg != NULL && msg[0] != '\0');
}

size_t
gzt_fuzzkit_ingest(const char *name, const uint8_t *data, size_t size,
                   const gzt_ingest_opts *opts)
{
    char path[256];
    gzt_fuzzkit_path(path, sizeof path, name);
    gzt_fuzzkit_write(path, data, size);
    gzt_ingest_opts o;
    if (opts)
        o = *opts;
    else
        gzt_ingest_opts_init(&o);
    o.warn = on_warn;
    o.warn_ctx = NULL;
    sink s = {0};
    gzt_ingest_stats st;
    memset(&st, 0, sizeof st);
    gzt_error err = {0};
    int rc = gzt_ingest_path(path, &o, on_doc, &s, NULL, NULL, &st, &err);
    GZT_FUZZ_CHECK(rc == GZT_OK);
    GZT_FUZZ_CHECK(st.docs == s.docs);
    GZT_FUZZ_CHECK(st.bytes == size);
    return s.docs;
}
