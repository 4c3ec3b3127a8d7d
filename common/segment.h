/* SPDX-License-Identifier: MIT */
/*
 * segment.h: reading one immutable segment of a native index (format v1,
 * docs/FORMAT.md): its term dictionary, postings with skip entries,
 * positions, document values (length, date, content hash), stored documents
 * and deletion bitmap. Used by the searcher and by the indexer's merger, so
 * it lives in common/.
 *
 * Docids are local to the segment: 0 .. ndocs-1.
 */
#ifndef GZT_SEGMENT_H
#define GZT_SEGMENT_H

#include "common/codec.h"
#include "common/io.h"

/* magics of the file kinds */
#define GZT_MAGIC_DICT "GZTDICT1"
#define GZT_MAGIC_POST "GZTPOST1"
#define GZT_MAGIC_POS "GZTPOSN1"
#define GZT_MAGIC_DV "GZTDVAL1"
#define GZT_MAGIC_STORE "GZTSTOR1"
#define GZT_MAGIC_DEL "GZTDELS1"
#define GZT_MAGIC_IDS "GZTIDS01"

#define GZT_DICT_BLOCK 32      /* terms per front-coded dictionary block */
#define GZT_SKIP_LEN 24        /* bytes per postings skip entry */
#define GZT_DV_LEN 20          /* bytes of document values per document */
#define GZT_IDS_LEN 12         /* bytes per id-table entry */
#define GZT_TITLE_GAP 100      /* positions between title and body */
#define GZT_STORE_BLOCK 4096   /* target raw bytes per stored-document block */
#define GZT_STORE_FIELDS 5     /* id, title, body, source, entities */
#define GZT_DICT_TERM_MAX 1280 /* bytes of the longest term ("Q" + id) */

/* file names: seg-NNNNNN.dict, ... and seg-NNNNNN-gGGGGGG.del */
void gzt_segment_filename(char out[64], uint32_t segid, const char *ext);
void gzt_segment_delname(char out[64], uint32_t segid, uint64_t gen);

typedef struct gzt_term_info {
    uint32_t df;       /* documents containing the term (deleted included) */
    uint64_t cf;       /* total occurrences */
    uint64_t post_off; /* body offset of the postings in .post */
    uint64_t post_len; /* bytes of skip table + blocks */
    uint64_t pos_off;  /* body offset of the positions in .pos */
    uint64_t pos_len;  /* bytes of positions */
} gzt_term_info;

typedef struct gzt_segment {
    uint32_t id;               /* segment number */
    uint32_t ndocs;            /* documents, deleted included */
    uint64_t nterms;           /* distinct terms */
    gzt_rfile dict;            /* term dictionary */
    gzt_rfile post;            /* postings */
    gzt_rfile pos;             /* positions */
    gzt_rfile dv;              /* document values */
    gzt_rfile store;           /* stored documents */
    gzt_rfile ids;             /* id hash -> docid table */
    gzt_rfile del;             /* deletion bitmap; base NULL when none */
    const uint8_t *delbits;    /* ndocs bits, 1 = deleted; NULL when none */
    uint32_t ndeleted;         /* deleted documents */
    uint32_t nblocks;          /* dictionary blocks */
    const uint8_t *dict_index; /* nblocks u32 offsets of blocks */
    uint64_t *dict_lead;       /* nblocks: first 8 bytes of each block's
                                  first term, big-endian, zero-padded */
    uint64_t *dict_top;        /* the lead of every 64th block: small
                                  enough to stay cached between lookups */
    /* document values, a column each (format 3): scoring reads the
     * lengths of the documents it visits, 16 to a cache line */
    const uint8_t *dvlen;       /* ndocs u32 lengths */
    const uint8_t *dvdate;      /* ndocs i32 dates */
    const uint8_t *dvhash;      /* ndocs u64 content hashes */
    const uint8_t *dvtitle;     /* ndocs u32 title ends */
    uint32_t store_nblocks;     /* stored-document blocks */
    const uint8_t *store_index; /* store_nblocks entries of 16 bytes */
    void *zctx;                 /* gzt_zctx for stored documents */
    gzt_buf blockbuf;           /* last decompressed store block */
    int64_t cached_block;       /* its number, -1 none */
    uint32_t next_doc;          /* docid of the record at next_off */
    size_t next_off;            /* offset in blockbuf of the record after
                                   the last one fetched */
} gzt_segment;

/* Open segment @p segid of index @p dir, with deletion file @p delname
 * (NULL or "" when none). Verifies every file's checksum and the structure
 * of the small tables. */
GZT_NODISCARD int gzt_segment_open(gzt_segment **out, const char *dir,
                                   uint32_t segid, const char *delname,
                                   gzt_error *err);
