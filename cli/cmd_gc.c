/* SPDX-License-Identifier: MIT */
/*
 * cmd_gc.c: gazette gc: remove what no committed generation names (the
 * leftovers of a killed writer) and say how much that was, as a line or
 * one JSON object.
 */
#include <stdio.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "output.h"

int
cmd_gc(const args *a)
{
    uint64_t removed = 0, bytes = 0;
    gzt_error err;
    int rc;

    output_err_clear(&err);
    rc = gzt_index_gc(args_index_dir(a), &removed, &bytes, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    if (args_has(a, "json")) {
        json_t *obj = jsonl_object("gc");
        bool ok = obj != NULL;
        ok &= jsonl_set(obj, "removed", jsonl_uint(removed));
        ok &= jsonl_set(obj, "bytes", jsonl_uint(bytes));
        return jsonl_emit(obj, ok);
    }
    char size[32];
    output_bytes(size, sizeof size, bytes);
    printf("removed %llu %s (%s)\n", (unsigned long long)removed,
           output_plural(removed, "leftover", "leftovers"), size);
    return EXIT_FOUND;
}
