/* SPDX-License-Identifier: MIT */
/*
 * spec.h: the one table of the gazette command: its subcommands, their
 * options, descriptions and examples, and the shared prose (query language,
 * exit status, environment). --help, the man page and the shell completions
 * are all generated from it.
 */
#ifndef GZT_CLI_SPEC_H
#define GZT_CLI_SPEC_H

#include "args.h"

/* A term and its explanation, for the prose tables below. */
typedef struct spec_item {
    const char *term; /* "\"exact phrase\""; NULL ends a table */
    const char *text; /* what it means, one sentence */
} spec_item;

/* The top level: -h, -V, --generate. */
extern const arg_cmd spec_top;
/* The subcommands, ending with a row whose name is NULL. */
extern const arg_cmd spec_commands[];
/* The query language, in brief. */
extern const spec_item spec_query_syntax[];
/* Exit statuses. */
extern const spec_item spec_exit_status[];
/* Environment variables. */
extern const spec_item spec_environment[];
/* "full-text search for news archives" */
extern const char spec_tagline[];
/* What gazette is, for the man page and --help. */
extern const char spec_description[];

/* The subcommand called @p name, or NULL. */
const arg_cmd *spec_find(const char *name);

#endif