void gzt_segment_close(gzt_segment *s);

static inline bool
gzt_segment_deleted(const gzt_segment *s, uint32_t doc)
{
    return s->delbits && (s->delbits[doc >> 3] >> (doc & 7) & 1);
}
/* Ask for the length of @p doc ahead of gzt_segment_doclen(): the column
 * is megabytes, and a scorer that knows its next documents hides the miss. */
static inline void
gzt_segment_doclen_prefetch(const gzt_segment *s, uint32_t doc)
{
    __builtin_prefetch(s->dvlen + (size_t)doc * 4);
}

static inline uint32_t
gzt_segment_doclen(const gzt_segment *s, uint32_t doc)
{
    return gzt_load_u32(s->dvlen + (size_t)doc * 4);
}
static inline gzt_date
gzt_segment_docdate(const gzt_segment *s, uint32_t doc)
{
    return (gzt_date)gzt_load_u32(s->dvdate + (size_t)doc * 4);
}
static inline uint64_t
gzt_segment_dochash(const gzt_segment *s, uint32_t doc)
{
    return gzt_load_u64(s->dvhash + (size_t)doc * 8);
}
/* positions below this belong to the title (0 when there is none) */
static inline uint32_t
gzt_segment_title_end(const gzt_segment *s, uint32_t doc)
{
    return gzt_load_u32(s->dvtitle + (size_t)doc * 4);
}

/* hash of an external id as the id table keys it */
static inline uint64_t
gzt_id_hash(const char *id, size_t len)
{
    return gzt_hash64(id, len);
}

/* The documents whose id hashes to @p hash: *first is the index of the
 * first id-table entry, *n how many; read each with gzt_segment_id_doc().
 * Callers confirm the id against the stored document. */
void gzt_segment_id_range(const gzt_segment *s, uint64_t hash, uint32_t *first,
                          uint32_t *n);
/* The document of @p s with external id @p id that is not deleted in
 * @p del (a bitmap; NULL: the segment's own deletions): *doc, or
 * *found false. The id is confirmed against the stored document. */
GZT_NODISCARD int gzt_segment_find_id(gzt_segment *s, const char *id,
                                      size_t len, const uint8_t *del,
                                      bool *found, uint32_t *doc,
                                      gzt_error *err);

static inline uint32_t
gzt_segment_id_doc(const gzt_segment *s, uint32_t entry)
{
    return gzt_load_u32(s->ids.body + (size_t)entry * GZT_IDS_LEN + 8);
}

/* Look @p term up. GZT_OK with *found false when absent. */
#define GZT_PREFETCH_TERMS 16 /* gzt_segment_prefetch_terms() takes these */

/* Start bringing into the caches what looking up the @p n terms will read
 * (their dictionary blocks and the block search's entries on the way), all
 * at once, so that their misses overlap instead of coming one lookup after
 * the other. Reads nothing it could fail on; a hint only. */
void gzt_segment_prefetch_terms(const gzt_segment *s, const char *const *terms,
                                const size_t *lens, uint32_t n);
GZT_NODISCARD int gzt_segment_lookup(gzt_segment *s, const char *term,
                                     size_t len, bool *found, gzt_term_info *ti,
                                     gzt_error *err);

/* Iterator over the dictionary in term order, from the first term >= a
 * start key. */
typedef struct gzt_dict_iter {
    gzt_segment *seg;                 /* segment */
    uint32_t block;                   /* current block */
    gzt_rd rd;                        /* reader within the block */
    uint32_t left;                    /* terms left in the block */
    char term[GZT_DICT_TERM_MAX + 1]; /* current term, NUL-terminated */
    uint32_t term_len;                /* bytes */
    gzt_term_info ti;                 /* current term's info */
} gzt_dict_iter;

/* Position @p it at the first term >= @p key (len 0 = the first term). */
GZT_NODISCARD int gzt_dict_iter_seek(gzt_dict_iter *it, gzt_segment *s,
                                     const char *key, size_t len,
                                     gzt_error *err);
/* Advance; *ok false at the end. The first call yields the term seeked. */
GZT_NODISCARD int gzt_dict_iter_next(gzt_dict_iter *it, bool *ok,
                                     gzt_error *err);

