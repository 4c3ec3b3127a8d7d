/* SPDX-License-Identifier: MIT */
/*
 * generate.c: the man page (roff) and the bash, zsh and fish completion
 * scripts, all written from the command table in spec.c, so that whatever
 * the parser accepts is documented and completed, and nothing else.
 *
 * Completion knows, per command: its options, which take a value and what
 * kind (a directory for -i, a file for --entities, a fixed list for
 * --color/--sort/--format, the Snowball languages for --language, free
 * text otherwise), whether an option may be repeated, and whether its
 * operands are paths (index) or free text (search, show, delete).
 *
 * A command group (bench, ner) completes its commands' names after it,
 * and each of its commands ("bench ner") its own options: the scripts
 * find the command as the first word that is not an option, and for a
 * group the next such word too.
 */
#include "generate.h"

#include <stdbool.h>
#include <string.h>

#include "gazette.h"

#include "args.h"
#include "help.h"
#include "output.h"
#include "spec.h"

/* ---- shared ------------------------------------------------------------ */

/* The help text up to its first "; ", " (" or ": ": short enough for a
 * completion menu. */
static void
short_help(char *buf, size_t cap, const char *help)
{
    static const char *const cuts[] = {"; ", " (", ": "};
    size_t n = strlen(help);

    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *at = strstr(help, cuts[i]);
        if (at && (size_t)(at - help) < n)
            n = (size_t)(at - help);
    }
    snprintf(buf, cap, "%.*s", (int)n, help);
}

/* What completes the value of an option. */
typedef enum value_kind {
    VALUE_NONE,  /* a switch */
    VALUE_DIR,   /* directories */
    VALUE_FILE,  /* files */
    VALUE_WORDS, /* a fixed list (help_values) */
    VALUE_FREE   /* anything: nothing to offer */
} value_kind;

static value_kind
value_of(const arg_opt *o)
{
    char values[8];

    if (o->type == ARG_SWITCH)
        return VALUE_NONE;
    if (o->type == ARG_DIR)
        return VALUE_DIR;
    if (o->type == ARG_FILE)
        return VALUE_FILE;
    help_values(values, sizeof values, o, " ");
    return values[0] ? VALUE_WORDS : VALUE_FREE;
}

/* Print @p s with each character in @p special preceded by a backslash, and
 * each single quote as @p quote. */
static void
put_escaped(FILE *f, const char *s, const char *special, const char *quote)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs(quote, f);
        else if (strchr(special, *s))
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

/* ---- man page ---------------------------------------------------------- */

/* Text for roff: backslashes, hyphens as minus signs, and no line starting
 * with a control character. */
static void
roff(FILE *f, const char *s, size_t len)
{
    if (len && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            fputs("\\e", f);
        else if (s[i] == '-')
            fputs("\\-", f);
        else
            fputc(s[i], f);
    }
}

static void
roff_str(FILE *f, const char *s)
{
    roff(f, s, strlen(s));
}

static void
roff_paragraphs(FILE *f, const char *text)
{
    for (bool first = true; *text; first = false) {
        const char *end = strstr(text, "\n\n");
        size_t len = end ? (size_t)(end - text) : strlen(text);
        if (!first)
            fputs(".PP\n", f);
        roff(f, text, len);
        fputc('\n', f);
        if (!end)
            break;
        text = end + 2;
    }
}

static void
man_synopsis(FILE *f, const arg_cmd *cmd)
{
    fputs(".B gazette", f);
    if (cmd->name) {
        fputc(' ', f);
        roff_str(f, cmd->name);
    }
    fputs("\n[\\fIOPTIONS\\fR]", f);
    if (cmd->operands) {
        /* "[QUERY...]": the brackets and dots roman, the name italic */
        const char *ops = cmd->operands;
        bool optional = ops[0] == '[';
        size_t n = strcspn(ops + optional, ".]");
        fputs(optional ? " [\\fI" : " \\fI", f);
        roff(f, ops + optional, n);
        fputs("\\fR", f);
        roff_str(f, ops + optional + n);
    }
    fputs("\n.br\n", f);
}

