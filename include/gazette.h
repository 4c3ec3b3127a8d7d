/* SPDX-License-Identifier: MIT */
/**
 * @file gazette.h
 * @brief gazette: full-text search for news archives. The public C API.
 *
 * This header is the manual. An index is a directory holding a manifest and
 * immutable segments (see docs/FORMAT.md). Two kinds of handle work on it:
 *
 *  - a ::gzt_writer, of which at most one exists per index at a time (a lock
 *    file enforces it): it adds, replaces and deletes documents and makes
 *    them visible with gzt_writer_commit();
 *  - any number of ::gzt_index readers, each a snapshot of the generation that
 *    was committed when it was opened. Readers never block the writer and are
 *    never blocked by it.
 *
 * Conventions (as libgit2): every fallible function returns 0 (#GZT_OK) or a
 * negative ::gzt_err code; out-parameters come first and the caller owns what
 * comes back through them; arguments are borrowed for the duration of the
 * call. Functions that can fail take a `gzt_error *err` last: when it is not
 * NULL it is cleared on entry and receives one line for the user naming what
 * failed (file and offset, source path and line, query column). Handles are
 * not thread-safe; use one per thread.
 *
 * A minimal search:
 * @code
 *   gzt_index *idx; gzt_results *res; gzt_error err;
 *   if (gzt_index_open(&idx, "news.idx", &err) != GZT_OK) {
 *       fprintf(stderr, "%s\n", err.msg); return 2;
 *   }
 *   gzt_search_opts o; gzt_search_opts_init(&o);
 *   if (gzt_search(&res, idx, "lavrov tehran", &o, &err) == GZT_OK) {
 *       for (size_t i = 0; i < gzt_results_count(res); i++) {
 *           gzt_hit h; gzt_results_hit(res, i, &h);
 *           printf("%zu %.4f %s\n", h.rank, h.score, h.id);
 *       }
 *       gzt_results_free(res);
 *   }
 *   gzt_index_close(idx);
 * @endcode
 */
#ifndef GAZETTE_H
#define GAZETTE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GZT_NODISCARD __attribute__((warn_unused_result))

/** Error codes. Every fallible function returns one of these. */
typedef enum gzt_err {
    GZT_OK = 0,
    GZT_ENOMEM = -1,    /**< out of memory */
    GZT_EINVAL = -2,    /**< bad argument or option */
    GZT_EIO = -3,       /**< an operating-system I/O call failed */
    GZT_ECORRUPT = -4,  /**< an index file failed its checks */
    GZT_ETOOBIG = -5,   /**< input past a documented ceiling */
    GZT_ENOTFOUND = -6, /**< no such index, document or file */
    GZT_EBACKEND = -7,  /**< the storage backend reported an error */
    GZT_ELOCKED = -8,   /**< another writer holds the index lock */
    GZT_ESYNTAX = -9,   /**< a query has a syntax error */
    GZT_EEXIST = -10    /**< the thing to create already exists */
} gzt_err;

/** Detail of a failure, for the user. */
typedef struct gzt_error {
    int code;      /**< the ::gzt_err returned */
    char msg[512]; /**< one line, NUL-terminated; "" when none */
} gzt_error;

/** A short English name of @p code ("corrupt index", ...); never NULL. */
const char *gzt_strerror(int code);

/** The library version, "MAJOR.MINOR.PATCH". */
const char *gzt_version(void);

/** Dates are integers YYYYMMDD (20250307); 0 means "no date". */
typedef int32_t gzt_date;

/**
 * Parse a date expression as the query language and --since/--until take it:
 * YYYY, YYYY-MM, YYYY-MM-DD, relative Nd/Nw/Nm/Ny ("the last N days..."),
 * today, yesterday, or a range A..B / A.. / ..B of those.
 *
 * @param[out] from  first day of the range (0 when open).
 * @param[out] to    last day of the range (99991231 when open).
 * @param today      the day relative forms count back from; 0 = the clock.
 * @return GZT_OK or GZT_EINVAL with the reason in @p err.
 */
GZT_NODISCARD int gzt_date_range_parse(gzt_date *from, gzt_date *to,
                                       const char *s, gzt_date today,
                                       gzt_error *err);

/* ======================================================================= */
/** @name Documents and ingest */

