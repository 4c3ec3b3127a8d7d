/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats.c: gazette stats: the figures of an index and the bytes each
 * kind of file takes, as an aligned table or one JSON object.
 */
#include <stdio.h>
#include <string.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "output.h"

/* One kind of file and its bytes. */
typedef struct file_kind {
    const char *label; /* for people */
    const char *key;   /* in JSON */
    uint64_t bytes;    /* size */
} file_kind;

enum { NKINDS = 9 };

static void
file_kinds(file_kind out[NKINDS], const gzt_stats *st)
{
    out[8] = (file_kind){"xapian dbs", "xapian", st->bytes_xapian};
    out[0] = (file_kind){"dictionary", "dict", st->bytes_dict};
    out[1] = (file_kind){"postings", "postings", st->bytes_postings};
    out[2] = (file_kind){"positions", "positions", st->bytes_positions};
    out[3] = (file_kind){"doc values", "docvalues", st->bytes_docvalues};
    out[4] = (file_kind){"stored docs", "store", st->bytes_store};
    out[5] = (file_kind){"id table", "ids", st->bytes_ids};
    out[6] = (file_kind){"deletions", "deletes", st->bytes_deletes};
    out[7] = (file_kind){"manifest", "manifest", st->bytes_manifest};
}

/* A fixed-size char array from the library, which may lack its NUL. */
#define FIXED_STR(a) (int)strnlen((a), sizeof(a)), (a)

static void
row(const char *label, const char *value)
{
    printf("%-13s%s\n", label, value);
}

static void
row_count(const char *label, uint64_t n)
{
    char buf[32];

    output_count(buf, sizeof buf, n);
    row(label, buf);
}

static void
stats_text(const gzt_index *idx, const gzt_stats *st)
{
    file_kind kinds[NKINDS];
    uint64_t total = 0;
    char buf[96], size[32];

    row_count("documents", st->docs);
    row_count("deleted", st->deleted);
    row_count("terms", st->terms);
    row_count("tokens", st->tokens);
    if (strncmp(st->engine, "xapian", sizeof st->engine) == 0) {
        row_count("shards", st->shards);
        for (uint32_t k = 0; k < st->shards; k++) {
            char name[64];
            if (gzt_index_shard(idx, k, name, sizeof name))
                row("", name);
        }
    } else
        row_count("segments", st->segments);
    snprintf(buf, sizeof buf, "%.*s", FIXED_STR(st->language));
    row("language", buf);
    snprintf(buf, sizeof buf, "%.*s", FIXED_STR(st->engine));
    row("engine", buf);
    snprintf(buf, sizeof buf, "%s%s", st->entities ? "on" : "off",
             !st->entities   ? ""
             : st->ner_model ? " (user model)"
                             : " (built-in model)");
    row("entities", buf);
    if (st->entity_lists)
        row_count("entity lists", st->entity_lists);
    row_count("generation", st->generation);
    if (st->sources == 0)
        row("sources", "none");
    for (uint32_t i = 0; i < st->sources; i++) {
        const char *format = NULL;
        const char *path = gzt_index_source(idx, i, &format);
        if (!path)
            break;
        printf("%-13s", i == 0 ? "sources" : "");
        output_text(stdout, path, strlen(path));
        if (format)
            printf(" (%s)", format);
        fputc('\n', stdout);
    }

    file_kinds(kinds, st);
    for (size_t i = 0; i < NKINDS; i++)
        total += kinds[i].bytes;
    fputc('\n', stdout);
    for (size_t i = 0; i < NKINDS; i++) {
        /* an engine's own kinds only */
        bool xapian = strncmp(st->engine, "xapian", sizeof st->engine) == 0;
        if ((i == 8 && !xapian) || (xapian && i < 7))
            continue;
        output_bytes(size, sizeof size, kinds[i].bytes);
        printf("%-13s%10s  %5.1f%%\n", kinds[i].label, size,
               total ? 100.0 * (double)kinds[i].bytes / (double)total : 0.0);
    }
    output_bytes(size, sizeof size, total);
    printf("%-13s%10s\n", "total", size);
}

static int
stats_json(const gzt_index *idx, const gzt_stats *st)
{
    file_kind kinds[NKINDS];
    uint64_t total = 0;
    json_t *obj = jsonl_object("stats");
    json_t *sources = json_array();
    json_t *bytes = json_object();
    bool ok = obj && sources && bytes;

    ok &= jsonl_set(obj, "generation", jsonl_uint(st->generation));
    ok &= jsonl_set(obj, "docs", jsonl_uint(st->docs));
    ok &= jsonl_set(obj, "deleted", jsonl_uint(st->deleted));
    ok &= jsonl_set(obj, "terms", jsonl_uint(st->terms));
    ok &= jsonl_set(obj, "tokens", jsonl_uint(st->tokens));
    ok &= jsonl_set(obj, "segments", jsonl_uint(st->segments));
    ok &= jsonl_set(obj, "shards", jsonl_uint(st->shards));
    json_t *dirs = json_array();
    ok &= dirs != NULL;
    for (uint32_t k = 0; ok && k < st->shards; k++) {
        char name[64];
        size_t n = gzt_index_shard(idx, k, name, sizeof name);
        ok &= n && json_array_append_new(dirs, jsonl_string(name, n)) == 0;
    }
    ok &= jsonl_set(obj, "shard_dirs", dirs);
    ok &= jsonl_set(
        obj, "language",
        jsonl_string(st->language, strnlen(st->language, sizeof st->language)));
    ok &= jsonl_set(
        obj, "engine",
        jsonl_string(st->engine, strnlen(st->engine, sizeof st->engine)));
    ok &= jsonl_set(obj, "entities", json_boolean(st->entities));
    ok &= jsonl_set(obj, "entity_lists", jsonl_uint(st->entity_lists));
    ok &= jsonl_set(obj, "ner_model", json_boolean(st->ner_model));
    for (uint32_t i = 0; ok && i < st->sources; i++) {
        const char *format = NULL;
        const char *path = gzt_index_source(idx, i, &format);
        json_t *src = json_object();
        if (!path) {
            json_decref(src);
            break;
        }
        ok &= jsonl_set(src, "path", jsonl_string(path, strlen(path)));
        ok &= jsonl_set(src, "format",
                        jsonl_optional(format, format ? strlen(format) : 0));
        ok &= src && json_array_append_new(sources, src) == 0;
    }
    file_kinds(kinds, st);
    for (size_t i = 0; i < NKINDS; i++) {
        total += kinds[i].bytes;
        ok &= jsonl_set(bytes, kinds[i].key, jsonl_uint(kinds[i].bytes));
    }
    ok &= jsonl_set(bytes, "total", jsonl_uint(total));
    ok &= jsonl_set(obj, "sources", sources);
    ok &= jsonl_set(obj, "bytes", bytes);
    return jsonl_emit(obj, ok);
}

int
cmd_stats(const args *a)
{
    gzt_index *idx = NULL;
    gzt_stats st;
    gzt_error err;
    int rc, status;

    output_err_clear(&err);
    rc = gzt_index_open(&idx, args_index_dir(a), &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    memset(&st, 0, sizeof st);
    rc = gzt_index_stats(idx, &st);
    if (rc != GZT_OK) {
        gzt_index_close(idx);
        return output_lib_error(rc, NULL);
    }
    if (args_has(a, "json")) {
        status = stats_json(idx, &st);
    } else {
        stats_text(idx, &st);
        status = EXIT_FOUND;
    }
    gzt_index_close(idx);
    return status;
}