static void
man_options(FILE *f, const arg_opt *opts)
{
    char values[1024];

    for (const arg_opt *o = opts; o->long_name; o++) {
        fputs(".TP\n", f);
        if (o->short_name)
            fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", f);
        roff_str(f, o->long_name);
        fputs("\\fR", f);
        if (o->value_name) {
            fputs(" \\fI", f);
            roff_str(f, o->value_name);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        roff_str(f, o->help);
        if (o->flags & ARG_REPEAT) {
            fputc(' ', f);
            roff_str(f, HELP_REPEAT);
        }
        fputs(".\n", f);
        help_values(values, sizeof values, o, ", ");
        if (values[0]) {
            fputs("Possible values: ", f);
            roff_str(f, values);
            fputs(".\n", f);
        }
    }
}

static void
man_items(FILE *f, const char *title, const spec_item *items)
{
    fprintf(f, ".SH %s\n", title);
    for (const spec_item *it = items; it->term; it++) {
        /* not .B, which would take the quotes of "a b"~5 as its own */
        fputs(".TP\n\\fB", f);
        roff_str(f, it->term);
        fputs("\\fR\n", f);
        roff_str(f, it->text);
        fputs(".\n", f);
    }
}

static void
man_examples(FILE *f, const arg_example *ex)
{
    for (; ex && ex->line; ex++) {
        char what[512];
        snprintf(what, sizeof what, "%s:", ex->what);
        if (what[0] >= 'a' && what[0] <= 'z')
            what[0] = (char)(what[0] - 'a' + 'A');
        fputs(".PP\n", f);
        roff_str(f, what);
        fputs("\n.RS\n.nf\n", f);
        roff_str(f, ex->line);
        fputs("\n.fi\n.RE\n", f);
    }
}

/* A group's section: what it is for and its commands, each of which has a
 * section of its own after it. */
static void
man_group(FILE *f, const arg_cmd *g)
{
    roff_paragraphs(f, g->description);
    fputs(".PP\nIts commands:\n", f);
    for (const arg_cmd *c = g->subs; c->name; c++) {
        fputs(".TP\n\\fB", f);
        roff_str(f, c->name);
        fputs("\\fR\n", f);
        roff_str(f, c->summary);
        fputs(".\n", f);
    }
}

static void
man(FILE *f)
{
    fprintf(f,
            ".\\\" Generated by `gazette --generate man`; do not edit.\n"
            ".TH GAZETTE 1 \"\" \"gazette %s\" \"User Commands\"\n"
            ".SH NAME\ngazette \\- ",
            gzt_version());
    roff_str(f, spec_tagline);
    fputs("\n.SH SYNOPSIS\n", f);
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c))
        if (!c->subs)
            man_synopsis(f, c);
    fputs(".B gazette\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | "
          "\\fB\\-\\-generate\\fR \\fIKIND\\fR\n.br\n"
          ".B gazette\n\\fICOMMAND\\fR \\fB\\-\\-help\\fR\n"
          ".SH DESCRIPTION\n",
          f);
    roff_paragraphs(f, spec_description);
    fputs(".SH OPTIONS\n", f);
    man_options(f, spec_top.opts);
    fputs(".SH COMMANDS\n", f);
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c)) {
        char usage[256];
        help_usage(usage, sizeof usage, c);
        fputs(".SS \"", f);
        roff_str(f, usage);
        fputs("\"\n", f);
        if (c->subs) {
            man_group(f, c);
            continue;
        }
        roff_paragraphs(f, c->description);
        man_options(f, c->opts);
    }
    man_items(f, "QUERY LANGUAGE", spec_query_syntax);
    man_items(f, "EXIT STATUS", spec_exit_status);
    man_items(f, "ENVIRONMENT", spec_environment);
    fputs(".SH EXAMPLES\n", f);
    man_examples(f, spec_top.examples);
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c))
        if (!c->subs)
            man_examples(f, c->examples);
    fputs(".SH SEE ALSO\nIn the gazette sources: docs/CLI.md (every "
          "subcommand, the JSON Lines output) and docs/QUERY.md (the query "
          "language in full).\n",
          f);
}