/** A document handed to the writer. Only @c id is required. */
typedef struct gzt_doc {
    const char *id;     /**< external id, unique in the index; NUL-terminated */
    const char *title;  /**< may be NULL */
    size_t title_len;   /**< bytes of title */
    const char *body;   /**< may be NULL */
    size_t body_len;    /**< bytes of body */
    gzt_date date;      /**< publication date or 0 */
    const char *source; /**< where it came from (path), or NULL */
} gzt_doc;

/** Input formats of gzt_writer_add_path(). */
typedef enum gzt_format {
    GZT_FORMAT_AUTO =
        0,            /**< by extension: .jsonl/.ndjson, .csv/.tsv, else text */
    GZT_FORMAT_TEXT,  /**< one document per file */
    GZT_FORMAT_JSONL, /**< JSON Lines, one object per line */
    GZT_FORMAT_CSV    /**< CSV or TSV with a header row */
} gzt_format;

/** Called with a warning line (a skipped file or record) during ingest. */
typedef void (*gzt_warn_fn)(void *ctx, const char *msg);

/** Options for reading sources. Initialise with gzt_ingest_opts_init(). */
typedef struct gzt_ingest_opts {
    gzt_format format;       /**< default GZT_FORMAT_AUTO */
    const char *id_field;    /**< JSONL/CSV field of the id; default "id" */
    const char *title_field; /**< default "title" */
    const char *body_field;  /**< default "body" (also tries "text") */
    const char *date_field;  /**< default "date" */
    char delimiter;          /**< CSV delimiter; 0 = ',' or '\t' for .tsv */
    gzt_warn_fn warn;        /**< warnings; NULL = silent */
    void *warn_ctx;          /**< passed to warn */
} gzt_ingest_opts;

void gzt_ingest_opts_init(gzt_ingest_opts *o);

/** Counters of an ingest run; gzt_writer_add_path() adds to them. */
typedef struct gzt_ingest_stats {
    uint64_t docs;      /**< documents read from sources */
    uint64_t added;     /**< new documents */
    uint64_t replaced;  /**< changed documents replaced */
    uint64_t unchanged; /**< same content as indexed: left alone */
    uint64_t skipped;   /**< files or records skipped (hidden, binary,...) */
    uint64_t errors;    /**< unreadable or malformed sources or records */
    uint64_t repaired;  /**< invalid UTF-8 sequences replaced by U+FFFD */
    uint64_t bytes;     /**< bytes of source read */
} gzt_ingest_stats;

/* ======================================================================= */
/** @name Writing */

typedef struct gzt_writer gzt_writer;

/** Progress of long work, reported about ten times a second. */
typedef struct gzt_progress {
    uint64_t docs;        /**< documents processed so far */
    uint64_t bytes;       /**< source bytes processed so far */
    uint64_t bytes_total; /**< expected total, 0 when unknown (stdin) */
} gzt_progress;
typedef void (*gzt_progress_fn)(void *ctx, const gzt_progress *p);

/** Writer options. Initialise with gzt_writer_opts_init(). */
typedef struct gzt_writer_opts {
    const char *language;     /**< Snowball language or "none". A new index
                                   gets it (NULL: "english"); an existing index
                                   must have it (NULL: keep the index's own) */
    size_t memory;            /**< RAM budget for buffered documents in bytes;
                                   default 256 MiB; segments flush past it
                                   (with jobs other than 1, on a second
                                   thread while the next batch buffers:
                                   up to twice this for a while) */
    gzt_progress_fn progress; /**< NULL = none */
    void *progress_ctx;       /**< passed to progress */
    int entities;             /**< recognise people, organisations, places:
                                   1 on, 0 off, -1 (default) the index's
                                   setting (on for a new index). An
                                   existing index must agree: gzt_reindex()
                                   changes it */
    const char *const *entity_lists; /**< NULL-terminated paths of user
                                   entity lists (TSV: name, type, canonical,
                                   aliases); they are recorded in the index
                                   and their entries take precedence */
    const char *ner_model; /**< a tagger model made by gzt_ner_train_file()
                                to use instead of the built-in one; it is
                                recorded in the index (NULL: the index's
                                own, or the built-in one) */
    const char *engine;    /**< "native" (gazette's own segments) or
                                "xapian" (Xapian databases): a new index
                                takes it (NULL: native); an existing one
                                must have it (NULL: its own) */
    int optimize;          /**< native: merge every segment into one at
                                commit, as Lucene's forceMerge(1) or
                                FTS5's 'optimize' (faster queries, a
                                slower commit); default 0: the merge
                                policy keeps at most 10 */
    uint32_t shards;       /**< xapian: shard databases, documents split by
                                a hash of their id; a new index takes it
                                (0: 1), gzt_reindex() changes it, an
                                existing index must have it (0: its own) */
    unsigned jobs;         /**< threads that analyse documents and
                                recognise their entities while the calling
                                thread reads and inverts them: 0 (default)
                                one per core but one, 1 none (all on the calling
                                thread); at most GZT_JOBS_MAX */
} gzt_writer_opts;

