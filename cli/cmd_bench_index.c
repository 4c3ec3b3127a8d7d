/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench_index.c: gazette bench index, indexing throughput of gazette
 * (entities off and on) against Xapian (gazette's Xapian engine, entities
 * off) and SQLite FTS5 (gzt_fts5_build(): the same analysis) on the same
 * corpus.
 *
 * Every build runs in a child process of its own, so that its peak RSS
 * (wait4's ru_maxrss) and CPU time are its own; the child reports the
 * documents and bytes it read and its wall time through a pipe. Builds
 * are interleaved run by run (native, native+entities, xapian, fts5,
 * then again) so that a slow spell of a shared machine hits every engine,
 * and each engine's fastest run is kept. Printed per engine: documents,
 * seconds, MB/s of source text, documents/s, peak RSS, user CPU, and the
 * index size, whole and without stored text where the engine keeps some
 * (gazette's stored documents, Xapian's document data are not separable
 * and are reported whole). Timings are for reading, never for a test's
 * verdict.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gazette.h"

#include "args.h"
#include "benchbuild.h"
#include "commands.h"
#include "jsonl.h"
#include "output.h"

enum { E_NATIVE, E_ENTITIES, E_XAPIAN, E_FTS5, NENGINES };

static const char *const engine_names[NENGINES] = {
    "gazette", "gazette+entities", "xapian", "fts5"};

/* what a child reports */
typedef struct built {
    uint64_t docs;    /* documents read */
    uint64_t bytes;   /* source bytes read */
    double seconds;   /* wall time of the build */
    uint64_t size;    /* bytes on disk */
    uint64_t nostore; /* bytes without stored text (0: not separable) */
    int rc;           /* GZT_OK or the failure */
    char msg[512];    /* its message */
} built;

typedef struct result {
    built b;         /* the fastest run */
    double user;     /* its user CPU seconds */
    long maxrss_kib; /* its peak RSS */
    unsigned runs;   /* runs done */
} result;

/* Build engine @p e at @p path from the sources (in the child). */
static void
child_build(int e, const char *path, const args *a, built *out)
{
    memset(out, 0, sizeof *out);
    gzt_error err;
    output_err_clear(&err);
    gzt_format *fmts = calloc(a->noperands + 1, sizeof *fmts);
    if (!fmts) {
        out->rc = GZT_ENOMEM;
        snprintf(out->msg, sizeof out->msg, "out of memory");
        return;
    }
    for (size_t i = 0; i < a->noperands; i++)
        fmts[i] = args_format(args_get(a, "format"));
    gzt_ingest_stats st;
    /* the last run's output goes before the clock starts: deleting it
     * (hundreds of MB of page cache) is not building */
    output_remove_tree(path);
    double t0 = output_now();
    int rc = bench_build(e == E_FTS5     ? "fts5"
                         : e == E_XAPIAN ? "xapian"
                                         : "native",
                         e == E_ENTITIES, (unsigned)args_uint(a, "jobs", 0),
                         path, (const char *const *)a->operands, fmts,
                         a->noperands, args_get(a, "language"), &st, &err);
    free(fmts);
    out->seconds = output_now() - t0;
    out->docs = st.docs;
    out->bytes = st.bytes;
    out->rc = rc;
    snprintf(out->msg, sizeof out->msg, "%s", rc ? err.msg : "");
    if (rc)
        return;
    out->size = output_tree_bytes(path);
    if (e == E_NATIVE || e == E_ENTITIES) {
        gzt_index *idx = NULL;
        gzt_stats s;
        if (gzt_index_open(&idx, path, &err) == GZT_OK &&
            gzt_index_stats(idx, &s) == GZT_OK)
            out->nostore =
                out->size > s.bytes_store ? out->size - s.bytes_store : 0;
        gzt_index_close(idx);
    } else if (e == E_FTS5) {
        out->nostore = out->size; /* contentless: ids only */
    }
}

/* One run of engine @p e in a child; GZT_OK or an exit status after a
 * message. */
static int
run_build(int e, const char *path, const args *a, result *r)
{
    int fd[2];
    if (pipe(fd) != 0) {
        output_error("pipe: %s", strerror(errno));
        return EXIT_TROUBLE;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        output_error("fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return EXIT_TROUBLE;
    }
    if (pid == 0) {
        close(fd[0]);
        built b;
        child_build(e, path, a, &b);
        ssize_t w = write(fd[1], &b, sizeof b);
        _exit(w == (ssize_t)sizeof b ? 0 : 1);
    }
    close(fd[1]);
    built b;
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = read(fd[0], (char *)&b + got, sizeof b - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    close(fd[0]);
    int wst = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &wst, 0, &ru) < 0 && errno == EINTR)
        ;
    if (got != sizeof b || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
        output_error("building %s: the build process failed", engine_names[e]);
        return EXIT_TROUBLE;
    }
    if (b.rc != GZT_OK) {
        output_error("building %s: %s", engine_names[e], b.msg);
        return EXIT_TROUBLE;
    }
    if (r->runs == 0 || b.seconds < r->b.seconds) {
        r->b = b;
        r->user =
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
        r->maxrss_kib = ru.ru_maxrss;
    }
    r->runs++;
    return EXIT_FOUND;
}

static int
print_row(int e, const result *r, bool json)
{
    const built *b = &r->b;
    double mb = (double)b->bytes / 1e6;
    if (json) {
        json_t *o = jsonl_object("bench_index");
        bool ok = o != NULL;
        ok &= jsonl_set(o, "engine",
                        jsonl_string(engine_names[e], strlen(engine_names[e])));
        ok &= jsonl_set(o, "docs", jsonl_uint(b->docs));
        ok &= jsonl_set(o, "source_mb", jsonl_real(mb));
        ok &= jsonl_set(o, "seconds", jsonl_real(b->seconds));
        ok &= jsonl_set(o, "mb_per_s", jsonl_real(mb / b->seconds));
        ok &= jsonl_set(o, "docs_per_s",
                        jsonl_real((double)b->docs / b->seconds));
        ok &= jsonl_set(o, "user_s", jsonl_real(r->user));
        ok &= jsonl_set(o, "peak_rss_mib",
                        jsonl_real((double)r->maxrss_kib / 1024.0));
        ok &= jsonl_set(o, "size_mb", jsonl_real((double)b->size / 1e6));
        if (b->nostore)
            ok &= jsonl_set(o, "size_without_text_mb",
                            jsonl_real((double)b->nostore / 1e6));
        ok &= jsonl_set(o, "runs", jsonl_uint(r->runs));
        return jsonl_emit(o, ok);
    }
    char nostore[32] = "";
    if (b->nostore)
        snprintf(nostore, sizeof nostore, "%.2f", (double)b->nostore / 1e6);
    printf("| %s | %llu | %.2f | %.1f | %.0f | %.2f | %.0f | %.2f | %s |\n",
           engine_names[e], (unsigned long long)b->docs, b->seconds,
           mb / b->seconds, (double)b->docs / b->seconds, r->user,
           (double)r->maxrss_kib / 1024.0, (double)b->size / 1e6, nostore);
    return EXIT_FOUND;
}

int
cmd_bench_index(const args *a)
{
    unsigned runs = (unsigned)args_uint(a, "runs", 1);
    const char *list = args_get(a, "engines");
    const char *keep = args_get(a, "dir");
    bool json = args_has(a, "json");
    bool want[NENGINES] = {true, true, true, true};
    if (runs == 0)
        return args_usage_error(a->cmd, "--runs must be at least 1");
    uint64_t jobs = args_uint(a, "jobs", 0);
    if (args_has(a, "jobs") && (jobs == 0 || jobs > GZT_JOBS_MAX))
        return args_usage_error(a->cmd, "--jobs takes 1 to %d", GZT_JOBS_MAX);
    if (list) {
        memset(want, 0, sizeof want);
        char *copy = strdup(list), *save = NULL;
        if (!copy) {
            output_error("out of memory");
            return EXIT_TROUBLE;
        }
        for (char *k = strtok_r(copy, ",", &save); k;
             k = strtok_r(NULL, ",", &save)) {
            int e = 0;
            while (e < NENGINES && strcmp(k, engine_names[e]) != 0)
                e++;
            if (e == NENGINES) {
                int st = args_usage_error(a->cmd,
                                          "--engines: '%s' is not gazette, "
                                          "gazette+entities, xapian or fts5",
                                          k);
                free(copy);
                return st;
            }
            want[e] = true;
        }
        free(copy);
    }
    char dir[PATH_MAX];
    if (keep) {
        if (mkdir(keep, 0777) != 0 && errno != EEXIST) {
            output_error("%s: %s", keep, strerror(errno));
            return EXIT_TROUBLE;
        }
        snprintf(dir, sizeof dir, "%s", keep);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/gazette-bench.XXXXXX",
                 t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            output_error("%s: %s", dir, strerror(errno));
            return EXIT_TROUBLE;
        }
    }
    result res[NENGINES];
    memset(res, 0, sizeof res);
    int status = EXIT_FOUND;
    for (unsigned r = 0; r < runs && status == EXIT_FOUND; r++)
        for (int e = 0; e < NENGINES && status == EXIT_FOUND; e++) {
            if (!want[e])
                continue;
            char path[PATH_MAX + 32];
            snprintf(path, sizeof path, "%s/%s", dir, engine_names[e]);
            status = run_build(e, path, a, &res[e]);
        }
    if (status == EXIT_FOUND && !json)
        printf("| engine | docs | seconds | MB/s | docs/s | user CPU s | "
               "peak RSS MiB | index MB | without stored text MB |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    for (int e = 0; e < NENGINES && status == EXIT_FOUND; e++)
        if (want[e])
            status = print_row(e, &res[e], json);
    if (status == EXIT_FOUND && !json && want[E_NATIVE] &&
        res[E_NATIVE].b.seconds > 0) {
        printf("\ntime over gazette's:");
        for (int e = E_ENTITIES; e < NENGINES; e++)
            if (want[e])
                printf(" %s %.2f×", engine_names[e],
                       res[e].b.seconds / res[E_NATIVE].b.seconds);
        printf("\n");
    }
    if (!keep)
        output_remove_tree(dir);
    return status;
}
