/* SPDX-License-Identifier: MIT */
/*
 * spec.c: the command table (see spec.h).
 *
 * To add an option, add a row here and read it in the cmd_*.c file: the
 * parser, --help, the man page and the bash/zsh/fish completions follow by
 * themselves. Help lines are lower case without a final period; descriptions
 * are sentences.
 *
 * A command group ("bench", "ner") is a row with no run function whose
 * subs table holds its commands, named in full ("bench ner"): main.c reads
 * the second word against it, and help, man page and completions list the
 * group's commands under it.
 */
#include "spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "commands.h"

const char spec_tagline[] = "full-text search for news archives";

const char spec_description[] =
    "gazette indexes news articles (text files, JSON Lines, CSV) into an "
    "inverted index in a directory, ranks documents against Lucene-style "
    "queries with BM25, and shows the best passages of each hit with the "
    "matches highlighted. It recognises the people, organisations and places "
    "each article mentions, highlights them, searches by them and counts "
    "them.\n\n"
    "An index is a directory. Any number of readers can search it while one "
    "writer adds, replaces and deletes documents; a commit makes the changes "
    "visible at once, and a crash leaves the last committed state intact.";

/* Options every subcommand has. */
#define OPT_INDEX                                                              \
    {                                                                          \
        'i', "index", ARG_DIR, "DIR", NULL,                                    \
            "index directory (default: $GAZETTE_INDEX, else gazette.idx)", 0   \
    }
#define OPT_HELP                                                               \
    {                                                                          \
        'h', "help", ARG_SWITCH, NULL, NULL, "print this help and exit", 0     \
    }
#define OPT_END                                                                \
    {                                                                          \
        0, NULL, ARG_SWITCH, NULL, NULL, NULL, 0                               \
    }
#define OPT_COLOR                                                              \
    {                                                                          \
        0, "color", ARG_CHOICE, "WHEN", "auto|always|never",                   \
            "colour the output: auto colours a terminal unless NO_COLOR is "   \
            "set or "                                                          \
            "TERM is dumb",                                                    \
            0                                                                  \
    }
#define OPT_QUIET                                                              \
    {                                                                          \
        'q', "quiet", ARG_SWITCH, NULL, NULL,                                  \
            "no progress bar (warnings and the summary still print)", 0        \
    }

#define OPT_NO_HIGHLIGHTS                                                      \
    {                                                                          \
        0, "no-entity-highlights", ARG_SWITCH, NULL, NULL,                     \
            "do not highlight people, organisations and places; only query "   \
            "matches",                                                         \
            0                                                                  \
    }

/* The entity options index and reindex share. */
#define OPT_ENTITY_LISTS                                                       \
    {0,                                                                        \
     "entities",                                                               \
     ARG_FILE,                                                                 \
     "FILE",                                                                   \
     NULL,                                                                     \
     "a list of your own entities (TSV: name, type, canonical, aliases) "      \
     "that take precedence over the tagger",                                   \
     ARG_REPEAT},                                                              \
        {0,                                                                    \
         "no-entities",                                                        \
         ARG_SWITCH,                                                           \
         NULL,                                                                 \
         NULL,                                                                 \
         "do not recognise entities (default: the index's setting, on for a "  \
         "new index)",                                                         \
         0},                                                                   \
    {                                                                          \
        0, "ner-model", ARG_FILE, "FILE", NULL,                                \
            "a tagger model made by gazette ner train, instead of the "        \
            "built-in one",                                                    \
            0                                                                  \
    }

#define OPT_SHARDS                                                             \
    {                                                                          \
        0, "shards", ARG_UINT, "N", NULL,                                      \
            "xapian: split the documents over N shard databases by a hash "    \
            "of their id (default 1)",                                         \
            0                                                                  \
    }

/* How index (and reindex --from) read their sources. */
#define OPT_FORMAT                                                             \
    {                                                                          \
        0, "format", ARG_CHOICE, "FORMAT", "auto|text|jsonl|csv",              \
            "input format; auto picks by extension: .jsonl/.ndjson, "          \
            ".csv/.tsv, else one text document per file",                      \
            0                                                                  \
    }
