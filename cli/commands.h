/* SPDX-License-Identifier: MIT */
/*
 * commands.h: the entry points of the subcommands, one per cmd_*.c file.
 * Each takes the parsed command line and returns the exit status, having
 * printed any error itself.
 */
#ifndef GZT_CLI_COMMANDS_H
#define GZT_CLI_COMMANDS_H

#include "args.h"

int cmd_index(const args *a);
int cmd_reindex(const args *a);
int cmd_search(const args *a);
int cmd_show(const args *a);
int cmd_delete(const args *a);
int cmd_stats(const args *a);
int cmd_check(const args *a);
int cmd_gc(const args *a);
int cmd_entities(const args *a);
int cmd_bench_index(const args *a);
int cmd_bench_ner(const args *a);
int cmd_bench_queries(const args *a);
int cmd_ner_train(const args *a);
int cmd_eval(const args *a);
int cmd_sbg_index(const args *a);
int cmd_sbg_serve(const args *a);

#endif