/** The most analysis threads a writer starts. */
#define GZT_JOBS_MAX 64

void gzt_writer_opts_init(gzt_writer_opts *o);

/**
 * Open the index at @p path for writing, creating it when absent.
 *
 * Takes the index's writer lock for the life of the handle.
 *
 * @param[out] out  the writer, or NULL on failure.
 * @return GZT_OK, GZT_ELOCKED (another writer), GZT_EINVAL (language
 *         differs from the index's), GZT_ECORRUPT, GZT_EIO, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_writer_open(gzt_writer **out, const char *path,
                                  const gzt_writer_opts *opts, gzt_error *err);

/** Outcome of gzt_writer_add(). */
typedef enum gzt_add_result {
    GZT_ADDED = 0,    /**< the id was new */
    GZT_REPLACED = 1, /**< the id existed with other content */
    GZT_UNCHANGED = 2 /**< the id existed with the same content */
} gzt_add_result;

/**
 * Add a document, replacing one with the same id unless the content (title,
 * body, date) is unchanged. Not visible to readers until committed.
 *
 * Invalid UTF-8 in the text is replaced by U+FFFD.
 *
 * @param[out] result  what happened; may be NULL.
 * @return GZT_OK, GZT_EINVAL (empty id), GZT_ETOOBIG (document over 64 MiB
 *         or id over 1 KiB), GZT_EIO, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_writer_add(gzt_writer *w, const gzt_doc *doc,
                                 gzt_add_result *result, gzt_error *err);

/**
 * Read every document of a source and add it (gzt_writer_add()).
 *
 * @p path is a file, a directory (walked recursively; hidden and binary files
 * are skipped with a warning) or "-" for standard input. Each document's id
 * is its path relative to @p path for directories, the file name for a
 * single text file, or the id field of JSONL/CSV records. The source is
 * recorded in the index for gzt_reindex(). An unreadable or malformed file
 * or record is reported through opts->warn, counted in stats->errors and
 * skipped; everything readable is still added, and the call succeeds.
 *
 * @param stats  counters to add to; may be NULL.
 * @return GZT_OK, GZT_ENOTFOUND (@p path does not exist), GZT_EIO,
 *         GZT_ENOMEM, or an error of gzt_writer_add().
 */
GZT_NODISCARD int gzt_writer_add_path(gzt_writer *w, const char *path,
                                      const gzt_ingest_opts *opts,
                                      gzt_ingest_stats *stats, gzt_error *err);

/**
 * Delete the documents whose source is @p source (as recorded by
 * gzt_writer_add_path()) and which this writer has not seen since it was
 * opened: files removed from a directory since the last run.
 *
 * @param[out] deleted  how many; may be NULL.
 */
GZT_NODISCARD int gzt_writer_prune(gzt_writer *w, const char *source,
                                   uint64_t *deleted, gzt_error *err);

/**
 * Delete the document with external id @p id.
 *
 * @return GZT_OK, GZT_ENOTFOUND (no such id), GZT_EIO, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_writer_delete(gzt_writer *w, const char *id,
                                    gzt_error *err);

/**
 * Make everything added and deleted so far durable and visible: flush the
 * buffered documents into a segment, write deletion files, merge segments
 * when there are too many, and replace the manifest atomically (temporary
 * file, fsync, rename, fsync of the directory). A crash before the rename
 * leaves the previous generation intact.
 *
 * @return GZT_OK, GZT_EIO (the previous generation is intact), GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_writer_commit(gzt_writer *w, gzt_error *err);

/** Drop what was not committed, release the lock, free @p w (NULL ok). */
void gzt_writer_close(gzt_writer *w);

/**
 * Rebuild the index at @p path from the sources recorded in it and swap the
 * result in with one manifest replacement. Readers see the old generation
 * until the swap. Options as gzt_writer_open(); the language stays.
 *
 * @param stats  counters; may be NULL.
 */
