/* SPDX-License-Identifier: MIT */
/*
 * markup.c: highlighted, word-wrapped text (see markup.h).
 *
 * Each kind of span has one row in span_styles: its JSON name, its plain
 * text markers, its terminal style and its layer, so a new kind is one
 * more row. Spans become open/close events sorted by position, outer
 * spans opening first and closing last, so nested spans print as nested
 * markers ("{PER Sergei **Lavrov**}") and overlapping ones still show both
 * their edges; of two spans over the same text, the one of the lower layer
 * (an entity) is the outer one. On a terminal the style at each point is
 * recomputed from all open spans, lower layers first: a query match inside
 * a person's name keeps the name's underline and turns bold red, so both
 * stay visible, and an entity is seen without colour by its underline.
 *
 * Wrapping is greedy, word by word. A marker glues to its word: an opening
 * marker to the word after it, a closing one to the word before, so a span
 * never starts or ends on a dangling space, and markers count towards the
 * width. At a line break the terminal style is reset before the newline
 * and restored after the indent.
 */
#include "markup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* How one kind of span looks. */
typedef struct span_style {
    int kind;          /* gzt_span_kind */
    const char *name;  /* JSON "kind" */
    const char *open;  /* plain-text marker before the span */
    const char *close; /* plain-text marker after it */
    const char *sgr;   /* style on a terminal */
    int layer;         /* 0 to STYLE_LAYERS - 1: higher layers nest inside
                          and style over lower ones */
} span_style;

/* Layers of span_style: entities, then matches. */
#define STYLE_LAYERS 2

static const span_style span_styles[] = {
    {GZT_SPAN_MATCH, "match", "**", "**", SGR_RED_BOLD, 1},
    {GZT_SPAN_PER, "PER", "{PER ", "}", SGR_PER, 0},
    {GZT_SPAN_ORG, "ORG", "{ORG ", "}", SGR_ORG, 0},
    {GZT_SPAN_LOC, "LOC", "{LOC ", "}", SGR_LOC, 0},
    {GZT_SPAN_MISC, "MISC", "{MISC ", "}", SGR_MISC, 0},
};

/* kinds this binary does not know yet still show */
static const span_style unknown_style = {-1,   "span",        "[[",
                                         "]]", SGR_UNDERLINE, 0};

static const span_style *
style_of(gzt_span_kind kind)
{
    for (size_t i = 0; i < sizeof span_styles / sizeof span_styles[0]; i++)
        if (span_styles[i].kind == (int)kind)
            return &span_styles[i];
    return &unknown_style;
}

const char *
markup_kind_name(gzt_span_kind kind)
{
    return style_of(kind)->name;
}

bool
markup_is_entity(gzt_span_kind kind)
{
    return kind != GZT_SPAN_MATCH;
}

/* One edge of a span. */
typedef struct edge {
    size_t pos;   /* byte offset in the text */
    size_t start; /* the span's start */
    size_t end;   /* the span's end */
    size_t span;  /* index into the spans */
    int layer;    /* its style's layer */
    bool open;    /* opening edge, else closing */
} edge;

static int
edge_cmp(const void *pa, const void *pb)
{
    const edge *a = pa, *b = pb;

    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    if (a->open != b->open)
        return a->open ? 1 : -1; /* close what ends here before opening */
    if (a->open) {
        if (a->end != b->end)
            return a->end > b->end ? -1 : 1; /* outer first */
        if (a->layer != b->layer)
            return a->layer < b->layer ? -1 : 1; /* same text: lower outside */
        return a->span < b->span ? -1 : a->span > b->span;
    }
    if (a->start != b->start)
        return a->start > b->start ? -1 : 1; /* last opened closes first */
    if (a->layer != b->layer)
        return a->layer > b->layer ? -1 : 1;
    return a->span > b->span ? -1 : a->span < b->span;
}

/* Where a span is in its life. */
enum { SPAN_WAITING, SPAN_PENDING, SPAN_OPEN, SPAN_CLOSED };

