/* SPDX-License-Identifier: MIT */
/*
 * jsonl.h: JSON Lines output through jansson: values built from library
 * data that never fail on bad UTF-8, and one compact object per line.
 */
#ifndef GZT_CLI_JSONL_H
#define GZT_CLI_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gazette.h"

/* The schema version every object carries as "version". */
#define JSONL_VERSION 1

/* A string of @p len bytes; invalid UTF-8 becomes U+FFFD. NULL when out of
 * memory. */
json_t *jsonl_string(const char *s, size_t len);
/* A string, or null when @p s is NULL or empty. */
json_t *jsonl_optional(const char *s, size_t len);
/* "2023-03-30", or null for 0. */
json_t *jsonl_date(gzt_date d);
json_t *jsonl_uint(uint64_t n);
/* A number, or null when not finite. */
json_t *jsonl_real(double v);
/* A new object with "type" (when not NULL) and "version". */
json_t *jsonl_object(const char *type);
/* obj[key] = value, taking the value; false when it is NULL or on failure,
 * so that `ok &= jsonl_set(...)` collects out-of-memory. */
bool jsonl_set(json_t *obj, const char *key, json_t *value);
/* Print @p obj as one line on stdout and release it. Returns EXIT_FOUND,
 * or EXIT_TROUBLE after a message: "out of memory" when !ok or obj is
 * NULL, or the write error. */
int jsonl_emit(json_t *obj, bool ok);

#endif