GZT_NODISCARD int gzt_reindex(const char *path, const gzt_writer_opts *wopts,
                              const gzt_ingest_opts *iopts,
                              gzt_ingest_stats *stats, gzt_error *err);

/**
 * As gzt_reindex(), but from the sources @p from (a NULL-terminated list of
 * paths, read with @p iopts) instead of the recorded ones: the collection is
 * replaced as a whole and the new sources are recorded. The old
 * generation's files go only after the swap.
 */
GZT_NODISCARD int gzt_reindex_from(const char *path, const char *const *from,
                                   const gzt_writer_opts *wopts,
                                   const gzt_ingest_opts *iopts,
                                   gzt_ingest_stats *stats, gzt_error *err);

/**
 * Remove what no committed generation of the index at @p path names: the
 * files of segments and deletion lists, temporary manifests and Xapian
 * shard directories that a killed or failed run left behind. A writer does
 * this itself at every commit and when it closes; this is for an index
 * whose last writer was killed. Takes the writer lock.
 *
 * @param[out] removed  files and shard directories removed
 * @param[out] bytes    bytes they held
 * @return GZT_OK, GZT_ENOTFOUND (no index), GZT_ELOCKED (a writer runs),
 *         GZT_ECORRUPT (an unreadable manifest: nothing is removed).
 */
GZT_NODISCARD int gzt_index_gc(const char *path, uint64_t *removed,
                               uint64_t *bytes, gzt_error *err);

/* ======================================================================= */
/** @name Reading */

typedef struct gzt_index gzt_index;

/**
 * Open a snapshot of the last committed generation of the index at @p path.
 *
 * Every file's checksum and structure is verified on open.
 *
 * @param[out] out  the reader, or NULL on failure.
 * @return GZT_OK, GZT_ENOTFOUND (no index there), GZT_ECORRUPT (with the
 *         file and offset in @p err), GZT_EIO, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_index_open(gzt_index **out, const char *path,
                                 gzt_error *err);

/** Options of gzt_index_open_with(). Initialise with gzt_open_opts_init(). */
typedef struct gzt_open_opts {
    int allow_partial;   /**< xapian: open what answers of the shards and
                              search those (gzt_index_partial() names the
                              rest) instead of failing */
    unsigned timeout_ms; /**< xapian: connect and answer timeout of each
                              remote shard (0: 10 000 ms) */
} gzt_open_opts;

void gzt_open_opts_init(gzt_open_opts *o);

/**
 * gzt_index_open() with options. @p path may also be a Xapian stub file:
 * lines `remote HOST:PORT` (a shard served by xapian-tcpsrv) and
 * `auto PATH` (a shard directory, relative to the stub), searched as one
 * index.
 */
GZT_NODISCARD int gzt_index_open_with(gzt_index **out, const char *path,
                                      const gzt_open_opts *o, gzt_error *err);

/** The shards an allow_partial reader left out ("remote HOST:PORT: why",
 *  "; "-separated), or NULL when every shard is there. */
const char *gzt_index_partial(const gzt_index *idx);

/** Close a reader; NULL is ok. Results and snippets must be freed first. */
void gzt_index_close(gzt_index *idx);

/** Index-wide figures (gazette stats). */
typedef struct gzt_stats {
    uint64_t generation;      /**< manifest generation */
    uint64_t docs;            /**< live documents */
    uint64_t deleted;         /**< deleted but not yet merged away */
    uint64_t terms;           /**< distinct terms summed over segments */
    uint64_t tokens;          /**< total length of live documents in tokens */
    uint32_t segments;        /**< live segments */
    uint32_t sources;         /**< recorded sources */
    char language[32];        /**< analyzer language or "none" */
    char engine[16];          /**< "native" or "xapian" */
    int entities;             /**< 1 when entities are recognised, else 0 */
    uint32_t entity_lists;    /**< user entity lists recorded in the index */
    int ner_model;            /**< 1 when a user tagger model is recorded */
    uint64_t bytes_dict;      /**< bytes of term dictionaries */
    uint64_t bytes_postings;  /**< bytes of doc/freq postings and skips */
    uint64_t bytes_positions; /**< bytes of positions */
    uint64_t bytes_docvalues; /**< bytes of document lengths, dates, hashes */
    uint64_t bytes_store;     /**< bytes of stored documents */
    uint64_t bytes_ids;       /**< bytes of external-id tables */
    uint64_t bytes_deletes;   /**< bytes of deletion bitmaps */
    uint64_t bytes_manifest;  /**< bytes of the manifest */
    uint32_t shards;          /**< xapian: shard databases (0 for a stub) */
    uint64_t bytes_xapian;    /**< xapian: bytes of the shard databases */
} gzt_stats;

