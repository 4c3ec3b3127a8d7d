/* SPDX-License-Identifier: MIT */
/*
 * progressbar.c: the indexing progress bar (see progressbar.h).
 *
 *   corpus/  [=========>          ]  45%  5,432 docs/s  12.3 MB/s  ETA 0:42
 *
 * The library reports counters about ten times a second; whether they count
 * from the start of the writer or of each source is not promised, so each
 * source's rates are measured from the counters seen when it began, and a
 * counter that goes down means they restart per source. Nothing is drawn
 * in the first fifth of a second, so small jobs do not flash a bar. The
 * line is padded with spaces rather than cleared with an escape sequence,
 * so it works on any terminal.
 */
#include "progressbar.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

#define REDRAW_SECONDS 0.1
#define FIRST_DRAW_SECONDS 0.2
#define LABEL_MAX 24 /* bytes of the source name shown */
#define BAR_MIN 10   /* narrower than this, no bar */

void
progressbar_init(progressbar *pb, bool enabled)
{
    memset(pb, 0, sizeof *pb);
    pb->enabled = enabled;
    pb->t_start = output_now();
}

void
progressbar_start(progressbar *pb, const char *label)
{
    pb->label = label;
    pb->t_start = output_now();
    pb->docs_base = pb->docs_last;
    pb->bytes_base = pb->bytes_last;
}

void
progressbar_clear(progressbar *pb)
{
    if (!pb->drawn)
        return;
    fputc('\r', stderr);
    for (size_t i = 0; i < pb->last_len; i++)
        fputc(' ', stderr);
    fputc('\r', stderr);
    fflush(stderr);
    pb->drawn = false;
    pb->last_len = 0;
}

/* The end of @p label, at most LABEL_MAX bytes, cut at a character. */
static const char *
short_label(const char *label, bool *cut)
{
    size_t len = strlen(label);
    const char *s = label;

    *cut = false;
    if (len > LABEL_MAX) {
        s = label + len - LABEL_MAX;
        while (*s && ((unsigned char)*s & 0xC0) == 0x80)
            s++;
        *cut = true;
    }
    return s;
}

static void
draw(progressbar *pb, const gzt_progress *p, double now)
{
    char stats[200], docs[32], rate[32], eta[48], done[32];
    size_t width = output_term_width(STDERR_FILENO);
    double secs = now - pb->t_start;
    uint64_t ndocs = p->docs - pb->docs_base;
    uint64_t nbytes = p->bytes - pb->bytes_base;
    double frac = -1;
    bool cut = false;
    const char *label = !pb->label ? ""
                        : !strcmp(pb->label, "-")
                            ? "stdin"
                            : short_label(pb->label, &cut);
    size_t label_w =
        pb->label ? output_text_width(label, strlen(label)) + (cut ? 1 : 0) + 2
                  : 0;

    if (width == 0)
        width = 80;
    if (p->bytes_total) {
        /* per-source counters are within the total; writer-wide ones
         * are not, and count from this source's start instead */
        uint64_t b = p->bytes <= p->bytes_total ? p->bytes : nbytes;
        frac = (double)b / (double)p->bytes_total;
        if (frac > 1)
            frac = 1;
    }
    output_count(docs, sizeof docs, (uint64_t)((double)ndocs / secs));
    output_bytes(rate, sizeof rate, (uint64_t)((double)nbytes / secs));
    /* fixed-width fields, so the bar does not jump about */
    if (frac >= 0) {
        snprintf(eta, sizeof eta, "-:--");
        if (nbytes > 0) {
            double left = (double)(p->bytes_total) * (1 - frac);
            output_clock(eta, sizeof eta, left / ((double)nbytes / secs));
        }
        snprintf(stats, sizeof stats, "%3d%%  %7s docs/s  %9s/s  ETA %5s",
                 (int)(frac * 100), docs, rate, eta);
    } else {
        output_count(done, sizeof done, p->docs);
        output_bytes(eta, sizeof eta, p->bytes);
        snprintf(stats, sizeof stats, "%s docs  %s  %7s docs/s  %9s/s", done,
                 eta, docs, rate);
    }

    size_t stats_w = strlen(stats);
    size_t avail = width - 1; /* the last column would wrap the line */
    size_t bar = 0;
    if (frac >= 0 && avail > label_w + stats_w + 4 + BAR_MIN)
        bar = avail - label_w - stats_w - 4;
    else if (frac >= 0 && avail > stats_w + 4 + BAR_MIN) {
        bar = avail - stats_w - 4;
        label_w = 0;
    }
    if (bar > 60)
        bar = 60;
    if (label_w + stats_w > avail)
        label_w = 0;

    size_t len = 0;
    fputc('\r', stderr);
    if (label_w) {
        fprintf(stderr, "%s", cut ? "\xE2\x80\xA6" : "");
        output_text(stderr, label, strlen(label));
        fputs("  ", stderr);
        len += label_w;
    }
    if (bar) {
        size_t inner = bar - 2, fill = (size_t)(frac * (double)inner);
        fputc('[', stderr);
        for (size_t i = 0; i < inner; i++)
            fputc(i < fill ? '=' : i == fill ? '>' : ' ', stderr);
        fputs("]  ", stderr);
        len += bar + 2;
    }
    if (stats_w > avail - len)
        stats_w = avail - len;
    fprintf(stderr, "%.*s", (int)stats_w, stats);
    len += stats_w;
    for (size_t i = len; i < pb->last_len; i++)
        fputc(' ', stderr);
    fflush(stderr);
    pb->last_len = len;
    pb->drawn = true;
    pb->t_drawn = now;
}

void
progressbar_update(void *ctx, const gzt_progress *p)
{
    progressbar *pb = ctx;
    double now;

    if (p->docs < pb->docs_base || p->bytes < pb->bytes_base) {
        /* counters restart per source */
        pb->docs_base = 0;
        pb->bytes_base = 0;
    }
    pb->docs_last = p->docs;
    pb->bytes_last = p->bytes;
    if (!pb->enabled)
        return;
    now = output_now();
    if (now - pb->t_start < FIRST_DRAW_SECONDS ||
        (pb->drawn && now - pb->t_drawn < REDRAW_SECONDS))
        return;
    draw(pb, p, now);
}
