/* SPDX-License-Identifier: MIT */
/*
 * generate.h: gazette --generate: the man page and the bash, zsh and fish
 * completion scripts, written from the command table.
 */
#ifndef GZT_CLI_GENERATE_H
#define GZT_CLI_GENERATE_H

#include <stdio.h>

/* Write @p kind ("man", "complete-bash", "complete-zsh", "complete-fish")
 * to @p f; returns the exit status. */
int generate_run(FILE *f, const char *kind);

#endif