GZT_NODISCARD int gzt_index_stats(const gzt_index *idx, gzt_stats *out);

/** Recorded source @p i (0-based) of gzt_stats::sources: its path and
 *  format name; NULL past the end. */
const char *gzt_index_source(const gzt_index *idx, uint32_t i,
                             const char **format);

/** The directory of Xapian shard @p k (< gzt_stats::shards) inside the
 *  index ("shard-0", "shard-1.g5") into @p buf; 0 past the end, else the
 *  length. */
size_t gzt_index_shard(const gzt_index *idx, uint32_t k, char *buf, size_t cap);

/** Entity types, as in CoNLL-2003. */
typedef enum gzt_entity_type {
    GZT_ENTITY_PER = 1, /**< a person */
    GZT_ENTITY_ORG = 2, /**< an organisation */
    GZT_ENTITY_LOC = 3, /**< a place */
    GZT_ENTITY_MISC = 4 /**< another name: nationality, event, product */
} gzt_entity_type;

/** "PER", "ORG", "LOC", "MISC" ("" for anything else). */
const char *gzt_entity_type_name(int type);

/** A recognised mention of an entity in a stored document. */
typedef struct gzt_mention {
    gzt_entity_type type;  /**< its type */
    int in_title;          /**< 1: offsets are in the title, 0: the body */
    uint64_t start;        /**< first byte */
    uint64_t end;          /**< one past the last byte */
    const char *canonical; /**< canonical form ("Sergey Lavrov") */
} gzt_mention;

/** A stored document as returned by gzt_index_get(). */
typedef struct gzt_stored {
    char *id;              /**< external id */
    char *title;           /**< title or "" */
    size_t title_len;      /**< bytes */
    char *body;            /**< body or "" */
    size_t body_len;       /**< bytes */
    gzt_date date;         /**< or 0 */
    char *source;          /**< source path or "" */
    uint32_t length;       /**< length in tokens */
    gzt_mention *mentions; /**< recognised entities, in text order (title
                                first); NULL when none */
    size_t nmentions;      /**< count */
    void *priv;            /**< owned memory; do not touch */
} gzt_stored;

/**
 * Fetch the stored document with external id @p id.
 *
 * @param[out] out  filled in; release with gzt_stored_fini().
 * @return GZT_OK, GZT_ENOTFOUND, GZT_ECORRUPT, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_index_get(gzt_stored *out, gzt_index *idx, const char *id,
                                gzt_error *err);
void gzt_stored_fini(gzt_stored *s);

/**
 * Verify every file of the index at @p path: magic, version, checksum and
 * the structure of every dictionary block, postings list and stored-document
 * block, and the manifest's agreement with the segments.
 *
 * @param report  called with one line per verified file; may be NULL.
 * @return GZT_OK, or GZT_ECORRUPT naming the first damaged file and offset.
 */
GZT_NODISCARD int gzt_index_check(const char *path,
                                  void (*report)(void *ctx, const char *line),
                                  void *ctx, gzt_error *err);

/* ======================================================================= */
/** @name Searching */

/** Result order. */
typedef enum gzt_sort {
    GZT_SORT_SCORE = 0,   /**< BM25 descending, ties by docid */
    GZT_SORT_DATE = 1,    /**< newest first, ties by score then docid */
    GZT_SORT_DATE_ASC = 2 /**< oldest first */
} gzt_sort;

