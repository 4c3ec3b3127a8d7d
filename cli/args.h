/* SPDX-License-Identifier: MIT */
/*
 * args.h: the shape of the command table and the argument parser that reads
 * a command line against it.
 *
 * Every subcommand is one arg_cmd row holding its options (arg_opt rows with
 * help text and value names), operands, description and examples. The same
 * rows drive parsing (args.c), --help (help.c), the man page and the shell
 * completions (generate.c), so none of them can drift from what the parser
 * accepts. The rows themselves live in spec.c.
 */
#ifndef GZT_CLI_ARGS_H
#define GZT_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazette.h"

#define ARGS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Exit statuses, grep's convention. */
enum {
    EXIT_FOUND = 0,   /* results, or success */
    EXIT_NOTHING = 1, /* no results */
    EXIT_TROUBLE = 2  /* an error */
};

/* What an option's value is: drives validation, help and completion. */
typedef enum arg_type {
    ARG_SWITCH = 0, /* no value */
    ARG_STRING,     /* any non-empty text */
    ARG_UINT,       /* a whole number >= 0 */
    ARG_FLOAT,      /* a finite number >= 0 */
    ARG_SIZE,     /* bytes, with an optional K/M/G/T suffix (powers of 1024) */
    ARG_CHOICE,   /* one of arg_opt.choices */
    ARG_CHAR,     /* one byte, or "\t" / "tab" */
    ARG_DIR,      /* a directory: completes directories */
    ARG_DATE,     /* a date expression (gzt_date_range_parse) */
    ARG_LANGUAGE, /* a Snowball language: completes gzt_languages() */
    ARG_FILE      /* a file name: completes files */
} arg_type;

/* Bits of arg_opt.flags. */
enum {
    ARG_REPEAT = 1 /* may be given more than once; every value is kept
                      (args_count, args_nth) */
};

/* One option of a command. */
typedef struct arg_opt {
    char short_name;        /* 'i' for -i, or 0 */
    const char *long_name;  /* "index" for --index; the key for lookups */
    arg_type type;          /* what its value is */
    const char *value_name; /* "DIR" in help; NULL for switches */
    const char *choices;    /* ARG_CHOICE: "auto|always|never"; else NULL */
    const char *help;       /* one line, lower case, no final period */
    unsigned flags;         /* ARG_REPEAT, or 0 */
} arg_opt;

/* What a command's operands are, for completion. */
typedef enum arg_operand {
    OPERAND_NONE = 0, /* takes none */
    OPERAND_PATH,     /* files and directories */
    OPERAND_TEXT      /* query words or document ids: nothing to complete */
} arg_operand;

/* One example of the command's use. */
typedef struct arg_example {
    const char *line; /* the command line, without a prompt */
    const char *what; /* what it does, one sentence */
} arg_example;

typedef struct args args;

/*
 * One subcommand (or, with name NULL, the top level). A command group such
 * as "bench" has no run function and no operands; its subs are the
 * commands of the group, whose names are the whole command as typed
 * ("bench ner"). Groups nest one level deep.
 */
typedef struct arg_cmd {
    const char *name;            /* "search", "bench ner"; NULL for the top
                                    level */
    const char *summary;         /* one line for listings, no final period */
    const char *operands;        /* "QUERY..." in usage lines; NULL = none */
    arg_operand operand_kind;    /* for completion */
    size_t min_operands;         /* fewer is a usage error */
    size_t max_operands;         /* more is a usage error; SIZE_MAX = any */
    const char *description;     /* paragraphs separated by "\n\n" */
    const arg_opt *opts;         /* ends with a row whose long_name is NULL */
    const arg_example *examples; /* ends with a row whose line is NULL */
    int (*run)(const args *a);   /* runs it; returns the exit status;
                                    NULL for a group */
    const struct arg_cmd *subs;  /* a group's commands, ending with a row
                                    whose name is NULL; else NULL */
} arg_cmd;

/* Most options a command may have (checked by args_parse). */
#define ARGS_MAX_OPTS 32

/* One value of a repeatable option. */
typedef struct arg_value {
    size_t opt;        /* index of the option in cmd->opts */
    const char *value; /* its value */
} arg_value;

/* A parsed command line. Strings point into argv. */
struct args {
    const arg_cmd *cmd;                /* the command parsed against */
    const char *values[ARGS_MAX_OPTS]; /* per option: value, "" for a given
                                          switch, NULL when absent; the last
                                          one of a repeated option */
    const char **operands;             /* the operands, in order */
    size_t noperands;                  /* count */
    arg_value *repeats;                /* values of ARG_REPEAT options, in
                                          command-line order */
    size_t nrepeats;                   /* count */
};

/*
 * Parse @p argc arguments of @p argv (those after the command's name)
 * against @p cmd. Options and operands may be mixed; "--" ends options;
 * long options take "--name value" or "--name=value", short ones "-n 5" or
 * "-n5". Every value is checked against its arg_type here.
 *
 * On a usage error prints one line on stderr and returns EXIT_TROUBLE.
 * Operand counts are not checked when --help was given. Release with
 * args_fini().
 */
int args_parse(args *a, const arg_cmd *cmd, int argc, char **argv);
void args_fini(args *a);

/* The value of option @p long_name, "" for a switch, NULL when absent or
 * when the command has no such option. */
const char *args_get(const args *a, const char *long_name);
/* Whether option @p long_name was given. */
bool args_has(const args *a, const char *long_name);
/* How many times the ARG_REPEAT option @p long_name was given, and its
 * @p i-th value (0-based; NULL past the end). */
size_t args_count(const args *a, const char *long_name);
const char *args_nth(const args *a, const char *long_name, size_t i);
/* Values of validated options, or @p dflt when absent. */
uint64_t args_uint(const args *a, const char *long_name, uint64_t dflt);
double args_float(const args *a, const char *long_name, double dflt);
uint64_t args_size(const args *a, const char *long_name, uint64_t dflt);
char args_char(const args *a, const char *long_name, char dflt);
/* -i: the option, else $GAZETTE_INDEX when set and non-empty, else
 * "gazette.idx". */
const char *args_index_dir(const args *a);

/* Print "gazette: CMD: MSG (see gazette CMD --help)" on stderr and return
 * EXIT_TROUBLE. */
int args_usage_error(const arg_cmd *cmd, const char *fmt, ...)
    ARGS_PRINTF(2, 3);

/* The closest of @p n names to @p s within a small edit distance, or NULL:
 * for "did you mean" hints. */
const char *args_suggest(const char *s, const char *const *names, size_t n);

/* The input format named @p name ("auto", "text", "jsonl", "csv"; NULL:
 * auto), as --format and a recorded source spell it. */
gzt_format args_format(const char *name);

#endif
