/* SPDX-License-Identifier: MIT */
/*
 * cmd_index.c: gazette index and gazette reindex.
 *
 * index opens the writer once, adds every PATH (pruning after each when
 * asked), commits once, and ends with one summary line on stderr. A PATH
 * that does not exist, and files or records the library could not read,
 * are reported and make the exit status 2, but what was readable is still
 * committed: a long batch is not thrown away for one bad file. Any other
 * failure (the index itself) abandons the batch without committing, so the
 * index stays at its last generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazette.h"

#include "commands.h"
#include "output.h"
#include "progressbar.h"

/* State shared with the library's callbacks. */
typedef struct index_run {
    progressbar bar;        /* on stderr */
    gzt_ingest_stats stats; /* counters of all sources */
    uint64_t missing;       /* PATHs that did not exist */
    uint64_t pruned;        /* documents deleted by --prune */
    double t_start;         /* when the run began */
    const char **lists;     /* --entities FILEs, NULL-terminated */
} index_run;

static void
warn(void *ctx, const char *msg)
{
    index_run *run = ctx;

    progressbar_clear(&run->bar);
    output_warning("%s", msg);
}

/* Options both commands share; those a command lacks read as absent.
 * Returns EXIT_TROUBLE after a message; release with teardown(). */
static int
setup(index_run *run, gzt_writer_opts *wo, gzt_ingest_opts *io, const args *a)
{
    size_t nlists = args_count(a, "entities");
    bool off = args_has(a, "no-entities");
    bool on =
        args_has(a, "with-entities") || nlists || args_has(a, "ner-model");

    memset(run, 0, sizeof *run);
    if (off && on)
        return args_usage_error(a->cmd,
                                "--no-entities cannot be combined with %s",
                                nlists                     ? "--entities"
                                : args_has(a, "ner-model") ? "--ner-model"
                                                           : "--with-entities");
    if (nlists) {
        run->lists = calloc(nlists + 1, sizeof *run->lists);
        if (!run->lists) {
            output_error("out of memory");
            return EXIT_TROUBLE;
        }
        for (size_t i = 0; i < nlists; i++)
            run->lists[i] = args_nth(a, "entities", i);
    }
    run->t_start = output_now();
    progressbar_init(&run->bar, !args_has(a, "quiet") && isatty(STDERR_FILENO));

    gzt_writer_opts_init(wo);
    /* NULL: a new index gets the default, an existing one keeps its own */
    wo->language = args_get(a, "language");
    if (args_has(a, "memory"))
        wo->memory = (size_t)args_size(a, "memory", 0);
    if (run->bar.enabled) {
        wo->progress = progressbar_update;
        wo->progress_ctx = &run->bar;
    }
    /* -1: the index's own setting (on for a new index); lists and models
     * need entities, so they ask for them (and an index without gets the
     * library's message on how to turn them on) */
    wo->entities = off ? 0 : on ? 1 : -1;
    wo->entity_lists = run->lists;
    wo->ner_model = args_get(a, "ner-model");
    wo->engine = args_get(a, "engine");
    wo->optimize = args_has(a, "optimize");
    if (args_has(a, "jobs")) {
        uint64_t n = args_uint(a, "jobs", 0);
        if (n == 0 || n > GZT_JOBS_MAX)
            return args_usage_error(a->cmd, "--jobs takes 1 to %d",
                                    GZT_JOBS_MAX);
        wo->jobs = (unsigned)n;
    }
    if (args_has(a, "shards")) {
        uint64_t n = args_uint(a, "shards", 1);
        if (n == 0 || n > 128)
            return args_usage_error(a->cmd, "--shards takes 1 to 128");
        wo->shards = (uint32_t)n;
    }

    gzt_ingest_opts_init(io);
    io->format = args_format(args_get(a, "format"));
    if (args_has(a, "id-field"))
        io->id_field = args_get(a, "id-field");
    if (args_has(a, "title-field"))
        io->title_field = args_get(a, "title-field");
    if (args_has(a, "body-field"))
        io->body_field = args_get(a, "body-field");
    if (args_has(a, "date-field"))
        io->date_field = args_get(a, "date-field");
    if (args_has(a, "delimiter"))
        io->delimiter = args_char(a, "delimiter", ',');
    io->warn = warn;
    io->warn_ctx = run;
    return EXIT_FOUND;
}

static void
teardown(index_run *run)
{
    free(run->lists);
    run->lists = NULL;
}

/* "indexed 4 documents (4 added, 0 replaced, 0 unchanged, 0 skipped,
 * 0 errors) from 9.4 KB in 0.03 s (0.3 MB/s)" on stderr. */