#define OPT_INPUT_FIELDS                                                       \
    {0,          "id-field",                                                   \
     ARG_STRING, "FIELD",                                                      \
     NULL,       "JSONL/CSV field holding the document id (default id)",       \
     0},                                                                       \
        {0,          "title-field",                                            \
         ARG_STRING, "FIELD",                                                  \
         NULL,       "JSONL/CSV field holding the title (default title)",      \
         0},                                                                   \
        {0,                                                                    \
         "body-field",                                                         \
         ARG_STRING,                                                           \
         "FIELD",                                                              \
         NULL,                                                                 \
         "JSONL/CSV field holding the text (default body, then text)",         \
         0},                                                                   \
        {0,          "date-field",                                             \
         ARG_STRING, "FIELD",                                                  \
         NULL,       "JSONL/CSV field holding the date (default date)",        \
         0},                                                                   \
    {                                                                          \
        0, "delimiter", ARG_CHAR, "CHAR", NULL,                                \
            "CSV field delimiter, \\t for tab (default , or tab for .tsv)", 0  \
    }

#define OPT_JOBS                                                               \
    {                                                                          \
        'j', "jobs", ARG_UINT, "N", NULL,                                      \
            "analyse documents on N threads while one more reads and "         \
            "inverts them (default: one per core but one; 1: a single "        \
            "thread)",                                                         \
            0                                                                  \
    }

#define OPT_OPTIMIZE                                                           \
    {                                                                          \
        0, "optimize", ARG_SWITCH, NULL, NULL,                                 \
            "merge the index into one segment at the end: faster queries, a "  \
            "slower commit (native engine)",                                   \
            0                                                                  \
    }

/* ---- index ------------------------------------------------------------- */

static const arg_opt index_opts[] = {
    OPT_INDEX,
    OPT_FORMAT,
    {0, "language", ARG_LANGUAGE, "LANG", NULL,
     "stemming language of a new index (default english; none "
     "turns stemming off); an existing index must match",
     0},
    {0, "memory", ARG_SIZE, "SIZE", NULL,
     "RAM for buffered documents before a segment is written, e.g. 256M "
     "or 1G (default 256M)",
     0},
    {0, "prune", ARG_SWITCH, NULL, NULL,
     "also delete the documents of each PATH whose files are gone", 0},
    OPT_INPUT_FIELDS,
    {0, "engine", ARG_CHOICE, "ENGINE", "native|xapian",
     "engine of a new index: gazette's own segments, or Xapian databases "
     "(default native); an existing index keeps its own",
     0},
    OPT_SHARDS,
    OPT_OPTIMIZE,
    OPT_JOBS,
    OPT_ENTITY_LISTS,
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
    {"gazette index -i news.idx --entities people.tsv corpus/",
     "recognise the people of your own list as well"},
    {"gazette index -i x.idx --engine xapian --shards 3 big.jsonl",
     "build a Xapian index of three shards (serve each with xapian-tcpsrv)"},
    {NULL, NULL},
};

/* ---- reindex ----------------------------------------------------------- */

static const arg_opt reindex_opts[] = {
    OPT_INDEX,
    {0, "from", ARG_FILE, "PATH", NULL,
     "replace the collection: rebuild from PATH (files, directories, JSONL, "
     "CSV, as index reads them) instead of the recorded sources",
     ARG_REPEAT},
    OPT_FORMAT,
    OPT_INPUT_FIELDS,
    OPT_ENTITY_LISTS,
    {0, "with-entities", ARG_SWITCH, NULL, NULL,
     "recognise entities again in an index built with --no-entities", 0},
    OPT_SHARDS,
    OPT_OPTIMIZE,
    OPT_JOBS,
    OPT_QUIET,
    OPT_HELP,
    OPT_END,
};

static const arg_example reindex_examples[] = {
    {"gazette reindex -i news.idx",
     "rebuild news.idx from the sources it was built from"},
    {"gazette reindex -i news.idx --no-entities",
     "rebuild it without entity recognition"},
    {"gazette reindex -i news.idx --from archive-2026.jsonl",
     "replace the whole collection with another one in a single step"},
    {NULL, NULL},
};

/* ---- search ------------------------------------------------------------ */

