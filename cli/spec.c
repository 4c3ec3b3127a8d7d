/* SPDX-License-Identifier: MIT */
/*
 * spec.c: the command table (see spec.h).
 *
 * To add an option, add a row here and read it in the cmd_*.c file: the
 * parser, --help, the man page and the bash/zsh/fish completions follow by
 * themselves. Help lines are lower case without a final period; descriptions
 * are sentences.
 */
#include "spec.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "commands.h"

const char spec_tagline[] = "full-text search for news archives";

const char spec_description[] =
    "gazette indexes news articles (text files, JSON Lines, CSV) into an "
    "inverted index in a directory, ranks documents against Lucene-style "
    "queries with BM25, and shows the best passages of each hit with the "
    "matches highlighted.\n\n"
    "An index is a directory. Any number of readers can search it while one "
    "writer adds, replaces and deletes documents; a commit makes the changes "
    "visible at once, and a crash leaves the last committed state intact.";

/* Options every subcommand has. */
#define OPT_INDEX                                                              \
    {                                                                          \
        'i', "index", ARG_DIR, "DIR", NULL,                                    \
            "index directory (default: $GAZETTE_INDEX, else gazette.idx)"      \
    }
#define OPT_HELP                                                               \
    {                                                                          \
        'h', "help", ARG_SWITCH, NULL, NULL, "print this help and exit"        \
    }
#define OPT_END                                                                \
    {                                                                          \
        0, NULL, ARG_SWITCH, NULL, NULL, NULL                                  \
    }
#define OPT_COLOR                                                              \
    {                                                                          \
        0, "color", ARG_CHOICE, "WHEN", "auto|always|never",                   \
            "colour the output: auto colours a terminal unless NO_COLOR is "   \
            "set or "                                                          \
            "TERM is dumb"                                                     \
    }
#define OPT_QUIET                                                              \
    {                                                                          \
        'q', "quiet", ARG_SWITCH, NULL, NULL,                                  \
            "no progress bar (warnings and the summary still print)"           \
    }

/* ---- index ------------------------------------------------------------- */

