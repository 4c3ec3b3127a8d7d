/* SPDX-License-Identifier: MIT */
/*
 * cmd_show.c: gazette show: one stored document, as header lines and body
 * (like a mail message) or as one JSON object. An unknown id is "nothing
 * found" (exit 1), not an error, as in grep.
 *
 * The entities recognised in the document are shown two ways. In colour,
 * the title and body have them underlined in the colour of their type,
 * with line breaks kept as stored; without colour the body is written
 * byte for byte, so that `gazette show ID > file` is the document. With
 * --entities a list of every span follows the document: type, text as
 * written, canonical form, field and byte offsets, which a script can
 * check against the body of --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "markup.h"
#include "output.h"

/* How to show the document. */
typedef struct show_view {
    bool color;      /* SGR escapes */
    bool highlights; /* colour the entities (with color) */
    bool entities;   /* list the entities after the document */
} show_view;

/* The text of mention @p m in @p s, or NULL when its offsets are outside
 * the field (a damaged index must not make us read past it). */
static const char *
mention_text(const gzt_stored *s, const gzt_mention *m, size_t *len)
{
    const char *field = m->in_title ? s->title : s->body;
    size_t flen = m->in_title ? s->title_len : s->body_len;

    if (!field || m->start >= m->end || m->end > flen)
        return NULL;
    *len = (size_t)(m->end - m->start);
    return field + m->start;
}

static json_t *
json_entities(const gzt_stored *s)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < s->nmentions; i++) {
        const gzt_mention *m = &s->mentions[i];
        const char *canon = m->canonical ? m->canonical : "";
        size_t len = 0;
        const char *text = mention_text(s, m, &len);
        if (!text)
            continue;
        json_t *e = json_object();
        bool ok = e != NULL;
        ok &= jsonl_set(e, "type", json_string(gzt_entity_type_name(m->type)));
        ok &= jsonl_set(e, "text", jsonl_string(text, len));
        ok &= jsonl_set(e, "canonical", jsonl_string(canon, strlen(canon)));
        ok &=
            jsonl_set(e, "field", json_string(m->in_title ? "title" : "body"));
        ok &= jsonl_set(e, "start", jsonl_uint(m->start));
        ok &= jsonl_set(e, "end", jsonl_uint(m->end));
        if (!ok)
            json_decref(e);
        if (!ok || json_array_append_new(arr, e) != 0) {
            json_decref(arr); /* append_new frees e when it fails */
            return NULL;
        }
    }
    return arr;
}

static int
show_json(const gzt_stored *s, const show_view *v)
{
    json_t *obj = jsonl_object("document");
    bool ok = obj != NULL;

    ok &= jsonl_set(obj, "id", jsonl_string(s->id, strlen(s->id)));
    ok &= jsonl_set(obj, "title", jsonl_optional(s->title, s->title_len));
    ok &= jsonl_set(obj, "date", jsonl_date(s->date));
    ok &=
        jsonl_set(obj, "source",
                  jsonl_optional(s->source, s->source ? strlen(s->source) : 0));
    ok &= jsonl_set(obj, "length", jsonl_uint(s->length));
    ok &= jsonl_set(obj, "body", jsonl_string(s->body, s->body_len));
    if (v->entities)
        ok &= jsonl_set(obj, "entities", json_entities(s));
    return jsonl_emit(obj, ok);
}

/* The mentions of one field as highlight spans, in a new array (NULL when
 * none, or out of memory: then nothing is highlighted). */
static gzt_span *
field_spans(const gzt_stored *s, bool title, size_t *n)
{
    gzt_span *spans;
    size_t flen = title ? s->title_len : s->body_len;

    *n = 0;
    if (!s->nmentions)
        return NULL;
    spans = calloc(s->nmentions, sizeof *spans);
    for (size_t i = 0; spans && i < s->nmentions; i++) {
        const gzt_mention *m = &s->mentions[i];
        if (!m->in_title != !title || m->start >= m->end || m->end > flen)
            continue;
        spans[*n].kind = (gzt_span_kind)m->type;
        spans[*n].start = (uint32_t)m->start;
        spans[*n].end = (uint32_t)m->end;
        spans[*n].doc_start = m->start;
        spans[*n].doc_end = m->end;
        spans[*n].canonical = m->canonical;
        (*n)++;
    }
    return spans;
}

/* "key: value" with the key dim and the value in @p sgr; the value's
 * entities coloured when @p spans. */
static void
header(bool color, const char *key, const char *value, size_t len,
       const char *sgr, const gzt_span *spans, size_t nspans)
{
    output_sgr(stdout, color, SGR_DIM);
    printf("%s:", key);
    output_sgr_reset(stdout, color);
    if (len) {
        fputc(' ', stdout);
        if (color && nspans) {
            markup_print_raw(stdout, value, len, spans, nspans, sgr);
        } else {
            output_sgr(stdout, color, sgr);
            output_text(stdout, value, len);
            output_sgr_reset(stdout, color);
        }
    }
    fputc('\n', stdout);
}

/* Columns the --entities list pads its text and canonical columns to at
 * most: one long name must not push every row off the screen. */
#define LIST_COLUMN_MAX 28

/* Whether a mention's canonical form is other than its text. */
static bool
renamed(const gzt_mention *m, const char *text, size_t len)
{
    return m->canonical &&
           (strlen(m->canonical) != len || memcmp(m->canonical, text, len));
}