static const arg_opt search_opts[] = {
    OPT_INDEX,
    {'n', "limit", ARG_UINT, "K", NULL, "show K hits (default 10)", 0},
    {0, "offset", ARG_UINT, "N", NULL, "skip the first N hits, for paging", 0},
    {0, "all", ARG_SWITCH, NULL, NULL,
     "require every word: the default operator becomes AND", 0},
    {0, "count", ARG_SWITCH, NULL, NULL,
     "print only the number of matching documents", 0},
    {0, "json", ARG_SWITCH, NULL, NULL,
     "print JSON Lines: one object per hit, then a summary", 0},
    {0, "since", ARG_DATE, "DATE", NULL,
     "only documents dated on or after DATE (2025-01-01, 2024, 30d, ...)", 0},
    {0, "until", ARG_DATE, "DATE", NULL,
     "only documents dated on or before DATE (the end of a month or year)", 0},
    {0, "sort", ARG_CHOICE, "ORDER", "score|date|date-asc",
     "order of the hits: best first, newest first or oldest first", 0},
    {0, "fast", ARG_SWITCH, NULL, NULL,
     "rank faster by skipping documents that cannot make the page: the same "
     "hits, but the total may be a lower bound (\"at least N\")",
     0},
    {0, "explain", ARG_SWITCH, NULL, NULL,
     "show how each query term adds to a hit's BM25 score", 0},
    OPT_NO_HIGHLIGHTS,
    OPT_COLOR,
    {0, "k1", ARG_FLOAT, "X", NULL,
     "BM25 term-frequency saturation (default 0.9)", 0},
    {0, "b", ARG_FLOAT, "X", NULL,
     "BM25 document-length normalisation, 0 to 1 (default 0.4)", 0},
    {0, "allow-partial", ARG_SWITCH, NULL, NULL,
     "xapian shards: search the shards that answer when some are down, and "
     "say which are missing, instead of failing",
     0},
    {0, "timeout", ARG_UINT, "MS", NULL,
     "xapian remote shards: give up on one after MS milliseconds (default "
     "10000)",
     0},
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
    {"gazette search -i news.idx 'person:lavrov place:tehran'",
     "articles that mention the person Lavrov or the place Tehran"},
    {"gazette search -i news.idx --json jcpoa | jq -r 'select(.type==\"hit\")"
     ".id'",
     "the ids of the hits, for scripts"},
    {NULL, NULL},
};

/* ---- show, delete, stats, check ---------------------------------------- */

static const arg_opt show_opts[] = {
    OPT_INDEX,
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object", 0},
    {0, "entities", ARG_SWITCH, NULL, NULL,
     "after the document, list every recognised entity with its canonical "
     "form and offsets",
     0},
    OPT_NO_HIGHLIGHTS,
    OPT_COLOR,
    OPT_HELP,
    OPT_END,
};

