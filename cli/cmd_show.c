/* SPDX-License-Identifier: MIT */
/*
 * cmd_show.c: gazette show: one stored document, as header lines and body
 * (like a mail message) or as one JSON object. An unknown id is "nothing
 * found" (exit 1), not an error, as in grep.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "output.h"

static int
show_json(const gzt_stored *s)
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
    return jsonl_emit(obj, ok);
}

/* "key: value" with the key dim and the value in @p sgr. */
static void
header(bool color, const char *key, const char *value, size_t len,
       const char *sgr)
{
    output_sgr(stdout, color, SGR_DIM);
    printf("%s:", key);
    output_sgr_reset(stdout, color);
    if (len) {
        fputc(' ', stdout);
        output_sgr(stdout, color, sgr);
        output_text(stdout, value, len);
        output_sgr_reset(stdout, color);
    }
    fputc('\n', stdout);
}

static void
show_text(const gzt_stored *s, bool color)
{
    char date[11], length[32];

    output_date(date, s->date);
    snprintf(length, sizeof length, "%u %s", (unsigned)s->length,
             output_plural(s->length, "token", "tokens"));
    header(color, "id", s->id, strlen(s->id), SGR_MAGENTA);
    header(color, "title", s->title, s->title ? s->title_len : 0, SGR_BOLD);
    header(color, "date", date, strlen(date), NULL);
    header(color, "source", s->source, s->source ? strlen(s->source) : 0, NULL);
    header(color, "length", length, strlen(length), NULL);
    fputc('\n', stdout);
    if (!s->body_len)
        return;
    /* to a terminal, defuse escape sequences; to a file, the bytes */
    if (isatty(STDOUT_FILENO))
        output_text(stdout, s->body, s->body_len);
    else
        fwrite(s->body, 1, s->body_len, stdout);
    /* piped, the body byte for byte; on a terminal, end the line */
    if (s->body[s->body_len - 1] != '\n' && isatty(STDOUT_FILENO))
        fputc('\n', stdout);
}

int
cmd_show(const args *a)
{
    const char *id = a->operands[0];
    gzt_stored s = {0};
    gzt_index *idx = NULL;
    gzt_error err;
    int rc, status = EXIT_TROUBLE;

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
        if (args_has(a, "json"))
            status = show_json(&s);
        else {
            show_text(&s, output_use_color(args_get(a, "color")));
            status = EXIT_FOUND;
        }
        gzt_stored_fini(&s);
    }
    gzt_index_close(idx);
    return status;
}