/* ---- bash -------------------------------------------------------------- */

/* "-i|--index" for a case pattern */
static void
bash_pattern(FILE *f, const arg_opt *o)
{
    if (o->short_name)
        fprintf(f, "-%c|", o->short_name);
    fprintf(f, "--%s", o->long_name);
}

static void
bash_words(FILE *f, const arg_opt *opts)
{
    const char *sep = "";

    for (const arg_opt *o = opts; o->long_name; o++) {
        if (o->short_name) {
            fprintf(f, "%s-%c", sep, o->short_name);
            sep = " ";
        }
        fprintf(f, "%s--%s", sep, o->long_name);
        sep = " ";
    }
}

/* The `case $prev` arms completing option values of @p opts. */
static void
bash_values(FILE *f, const arg_opt *opts)
{
    char values[1024];
    bool any_free = false;

    fputs("        case $prev in\n", f);
    for (const arg_opt *o = opts; o->long_name; o++) {
        value_kind k = value_of(o);
        if (k == VALUE_NONE)
            continue;
        if (k == VALUE_FREE) {
            any_free = true;
            continue;
        }
        fputs("        ", f);
        bash_pattern(f, o);
        if (k == VALUE_DIR) {
            fputs(") _gazette_dirs; return ;;\n", f);
        } else if (k == VALUE_FILE) {
            fputs(") _gazette_files; return ;;\n", f);
        } else {
            help_values(values, sizeof values, o, " ");
            fprintf(f, ") _gazette_words '%s'; return ;;\n", values);
        }
    }
    if (any_free) {
        bool first = true;
        fputs("        ", f);
        for (const arg_opt *o = opts; o->long_name; o++) {
            if (value_of(o) != VALUE_FREE)
                continue;
            if (!first)
                fputc('|', f);
            bash_pattern(f, o);
            first = false;
        }
        fputs(") return ;;\n", f);
    }
    fputs("        esac\n", f);
}

/* The arm of one command (or of the top level, or of a group, where the
 * words to complete are the commands). */
static void
bash_command(FILE *f, const arg_cmd *c)
{
    const arg_cmd *table = !c->name ? spec_commands : c->subs;

    bash_values(f, c->opts);
    fputs("        if [[ $cur == -* ]]; then\n            _gazette_words '", f);
    bash_words(f, c->opts);
    fputs("'\n", f);
    if (c->operand_kind == OPERAND_PATH)
        fputs("        else\n            _gazette_files\n", f);
    else if (table) {
        fputs("        else\n            _gazette_words '", f);
        for (const arg_cmd *s = table; s->name; s++)
            fprintf(f, "%s%s", s == table ? "" : " ", spec_word(s));
        fputs("'\n", f);
    }
    fputs("        fi\n        ;;\n", f);
}