/** Search options. Initialise with gzt_search_opts_init(). */
typedef struct gzt_search_opts {
    size_t limit;   /**< hits to return; default 10 */
    size_t offset;  /**< hits to skip first (paging); default 0 */
    int all;        /**< default operator AND instead of OR */
    int count_only; /**< count matches, rank nothing */
    int explain;    /**< keep a per-term BM25 breakdown of each hit */
    gzt_sort sort;  /**< default GZT_SORT_SCORE */
    gzt_date since; /**< only documents dated >= since; 0 = no bound */
    gzt_date until; /**< only documents dated <= until; 0 = no bound */
    gzt_date today; /**< "today" for relative dates; 0 = the clock */
    double k1;      /**< BM25 k1, default 0.9 */
    double b;       /**< BM25 b, default 0.4 */
    int fast_topk;  /**< 1: the total may be a lower bound, so that the top
                         hits can skip documents that cannot rank
                         (gzt_results_total_exact() says which); the hits
                         are the same. Default 0: exact totals */
    int no_fetch;   /**< 1: hits carry rank, score and docid only (id and
                         title NULL, date 0): nothing is read from the
                         stored documents, as a benchmark's TOP-k needs.
                         Default 0 */
} gzt_search_opts;

void gzt_search_opts_init(gzt_search_opts *o);

typedef struct gzt_results gzt_results;

/**
 * Run @p query (see the README for the query language) against @p idx.
 *
 * @param[out] out  the results; free with gzt_results_free().
 * @return GZT_OK (also when nothing matches), GZT_ESYNTAX (with the column
 *         in @p err), GZT_ETOOBIG (query past the ceilings), GZT_EINVAL,
 *         GZT_ECORRUPT, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_search(gzt_results **out, gzt_index *idx,
                             const char *query, const gzt_search_opts *opts,
                             gzt_error *err);

/** Number of hits held (at most opts.limit). */
size_t gzt_results_count(const gzt_results *r);
/** Number of matching documents: exact, or with opts.fast_topk possibly a
 *  lower bound. */
uint64_t gzt_results_total(const gzt_results *r);
/** 1 when gzt_results_total() is exact, 0 when it is a lower bound. */
int gzt_results_total_exact(const gzt_results *r);
/** Microseconds the search took. */
double gzt_results_micros(const gzt_results *r);
/** The query as parsed, in canonical form with analysed terms, e.g.
 *  `(+lavrov tehran -"strategic partnership")`; owned by the results. */
const char *gzt_results_query(const gzt_results *r);

/** One hit; strings are owned by the results. */
typedef struct gzt_hit {
    size_t rank;       /**< 1-based rank including opts.offset */
    double score;      /**< BM25 score */
    const char *id;    /**< external id */
    const char *title; /**< title or "" */
    gzt_date date;     /**< or 0 */
    uint64_t docid;    /**< internal docid in this snapshot */
} gzt_hit;

GZT_NODISCARD int gzt_results_hit(const gzt_results *r, size_t i, gzt_hit *out);

/** One line of --explain: the contribution of one query term to a hit. */
typedef struct gzt_explain_term {
    const char *term; /**< the analysed term, or the phrase "a b" */
    double idf;       /**< Lucene idf */
    double tf;        /**< frequency in the document (phrase matches) */
    uint32_t df;      /**< documents containing it (the phrase) */
    uint32_t dl;      /**< document length */
    double avgdl;     /**< average document length */
    double score;     /**< idf * tf*(k1+1) / (tf + k1*(1-b+b*dl/avgdl)) */
} gzt_explain_term;

/** The explanation of hit @p i: @p n terms (requires opts.explain). */
const gzt_explain_term *gzt_results_explain(const gzt_results *r, size_t i,
                                            size_t *n);
void gzt_results_free(gzt_results *r);

/** Kinds of highlighted span: a query match, or an entity mention of a
 *  type (the same numbers as ::gzt_entity_type). */
typedef enum gzt_span_kind {
    GZT_SPAN_MATCH = 0, /**< a query match (a whole phrase is one span) */
    GZT_SPAN_PER = 1,   /**< a person */
    GZT_SPAN_ORG = 2,   /**< an organisation */
    GZT_SPAN_LOC = 3,   /**< a place */
    GZT_SPAN_MISC = 4   /**< another name */
} gzt_span_kind;

/** A highlighted span of a snippet. */
typedef struct gzt_span {
    gzt_span_kind kind;    /**< what it is */
    uint32_t start;        /**< byte offset in the snippet text */
    uint32_t end;          /**< one past, in the snippet text */
    uint64_t doc_start;    /**< byte offset in the document body (in the
                                title when the document has no body) */
    uint64_t doc_end;      /**< one past, in the document body */
    const char *canonical; /**< an entity's canonical form; NULL for a
                                match; owned by the snippet */
} gzt_span;

/** A snippet: up to three passages joined by " … ", with spans. Spans of
 *  different kinds may overlap (a match inside a person's name): both are
 *  kept. */
