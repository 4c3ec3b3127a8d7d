/* SPDX-License-Identifier: MIT */
/*
 * cmd_delete.c: gazette delete: delete documents by external id in one
 * commit. An id that is not in the index is a warning, not an error; the
 * exit status is 1 when none of the ids was there (nothing to delete).
 */
#include <stdio.h>

#include "gazette.h"

#include "commands.h"
#include "output.h"

int
cmd_delete(const args *a)
{
    gzt_writer_opts wo;
    gzt_writer *w = NULL;
    gzt_error err;
    uint64_t deleted = 0;
    int rc;

    gzt_writer_opts_init(&wo);
    wo.language = NULL; /* whatever the index has */
    /* deleting from an index that is not there must not create one */
    gzt_index *idx = NULL;
    output_err_clear(&err);
    rc = gzt_index_open(&idx, args_index_dir(a), &err);
    gzt_index_close(idx);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    output_err_clear(&err);
    rc = gzt_writer_open(&w, args_index_dir(a), &wo, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    for (size_t i = 0; i < a->noperands; i++) {
        output_err_clear(&err);
        rc = gzt_writer_delete(w, a->operands[i], &err);
        if (rc == GZT_ENOTFOUND) {
            output_warning("no document with id '%s'", a->operands[i]);
            continue;
        }
        if (rc != GZT_OK)
            goto fail;
        deleted++;
    }
    if (deleted) {
        output_err_clear(&err);
        rc = gzt_writer_commit(w, &err);
        if (rc != GZT_OK)
            goto fail;
    }
    gzt_writer_close(w);
    printf("deleted %llu %s\n", (unsigned long long)deleted,
           output_plural(deleted, "document", "documents"));
    return deleted ? EXIT_FOUND : EXIT_NOTHING;

fail:
    output_lib_error(rc, &err);
    gzt_writer_close(w); /* nothing of this run is committed */
    return EXIT_TROUBLE;
}