static void
bash(FILE *f)
{
    fputs("# bash completion for gazette\n"
          "# Generated by `gazette --generate complete-bash`; do not edit.\n"
          "\n"
          "_gazette_words() {\n"
          "    COMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))\n"
          "}\n"
          "\n"
          "_gazette_files() {\n"
          "    local IFS=$'\\n'\n"
          "    compopt -o filenames 2>/dev/null\n"
          "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "}\n"
          "\n"
          "_gazette_dirs() {\n"
          "    local IFS=$'\\n'\n"
          "    compopt -o filenames 2>/dev/null\n"
          "    COMPREPLY=($(compgen -d -- \"$cur\"))\n"
          "}\n"
          "\n"
          "_gazette() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    local prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    local cmd= i\n"
          "    # --opt=value: bash splits at '='\n"
          "    if [[ $cur == = ]]; then\n"
          "        cur=\n"
          "    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n"
          "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
          "    fi\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case ${COMP_WORDS[i]} in\n",
          f);
    /* top-level options that take a value: skip the value too */
    for (const arg_opt *o = spec_top.opts; o->long_name; o++) {
        if (o->type == ARG_SWITCH)
            continue;
        fputs("        ", f);
        bash_pattern(f, o);
        fputs(")\n            [[ ${COMP_WORDS[i+1]} == = ]] && ((i++))\n"
              "            ((i++)) ;;\n",
              f);
    }
    fputs("        -*) ;;\n"
          "        *) cmd=${COMP_WORDS[i]}; break ;;\n"
          "        esac\n"
          "    done\n",
          f);
    /* a group's command is the next word that is not an option */
    bool any_group = false;
    for (const arg_cmd *c = spec_commands; c->name; c++) {
        if (!c->subs)
            continue;
        fputs(any_group ? "|" : "    case $cmd in\n    ", f);
        fputs(c->name, f);
        any_group = true;
    }
    if (any_group)
        fputs(")\n"
              "        for ((i++; i < COMP_CWORD; i++)); do\n"
              "            case ${COMP_WORDS[i]} in\n"
              "            -*) ;;\n"
              "            *) cmd=\"$cmd ${COMP_WORDS[i]}\"; break ;;\n"
              "            esac\n"
              "        done ;;\n"
              "    esac\n",
              f);
    fputs("    case $cmd in\n"
          "    '')\n",
          f);
    bash_command(f, &spec_top);
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c)) {
        fprintf(f, "    '%s')\n", c->name);
        bash_command(f, c);
    }
    fputs("    esac\n"
          "}\n"
          "\n"
          "complete -F _gazette gazette\n",
          f);
}

/* ---- zsh --------------------------------------------------------------- */

static void
zsh_help(FILE *f, const char *help)
{
    char buf[256];

    short_help(buf, sizeof buf, help);
    fputc('[', f);
    put_escaped(f, buf, "[]\\:", "'\\''");
    fputc(']', f);
}

/* One _arguments spec per option, each on its own continued line. */
static void
zsh_options(FILE *f, const arg_opt *opts, const char *indent)
{
    char values[1024];

    for (const arg_opt *o = opts; o->long_name; o++) {
        value_kind k = value_of(o);
        bool value = k != VALUE_NONE;
        bool exits = !strcmp(o->long_name, "help") ||
                     !strcmp(o->long_name, "version") ||
                     !strcmp(o->long_name, "generate");
        char excl[96] = "";
        if (exits)
            snprintf(excl, sizeof excl, "(- *)");
        else if (o->flags & ARG_REPEAT)
            snprintf(excl, sizeof excl, "*"); /* offered again and again */
        else if (o->short_name)
            snprintf(excl, sizeof excl, "(-%c --%s)", o->short_name,
                     o->long_name);
        fputs(indent, f);
        if (o->short_name)
            fprintf(f, "'%s'{-%c%s,--%s%s}'", excl, o->short_name,
                    value ? "+" : "", o->long_name, value ? "=" : "");
        else
            fprintf(f, "'%s--%s%s", excl, o->long_name, value ? "=" : "");
        zsh_help(f, o->help);
        if (value) {
            fprintf(f, ":%s:", o->value_name);
            if (k == VALUE_DIR)
                fputs("_files -/", f);
            else if (k == VALUE_FILE)
                fputs("_files", f);
            else if (k == VALUE_WORDS) {
                help_values(values, sizeof values, o, " ");
                fprintf(f, "(%s)", values);
            } else
                fputc(' ', f);
        }
        fputs("' \\\n", f);
    }
}

