/* SPDX-License-Identifier: MIT */
/*
 * output.h: what every subcommand prints with: error and warning lines on
 * stderr, the colour decision, ANSI SGR styles, the terminal width, and
 * human-readable numbers, sizes, dates and durations.
 */
#ifndef GZT_CLI_OUTPUT_H
#define GZT_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gazette.h"

#include "args.h"

/* SGR parameters of the styles the CLI uses. */
#define SGR_BOLD "1"
#define SGR_DIM "2"
#define SGR_RED_BOLD "1;31"
#define SGR_MAGENTA "35"
#define SGR_UNDERLINE "4"
/* Entities: underlined (visible without colour vision) in their type's
 * colour. */
#define SGR_PER "4;36"  /* cyan */
#define SGR_ORG "4;32"  /* green */
#define SGR_LOC "4;33"  /* yellow */
#define SGR_MISC "4;35" /* magenta */

/* "gazette: MSG" on stderr. */
void output_error(const char *fmt, ...) ARGS_PRINTF(1, 2);
/* "gazette: warning: MSG" on stderr. */
void output_warning(const char *fmt, ...) ARGS_PRINTF(1, 2);
/* "gazette: " + err->msg, or gzt_strerror(code) when the message is empty;
 * returns EXIT_TROUBLE. */
int output_lib_error(int code, const gzt_error *err);
/* An empty gzt_error, to pass to a library call. */
void output_err_clear(gzt_error *err);

/* Whether to colour standard output, by --color (NULL = auto): auto means
 * stdout is a terminal, TERM is not "dumb" and NO_COLOR is unset or empty. */
bool output_use_color(const char *when);
/* Columns of the terminal on @p fd, or 0 when it is not a terminal. */
size_t output_term_width(int fd);

/* Start style @p sgr (when @p on). */
void output_sgr(FILE *f, bool on, const char *sgr);
/* Back to the default style (when @p on). */
void output_sgr_reset(FILE *f, bool on);
/* Print @p len bytes of untrusted text for a terminal: control characters
 * (which could move the cursor or retitle the window) become U+FFFD. */
void output_text(FILE *f, const char *s, size_t len);

/* Flush stdout and report a write error (a full disk, a closed pipe);
 * returns @p status, or EXIT_TROUBLE after such an error. */
int output_finish(int status);

/* "1,234,567" */
void output_count(char *buf, size_t cap, uint64_t n);
/* "512 B", "9.4 KB", "1.2 GB": powers of 1000 */
void output_bytes(char *buf, size_t cap, uint64_t n);
/* "2023-03-30", or "" for 0 */
void output_date(char buf[11], gzt_date d);
/* "0.42 ms", "1.25 s" from microseconds */
void output_micros(char *buf, size_t cap, double micros);
/* "0:42", "1:02:03" */
void output_clock(char *buf, size_t cap, double seconds);
/* @p one when n == 1, else @p many */
const char *output_plural(uint64_t n, const char *one, const char *many);
/* seconds of a monotonic clock */
double output_now(void);
/* rm -rf @p path (absent is fine); a warning when it cannot */
void output_remove_tree(const char *path);
/* Bytes of the files under @p path (a file or a directory tree); 0 when it
 * cannot be read. */
uint64_t output_tree_bytes(const char *path);

/* Bytes of the UTF-8 sequence at @p s (at most @p len) and its code point
 * in *cp; 1 with *cp = -1 for an invalid byte. */
size_t output_utf8_next(const char *s, size_t len, int32_t *cp);
/* Terminal columns of code point @p cp: 0 for combining marks, 2 for East
 * Asian wide characters, else 1. */
size_t output_cp_width(int32_t cp);
/* Terminal columns of @p len bytes of UTF-8. */
size_t output_text_width(const char *s, size_t len);

#endif