static const arg_example show_examples[] = {
    {"gazette show -i news.idx 003_fdbb837543be5c6f.txt",
     "print a stored article with its title, date and source"},
    {"gazette show -i news.idx --entities 003_fdbb837543be5c6f.txt",
     "the article and the people, organisations and places found in it"},
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
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object", 0},
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

static const arg_opt gc_opts[] = {
    OPT_INDEX,
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object", 0},
    OPT_HELP,
    OPT_END,
};

static const arg_example gc_examples[] = {
    {"gazette gc -i news.idx",
     "remove what a killed indexer left in the index directory"},
    {NULL, NULL},
};

/* ---- entities ---------------------------------------------------------- */

static const arg_opt entities_opts[] = {
    OPT_INDEX,
    {'n', "limit", ARG_UINT, "K", NULL,
     "show the K entities in most documents (default 20; 0 shows all)", 0},
    {0, "type", ARG_CHOICE, "TYPE", "PER|ORG|LOC|MISC",
     "only people, organisations, places or other names", 0},
    {0, "json", ARG_SWITCH, NULL, NULL,
     "print JSON Lines: one object per entity, then a summary", 0},
    {0, "all", ARG_SWITCH, NULL, NULL,
     "require every word of QUERY: the default operator becomes AND", 0},
    {0, "since", ARG_DATE, "DATE", NULL,
     "only documents dated on or after DATE", 0},
    {0, "until", ARG_DATE, "DATE", NULL,
     "only documents dated on or before DATE", 0},
    OPT_COLOR,
    OPT_HELP,
    OPT_END,
};

static const arg_example entities_examples[] = {
    {"gazette entities -i news.idx",
     "the twenty entities mentioned in most documents"},
    {"gazette entities -i news.idx --type PER -n 50",
     "the fifty people mentioned in most documents"},
    {"gazette entities -i news.idx treaty",
     "who and what the articles about a treaty mention"},
    {"gazette entities -i news.idx --json | jq -r "
     "'select(.type==\"entity\") | .canonical'",
     "the canonical forms, for scripts"},
    {NULL, NULL},
};

/* ---- bench ------------------------------------------------------------- */

static const arg_opt group_opts[] = {
    OPT_HELP,
    OPT_END,
};

static const arg_opt bench_ner_opts[] = {
    {0, "model", ARG_FILE, "FILE", NULL,
     "a model made by gazette ner train (default: the built-in model)", 0},
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object", 0},
    OPT_COLOR,
    OPT_HELP,
    OPT_END,
};

static const arg_example bench_ner_examples[] = {
    {"gazette bench ner eng.testa.iob2",
     "precision, recall and F1 of the built-in tagger on CoNLL-2003 data"},
    {"gazette bench ner --model my.model dev.iob2",
     "score a model trained on your own data"},
    {NULL, NULL},
};

static const arg_opt bench_queries_opts[] = {
    OPT_INDEX,
    {0, "passes", ARG_UINT, "N", NULL,
     "timed passes after the warm-up; each query's fastest counts (default "
     "3)",
     0},
    {0, "command", ARG_CHOICE, "CMD", "TOP_10|TOP_10_COUNT|COUNT",
     "only this command (default all three)", 0},
    {0, "peer", ARG_DIR, "DIR", NULL,
     "a second index of the same corpus (e.g. --engine xapian) run on the "
     "same queries, pass by pass in turn: time ratios per tag, and its "
     "counts checked against the first's",
     0},
    {0, "peers", ARG_STRING, "LIST", NULL,
     "build the index's sources into these peers (xapian, fts5, or "
     "xapian,fts5) with the same analysis, report each build, and run "
     "them on the same queries in turn",
     0},
    {0, "fetch", ARG_SWITCH, NULL, NULL,
     "read each hit's id (and on gazette its title) from the stored "
     "documents, on every engine; by default hits are found, not read, as "
     "in the search-benchmark-game",
     0},
    {0, "plot", ARG_FILE, "FILE.svg", NULL,
     "draw each command and tag's latency distribution of every engine "
     "into FILE.svg (gnuplot)",
     0},
    {0, "peers-dir", ARG_DIR, "DIR", NULL,
     "keep the peers in DIR, and reuse the ones already there (default: a "
     "temporary directory, removed at the end)",
     0},
    {0, "json", ARG_SWITCH, NULL, NULL, "print JSON Lines, one per row", 0},
    OPT_HELP,
    OPT_END,
};

static const arg_example bench_queries_examples[] = {
    {"gazette bench queries -i news.idx queries.jsonl",
     "latency per tag of TOP_10, TOP_10_COUNT and COUNT"},
    {"gazette bench queries -i native.idx --peer xapian.idx queries.jsonl",
     "gazette's engine against Xapian on the same queries"},
    {"gazette bench queries -i news.idx --peers xapian,fts5 --peers-dir "
     "peers queries.jsonl",
     "build Xapian and SQLite FTS5 peers of the same corpus and race them"},
    {NULL, NULL},
};

static const arg_opt bench_index_opts[] = {
    {0, "engines", ARG_STRING, "LIST", NULL,
     "the engines to build, comma-separated (default all: "
     "gazette,gazette+entities,xapian,fts5)",
     0},
    {0, "runs", ARG_UINT, "N", NULL,
     "builds of each engine, interleaved; the fastest counts (default 1)", 0},
    {'j', "jobs", ARG_UINT, "N", NULL,
     "analysis threads of gazette's builds (default: one per core but one; "
     "1: a single thread, as FTS5 and Xapian build)",
     0},
    {0, "dir", ARG_DIR, "DIR", NULL,
     "build in DIR and keep the results (default: a temporary directory, "
     "removed at the end)",
     0},
    {0, "format", ARG_CHOICE, "FORMAT", "auto|text|jsonl|csv",
     "input format (default auto, by extension)", 0},
    {0, "language", ARG_LANGUAGE, "LANG", NULL,
     "stemming language (default english; none for no stemming)", 0},
    {0, "json", ARG_SWITCH, NULL, NULL, "print JSON Lines, one per engine", 0},
    OPT_HELP,
    OPT_END,
};

static const arg_example bench_index_examples[] = {
    {"gazette bench index reuters.jsonl",
     "gazette (entities off and on), Xapian and SQLite FTS5 on one corpus"},
    {"gazette bench index --engines gazette,fts5 --runs 3 headlines.tsv",
     "two engines, fastest of three interleaved runs"},
    {NULL, NULL},
};

static const arg_cmd bench_commands[] = {
    {"bench index", "measure indexing speed against Xapian and FTS5", "PATH...",
     OPERAND_PATH, 1, SIZE_MAX,
     "Index PATH... with gazette (entities off, then on), with Xapian "
     "(gazette's Xapian engine, entities off) and with SQLite FTS5 (a "
     "contentless table whose tokenizer is gazette's analyzer), each build "
     "in a process of its own. Prints per engine the documents, wall "
     "seconds, MB/s of source text, documents/s, user CPU, peak RSS and "
     "the index size, whole and without stored text where that can be told "
     "apart, then each engine's time over gazette's. With --runs N the "
     "builds are interleaved and each engine's fastest run counts.",
     bench_index_opts, bench_index_examples, cmd_bench_index, NULL},
    {"bench queries", "measure query latency on a query file", "QUERIES",
     OPERAND_PATH, 1, 1,
     "Run every query of QUERIES (JSON Lines in the search-benchmark-game's "
     "format, {\"query\": \"...\", \"tags\": [...]}, or one query per "
     "line) as the game's commands: TOP_10 (the ten best hits; the total "
     "may be a lower bound, so ranking can prune), TOP_10_COUNT (the hits "
     "and the exact count) and COUNT. Each query runs once to warm up, then "
     "--passes times, and its fastest run counts. Prints, per command and "
     "tag and over all queries, the mean, p50, p90 and p99 in microseconds "
     "and the hits returned (a checksum two runs or builds can compare).",
     bench_queries_opts, bench_queries_examples, cmd_bench_queries, NULL},
    {"bench ner", "score the entity tagger on annotated IOB2 data", "FILE.iob2",
     OPERAND_PATH, 1, 1,
     "Tag FILE.iob2 (CoNLL-2003 columns: the word first, the IOB2 tag "
     "last; a blank line between sentences) with the built-in model or "
     "--model, and score it as conlleval does: an entity counts as correct "
     "only with its exact span and type. Prints precision, recall and F1 "
     "with the gold, predicted and correct entity counts per type and "
     "overall, the token accuracy, and the tagging speed in tokens per "
     "second on one core.\n\n"
     "A malformed line is an error naming the file and line (exit status "
     "2).",
     bench_ner_opts, bench_ner_examples, cmd_bench_ner, NULL},
    {NULL, NULL, NULL, OPERAND_NONE, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const arg_example bench_examples[] = {
    {"gazette bench ner eng.testa.iob2", "score the entity tagger"},
    {"gazette bench queries -i news.idx queries.jsonl",
     "query latency per tag"},
    {NULL, NULL},
};

/* ---- eval -------------------------------------------------------------- */

static const arg_opt eval_opts[] = {
    {'i', "index", ARG_DIR, "DIR", NULL,
     "the index to search: built from --corpus when it does not exist "
     "(default: a temporary one)",
     0},
    {0, "corpus", ARG_FILE, "FILE", NULL,
     "the collection as JSON Lines (BEIR's corpus.jsonl: _id, title, text)", 0},
    {0, "topics", ARG_FILE, "FILE", NULL,
     "the topics: TOPIC<TAB>QUERY lines (required)", 0},
    {0, "qrels", ARG_FILE, "FILE", NULL,
     "relevance judgments: TOPIC ITERATION DOCUMENT RELEVANCE lines "
     "(required)",
     0},
    {0, "run", ARG_FILE, "FILE", NULL,
     "where to write the TREC run (default gazette.run)", 0},
    {0, "depth", ARG_UINT, "N", NULL, "hits per topic (default 1000)", 0},
    {0, "tag", ARG_STRING, "NAME", NULL,
     "the run's tag, its last column (default gazette)", 0},
    {0, "id-field", ARG_STRING, "FIELD", NULL,
     "JSONL field holding the document id (default _id)", 0},
    {0, "k1", ARG_FLOAT, "X", NULL, "BM25 k1 (default 0.9)", 0},
    {0, "b", ARG_FLOAT, "X", NULL, "BM25 b (default 0.4)", 0},
    {0, "json", ARG_SWITCH, NULL, NULL, "print one JSON object", 0},
    OPT_HELP,
    OPT_END,
};

static const arg_example eval_examples[] = {
    {"gazette eval --corpus corpus.jsonl --topics topics.tsv --qrels "
     "qrels.txt",
     "nDCG@10, R@100, R@1000 and MAP of gazette's BM25 on a test "
     "collection"},
    {"gazette eval -i scifact.idx --topics topics.tsv --qrels qrels.txt "
     "--k1 1.2 --b 0.75",
     "the same index with other BM25 parameters"},
    {NULL, NULL},
};

/* ---- sbg --------------------------------------------------------------- */

static const arg_opt sbg_index_opts[] = {
    {0, "language", ARG_LANGUAGE, "LANG", NULL,
     "stemming language (default english; none turns stemming off, as the "
     "benchmark's own rules ask)",
     0},
    OPT_HELP,
    OPT_END,
};

static const arg_opt sbg_serve_opts[] = {
    OPT_HELP,
    OPT_END,
};

static const arg_example sbg_index_examples[] = {
    {"gazette sbg index idx < corpus.jsonl",
     "build a complete index from JSON Lines on standard input"},
    {NULL, NULL},
};

static const arg_example sbg_serve_examples[] = {
    {"printf 'COUNT\\tiran\\nTOP_10\\tiran russia\\n' | gazette sbg serve idx",
     "answer protocol lines: 4, then 4"},
    {NULL, NULL},
};

static const arg_cmd sbg_commands[] = {
    {"sbg index", "build an index from JSON Lines on standard input", "DIR",
     OPERAND_PATH, 1, 1,
     "Read JSON Lines documents on standard input (id with text, or title "
     "and body; date optional) and build a complete index in DIR, replacing "
     "the one there only when the new one is complete. Entities are off. "
     "One summary line goes to standard error.",
     sbg_index_opts, sbg_index_examples, cmd_sbg_index, NULL},
    {"sbg serve", "answer search-benchmark-game protocol lines", "DIR",
     OPERAND_PATH, 1, 1,
     "Read COMMAND<TAB>query lines on standard input and answer each with "
     "one line, flushed: COUNT gives the exact number of matching "
     "documents; TOP_10, TOP_100 and TOP_1000 the number of hits returned; "
     "TOP_10_COUNT, TOP_100_COUNT and TOP_1000_COUNT the exact count; any "
     "other command, or a query gazette refuses, UNSUPPORTED (the reason "
     "goes to standard error). Queries are in gazette's query language, "
     "which reads the game's Lucene syntax.",
     sbg_serve_opts, sbg_serve_examples, cmd_sbg_serve, NULL},
    {NULL, NULL, NULL, OPERAND_NONE, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const arg_example sbg_examples[] = {
    {"gazette sbg index idx < corpus.jsonl && gazette sbg serve idx",
     "index, then answer queries"},
    {NULL, NULL},
};

/* ---- ner --------------------------------------------------------------- */

static const arg_opt ner_train_opts[] = {
    {'o', "output", ARG_FILE, "MODEL", NULL,
     "where to write the model (required; replaced atomically)", 0},
    {0, "dev", ARG_FILE, "FILE", NULL,
     "IOB2 data to score after each epoch (its F1 is printed)", 0},
    {0, "epochs", ARG_UINT, "N", NULL, "passes over the data (default 12)", 0},
    {'q', "quiet", ARG_SWITCH, NULL, NULL, "no progress lines", 0},
    OPT_HELP,
    OPT_END,
};

static const arg_example ner_train_examples[] = {
    {"gazette ner train train.iob2 --dev dev.iob2 -o my.model",
     "train a tagger on your own annotated articles"},
    {"gazette index -i news.idx --ner-model my.model corpus/",
     "then index with it"},
    {NULL, NULL},
};

static const arg_cmd ner_commands[] = {
    {"ner train", "train the entity tagger on your own annotated data",
     "FILE.iob2", OPERAND_PATH, 1, 1,
     "Train a tagger on FILE.iob2 (CoNLL-2003 columns: the word first, the "
     "IOB2 tag last, types PER, ORG, LOC and MISC) with the features and "
     "word clusters of the built-in model, and write it to MODEL. After "
     "each epoch a progress line goes to standard error, with the F1 on "
     "--dev when given. Use the model with gazette index --ner-model and "
     "gazette bench ner --model.\n\n"
     "A malformed line is an error naming the file and line (exit status "
     "2).",
     ner_train_opts, ner_train_examples, cmd_ner_train, NULL},
    {NULL, NULL, NULL, OPERAND_NONE, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const arg_example ner_examples[] = {
    {"gazette ner train train.iob2 -o my.model", "train a tagger"},
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
     "People, organisations and places are recognised in every document and "
     "indexed for person:, org:, place:, misc: and entity: queries, for "
     "highlighting and for gazette entities. The entries of your own lists "
     "(--entities) take precedence over the tagger; a bad row in a list is "
     "an error naming the file and row. An existing index keeps its entity "
     "setting: --no-entities must agree with it, and gazette reindex "
     "changes it.\n\n"
     "A progress bar shows on a terminal. At the end one summary line goes "
     "to standard error. A file or record that cannot be read is reported, "
     "the rest is still committed, and the exit status is 2.",
     index_opts, index_examples, cmd_index, NULL},
    {"reindex", "rebuild the index from the sources it was built from", NULL,
     OPERAND_NONE, 0, 0,
     "Read again every source recorded in the index and build a fresh "
     "index from them, which replaces the old one in a single step. "
     "Searches see the old index until then. The entity options change how "
     "the new index recognises entities; without them it keeps the old "
     "index's setting, lists and model.\n\n"
     "With --from the new index is built from the given sources instead "
     "(read with the input options, as index reads them), which replace "
     "the recorded ones: the whole collection changes in one step. The old "
     "index's files are removed only after the swap; when a source cannot "
     "be read, nothing changes.",
     reindex_opts, reindex_examples, cmd_reindex, NULL},
    {"search", "rank the documents that match a query", "QUERY...",
     OPERAND_TEXT, 1, SIZE_MAX,
     "Rank the documents matching QUERY with BM25 and print the best ones "
     "with a snippet in which the matches and the entities are highlighted. "
     "Several QUERY words are joined with spaces; quote the query to keep "
     "the shell from reading its quotes and parentheses, and put -- before a "
     "query that starts with '-'.\n\n"
     "On a terminal matches are bold red and entities underlined in the "
     "colour of their type: people cyan, organisations green, places "
     "yellow, other names magenta. Otherwise matches are marked with "
     "**double asterisks** and entities with braces and their type, {PER "
     "Sergey Lavrov}. The exit status is 1 when nothing matches.",
     search_opts, search_examples, cmd_search, NULL},
    {"show", "print a stored document", "ID", OPERAND_TEXT, 1, 1,
     "Print the document with external id ID: header lines (id, title, "
     "date, source, length in tokens), a blank line, then the body, in "
     "which a terminal shows the entities in colour. With --entities a "
     "list of the recognised entities follows. The exit status is 1 when "
     "there is no such document.",
     show_opts, show_examples, cmd_show, NULL},
    {"entities", "list the people, organisations and places of an index",
     "[QUERY...]", OPERAND_TEXT, 0, SIZE_MAX,
     "Print the entities mentioned in most documents of the index with the "
     "number of documents and of mentions, their type and canonical form. "
     "With a QUERY, count only the documents that match it (a facet), and "
     "say how many match. The exit status is 1 when there are no entities "
     "or no document matches.",
     entities_opts, entities_examples, cmd_entities, NULL},
    {"delete", "delete documents by id", "ID...", OPERAND_TEXT, 1, SIZE_MAX,
     "Delete the documents with the given external ids and commit. An id "
     "that is not in the index is reported and skipped; the exit status is "
     "1 when none of them was.",
     delete_opts, delete_examples, cmd_delete, NULL},
    {"stats", "show the size and make-up of an index", NULL, OPERAND_NONE, 0, 0,
     "Print the number of documents, deleted documents, terms, tokens and "
     "segments, the analyzer language, the recorded sources and the bytes "
     "taken by each kind of file.",
     stats_opts, stats_examples, cmd_stats, NULL},
    {"check", "verify every file of an index", NULL, OPERAND_NONE, 0, 0,
     "Verify the magic, version and checksum of every file of the index, "
     "and the structure of every dictionary block, postings list and stored "
     "document block. Prints one line per file; exits 0 when all are sound "
     "and 2 at the first damaged one.",
     check_opts, check_examples, cmd_check, NULL},
    {"gc", "remove what crashed or killed runs left behind", NULL, OPERAND_NONE,
     0, 0,
     "Remove the files that no committed generation of the index names: "
     "segments, deletion lists and temporary manifests of a run that was "
     "killed or failed before its commit, and Xapian shard directories a "
     "reindex left. Writers clean up after themselves when they commit or "
     "stop on an error; gc is for an index whose writer was killed. It "
     "takes the writer lock, so it waits for no one: a running writer "
     "makes it fail. Prints what it removed.",
     gc_opts, gc_examples, cmd_gc, NULL},
    {"eval", "measure ranking quality on a test collection", NULL, OPERAND_NONE,
     0, 0,
     "Index the collection --corpus (or reuse the index -i), run every "
     "topic of --topics as a bag of words, write the first --depth hits of "
     "each to a TREC run file (TOPIC Q0 DOCUMENT RANK SCORE TAG) and score "
     "it against --qrels as trec_eval -c does: nDCG@10 (ndcg_cut.10), "
     "recall at 100 and 1,000, and MAP, averaged over the judged topics.\n\n"
     "Entities are off in an index eval builds: they do not change BM25. A "
     "malformed topic or judgment line is an error naming the file and line "
     "(exit status 2).",
     eval_opts, eval_examples, cmd_eval, NULL},
    {"bench", "measure gazette on your own data", NULL, OPERAND_NONE, 0, 0,
     "Measure how well and how fast gazette works on data you give it.",
     group_opts, bench_examples, NULL, bench_commands},
    {"sbg", "speak the search-benchmark-game's engine protocol", NULL,
     OPERAND_NONE, 0, 0,
     "Index and serve queries the way the search-benchmark-game drives an "
     "engine, so that gazette can be measured by that benchmark and any rig "
     "that speaks its protocol.",
     group_opts, sbg_examples, NULL, sbg_commands},
    {"ner", "work with the entity tagger", NULL, OPERAND_NONE, 0, 0,
     "Train the statistical tagger that recognises people, organisations, "
     "places and other names.",
     group_opts, ner_examples, NULL, ner_commands},
    {NULL, NULL, NULL, OPERAND_NONE, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const arg_opt top_opts[] = {
    {'h', "help", ARG_SWITCH, NULL, NULL, "print this help and exit", 0},
    {'V', "version", ARG_SWITCH, NULL, NULL, "print the version and exit", 0},
    {0, "generate", ARG_CHOICE, "KIND",
     "man|complete-bash|complete-zsh|complete-fish",
     "print the man page or a shell completion script", 0},
    OPT_END,
};

static const arg_example top_examples[] = {
    {"gazette index -i news.idx corpus/", "build an index"},
    {"gazette search -i news.idx 'lavrov AND tehran'", "search it"},
    {"gazette entities -i news.idx", "the people, organisations and places "
                                     "it mentions most"},
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
    {"person:word", "word in the name of a person the document mentions "
                    "(person:lavrov); org:, place: and misc: likewise"},
    {"entity:\"Sergey Lavrov\"", "documents mentioning the entity with this "
                                 "canonical form"},
    {"date:2025-01..2025-03", "dated in a range: YYYY, YYYY-MM, YYYY-MM-DD, "
                              "30d, 2w, 6m, 1y, today, A.., ..B"},
    {"tehr*", "terms starting with tehr (the prefix of the stem)"},
    {"*:*", "every document"},
    {NULL, NULL},
};

const spec_item spec_exit_status[] = {
    {"0", "results were found, or the command succeeded"},
    {"1", "nothing was found: no hit, a count of 0, no such document, no "
          "entities"},
    {"2", "an error: a bad option, a query syntax error, an unreadable or "
          "damaged index, a source that could not be read, a bad entity "
          "list or IOB2 file"},
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
spec_find(const arg_cmd *table, const char *word)
{
    for (const arg_cmd *c = table; c && c->name; c++)
        if (!strcmp(spec_word(c), word))
            return c;
    return NULL;
}

const arg_cmd *
spec_walk(const arg_cmd *prev)
{
    bool next = prev == NULL;

    for (const arg_cmd *c = spec_commands; c->name; c++) {
        if (next)
            return c;
        next = c == prev;
        for (const arg_cmd *s = c->subs; s && s->name; s++) {
            if (next)
                return s;
            next = s == prev;
        }
    }
    return NULL;
}

const char *
spec_word(const arg_cmd *cmd)
{
    const char *last = cmd->name ? strrchr(cmd->name, ' ') : NULL;

    return last ? last + 1 : cmd->name;
}