/* Cursor over one term's postings. */
typedef struct gzt_postings {
    gzt_segment *seg;            /* segment */
    gzt_term_info ti;            /* the term */
    uint32_t nblocks;            /* blocks */
    const uint8_t *skip;         /* skip table (skip1 for a term of one
                                    block) */
    const uint8_t *data;         /* first block's data */
    uint64_t data_len;           /* bytes of block data */
    uint8_t skip1[GZT_SKIP_LEN]; /* the skip entry of a term of one block,
                                    worked out at open */
    uint32_t block;              /* current block, nblocks when ended */
    uint64_t block_off;          /* data offset of current block */
    uint64_t pos_block_off;      /* .pos body offset of current block */
    uint32_t n;                  /* postings in current block */
    uint32_t i;                  /* index of current posting in block */
    bool freqs_ready;            /* freqs of the block decoded */
    gzt_codec_at freq_at;        /* gzt_postings_freq_at()'s place */
    bool pos_ready;              /* posstart and chunks set up */
    uint32_t docs[GZT_BLOCK];    /* docids of the block */
    uint32_t freqs[GZT_BLOCK];   /* term frequencies of the block */
    /* Positions are decoded lazily, by chunks of GZT_BLOCK values: a
     * phrase reads the positions of a few postings of a block, and a
     * common word's block holds thousands. */
    uint32_t *pos;                       /* positions of the block: absolute
                                            for the postings in pos_summed */
    uint32_t pos_cap;                    /* capacity of pos */
    uint32_t posstart[GZT_BLOCK + 1];    /* index into pos per posting */
    const uint8_t *pos_at;               /* the block's encoded positions */
    uint32_t pos_bytes;                  /* their length */
    uint32_t *chunk_off;                 /* byte offset of each chunk; known
                                            up to chunk_off[chunks_known] */
    uint8_t *chunk_done;                 /* chunk decoded (gaps) */
    uint32_t chunk_cap;                  /* capacity of both */
    uint32_t chunks_known;               /* chunks whose offset is known */
    uint64_t pos_summed[GZT_BLOCK / 64]; /* postings made absolute */
    uint32_t doc;                        /* current docid, UINT32_MAX at end */
    int error;                           /* sticky error code */
    gzt_error *err;                      /* where to record the detail */
} gzt_postings;

#define GZT_END UINT32_MAX

/* Open a cursor (before the first posting). */
GZT_NODISCARD int gzt_postings_open(gzt_postings *p, gzt_segment *s,
                                    const gzt_term_info *ti, gzt_error *err);
void gzt_postings_close(gzt_postings *p);
/* advance to the first doc >= target (target > current); GZT_END at end
 * or on error (see p->error) */
uint32_t gzt_postings_seek(gzt_postings *p, uint32_t target);
static inline uint32_t
gzt_postings_next(gzt_postings *p)
{
    if (p->block == UINT32_MAX) /* not started: the first posting */
        return gzt_postings_seek(p, 0);
    return gzt_postings_seek(p, p->doc == GZT_END ? GZT_END : p->doc + 1);
}
bool gzt_postings_decode_freqs(gzt_postings *p);
/* frequency of the current doc (decoding the block's on first use); 0 on
 * error (see p->error) */
static inline uint32_t
gzt_postings_freq(gzt_postings *p)
{
    if (!p->freqs_ready && !gzt_postings_decode_freqs(p))
        return 0;
    return p->freqs[p->i];
}
/* The frequency of the block's posting @p i, decoded alone unless the
 * block's are: for a few postings of a block; 0 on error (see p->error). */
uint32_t gzt_postings_freq_at(gzt_postings *p, uint32_t i);
/* positions of the current doc: *n entries */
const uint32_t *gzt_postings_positions(gzt_postings *p, uint32_t *n);

/* Fetch stored document @p doc: its fields as borrowed slices valid until
 * the next fetch on this segment. */
typedef struct gzt_docfields {
    const char *f[GZT_STORE_FIELDS]; /* id, title, body, source, entities */
    size_t len[GZT_STORE_FIELDS];    /* their lengths */
} gzt_docfields;
enum {
    GZT_FIELD_ID,
    GZT_FIELD_TITLE,
    GZT_FIELD_BODY,
    GZT_FIELD_SOURCE,
    GZT_FIELD_ENTITIES /* gzt_entity_encode() */
};

GZT_NODISCARD int gzt_segment_doc(gzt_segment *s, uint32_t doc,
                                  gzt_docfields *out, gzt_error *err);

/* Verify every structure of the segment (gazette check): all dictionary
 * blocks, all postings and positions, all stored blocks. */
GZT_NODISCARD int gzt_segment_verify(gzt_segment *s, gzt_error *err);

/* Append the stored form of a document (GZT_STORE_FIELDS fields) to @p out;
 * used by the writer and the merger. */
GZT_NODISCARD int gzt_store_record(gzt_buf *out, const gzt_docfields *f);
/* Parse one record made by gzt_store_record() (the whole of @p p) into
 * slices of it; false when it is malformed. */
bool gzt_store_parse(const void *p, size_t len, gzt_docfields *out);

#endif
