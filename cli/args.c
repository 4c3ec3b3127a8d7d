/* SPDX-License-Identifier: MIT */
/*
 * args.c: a small table-driven argument parser (see args.h).
 *
 * It behaves like getopt_long with permutation, minus abbreviations: long
 * options must be spelled in full, so adding an option never breaks a
 * script that used a prefix of another. Values are validated by type while
 * parsing, so every "invalid value" message has the same shape, and the
 * typed getters afterwards cannot fail.
 *
 * A query word such as "-tehran" looks like an option; the error for it
 * says to put "--" before the query.
 */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
opt_count(const arg_cmd *cmd)
{
    size_t n = 0;

    while (cmd->opts && cmd->opts[n].long_name)
        n++;
    return n;
}

static const char *
cmd_label(const arg_cmd *cmd)
{
    return cmd->name ? cmd->name : "";
}

int
args_usage_error(const arg_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("gazette: ", stderr);
    if (cmd->name)
        fprintf(stderr, "%s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see gazette%s%s --help)\n", cmd->name ? " " : "",
            cmd_label(cmd));
    return EXIT_TROUBLE;
}

/* Levenshtein distance, capped: names are short, so a 64-byte row will do. */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[65];

    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *
args_suggest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    /* one typo in a short name, two in a longer one */
    size_t limit = strlen(s) <= 4 ? 1 : 2;

    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(s, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

/* ---- value validation -------------------------------------------------- */

static bool
parse_uint(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static bool
parse_float(const char *s, double *out)
{
    char *end;
    double v;

    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* "1048576", "256M", "1.5G", "64KiB", "2gb": suffixes are powers of 1024,
 * as RAM sizes are. */
static bool
parse_size(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    char *end;
    double v, mul = 1;

    if (!*s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || !isfinite(v))
        return false;
    if (*end) {
        const char *u = strchr(units, end[0] & ~0x20);
        if (!u)
            return false;
        for (const char *p = units; p <= u; p++)
            mul *= 1024;
        end++;
        if ((end[0] == 'i' || end[0] == 'I') && (end[1] & ~0x20) == 'B')
            end += 2;
        else if ((end[0] & ~0x20) == 'B')
            end++;
    } else if (v >= 18446744073709551616.0 || v != (double)(uint64_t)v) {
        return false; /* a fraction of a byte, or too big */
    }
    if (*end)
        return false;
    v *= mul;
    if (v >= 18446744073709551616.0) /* 2^64 */
        return false;
    *out = (uint64_t)v;
    return true;
}

static bool
parse_char(const char *s, char *out)
{
    if (!strcmp(s, "\\t") || !strcmp(s, "tab") || !strcmp(s, "TAB")) {
        *out = '\t';
        return true;
    }
    if (s[0] && !s[1]) {
        *out = s[0];
        return true;
    }
    return false;
}

static bool
in_choices(const char *choices, const char *s)
{
    size_t len = strlen(s);

    while (*choices) {
        size_t n = strcspn(choices, "|");
        if (n == len && !strncmp(choices, s, n))
            return true;
        choices += n;
        if (*choices == '|')
            choices++;
    }
    return false;
}

/* "auto|always|never" -> "auto, always or never" into @p out. */
static void
choices_prose(const char *choices, char *out, size_t cap)
{
    size_t len = 0, total = 0, seen = 0;

    for (const char *p = choices; *p; p++)
        total += *p == '|';
    out[0] = '\0';
    while (*choices && len + 1 < cap) {
        size_t n = strcspn(choices, "|");
        const char *sep = seen == 0 ? "" : seen == total ? " or " : ", ";
        int w = snprintf(out + len, cap - len, "%s%.*s", sep, (int)n, choices);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
        seen++;
        choices += n;
        if (*choices == '|')
            choices++;
    }
}

/* Check @p value for @p opt; @p shown is the option as the user wrote it. */
static int
validate(const arg_cmd *cmd, const arg_opt *opt, const char *shown,
         const char *value)
{
    const char *expected = NULL;
    char prose[256];
    uint64_t u;
    double d;
    char c;

    if (!*value)
        return args_usage_error(cmd, "option '%s' needs a value", shown);
    switch (opt->type) {
    case ARG_UINT:
        if (!parse_uint(value, &u) || u > SIZE_MAX)
            expected = "a whole number";
        break;
    case ARG_FLOAT:
        if (!parse_float(value, &d))
            expected = "a number >= 0";
        break;
    case ARG_SIZE:
        if (!parse_size(value, &u) || u > SIZE_MAX)
            expected = "bytes, or a size such as 256M or 1G";
        break;
    case ARG_CHAR:
        if (!parse_char(value, &c))
            expected = "one character, or \\t for tab";
        break;
    case ARG_CHOICE:
        if (!in_choices(opt->choices, value)) {
            choices_prose(opt->choices, prose, sizeof prose);
            expected = prose;
        }
        break;
    case ARG_SWITCH:
    case ARG_STRING:
    case ARG_DIR:
    case ARG_DATE:
    case ARG_LANGUAGE:
    case ARG_FILE:
        break;
    }
    if (expected)
        return args_usage_error(cmd, "invalid value '%s' for %s: expected %s",
                                value, shown, expected);
    return EXIT_FOUND;
}

/* ---- parsing ----------------------------------------------------------- */

static const arg_opt *
find_long(const arg_cmd *cmd, const char *name, size_t len, size_t *index)
{
    for (size_t i = 0; cmd->opts && cmd->opts[i].long_name; i++) {
        const char *ln = cmd->opts[i].long_name;
        if (strlen(ln) == len && !strncmp(ln, name, len)) {
            *index = i;
            return &cmd->opts[i];
        }
    }
    return NULL;
}

static const arg_opt *
find_short(const arg_cmd *cmd, char c, size_t *index)
{
    for (size_t i = 0; cmd->opts && cmd->opts[i].long_name; i++) {
        if (cmd->opts[i].short_name == c) {
            *index = i;
            return &cmd->opts[i];
        }
    }
    return NULL;
}

static int
unknown_option(const arg_cmd *cmd, const char *arg, size_t len)
{
    const char *names[ARGS_MAX_OPTS];
    char buf[80];
    size_t n = opt_count(cmd);

    if (arg[1] == '-' && len - 2 < sizeof buf) {
        /* --colour -> did you mean '--color'? */
        memcpy(buf, arg + 2, len - 2);
        buf[len - 2] = '\0';
        for (size_t i = 0; i < n; i++)
            names[i] = cmd->opts[i].long_name;
        const char *s = args_suggest(buf, names, n);
        if (s)
            return args_usage_error(
                cmd, "unknown option '%.*s', did you mean '--%s'?", (int)len,
                arg, s);
    }
    if (cmd->operand_kind == OPERAND_TEXT && cmd->max_operands > 1 &&
        arg[1] != '-')
        return args_usage_error(cmd,
                                "unknown option '%.*s'; put -- before "
                                "words that start with '-'",
                                (int)len, arg);
    return args_usage_error(cmd, "unknown option '%.*s'", (int)len, arg);
}

/* Keep @p value of option @p idx: the last one wins, and every one of a
 * repeatable option is also kept in order. */
static void
store(args *a, size_t idx, const char *value)
{
    a->values[idx] = value;
    if (a->cmd->opts[idx].flags & ARG_REPEAT)
        a->repeats[a->nrepeats++] = (arg_value){idx, value};
}

/* Parse "--name", "--name=value" or "--name value" at argv[*i]. */
static int
parse_long(args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg + 2, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    size_t idx;
    const arg_opt *opt = find_long(a->cmd, arg + 2, len - 2, &idx);
    char shown[80];

    if (!opt)
        return unknown_option(a->cmd, arg, len);
    snprintf(shown, sizeof shown, "--%s", opt->long_name);
    if (opt->type == ARG_SWITCH) {
        if (eq)
            return args_usage_error(a->cmd, "option '%s' takes no value",
                                    shown);
        store(a, idx, "");
        return EXIT_FOUND;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc)
            return args_usage_error(a->cmd, "option '%s' needs a value", shown);
        value = argv[++*i];
    }
    if (validate(a->cmd, opt, shown, value) != EXIT_FOUND)
        return EXIT_TROUBLE;
    store(a, idx, value);
    return EXIT_FOUND;
}

/* Parse a cluster of short options "-qn5" or "-n 5" at argv[*i]. */
static int
parse_short(args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];

    for (size_t j = 1; arg[j]; j++) {
        size_t idx;
        const arg_opt *opt = find_short(a->cmd, arg[j], &idx);
        char shown[3] = {'-', arg[j], '\0'};

        if (!opt) {
            if (j == 1)
                return unknown_option(a->cmd, arg, strlen(arg));
            return args_usage_error(a->cmd, "unknown option '%s' in '%s'",
                                    shown, arg);
        }
        if (opt->type == ARG_SWITCH) {
            store(a, idx, "");
            continue;
        }
        const char *value = arg + j + 1;
        if (!*value) {
            if (*i + 1 >= argc)
                return args_usage_error(a->cmd, "option '%s' needs a value",
                                        shown);
            value = argv[++*i];
        }
        if (validate(a->cmd, opt, shown, value) != EXIT_FOUND)
            return EXIT_TROUBLE;
        store(a, idx, value);
        break; /* the value took the rest of the argument */
    }
    return EXIT_FOUND;
}

int
args_parse(args *a, const arg_cmd *cmd, int argc, char **argv)
{
    bool options_done = false;

    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    if (opt_count(cmd) > ARGS_MAX_OPTS) {
        fputs("gazette: internal error: too many options\n", stderr);
        return EXIT_TROUBLE;
    }
    /* each argument is at most one operand or one option value */
    a->operands = calloc((size_t)argc + 1, sizeof *a->operands);
    a->repeats = calloc((size_t)argc + 1, sizeof *a->repeats);
    if (!a->operands || !a->repeats) {
        args_fini(a);
        fputs("gazette: out of memory\n", stderr);
        return EXIT_TROUBLE;
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int rc = EXIT_FOUND;

        if (options_done || arg[0] != '-' || arg[1] == '\0')
            a->operands[a->noperands++] = arg; /* "-" is stdin: an operand */
        else if (!strcmp(arg, "--"))
            options_done = true;
        else if (arg[1] == '-')
            rc = parse_long(a, argc, argv, &i);
        else
            rc = parse_short(a, argc, argv, &i);
        if (rc != EXIT_FOUND) {
            args_fini(a);
            return rc;
        }
    }
    if (args_has(a, "help"))
        return EXIT_FOUND;
    if (a->noperands < cmd->min_operands) {
        args_usage_error(cmd, "missing %.*s", (int)strcspn(cmd->operands, "."),
                         cmd->operands);
        args_fini(a);
        return EXIT_TROUBLE;
    }
    if (a->noperands > cmd->max_operands) {
        args_usage_error(cmd, "unexpected argument '%s'",
                         a->operands[cmd->max_operands]);
        args_fini(a);
        return EXIT_TROUBLE;
    }
    return EXIT_FOUND;
}

void
args_fini(args *a)
{
    free(a->operands);
    free(a->repeats);
    a->operands = NULL;
    a->noperands = 0;
    a->repeats = NULL;
    a->nrepeats = 0;
}

/* ---- getters ----------------------------------------------------------- */

static const arg_opt *
lookup(const args *a, const char *long_name, size_t *index)
{
    size_t idx;
    const arg_opt *opt = find_long(a->cmd, long_name, strlen(long_name), &idx);

    if (index)
        *index = idx;
    return opt;
}

const char *
args_get(const args *a, const char *long_name)
{
    size_t idx = 0;

    /* an option the command lacks reads as absent, so code shared by
     * commands (index and reindex) can ask for it */
    if (!lookup(a, long_name, &idx))
        return NULL;
    return a->values[idx];
}

bool
args_has(const args *a, const char *long_name)
{
    return args_get(a, long_name) != NULL;
}

size_t
args_count(const args *a, const char *long_name)
{
    size_t idx = 0, n = 0;

    if (!lookup(a, long_name, &idx))
        return 0;
    for (size_t i = 0; i < a->nrepeats; i++)
        n += a->repeats[i].opt == idx;
    return n;
}

const char *
args_nth(const args *a, const char *long_name, size_t nth)
{
    size_t idx = 0;

    if (!lookup(a, long_name, &idx))
        return NULL;
    for (size_t i = 0; i < a->nrepeats; i++)
        if (a->repeats[i].opt == idx && nth-- == 0)
            return a->repeats[i].value;
    return NULL;
}

uint64_t
args_uint(const args *a, const char *long_name, uint64_t dflt)
{
    const char *s = args_get(a, long_name);
    uint64_t v;

    return s && parse_uint(s, &v) ? v : dflt;
}

double
args_float(const args *a, const char *long_name, double dflt)
{
    const char *s = args_get(a, long_name);
    double v;

    return s && parse_float(s, &v) ? v : dflt;
}

uint64_t
args_size(const args *a, const char *long_name, uint64_t dflt)
{
    const char *s = args_get(a, long_name);
    uint64_t v;

    return s && parse_size(s, &v) ? v : dflt;
}

char
args_char(const args *a, const char *long_name, char dflt)
{
    const char *s = args_get(a, long_name);
    char c;

    return s && parse_char(s, &c) ? c : dflt;
}

const char *
args_index_dir(const args *a)
{
    const char *dir = args_get(a, "index");
    const char *env = getenv("GAZETTE_INDEX");

    if (dir)
        return dir;
    if (env && *env)
        return env;
    return "gazette.idx";
}

gzt_format
args_format(const char *name)
{
    if (!name || !strcmp(name, "auto"))
        return GZT_FORMAT_AUTO;
    if (!strcmp(name, "text"))
        return GZT_FORMAT_TEXT;
    if (!strcmp(name, "jsonl"))
        return GZT_FORMAT_JSONL;
    return GZT_FORMAT_CSV;
}