/* A function offering the commands of @p table for _describe. */
static void
zsh_describe(FILE *f, const char *fn, const char *what, const arg_cmd *table)
{
    fprintf(f,
            "%s() {\n"
            "    local -a commands\n"
            "    commands=(\n",
            fn);
    for (const arg_cmd *c = table; c->name; c++) {
        fputs("        '", f);
        put_escaped(f, spec_word(c), ":\\", "'\\''");
        fputc(':', f);
        put_escaped(f, c->summary, ":\\", "'\\''");
        fputs("'\n", f);
    }
    fprintf(f,
            "    )\n"
            "    _describe -t commands '%s' commands\n"
            "}\n"
            "\n",
            what);
}

/* The _arguments call of one command, ending the case arm. */
static void
zsh_command(FILE *f, const arg_cmd *c, const char *indent)
{
    char more[64];

    snprintf(more, sizeof more, "%s    ", indent);
    fprintf(f, "%s_arguments \\\n", indent);
    zsh_options(f, c->opts, more);
    const char *what = c->operand_kind == OPERAND_PATH ? "_files" : " ";
    if (c->operands) {
        size_t n = strcspn(c->operands, ".");
        const char *name = c->operands + (c->operands[0] == '[');
        n -= c->operands[0] == '[';
        fprintf(f, "%s'%s:%.*s:%s' && ret=0 ;;\n", more,
                c->max_operands > 1 ? "*" : "1", (int)n, name, what);
    } else {
        fprintf(f, "%s&& ret=0 ;;\n", more);
    }
}

/* A group's arm: its options and command names, then the command's own
 * arguments once it is there. */
static void
zsh_group(FILE *f, const arg_cmd *g)
{
    fputs("            _arguments -C \\\n", f);
    zsh_options(f, g->opts, "                ");
    fprintf(f,
            "                '1: :_gazette_%s_commands' \\\n"
            "                '*:: :->sub' && ret=0\n"
            "            case $state in\n"
            "            sub)\n"
            "                curcontext=${curcontext%%:*:*}:gazette-%s-"
            "$words[1]:\n"
            "                case $words[1] in\n",
            g->name, g->name);
    for (const arg_cmd *c = g->subs; c->name; c++) {
        fprintf(f, "                %s)\n", spec_word(c));
        zsh_command(f, c, "                    ");
    }
    fputs("                esac\n"
          "                ;;\n"
          "            esac\n"
          "            ;;\n",
          f);
}

static void
zsh(FILE *f)
{
    fputs("#compdef gazette\n"
          "# zsh completion for gazette\n"
          "# Generated by `gazette --generate complete-zsh`; do not edit.\n"
          "\n",
          f);
    zsh_describe(f, "_gazette_commands", "gazette command", spec_commands);
    for (const arg_cmd *c = spec_commands; c->name; c++) {
        if (!c->subs)
            continue;
        char fn[64], what[64];
        snprintf(fn, sizeof fn, "_gazette_%s_commands", c->name);
        snprintf(what, sizeof what, "gazette %s command", c->name);
        zsh_describe(f, fn, what, c->subs);
    }
    fputs("_gazette() {\n"
          "    local curcontext=$curcontext state line ret=1\n"
          "    _arguments -C \\\n",
          f);
    zsh_options(f, spec_top.opts, "        ");
    fputs("        '1: :_gazette_commands' \\\n"
          "        '*:: :->command' && ret=0\n"
          "    case $state in\n"
          "    command)\n"
          "        curcontext=${curcontext%:*:*}:gazette-$words[1]:\n"
          "        case $words[1] in\n",
          f);
    for (const arg_cmd *c = spec_commands; c->name; c++) {
        fprintf(f, "        %s)\n", c->name);
        if (c->subs)
            zsh_group(f, c);
        else
            zsh_command(f, c, "            ");
    }
    fputs("        esac\n"
          "        ;;\n"
          "    esac\n"
          "    return ret\n"
          "}\n"
          "\n"
          "_gazette \"$@\"\n",
          f);
}