/* The state of one markup_print() call. */
typedef struct printer {
    FILE *f;                     /* output */
    const markup_layout *layout; /* how */
    const gzt_span *spans;       /* the caller's spans */
    edge *edges;                 /* sorted edges of the valid spans */
    size_t nedges;               /* count */
    size_t next;                 /* first edge not yet handled */
    unsigned char *state;        /* per span: SPAN_* */
    size_t *active;              /* open spans in the order they opened */
    size_t nactive;              /* count */
    size_t *pending;             /* spans to open before the next word */
    size_t npending;             /* count */
    size_t column;               /* cursor column */
    bool line_has_text;          /* a word was printed on this line */
    bool dirty;                  /* the style changed since it was set */
    bool styled;                 /* the terminal is not in the default style */
} printer;

/* Before printing: set the terminal style to the base plus every open span,
 * once, however many edges came since the last character. */
static void
restyle(printer *p)
{
    if (!p->layout->color || !p->dirty)
        return;
    p->dirty = false;
    if (p->styled)
        output_sgr_reset(p->f, true);
    p->styled = p->layout->base_sgr || p->nactive;
    output_sgr(p->f, true, p->layout->base_sgr);
    for (int layer = 0; layer < STYLE_LAYERS; layer++) {
        for (size_t i = 0; i < p->nactive; i++) {
            const span_style *st = style_of(p->spans[p->active[i]].kind);
            if (st->layer == layer)
                output_sgr(p->f, true, st->sgr);
        }
    }
}

/* Back to the default style before a newline or the end. */
static void
unstyle(printer *p)
{
    if (p->styled)
        output_sgr_reset(p->f, true);
    p->styled = false;
    p->dirty = true;
}

static void
open_span(printer *p, size_t span)
{
    p->state[span] = SPAN_OPEN;
    p->active[p->nactive++] = span;
    if (p->layout->color)
        p->dirty = true;
    else
        fputs(style_of(p->spans[span].kind)->open, p->f);
}

static void
close_span(printer *p, size_t span)
{
    if (p->state[span] == SPAN_PENDING) {
        /* it held only white space: drop it */
        for (size_t i = 0; i < p->npending; i++)
            if (p->pending[i] == span)
                p->pending[i] = p->pending[--p->npending];
        p->state[span] = SPAN_CLOSED;
        return;
    }
    if (p->state[span] != SPAN_OPEN)
        return;
    p->state[span] = SPAN_CLOSED;
    for (size_t i = 0; i < p->nactive; i++) {
        if (p->active[i] == span) {
            memmove(p->active + i, p->active + i + 1,
                    (p->nactive - i - 1) * sizeof *p->active);
            p->nactive--;
            break;
        }
    }
    if (p->layout->color)
        p->dirty = true;
    else
        fputs(style_of(p->spans[span].kind)->close, p->f);
}

static void
pad_to(printer *p, size_t column)
{
    for (; p->column < column; p->column++)
        fputc(' ', p->f);
}

