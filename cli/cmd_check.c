/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c: gazette check: verify every file of an index, one line per
 * file as the library reports it, then "ok: N files verified" or the first
 * damage (exit 2).
 */
#include <stdio.h>
#include <string.h>

#include "gazette.h"

#include "commands.h"
#include "output.h"

static void
report(void *ctx, const char *line)
{
    size_t *files = ctx;

    (*files)++;
    output_text(stdout, line, strlen(line));
    fputc('\n', stdout);
}

int
cmd_check(const args *a)
{
    size_t files = 0;
    gzt_error err;
    int rc;

    output_err_clear(&err);
    rc = gzt_index_check(args_index_dir(a), report, &files, &err);
    if (rc != GZT_OK) {
        fflush(stdout); /* the verified files first, then what failed */
        return output_lib_error(rc, &err);
    }
    printf("ok: %zu %s verified\n", files,
           output_plural(files, "file", "files"));
    return EXIT_FOUND;
}
