/* SPDX-License-Identifier: MIT */
/*
 * help.c: gazette --help and gazette COMMAND --help, laid out from the
 * command table (spec.c) and word-wrapped to the terminal (at most 100
 * columns, 80 when not a terminal).
 */
#include "help.h"

#include <string.h>
#include <unistd.h>

#include "gazette.h"

#include "markup.h"
#include "output.h"
#include "spec.h"

/* Where option help starts, unless every label is narrower. */
#define HELP_MAX_LABEL 28

static size_t
help_width(void)
{
    size_t w = output_term_width(STDOUT_FILENO);

    if (w == 0)
        return 80;
    return w > 100 ? 100 : w < 40 ? 40 : w;
}

void
help_usage(char *buf, size_t cap, const arg_cmd *cmd)
{
    if (!cmd->name)
        snprintf(buf, cap, "gazette COMMAND [OPTIONS] [ARGS]...");
    else if (cmd->subs)
        snprintf(buf, cap, "gazette %s COMMAND [OPTIONS] [ARGS]...", cmd->name);
    else if (cmd->operands)
        snprintf(buf, cap, "gazette %s [OPTIONS] %s", cmd->name, cmd->operands);
    else
        snprintf(buf, cap, "gazette %s [OPTIONS]", cmd->name);
}

void
help_values(char *buf, size_t cap, const arg_opt *opt, const char *sep)
{
    size_t len = 0;

    buf[0] = '\0';
    if (opt->type == ARG_CHOICE) {
        for (const char *c = opt->choices; *c && len + 1 < cap;) {
            size_t n = strcspn(c, "|");
            int w = snprintf(buf + len, cap - len, "%s%.*s", len ? sep : "",
                             (int)n, c);
            if (w < 0 || (size_t)w >= cap - len)
                break;
            len += (size_t)w;
            c += n;
            if (*c == '|')
                c++;
        }
    } else if (opt->type == ARG_LANGUAGE) {
        const char **langs = gzt_languages();
        bool has_none = false;
        for (size_t i = 0; langs && langs[i]; i++) {
            int w = snprintf(buf + len, cap - len, "%s%s", len ? sep : "",
                             langs[i]);
            if (w < 0 || (size_t)w >= cap - len)
                return;
            len += (size_t)w;
            has_none |= !strcmp(langs[i], "none");
        }
        if (!has_none)
            snprintf(buf + len, cap - len, "%snone", len ? sep : "");
    }
}

/* "-i, --index DIR" or "    --offset N" */
static void
opt_label(char *buf, size_t cap, const arg_opt *opt)
{
    char s[8] = "    ";

    if (opt->short_name)
        snprintf(s, sizeof s, "-%c, ", opt->short_name);
    snprintf(buf, cap, "%s--%s%s%s", s, opt->long_name,
             opt->value_name ? " " : "",
             opt->value_name ? opt->value_name : "");
}

/* Print @p text wrapped from column @p column with hanging @p indent. */
static void
wrap(FILE *f, const char *text, size_t column, size_t indent, size_t width)
{
    markup_layout layout = {false, width, indent, column, NULL};

    markup_print(f, text, strlen(text), NULL, 0, &layout);
}

/* Paragraphs separated by blank lines, each wrapped. */
static void
paragraphs(FILE *f, const char *text, size_t indent, size_t width)
{
    while (*text) {
        const char *end = strstr(text, "\n\n");
        size_t len = end ? (size_t)(end - text) : strlen(text);
        markup_layout layout = {false, width, indent, 0, NULL};
        markup_print(f, text, len, NULL, 0, &layout);
        if (!end)
            break;
        fputc('\n', f);
        text = end + 2;
    }
}

/* A two-column table: labels, then their wrapped explanations. */
static void
table_row(FILE *f, const char *label, const char *text, size_t column,
          size_t width)
{
    size_t len = strlen(label);

    fprintf(f, "  %s", label);
    if (2 + len + 2 > column) {
        fputc('\n', f);
        wrap(f, text, 0, column, width);
    } else {
        wrap(f, text, 2 + len, column, width);
    }
}

static size_t
label_column(size_t widest)
{
    size_t col = 2 + widest + 2;

    return col > HELP_MAX_LABEL ? HELP_MAX_LABEL : col;
}

