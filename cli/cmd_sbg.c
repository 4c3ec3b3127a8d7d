/* SPDX-License-Identifier: MIT */
/*
 * cmd_sbg.c: gazette sbg index and gazette sbg serve, the engine protocol
 * of the search-benchmark-game, so that gazette drops into that benchmark
 * and any rig that speaks it.
 *
 * index reads JSON Lines documents on standard input and builds a complete
 * index in a new directory beside DIR, then puts it in DIR's place (the
 * old one is removed): an interrupted run, or a record that cannot be
 * read, leaves DIR as it was. Entities
 * are off, as the game indexes text only.
 *
 * serve answers each `COMMAND<TAB>query` line of standard input with
 * exactly one line, flushed: COUNT gives the exact count; TOP_10, TOP_100
 * and TOP_1000 the number of hits returned; TOP_10_COUNT (and 100, 1000)
 * the exact count; anything else, or a query gazette refuses, UNSUPPORTED
 * (with the reason on standard error).
 */
#define _GNU_SOURCE /* renameat2() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette.h"

#include "args.h"
#include "commands.h"
#include "output.h"

int
cmd_sbg_index(const args *a)
{
    const char *dir = a->operands[0];
    char tmp[4096], old[4096];
    snprintf(tmp, sizeof tmp, "%s.new-%ld", dir, (long)getpid());
    snprintf(old, sizeof old, "%s.old-%ld", dir, (long)getpid());
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    wo.entities = 0;
    wo.language = args_get(a, "language");
    gzt_ingest_opts io;
    gzt_ingest_opts_init(&io);
    io.format = GZT_FORMAT_JSONL;
    gzt_ingest_stats st;
    memset(&st, 0, sizeof st);
    gzt_writer *w = NULL;
    gzt_error err;
    output_err_clear(&err);
    double t0 = output_now();
    int rc = gzt_writer_open(&w, tmp, &wo, &err);
    if (rc == GZT_OK)
        rc = gzt_writer_add_path(w, "-", &io, &st, &err);
    if (rc == GZT_OK && st.errors) {
        /* a benchmark on a corpus with holes measures the wrong thing:
         * keep what is in DIR */
        gzt_writer_close(w);
        output_remove_tree(tmp);
        output_error("%llu records could not be read: %s left as it was",
                     (unsigned long long)st.errors, dir);
        return EXIT_TROUBLE;
    }
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, &err);
    gzt_writer_close(w);
    if (rc != GZT_OK) {
        output_remove_tree(tmp);
        return output_lib_error(rc, &err);
    }
    /* one step: the new directory and the old one trade places (a crash
     * leaves one or the other at DIR, never none); two renames where the
     * file system cannot exchange */
    struct stat sb;
    bool had = stat(dir, &sb) == 0;
    bool swapped =
        had && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0;
    if (swapped) {
        output_remove_tree(tmp); /* now the old index */
    } else if ((had && rename(dir, old) != 0) || rename(tmp, dir) != 0) {
        output_error("%s: %s", dir, strerror(errno));
        if (had)
            (void)rename(old, dir);
        output_remove_tree(tmp);
        return EXIT_TROUBLE;
    } else if (had) {
        output_remove_tree(old);
    }
    fprintf(stderr, "indexed %llu documents into %s in %.2f s (%llu errors)\n",
            (unsigned long long)(st.added + st.replaced + st.unchanged), dir,
            output_now() - t0, (unsigned long long)st.errors);
    return st.errors ? EXIT_TROUBLE : EXIT_FOUND;
}

/* the answer to one protocol line into @p out */
static void
answer(gzt_index *idx, char *line, char *out, size_t cap)
{
    snprintf(out, cap, "UNSUPPORTED");
    char *tab = strchr(line, '\t');
    if (!tab)
        return;
    *tab = '\0';
    const char *cmd = line, *q = tab + 1;
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    bool count = false;
    if (!strcmp(cmd, "COUNT")) {
        o.count_only = 1;
        count = true;
    } else if (!strcmp(cmd, "TOP_10") || !strcmp(cmd, "TOP_10_COUNT")) {
        o.limit = 10;
    } else if (!strcmp(cmd, "TOP_100") || !strcmp(cmd, "TOP_100_COUNT")) {
        o.limit = 100;
    } else if (!strcmp(cmd, "TOP_1000") || !strcmp(cmd, "TOP_1000_COUNT")) {
        o.limit = 1000;
    } else {
        return;
    }
    count = count || strstr(cmd, "_COUNT") != NULL;
    /* the hits alone need no exact total: let top-k prune */
    o.fast_topk = !count;
    o.no_fetch = 1; /* the game counts the hits, reads none */
    gzt_results *res = NULL;
    gzt_error err;
    output_err_clear(&err);
    if (gzt_search(&res, idx, q, &o, &err) != GZT_OK) {
        fprintf(stderr, "gazette: %s: %s\n", q, err.msg);
        return;
    }
    snprintf(out, cap, "%llu",
             count ? (unsigned long long)gzt_results_total(res)
                   : (unsigned long long)gzt_results_count(res));
    gzt_results_free(res);
}

int
cmd_sbg_serve(const args *a)
{
    gzt_index *idx = NULL;
    gzt_error err;
    output_err_clear(&err);
    int rc = gzt_index_open(&idx, a->operands[0], &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char out[64];
        answer(idx, line, out, sizeof out);
        if (printf("%s\n", out) < 0 || fflush(stdout) != 0)
            break; /* the other end went away */
    }
    free(line);
    gzt_index_close(idx);
    return EXIT_FOUND;
}