/* ---- fish -------------------------------------------------------------- */

static void
fish_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    put_escaped(f, s, "\\", "\\'");
    fputc('\'', f);
}

static void
fish_options(FILE *f, const arg_opt *opts, const char *condition)
{
    char values[1024], help[256];

    for (const arg_opt *o = opts; o->long_name; o++) {
        value_kind k = value_of(o);
        fprintf(f, "complete -c gazette -n %s", condition);
        if (o->short_name)
            fprintf(f, " -s %c", o->short_name);
        fprintf(f, " -l %s", o->long_name);
        if (k == VALUE_DIR)
            fputs(" -x -a '(__fish_complete_directories (commandline -ct))'",
                  f);
        else if (k == VALUE_FILE)
            fputs(" -r -F", f);
        else if (k == VALUE_WORDS) {
            help_values(values, sizeof values, o, " ");
            fprintf(f, " -x -a '%s'", values);
        } else if (k == VALUE_FREE)
            fputs(" -x", f);
        short_help(help, sizeof help, o->help);
        fputs(" -d ", f);
        fish_quoted(f, help);
        fputc('\n', f);
    }
}

static void
fish(FILE *f)
{
    fputs("# fish completion for gazette\n"
          "# Generated by `gazette --generate complete-fish`; do not edit.\n"
          "\n"
          "# The command being typed: its first word that is not an option,\n"
          "# and for a command group the next one too (\"bench ner\").\n"
          "function __gazette_cmd\n"
          "    set -l path\n"
          "    for w in (commandline -opc)[2..-1]\n"
          "        switch $w\n"
          "            case '-*'\n"
          "                continue\n"
          "        end\n"
          "        set -a path $w\n"
          "        contains -- $path[1]",
          f);
    for (const arg_cmd *c = spec_commands; c->name; c++)
        if (c->subs)
            fprintf(f, " %s", c->name);
    fputs("; or break\n"
          "        test (count $path) -ge 2; and break\n"
          "    end\n"
          "    echo $path\n"
          "end\n"
          "\n"
          "function __gazette_is\n"
          "    set -l cmd (__gazette_cmd)\n"
          "    test \"$cmd\" = \"$argv\"\n"
          "end\n"
          "\n"
          "complete -c gazette -f\n",
          f);
    for (const arg_cmd *c = spec_commands; c->name; c++) {
        fprintf(f, "complete -c gazette -n __fish_use_subcommand -a %s -d ",
                c->name);
        fish_quoted(f, c->summary);
        fputc('\n', f);
    }
    fish_options(f, spec_top.opts, "__fish_use_subcommand");
    for (const arg_cmd *c = spec_walk(NULL); c; c = spec_walk(c)) {
        char condition[80];
        snprintf(condition, sizeof condition, "'__gazette_is \"%s\"'", c->name);
        fputc('\n', f);
        for (const arg_cmd *s = c->subs; s && s->name; s++) {
            fprintf(f, "complete -c gazette -n %s -a %s -d ", condition,
                    spec_word(s));
            fish_quoted(f, s->summary);
            fputc('\n', f);
        }
        fish_options(f, c->opts, condition);
        if (c->operand_kind == OPERAND_PATH)
            fprintf(f, "complete -c gazette -n %s -F\n", condition);
    }
}

int
generate_run(FILE *f, const char *kind)
{
    if (!strcmp(kind, "man"))
        man(f);
    else if (!strcmp(kind, "complete-bash"))
        bash(f);
    else if (!strcmp(kind, "complete-zsh"))
        zsh(f);
    else if (!strcmp(kind, "complete-fish"))
        fish(f);
    else
        return args_usage_error(&spec_top, "cannot generate '%s'", kind);
    return EXIT_FOUND;
}
