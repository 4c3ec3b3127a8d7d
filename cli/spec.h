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
/* The subcommands, ending with a row whose name is NULL; groups hold
 * theirs in arg_cmd.subs. */
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

/* The row of @p table (spec_commands, or a group's subs) whose last word
 * is @p word, or NULL. */
const arg_cmd *spec_find(const arg_cmd *table, const char *word);
/* Every row after @p prev (NULL: the first), groups followed by their
 * commands: for (c = spec_walk(NULL); c; c = spec_walk(c)). */
const arg_cmd *spec_walk(const arg_cmd *prev);
/* The last word of a command's name: "ner" for "bench ner". */
const char *spec_word(const arg_cmd *cmd);

#endif
