/* SPDX-License-Identifier: MIT */
/*
 * markup.h: highlighted text for people: a snippet's spans shown as colours
 * on a terminal or as visible markers in plain text, word-wrapped at a
 * column with a hanging indent. Also the word wrapper for --help.
 */
#ifndef GZT_CLI_MARKUP_H
#define GZT_CLI_MARKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gazette.h"

/* How to lay text out. */
typedef struct markup_layout {
    bool color;           /* SGR colours, else text markers for spans */
    size_t width;         /* wrap before this column; 0 = never wrap */
    size_t indent;        /* columns of indent of every line */
    size_t column;        /* the cursor's column when called: the first
                             line is padded from there to the indent */
    const char *base_sgr; /* style of the whole text, NULL = plain */
} markup_layout;

/*
 * Print @p len bytes of @p text with the @p nspans @p spans (byte offsets
 * into the text, sorted or not; bad ones are ignored) highlighted, wrapped
 * at layout->width, then a newline. Runs of white space print as one space.
 * Overlapping spans are all shown: colours combine, markers nest.
 */
void markup_print(FILE *f, const char *text, size_t len, const gzt_span *spans,
                  size_t nspans, const markup_layout *layout);

/*
 * Print @p len bytes of @p text in colour as they are, line breaks and
 * spacing kept and nothing wrapped (a stored document on a terminal), with
 * the spans styled; control characters become U+FFFD. No newline is added.
 */
void markup_print_raw(FILE *f, const char *text, size_t len,
                      const gzt_span *spans, size_t nspans,
                      const char *base_sgr);

/* The JSON name of span kind @p kind: "match", "PER", "ORG", "LOC", "MISC";
 * "span" if unknown. */
const char *markup_kind_name(gzt_span_kind kind);
/* Whether @p kind is an entity mention rather than a query match. */
bool markup_is_entity(gzt_span_kind kind);

#endif