static void
summary(const index_run *run, const char *verb, bool pruning)
{
    const gzt_ingest_stats *s = &run->stats;
    uint64_t errors = s->errors + run->missing;
    double secs = output_now() - run->t_start;
    char size[32];

    output_bytes(size, sizeof size, s->bytes);
    fprintf(stderr,
            "%s %llu %s (%llu added, %llu replaced, %llu unchanged, "
            "%llu skipped, %llu %s",
            verb, (unsigned long long)s->docs,
            output_plural(s->docs, "document", "documents"),
            (unsigned long long)s->added, (unsigned long long)s->replaced,
            (unsigned long long)s->unchanged, (unsigned long long)s->skipped,
            (unsigned long long)errors,
            output_plural(errors, "error", "errors"));
    if (s->repaired)
        fprintf(stderr, ", %llu repaired", (unsigned long long)s->repaired);
    if (pruning)
        fprintf(stderr, ", %llu pruned", (unsigned long long)run->pruned);
    fprintf(stderr, ") from %s in %.2f s (%.1f MB/s)\n", size, secs,
            secs > 0 ? (double)s->bytes / 1e6 / secs : 0.0);
}

int
cmd_index(const args *a)
{
    const char *dir = args_index_dir(a);
    bool prune = args_has(a, "prune");
    gzt_writer_opts wo;
    gzt_ingest_opts io;
    gzt_writer *w = NULL;
    gzt_error err;
    index_run run;
    int rc;

    if (setup(&run, &wo, &io, a) != EXIT_FOUND) {
        teardown(&run);
        return EXIT_TROUBLE;
    }
    output_err_clear(&err);
    rc = gzt_writer_open(&w, dir, &wo, &err);
    if (rc != GZT_OK) {
        teardown(&run);
        return output_lib_error(rc, &err);
    }
    for (size_t i = 0; i < a->noperands; i++) {
        const char *path = a->operands[i];
        progressbar_start(&run.bar, path);
        output_err_clear(&err);
        rc = gzt_writer_add_path(w, path, &io, &run.stats, &err);
        if (rc == GZT_ENOTFOUND) {
            /* a mistyped PATH: say so, and go on with the others */
            progressbar_clear(&run.bar);
            output_lib_error(rc, &err);
            run.missing++;
            continue;
        }
        if (rc != GZT_OK)
            goto fail;
        if (prune) {
            uint64_t n = 0;
            output_err_clear(&err);
            rc = gzt_writer_prune(w, path, &n, &err);
            if (rc != GZT_OK)
                goto fail;
            run.pruned += n;
        }
    }
    progressbar_clear(&run.bar);
    output_err_clear(&err);
    rc = gzt_writer_commit(w, &err);
    if (rc != GZT_OK)
        goto fail;
    gzt_writer_close(w);
    teardown(&run);
    summary(&run, "indexed", prune);
    /* documents left alone keep the entities they were tagged with */
    if (run.stats.unchanged &&
        (args_count(a, "entities") || args_has(a, "ner-model")))
        output_warning(
            "%llu unchanged %s kept the entities found before; "
            "gazette reindex applies the new %s to every document",
            (unsigned long long)run.stats.unchanged,
            output_plural(run.stats.unchanged, "document", "documents"),
            args_has(a, "ner-model") ? "model and lists" : "list");
    return run.stats.errors || run.missing ? EXIT_TROUBLE : EXIT_FOUND;

fail:
    progressbar_clear(&run.bar);
    output_lib_error(rc, &err);
    gzt_writer_close(w);
    teardown(&run);
    return EXIT_TROUBLE;
}

int
cmd_reindex(const args *a)
{
    gzt_writer_opts wo;
    gzt_ingest_opts io;
    gzt_error err;
    index_run run;
    int rc;

    if (setup(&run, &wo, &io, a) != EXIT_FOUND) {
        teardown(&run);
        return EXIT_TROUBLE;
    }
    size_t nfrom = args_count(a, "from");
    const char **from = NULL;
    if (nfrom) {
        from = calloc(nfrom + 1, sizeof *from);
        if (!from) {
            teardown(&run);
            output_error("out of memory");
            return EXIT_TROUBLE;
        }
        for (size_t i = 0; i < nfrom; i++)
            from[i] = args_nth(a, "from", i);
    } else if (args_has(a, "format") || args_has(a, "id-field") ||
               args_has(a, "title-field") || args_has(a, "body-field") ||
               args_has(a, "date-field") || args_has(a, "delimiter")) {
        teardown(&run);
        return args_usage_error(a->cmd,
                                "the input options go with --from; without "
                                "it each source is read as recorded");
    }
    progressbar_start(&run.bar, NULL);
    output_err_clear(&err);
    rc = from ? gzt_reindex_from(args_index_dir(a), from, &wo, &io, &run.stats,
                                 &err)
              : gzt_reindex(args_index_dir(a), &wo, &io, &run.stats, &err);
    free(from);
    progressbar_clear(&run.bar);
    teardown(&run);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    summary(&run, "reindexed", false);
    return run.stats.errors ? EXIT_TROUBLE : EXIT_FOUND;
}
