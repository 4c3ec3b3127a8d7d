/* SPDX-License-Identifier: MIT */
/*
 * searchopts.h: what the commands that run a query (search, entities)
 * share: the QUERY words joined into one query, and the gzt_search_opts
 * read from their options.
 */
#ifndef GZT_CLI_SEARCHOPTS_H
#define GZT_CLI_SEARCHOPTS_H

#include <stddef.h>

#include "gazette.h"

#include "args.h"

/* The @p n QUERY words joined with spaces, in a new string (free()); NULL
 * after "out of memory" was printed. */
char *searchopts_join(const char *const *words, size_t n);

/* Fill @p o from the options of @p a: --limit, --offset, --all, --count,
 * --explain, --sort, --k1, --b, --since, --until (those the command lacks
 * keep their defaults). Returns EXIT_TROUBLE after a message for a date
 * the library refuses. */
int searchopts_read(gzt_search_opts *o, const args *a);

#endif