static const arg_opt index_opts[] = {
    OPT_INDEX,
    {0, "format", ARG_CHOICE, "FORMAT", "auto|text|jsonl|csv",
     "input format; auto picks by extension: .jsonl/.ndjson, .csv/.tsv, "
     "else one text document per file"},
    {0, "language", ARG_LANGUAGE, "LANG", NULL,
     "stemming language of a new index (default english; none "
     "turns stemming off); an existing index must match"},
    {0, "memory", ARG_SIZE, "SIZE", NULL,
     "RAM for buffered documents before a segment is written, e.g. 256M "
     "or 1G (default 256M)"},
    {0, "prune", ARG_SWITCH, NULL, NULL,
     "also delete the documents of each PATH whose files are gone"},
    {0, "id-field", ARG_STRING, "FIELD", NULL,
     "JSONL/CSV field holding the document id (default id)"},
    {0, "title-field", ARG_STRING, "FIELD", NULL,
     "JSONL/CSV field holding the title (default title)"},
    {0, "body-field", ARG_STRING, "FIELD", NULL,
     "JSONL/CSV field holding the text (default body, then text)"},
    {0, "date-field", ARG_STRING, "FIELD", NULL,
     "JSONL/CSV field holding the date (default date)"},
    {0, "delimiter", ARG_CHAR, "CHAR", NULL,
     "CSV field delimiter, \\t for tab (default , or tab for .tsv)"},
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const arg_example index_examples[] = {
    {"gazette index -i news.idx corpus/",
     "index every file under corpus/ (one article per file)"},
    {"gazette index -i news.idx --prune corpus/",
     "bring the index up to date with corpus/: add new and changed files, "
     "delete removed ones"},
    {"gazette index -i news.idx --format jsonl --body-field text - "
     "< feed.jsonl",
     "index JSON Lines from standard input"},
    {NULL, NULL},
};

/* ---- reindex ----------------------------------------------------------- */

static const arg_opt reindex_opts[] = {
    OPT_INDEX,
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const arg_example reindex_examples[] = {
    {"gazette reindex -i news.idx",
     "rebuild news.idx from the sources it was built from"},
    {NULL, NULL},
};

/* ---- search ------------------------------------------------------------ */

static const arg_opt search_opts[] = {
    OPT_INDEX,
    {'n', "limit", ARG_UINT, "K", NULL, "show K hits (default 10)"},
    {0, "offset", ARG_UINT, "N", NULL, "skip the first N hits, for paging"},
    {0, "all", ARG_SWITCH, NULL, NULL,
     "require every word: the default operator becomes AND"},
    {0, "count", ARG_SWITCH, NULL, NULL,
     "print only the number of matching documents"},
    {0, "json", ARG_SWITCH, NULL, NULL,
     "print JSON Lines: one object per hit, then a summary"},
    {0, "since", ARG_DATE, "DATE", NULL,
     "only documents dated on or after DATE (2025-01-01, 2024, 30d, ...)"},
    {0, "until", ARG_DATE, "DATE", NULL,
     "only documents dated on or before DATE (the end of a month or year)"},
    {0, "sort", ARG_CHOICE, "ORDER", "score|date|date-asc",
     "order of the hits: best first, newest first or oldest first"},
    {0, "explain", ARG_SWITCH, NULL, NULL,
     "show how each query term adds to a hit's BM25 score"},
    OPT_COLOR,
    {0, "k1", ARG_FLOAT, "X", NULL,
     "BM25 term-frequency saturation "
     "(default 0.9)"},
    {0, "b", ARG_FLOAT, "X", NULL,
     "BM25 document-length normalisation, 0 to 1 (default 0.4)"},
    OPT_HELP,
    OPT_END,
};

static const arg_example search_examples[] = {
    {"gazette search -i news.idx lavrov tehran",
     "the ten best articles mentioning Lavrov or Tehran"},
    {"gazette search -i news.idx --all --since 2023 'nuclear deal'",
     "articles since 2023 with both words"},
    {"gazette search -i news.idx '\"foreign minister\" -sanctions'",
     "the exact phrase, without articles mentioning sanctions"},
    {"gazette search -i news.idx --sort date -n 50 title:iran",
     "the fifty newest articles with Iran in the title"},
    {"gazette search -i news.idx --json jcpoa | jq -r 'select(.type==\"hit\")"
     ".id'",
     "the ids of the hits, for scripts"},
    {NULL, NULL},
};

/* ---- show, delete, stats, check ---------------------------------------- */

static const arg_opt show_opts[] = {
    OPT_INDEX, {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object"},
    OPT_COLOR, OPT_HELP,
    OPT_END,
};

static const arg_example show_examples[] = {
    {"gazette show -i news.idx 003_fdbb837543be5c6f.txt",
     "print a stored article with its title, date and source"},
    {NULL, NULL},
};

static const arg_opt delete_opts[] = {
    OPT_INDEX,
    OPT_HELP,
    OPT_END,
};

static const arg_example delete_examples[] = {
    {"gazette delete -i news.idx 003_fdbb837543be5c6f.txt",
     "delete one document"},
    {NULL, NULL},
};

static const arg_opt stats_opts[] = {
    OPT_INDEX,
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object"},
    OPT_HELP,
    OPT_END,
};

static const arg_example stats_examples[] = {
    {"gazette stats -i news.idx", "documents, terms and sizes of the index"},
    {NULL, NULL},
};

static const arg_opt check_opts[] = {
    OPT_INDEX,
    OPT_HELP,
    OPT_END,
};

static const arg_example check_examples[] = {
    {"gazette check -i news.idx", "verify every file of the index"},
    {NULL, NULL},
};

/* ---- the table --------------------------------------------------------- */

const arg_cmd spec_commands[] = {
    {"index",
     "add or update documents from files, directories, JSONL and "
     "CSV",
     "PATH...", OPERAND_PATH, 1, SIZE_MAX,
     "Read every document of each PATH and add it to the index, creating "
     "the index when it does not exist. PATH is a file, a directory (walked "
     "recursively; hidden and binary files are skipped with a warning) or - "
     "for standard input. A text file is one document whose id is its path "
     "below the directory given; JSONL and CSV records take their id from a "
     "field. A document whose id is already indexed is replaced when its "
     "content changed and left alone otherwise, so running the same command "
     "again only does the new work.\n\n"
     "A progress bar shows on a terminal. At the end one summary line goes "
     "to standard error. A file or record that cannot be read is reported, "
     "the rest is still committed, and the exit status is 2.",
     index_opts, index_examples, cmd_index},
    {"reindex", "rebuild the index from the sources it was built from", NULL,
     OPERAND_NONE, 0, 0,
     "Read again every source recorded in the index and build a fresh "
     "index from them, which replaces the old one in a single step. "
     "Searches see the old index until then.",
     reindex_opts, reindex_examples, cmd_reindex},
    {"search", "rank the documents that match a query", "QUERY...",
     OPERAND_TEXT, 1, SIZE_MAX,
     "Rank the documents matching QUERY with BM25 and print the best ones "
     "with a snippet in which the matches are highlighted. Several QUERY "
     "words are joined with spaces; quote the query to keep the shell from "
     "reading its quotes and parentheses, and put -- before a query that "
     "starts with '-'.\n\n"
     "On a terminal matches are coloured; otherwise they are marked with "
     "**double asterisks**. The exit status is 1 when nothing matches.",
     search_opts, search_examples, cmd_search},
    {"show", "print a stored document", "ID", OPERAND_TEXT, 1, 1,
     "Print the document with external id ID: header lines (id, title, "
     "date, source, length in tokens), a blank line, then the body. The "
     "exit status is 1 when there is no such document.",
     show_opts, show_examples, cmd_show},
    {"delete", "delete documents by id", "ID...", OPERAND_TEXT, 1, SIZE_MAX,
     "Delete the documents with the given external ids and commit. An id "
     "that is not in the index is reported and skipped; the exit status is "
     "1 when none of them was.",
     delete_opts, delete_examples, cmd_delete},
    {"stats", "show the size and make-up of an index", NULL, OPERAND_NONE, 0, 0,
     "Print the number of documents, deleted documents, terms, tokens and "
     "segments, the analyzer language, the recorded sources and the bytes "
     "taken by each kind of file.",
     stats_opts, stats_examples, cmd_stats},
    {"check", "verify every file of an index", NULL, OPERAND_NONE, 0, 0,
     "Verify the magic, version and checksum of every file of the index, "
     "and the structure of every dictionary block, postings list and stored "
     "document block. Prints one line per file; exits 0 when all are sound "
     "and 2 at the first damaged one.",
     check_opts, check_examples, cmd_check},
    {NULL, NULL, NULL, OPERAND_NONE, 0, 0, NULL, NULL, NULL, NULL},
};

static const arg_opt top_opts[] = {
    {'h', "help", ARG_SWITCH, NULL, NULL, "print this help and exit"},
    {'V', "version", ARG_SWITCH, NULL, NULL, "print the version and exit"},
    {0, "generate", ARG_CHOICE, "KIND",
     "man|complete-bash|complete-zsh|complete-fish",
     "print the man page or a shell completion script"},
    OPT_END,
};

static const arg_example top_examples[] = {
    {"gazette index -i news.idx corpus/", "build an index"},
    {"gazette search -i news.idx 'lavrov AND tehran'", "search it"},
    {"export GAZETTE_INDEX=news.idx; gazette show 003_fdbb837543be5c6f.txt",
     "set the index once for the session, then read a hit"},
    {"gazette search --json --since 30d iran | jq .id",
     "hits of the last 30 days as JSON"},
    {"gazette --generate man > gazette.1", "write this manual page"},
    {"gazette --generate complete-bash > "
     "/etc/bash_completion.d/gazette",
     "install completion for bash"},
    {NULL, NULL},
};

const arg_cmd spec_top = {
    NULL,
    "full-text search for news archives",
    NULL,
    OPERAND_NONE,
    0,
    0,
    spec_description,
    top_opts,
    top_examples,
    NULL,
};

const spec_item spec_query_syntax[] = {
    {"word", "documents containing word, case folded and stemmed "
             "(negotiations finds negotiated)"},
    {"a b", "either word; documents with more of them rank higher "
            "(with --all: both)"},
    {"\"exact phrase\"", "the words next to each other, in order"},
    {"\"a b\"~5", "the words up to 5 positions further apart"},
    {"+word", "word is required"},
    {"-word, NOT word", "word must not occur"},
    {"a AND b, a OR b", "both, or either (operators only in capitals)"},
    {"( ... )", "grouping"},
    {"title:word", "word in the title"},
    {"date:2025-01..2025-03", "dated in a range: YYYY, YYYY-MM, YYYY-MM-DD, "
                              "30d, 2w, 6m, 1y, today, A.., ..B"},
    {"tehr*", "terms starting with tehr (the prefix of the stem)"},
    {"*:*", "every document"},
    {NULL, NULL},
};

const spec_item spec_exit_status[] = {
    {"0", "results were found, or the command succeeded"},
    {"1", "nothing was found: no hit, a count of 0, no such document"},
    {"2", "an error: a bad option, a query syntax error, an unreadable or "
          "damaged index, a source that could not be read"},
    {NULL, NULL},
};

const spec_item spec_environment[] = {
    {"GAZETTE_INDEX", "the index directory when -i is not given "
                      "(else gazette.idx)"},
    {"NO_COLOR", "when set and not empty, no colour unless --color=always"},
    {"TERM", "when dumb, no colour unless --color=always"},
    {NULL, NULL},
};

const arg_cmd *
spec_find(const char *name)
{
    for (const arg_cmd *c = spec_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}