typedef struct gzt_snippet {
    char *text;      /**< NUL-terminated UTF-8 */
    size_t text_len; /**< bytes */
    gzt_span *spans; /**< sorted by start, then longest first */
    size_t nspans;   /**< count */
    void *priv;      /**< owned memory; do not touch */
} gzt_snippet;

/**
 * Build the snippet of hit @p i of @p r: the best one to three passages of
 * the body by density of query matches, cut at sentence or word boundaries,
 * at most about @p max_len bytes in all (0 = 240).
 *
 * @param[out] out  release with gzt_snippet_fini().
 */
GZT_NODISCARD int gzt_results_snippet(gzt_snippet *out, gzt_results *r,
                                      size_t i, size_t max_len, gzt_error *err);
void gzt_snippet_fini(gzt_snippet *s);

/* ======================================================================= */
/** @name Entity facets */

/** One entity of gzt_index_entities(). */
typedef struct gzt_facet {
    gzt_entity_type type;  /**< its type */
    const char *canonical; /**< canonical form, owned by the facets */
    uint64_t docs;         /**< live documents mentioning it */
    uint64_t mentions;     /**< mentions in those documents */
} gzt_facet;

typedef struct gzt_facets gzt_facets;

/**
 * The entities of the index, or of the documents matching @p query (NULL
 * or "" = all), most documents first (then most mentions, then canonical
 * form). Counts are exact over live documents.
 *
 * @param type   only this ::gzt_entity_type; 0 = all types.
 * @param limit  at most this many; 0 = all.
 * @param opts   search options for @p query (dates, --all); may be NULL.
 * @param[out] out  free with gzt_facets_free().
 * @return GZT_OK, or as gzt_search().
 */
GZT_NODISCARD int gzt_index_entities(gzt_facets **out, gzt_index *idx,
                                     const char *query,
                                     const gzt_search_opts *opts, int type,
                                     size_t limit, gzt_error *err);
/** Number of facets held. */
size_t gzt_facets_count(const gzt_facets *f);
/** Facet @p i (0-based), or NULL past the end. */
const gzt_facet *gzt_facets_get(const gzt_facets *f, size_t i);
/** Documents matching the query (all live documents without one). */
uint64_t gzt_facets_matches(const gzt_facets *f);
void gzt_facets_free(gzt_facets *f);

/* ======================================================================= */
/** @name The entity tagger */

/** Precision, recall and F1 of one entity type (or of all). */
typedef struct gzt_ner_score {
    uint64_t gold;    /**< entities in the gold standard */
    uint64_t pred;    /**< entities predicted */
    uint64_t correct; /**< predicted with the exact span and type */
    double precision; /**< percent */
    double recall;    /**< percent */
    double f1;        /**< percent */
} gzt_ner_score;

/** A conlleval-style evaluation of the tagger on IOB2 data. */
typedef struct gzt_ner_report {
    gzt_ner_score overall; /**< all types together */
    gzt_ner_score type[5]; /**< [GZT_ENTITY_PER] ... [GZT_ENTITY_MISC] */
    uint64_t tokens;       /**< tokens tagged */
    uint64_t sentences;    /**< sentences */
    double token_accuracy; /**< percent of tokens with the right tag */
    double seconds;        /**< time spent tagging */
    double tokens_per_s;   /**< tagging speed on one core */
} gzt_ner_report;

/**
 * Tag the IOB2 file @p iob2_path (CoNLL-2003 columns: word first, tag
 * last; blank line between sentences; a DOCSTART line between documents) with
 * the model at @p model_path (NULL: the built-in model) and score it as
 * conlleval does (an entity counts only with its exact span and type).
 *
 * @return GZT_OK; GZT_EINVAL for malformed IOB2 (naming the line);
 *         GZT_ENOTFOUND / GZT_EIO naming a file; GZT_ECORRUPT for a damaged
 *         model.
 */
GZT_NODISCARD int gzt_ner_evaluate(gzt_ner_report *out, const char *iob2_path,
                                   const char *model_path, gzt_error *err);

/** Called after each training epoch. @p dev_f1 is -1 without dev data. */
typedef void (*gzt_ner_train_fn)(void *ctx, unsigned epoch, unsigned epochs,
                                 double dev_f1);

