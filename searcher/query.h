/* SPDX-License-Identifier: MIT */
/*
 * query.h: the query language (a Lucene-compatible subset) parsed into a
 * tree of query nodes whose terms are already analysed, so the matcher only
 * looks terms up.
 *
 * Grammar, loosest binding first:
 *
 *   query   := seq
 *   seq     := orx+                  items joined by the default operator
 *   orx     := andx ('OR' andx)*
 *   andx    := unary ('AND' unary)*
 *   unary   := ('+' | '-' | 'NOT') unary | primary
 *   primary := '(' seq ')' | FIELD ':' primary | '"' words '"' ['~' N]
 *            | WORD '*' | WORD | 'date:' DATES
 *
 * A `+` item is required, a `-`/NOT item is excluded, other items of a seq
 * are optional (default OR: at least one must match unless something is
 * required) or required (default AND). A word that analyses to several
 * tokens (`U.S.-Iran`, `Raouf-Sheybani`) becomes a phrase of them; a word
 * that analyses to none is dropped. Operators are only AND/OR/NOT in
 * capitals, as in Lucene. Fields: title:, date:. An unknown field
 * (`foo:bar`) is ordinary text.
 */
#ifndef GZT_QUERY_H
#define GZT_QUERY_H

#include "common/analyze.h"

/* ceilings on what a query can grow */
#define GZT_QUERY_MAX_LEN (256 * 1024) /* bytes of query text */
#define GZT_QUERY_MAX_CLAUSES 1024     /* terms, phrases and prefixes */
#define GZT_QUERY_MAX_DEPTH 64         /* nesting of parentheses/operators */
#define GZT_QUERY_MAX_PHRASE 64        /* terms in one phrase */

typedef enum gzt_qkind {
    GZT_Q_NONE = 0, /* matches nothing (a query whose words all vanished) */
    GZT_Q_TERM,     /* terms[0] */
    GZT_Q_PHRASE,   /* terms[0..nterms) at relative positions qpos[], slop */
    GZT_Q_PREFIX,   /* every indexed term starting with terms[0] */
    GZT_Q_DATE,     /* documents dated within [from, to]; no score */
    GZT_Q_ALL,      /* every document; no score */
    GZT_Q_BOOL      /* must, should, mustnot */
} gzt_qkind;

typedef struct gzt_qnode gzt_qnode;
struct gzt_qnode {
    gzt_qkind kind;      /* what this node is */
    uint32_t col;        /* 1-based column (bytes) where it starts */
    char **terms;        /* analysed terms, NUL-terminated, field prefix
                            included (GZT_PREFIX_TITLE) */
    uint32_t nterms;     /* count of terms */
    uint32_t *qpos;      /* PHRASE: position of each term relative to the
                            first (gaps where tokens were dropped) */
    uint32_t slop;       /* PHRASE: allowed extra distance ("a b"~N) */
    gzt_date from;       /* DATE: first day, inclusive */
    gzt_date to;         /* DATE: last day, inclusive */
    gzt_qnode **must;    /* BOOL: all must match; scored */
    uint32_t nmust;      /* count */
    gzt_qnode **should;  /* BOOL: optional, scored; at least one must match
                            when nmust == 0 */
    uint32_t nshould;    /* count */
    gzt_qnode **mustnot; /* BOOL: none may match */
    uint32_t nmustnot;   /* count */
};

typedef struct gzt_query_opts {
    int default_and; /* items of a seq are required (--all) */
    gzt_date today;  /* for relative dates (30d); 0 = the clock */
} gzt_query_opts;

/*
 * Parse @p q (@p len bytes, any bytes: invalid UTF-8 is repaired) into a
 * tree allocated from @p arena (free the arena to free the tree), analysing
 * words with @p a.
 *
 * A BOOL with only mustnot clauses matches every document except those.
 *
 * @return GZT_OK; GZT_ESYNTAX for an unterminated quote, an unbalanced
 *         parenthesis, a field or operator with nothing after it, a bad
 *         date, with "column N: ..." in @p err; GZT_ETOOBIG past the
 *         ceilings above; GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_query_parse(gzt_qnode **out, gzt_arena *arena,
                                  const char *q, size_t len, gzt_analyzer *a,
                                  const gzt_query_opts *opts, gzt_error *err);

/* Write a canonical form of the tree into @p out (replacing its contents),
 * e.g. (+lavrov tehran -"strategic partnership"); used by tests and
 * --explain. */
GZT_NODISCARD int gzt_query_format(const gzt_qnode *n, gzt_buf *out);

#endif