static void
newline(printer *p)
{
    unstyle(p); /* so that the indent is not underlined or coloured */
    fputc('\n', p->f);
    p->column = 0;
    pad_to(p, p->layout->indent);
    p->line_has_text = false;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Columns the markers of edges before and inside the word [ws, we) take. */
static size_t
marker_width(const printer *p, size_t we)
{
    size_t w = 0;

    if (p->layout->color)
        return 0;
    for (size_t i = 0; i < p->npending; i++)
        w += strlen(style_of(p->spans[p->pending[i]].kind)->open);
    for (size_t i = p->next; i < p->nedges; i++) {
        const edge *e = &p->edges[i];
        if (e->pos > we || (e->pos == we && e->open))
            break;
        const span_style *st = style_of(p->spans[e->span].kind);
        w += strlen(e->open ? st->open : st->close);
    }
    return w;
}

/* Handle the edges that fall in white space before the word at @p pos:
 * closes (also one right at the word's start) glue to the word before,
 * opens wait for the word after. */
static void
gap_edges(printer *p, size_t pos)
{
    for (; p->next < p->nedges; p->next++) {
        const edge *e = &p->edges[p->next];
        if (e->pos > pos || (e->pos == pos && e->open))
            break;
        if (!e->open) {
            close_span(p, e->span);
        } else if (p->state[e->span] == SPAN_WAITING) {
            p->state[e->span] = SPAN_PENDING;
            p->pending[p->npending++] = e->span;
        }
    }
}

static void
print_word(printer *p, const char *text, size_t ws, size_t we)
{
    for (size_t i = 0; i < p->npending; i++)
        open_span(p, p->pending[i]);
    p->npending = 0;
    for (size_t i = ws; i < we;) {
        int32_t cp;
        size_t n = output_utf8_next(text + i, we - i, &cp);
        for (; p->next < p->nedges && p->edges[p->next].pos <= i; p->next++) {
            const edge *e = &p->edges[p->next];
            if (e->open)
                open_span(p, e->span);
            else
                close_span(p, e->span);
        }
        restyle(p);
        output_text(p->f, text + i, n);
        i += n;
    }
    for (; p->next < p->nedges && p->edges[p->next].pos == we &&
           !p->edges[p->next].open;
         p->next++)
        close_span(p, p->edges[p->next].span);
}

/* Sort the edges of the valid spans; false when out of memory. */
static bool
collect_edges(printer *p, size_t len, size_t nspans)
{
    size_t n = 0;

    if (nspans == 0)
        return true;
    if (nspans > SIZE_MAX / (2 * sizeof(edge) + 3 * sizeof(size_t) + 1))
        return false;
    p->edges = malloc(nspans * 2 * sizeof *p->edges);
    p->active = malloc(nspans * sizeof *p->active);
    p->pending = malloc(nspans * sizeof *p->pending);
    p->state = calloc(nspans, 1);
    if (!p->edges || !p->active || !p->pending || !p->state)
        return false;
    for (size_t i = 0; i < nspans; i++) {
        const gzt_span *s = &p->spans[i];
        int layer = style_of(s->kind)->layer;
        if (s->start >= s->end || s->end > len)
            continue; /* empty or past the text: nothing to show */
        p->edges[n++] = (edge){s->start, s->start, s->end, i, layer, true};
        p->edges[n++] = (edge){s->end, s->start, s->end, i, layer, false};
    }
    qsort(p->edges, n, sizeof *p->edges, edge_cmp);
    p->nedges = n;
    return true;
}

void
markup_print(FILE *f, const char *text, size_t len, const gzt_span *spans,
             size_t nspans, const markup_layout *layout)
{
    printer p = {0};
    size_t i = 0;

    p.f = f;
    p.layout = layout;
    p.spans = spans;
    p.column = layout->column;
    if (!collect_edges(&p, len, nspans))
        p.nedges = 0; /* out of memory: the text without highlights */
    p.dirty = true;
    for (;;) {
        size_t ws = i, we;
        while (ws < len && is_space(text[ws]))
            ws++;
        gap_edges(&p, ws < len ? ws : SIZE_MAX);
        if (ws == len)
            break;
        for (we = ws; we < len && !is_space(text[we]);)
            we++;
        size_t w = output_text_width(text + ws, we - ws) + marker_width(&p, we);
        if (!p.line_has_text) {
            pad_to(&p, layout->indent);
        } else {
            if (layout->width && p.column + 1 + w > layout->width)
                newline(&p);
            else {
                restyle(&p); /* a span across the space styles it too */
                fputc(' ', f);
                p.column++;
            }
        }
        print_word(&p, text, ws, we);
        p.column += w;
        p.line_has_text = true;
        i = we;
    }
    unstyle(&p);
    fputc('\n', f);
    free(p.edges);
    free(p.active);
    free(p.pending);
    free(p.state);
}

void
markup_print_raw(FILE *f, const char *text, size_t len, const gzt_span *spans,
                 size_t nspans, const char *base_sgr)
{
    markup_layout layout = {true, 0, 0, 0, base_sgr};
    printer p = {0};

    p.f = f;
    p.layout = &layout;
    p.spans = spans;
    if (!collect_edges(&p, len, nspans))
        p.nedges = 0;
    p.dirty = true;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t n = output_utf8_next(text + i, len - i, &cp);
        for (; p.next < p.nedges && p.edges[p.next].pos <= i; p.next++) {
            const edge *e = &p.edges[p.next];
            if (e->open)
                open_span(&p, e->span);
            else
                close_span(&p, e->span);
        }
        if (cp == '\n') {
            unstyle(&p); /* nothing styled past the end of a line */
            fputc('\n', f);
        } else {
            restyle(&p);
            output_text(f, text + i, n);
        }
        i += n;
    }
    unstyle(&p);
    free(p.edges);
    free(p.active);
    free(p.pending);
    free(p.state);
}
