/* SPDX-License-Identifier: MIT */
/*
 * help.h: --help text from the command table, and the small formatting
 * pieces the man page and completions share with it.
 */
#ifndef GZT_CLI_HELP_H
#define GZT_CLI_HELP_H

#include <stddef.h>
#include <stdio.h>

#include "args.h"

/* What the help and the man page add to an ARG_REPEAT option's help. */
#define HELP_REPEAT "(may be given more than once)"

/* Print the help of @p cmd (spec_top for gazette --help) on @p f. */
void help_print(FILE *f, const arg_cmd *cmd);
/* "gazette search [OPTIONS] QUERY..." into @p buf. */
void help_usage(char *buf, size_t cap, const arg_cmd *cmd);
/* The values an option takes, "auto, always, never", into @p buf; "" when
 * it takes any value. ARG_LANGUAGE lists gzt_languages(). */
void help_values(char *buf, size_t cap, const arg_opt *opt, const char *sep);

#endif
