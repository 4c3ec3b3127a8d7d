/* SPDX-License-Identifier: MIT */
/*
 * progressbar.h: the progress bar of index and reindex, drawn on stderr
 * when it is a terminal: bar, percent, documents per second, megabytes per
 * second and time left, redrawn at most ten times a second.
 */
#ifndef GZT_CLI_PROGRESSBAR_H
#define GZT_CLI_PROGRESSBAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazette.h"

typedef struct progressbar {
    bool enabled;        /* draw at all: stderr is a terminal, no --quiet */
    bool drawn;          /* a bar is on the line now */
    size_t last_len;     /* columns of the line last drawn */
    const char *label;   /* the source being read, or NULL */
    double t_start;      /* when this label started */
    double t_drawn;      /* when the bar was last drawn */
    uint64_t docs_base;  /* documents reported before this label */
    uint64_t bytes_base; /* bytes reported before this label */
    uint64_t docs_last;  /* documents of the latest report */
    uint64_t bytes_last; /* bytes of the latest report */
} progressbar;

void progressbar_init(progressbar *pb, bool enabled);
/* A new source begins: rates and percent start over. */
void progressbar_start(progressbar *pb, const char *label);
/* A gzt_progress_fn; @p ctx is the progressbar. */
void progressbar_update(void *ctx, const gzt_progress *p);
/* Erase the bar (before a warning, and at the end). */
void progressbar_clear(progressbar *pb);

#endif