static void
print_options(FILE *f, const arg_cmd *cmd, size_t width)
{
    char label[96], values[1024], text[1400];
    size_t widest = 0;

    for (const arg_opt *o = cmd->opts; o->long_name; o++) {
        opt_label(label, sizeof label, o);
        if (strlen(label) > widest)
            widest = strlen(label);
    }
    fputs("Options:\n", f);
    for (const arg_opt *o = cmd->opts; o->long_name; o++) {
        opt_label(label, sizeof label, o);
        help_values(values, sizeof values, o, ", ");
        if (values[0])
            snprintf(text, sizeof text, "%s [possible values: %s]", o->help,
                     values);
        else
            snprintf(text, sizeof text, "%s", o->help);
        if (o->flags & ARG_REPEAT)
            snprintf(text + strlen(text), sizeof text - strlen(text), " %s",
                     HELP_REPEAT);
        table_row(f, label, text, label_column(widest), width);
    }
}

static void
print_items(FILE *f, const char *title, const spec_item *items, size_t width)
{
    size_t widest = 0;

    for (const spec_item *it = items; it->term; it++)
        if (strlen(it->term) > widest)
            widest = strlen(it->term);
    fprintf(f, "\n%s:\n", title);
    for (const spec_item *it = items; it->term; it++)
        table_row(f, it->term, it->text, label_column(widest), width);
}

static void
print_examples(FILE *f, const arg_example *ex, size_t width)
{
    char what[512];

    if (!ex || !ex->line)
        return;
    fputs("\nExamples:\n", f);
    for (; ex->line; ex++) {
        snprintf(what, sizeof what, "%s:", ex->what);
        if (what[0] >= 'a' && what[0] <= 'z')
            what[0] = (char)(what[0] - 'a' + 'A');
        wrap(f, what, 0, 2, width);
        fprintf(f, "    %s\n", ex->line);
    }
}

/* The commands of the top level (in full: "bench ner", not the group) or
 * of one group (by their last word). */
static void
print_commands(FILE *f, const arg_cmd *group, size_t width)
{
    size_t widest = 0;

    fputs("Commands:\n", f);
    if (group) {
        for (const arg_cmd *c = group->subs; c->name; c++)
            if (strlen(spec_word(c)) > widest)
                widest = strlen(spec_word(c));
        for (const arg_cmd *c = group->subs; c->name; c++)
            table_row(f, spec_word(c), c->summary, label_column(widest), width);
        return;
    }
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c))
        if (!c->subs && strlen(c->name) > widest)
            widest = strlen(c->name);
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c))
        if (!c->subs)
            table_row(f, c->name, c->summary, label_column(widest), width);
}

static void
print_top(FILE *f, size_t width)
{
    char usage[256];

    help_usage(usage, sizeof usage, &spec_top);
    fprintf(f, "gazette %s: %s\n\nUsage: %s\n\n", gzt_version(), spec_tagline,
            usage);
    print_commands(f, NULL, width);
    fputc('\n', f);
    print_options(f, &spec_top, width);
    print_items(f, "Exit status", spec_exit_status, width);
    print_items(f, "Environment", spec_environment, width);
    print_examples(f, spec_top.examples, width);
    fputc('\n', f);
    wrap(f,
         "Run 'gazette COMMAND --help' for the options of a command, and "
         "'gazette --generate man | man -l -' for the manual.",
         0, 0, width);
}

void
help_print(FILE *f, const arg_cmd *cmd)
{
    size_t width = help_width();
    char usage[256];

    if (!cmd->name) {
        print_top(f, width);
        return;
    }
    help_usage(usage, sizeof usage, cmd);
    fprintf(f, "gazette %s: %s\n\nUsage: %s\n\n", cmd->name, cmd->summary,
            usage);
    paragraphs(f, cmd->description, 0, width);
    fputc('\n', f);
    if (cmd->subs) {
        print_commands(f, cmd, width);
        fputc('\n', f);
    }
    print_options(f, cmd, width);
    if (cmd->operands && strstr(cmd->operands, "QUERY..."))
        print_items(f, "Query language", spec_query_syntax, width);
    print_examples(f, cmd->examples, width);
    if (cmd->subs) {
        char more[160];
        snprintf(more, sizeof more,
                 "Run 'gazette %s COMMAND --help' for the options of a "
                 "command.",
                 cmd->name);
        fputc('\n', f);
        wrap(f, more, 0, 0, width);
    }
}