/* Spaces from @p used columns to @p column, at least two. */
static void
pad(size_t used, size_t column)
{
    printf("%*s", (int)(used + 2 <= column ? column - used : 2), "");
}

/* The --entities list: one aligned line per span,
 *   PER  Sergei Lavrov  → Sergey Lavrov  (body 36-49)
 * with the arrow only where the canonical form differs from the text. */
static void
list_entities(const gzt_stored *s, bool color)
{
    size_t text_w = 0, canon_w = 0, shown = 0;

    for (size_t i = 0; i < s->nmentions; i++) {
        const gzt_mention *m = &s->mentions[i];
        size_t len = 0, w;
        const char *text = mention_text(s, m, &len);
        if (!text)
            continue;
        shown++;
        w = output_text_width(text, len);
        text_w = w > text_w ? w : text_w;
        if (renamed(m, text, len)) {
            w = 2 + output_text_width(m->canonical, strlen(m->canonical));
            canon_w = w > canon_w ? w : canon_w;
        }
    }
    text_w = text_w > LIST_COLUMN_MAX ? LIST_COLUMN_MAX : text_w;
    canon_w = canon_w > LIST_COLUMN_MAX ? LIST_COLUMN_MAX : canon_w;
    fputc('\n', stdout);
    output_sgr(stdout, color, SGR_DIM);
    printf("entities:");
    output_sgr_reset(stdout, color);
    printf(" %zu\n", shown);
    for (size_t i = 0; i < s->nmentions; i++) {
        const gzt_mention *m = &s->mentions[i];
        size_t len = 0, w = 0;
        const char *text = mention_text(s, m, &len);
        if (!text)
            continue;
        gzt_span sp = {(gzt_span_kind)m->type, 0, (uint32_t)len, 0, 0, NULL};
        printf("%-4s ", gzt_entity_type_name(m->type));
        if (color)
            markup_print_raw(stdout, text, len, &sp, 1, NULL);
        else
            output_text(stdout, text, len);
        pad(output_text_width(text, len), text_w + 2);
        if (canon_w) {
            if (renamed(m, text, len)) {
                fputs("\xE2\x86\x92 ", stdout); /* → */
                output_text(stdout, m->canonical, strlen(m->canonical));
                w = 2 + output_text_width(m->canonical, strlen(m->canonical));
            }
            pad(w, canon_w + 2);
        }
        output_sgr(stdout, color, SGR_DIM);
        printf("(%s %llu-%llu)", m->in_title ? "title" : "body",
               (unsigned long long)m->start, (unsigned long long)m->end);
        output_sgr_reset(stdout, color);
        fputc('\n', stdout);
    }
}

static void
show_text(const gzt_stored *s, const show_view *v)
{
    bool color = v->color, tty = isatty(STDOUT_FILENO);
    size_t ntitle = 0, nbody = 0;
    gzt_span *title = NULL, *body = NULL;
    char date[11], length[32];

    if (color && v->highlights) {
        title = field_spans(s, true, &ntitle);
        body = field_spans(s, false, &nbody);
    }
    output_date(date, s->date);
    snprintf(length, sizeof length, "%u %s", (unsigned)s->length,
             output_plural(s->length, "token", "tokens"));
    header(color, "id", s->id, strlen(s->id), SGR_MAGENTA, NULL, 0);
    header(color, "title", s->title, s->title ? s->title_len : 0, SGR_BOLD,
           title, ntitle);
    header(color, "date", date, strlen(date), NULL, NULL, 0);
    header(color, "source", s->source, s->source ? strlen(s->source) : 0, NULL,
           NULL, 0);
    header(color, "length", length, strlen(length), NULL, NULL, 0);
    fputc('\n', stdout);
    if (s->body_len) {
        /* in colour or to a terminal, defuse escape sequences; to a file,
         * the bytes */
        if (color && nbody)
            markup_print_raw(stdout, s->body, s->body_len, body, nbody, NULL);
        else if (tty || color)
            output_text(stdout, s->body, s->body_len);
        else
            fwrite(s->body, 1, s->body_len, stdout);
        /* piped, the body byte for byte; on a terminal (or before the
         * list of entities), end the line */
        if (s->body[s->body_len - 1] != '\n' && (tty || v->entities))
            fputc('\n', stdout);
    }
    if (v->entities)
        list_entities(s, color);
    free(title);
    free(body);
}

int
cmd_show(const args *a)
{
    const char *id = a->operands[0];
    gzt_stored s = {0};
    gzt_index *idx = NULL;
    gzt_error err;
    show_view v;
    int rc, status = EXIT_TROUBLE;

    v.color = output_use_color(args_get(a, "color"));
    v.highlights = !args_has(a, "no-entity-highlights");
    v.entities = args_has(a, "entities");
    output_err_clear(&err);
    rc = gzt_index_open(&idx, args_index_dir(a), &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    output_err_clear(&err);
    rc = gzt_index_get(&s, idx, id, &err);
    if (rc == GZT_ENOTFOUND) {
        output_error("show: no document with id '%s'", id);
        status = EXIT_NOTHING;
    } else if (rc != GZT_OK) {
        output_lib_error(rc, &err);
    } else {
        if (args_has(a, "json")) {
            status = show_json(&s, &v);
        } else {
            show_text(&s, &v);
            status = EXIT_FOUND;
        }
        gzt_stored_fini(&s);
    }
    gzt_index_close(idx);
    return status;
}