/**
 * Train a tagger on the IOB2 file @p iob2_path and write the model to
 * @p model_path (replaced atomically). The features and word clusters are
 * those of the built-in model. @p dev_path (NULL: none) is scored after each
 * epoch. @p epochs 0 means the default (12).
 *
 * @return GZT_OK, GZT_EINVAL for malformed IOB2 (naming the line), or an
 *         I/O error naming the file.
 */
GZT_NODISCARD int gzt_ner_train_file(const char *iob2_path,
                                     const char *model_path,
                                     const char *dev_path, unsigned epochs,
                                     gzt_ner_train_fn progress, void *ctx,
                                     gzt_error *err);

/* ======================================================================= */
/** @name Retrieval effectiveness */

/** Averages over the topics of a qrels file, as `trec_eval -c` computes
 *  ndcg_cut.10, recall.100, recall.1000 and map. */
typedef struct gzt_eval_report {
    double ndcg10;      /**< mean nDCG@10 */
    double recall100;   /**< mean recall in the first 100 */
    double recall1000;  /**< mean recall in the first 1,000 */
    double map;         /**< mean average precision */
    uint64_t topics;    /**< topics judged (the averages' denominator) */
    uint64_t retrieved; /**< lines of the run for judged topics */
    uint64_t relevant;  /**< relevant judgments (grade > 0) */
    uint64_t rel_found; /**< relevant documents retrieved */
} gzt_eval_report;

/**
 * Score the TREC run file @p run_path (`TOPIC Q0 DOC RANK SCORE TAG`
 * lines) against the qrels file @p qrels_path (`TOPIC ITERATION DOC REL`)
 * as trec_eval does: each topic's documents sorted by score descending
 * (ties by document id descending), a judgment above 0 relevant, topics
 * of the qrels missing from the run counted as 0, topics of the run
 * missing from the qrels ignored.
 *
 * @return GZT_OK; GZT_EINVAL naming the file and line of a malformed one;
 *         GZT_ENOTFOUND / GZT_EIO naming a file; GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_eval_run(gzt_eval_report *out, const char *run_path,
                               const char *qrels_path, gzt_error *err);

/* ======================================================================= */
/** @name SQLite FTS5 as a benchmark peer
 *
 * `gazette bench` measures gazette against SQLite FTS5 on the same
 * documents with the same analysis: a contentless FTS5 table (title, body)
 * whose tokenizer is gazette's analyzer, queried through gazette's parser.
 */

typedef struct gzt_fts5 gzt_fts5;

/**
 * Build the FTS5 database @p path (replacing a file there) from
 * @p nsources sources read as gzt_writer_add_path() reads them, analysed
 * in @p language (NULL: "english"); @p stats (may be NULL) gets what was
 * read. Merged into one b-tree segment ('optimize') and vacuumed.
 * @return GZT_OK; GZT_EINVAL for an unknown language or a SQLite without
 *         FTS5; GZT_ENOTFOUND / GZT_EIO naming a file; GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_fts5_build(const char *path, const char *const *sources,
                                 size_t nsources, const gzt_ingest_opts *io,
                                 const char *language, gzt_ingest_stats *stats,
                                 gzt_error *err);
/** Open a database made by gzt_fts5_build(), read-only. */
GZT_NODISCARD int gzt_fts5_open(gzt_fts5 **out, const char *path,
                                gzt_error *err);
/**
 * The FTS5 form of gazette query @p query, in *@p out (valid until the next
 * call on @p f). GZT_EINVAL for what FTS5 cannot say: dates, entity
 * fields, sloppy phrases, a query of exclusions alone, or one whose words
 * all vanished; GZT_ESYNTAX as gzt_search().
 */
GZT_NODISCARD int gzt_fts5_query(gzt_fts5 *f, const char *query, char **out,
                                 gzt_error *err);
/**
 * Run @p query: with @p top > 0 the @p top best hits by FTS5's BM25 (their
 * external ids read too when @p fetch), *@p n the number returned; with
 * @p top == 0 *@p n is the exact count of matches.
 */
GZT_NODISCARD int gzt_fts5_search(gzt_fts5 *f, const char *query, unsigned top,
                                  int fetch, uint64_t *n, gzt_error *err);
void gzt_fts5_close(gzt_fts5 *f);

/** Snowball languages available to the analyzer, NULL-terminated. */
const char **gzt_languages(void);

#ifdef __cplusplus
}
#endif
#endif
