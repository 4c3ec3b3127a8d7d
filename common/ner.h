/* SPDX-License-Identifier: MIT */
/*
 * ner.h: named-entity recognition over raw news text: people (PER),
 * organisations (ORG), places (LOC) and other names (MISC), as in CoNLL-2003.
 *
 * The recogniser is a linear sequence tagger: an averaged perceptron over
 * hashed sparse features with BIO tags and Viterbi decoding (first- or
 * second-order transitions, BIO constraints). It runs in three steps, each
 * of which is exposed below for the trainer (nertrain.c) and the tests:
 *
 *  1. gzt_ner_tokenize() splits raw UTF-8 into CoNLL-like tokens with byte
 *     offsets and sentence starts, and a normalised form for each (Unicode
 *     quotes, apostrophes and dashes become their ASCII CoNLL spellings,
 *     square brackets become parentheses).
 *  2. gzt_nerfx_extract() turns one sentence of normalised forms into weight
 *     row numbers (features hashed into a fixed table), given the document's
 *     earlier predictions (non-local features, ::gzt_nerdoc).
 *  3. gzt_ner_viterbi() finds the best tag sequence from per-token scores.
 *
 * gzt_ner_load() reads the binary model that gzt_ner_train() (nertrain.h)
 * writes; docs/NER.md describes the features and the file format.
 */
#ifndef GZT_NER_H
#define GZT_NER_H

#include "common/base.h"
#include "common/gazetteer.h"

/** Entity types, as in CoNLL-2003. 0 is "no entity". */
typedef enum gzt_nertype {
    GZT_NER_O = 0,    /**< outside any entity */
    GZT_NER_PER = 1,  /**< a person */
    GZT_NER_ORG = 2,  /**< an organisation */
    GZT_NER_LOC = 3,  /**< a place */
    GZT_NER_MISC = 4, /**< another name: nationality, event, product... */
} gzt_nertype;
#define GZT_NER_NTYPES 5

/** A recognised entity: bytes [start, end) of the tagged text. */
typedef struct gzt_nerspan {
    uint32_t start; /**< first byte of the entity's first token */
    uint32_t end;   /**< one past the last byte of its last token */
    uint32_t tok;   /**< its first token's index in gzt_ner_tokens() */
    uint32_t ntok;  /**< its tokens */
    uint8_t type;   /**< a ::gzt_nertype other than GZT_NER_O */
} gzt_nerspan;

typedef struct gzt_ner gzt_ner;

/** "PER", "ORG", "LOC", "MISC", or "O" for anything else; never NULL. */
const char *gzt_ner_type_name(int type);

/** The ::gzt_nertype named @p s ("PER"...), or -1. */
int gzt_ner_type_parse(const char *s, size_t len);

/**
 * Load a model from the bytes gzt_ner_train() wrote.
 *
 * The bytes are borrowed for the call only: the model copies what it keeps
 * (about 2^bits * 18 bytes of weights plus the word-cluster table).
 *
 * @param[out] out  the model, or NULL on failure; free with gzt_ner_free().
 * @return GZT_OK, GZT_ENOMEM, or GZT_ECORRUPT when the bytes are not a model
 *         of this version or fail their checksum or any structural check.
 */
GZT_NODISCARD int gzt_ner_load(gzt_ner **out, const void *bytes, size_t len,
                               gzt_error *err);

/**
 * Write the loaded model @p m as an image that gzt_ner_from_image() can use
 * in place (the build writes the built-in model's, common/mkimage.c). The
 * image holds this build's memory layout: it is for the machine that made
 * it. @p out is reset first.
 * @return GZT_OK or GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_ner_image_write(const gzt_ner *m, gzt_buf *out);

/**
 * A model over the image @p image (@p len bytes, at an address aligned to
 * 64 bytes), which it borrows: the image must outlive it and every clone.
 * @return GZT_OK, GZT_ENOMEM, or GZT_ECORRUPT when the bytes are not an
 *         image of this build's layout.
 */
GZT_NODISCARD int gzt_ner_from_image(gzt_ner **out, const void *image,
                                     size_t len, gzt_error *err);

/** Free @p m; NULL is a no-op. */
void gzt_ner_free(gzt_ner *m);

/**
 * A second handle on the model of @p m with its own scratch memory, for
 * another thread: the weights, clusters and gazetteer are shared, not
 * copied, and must outlive the clone. GZT_OK or GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_ner_clone(gzt_ner **out, const gzt_ner *m);

/**
 * Find the entities in @p len bytes of UTF-8 news text, taken as one
 * document (non-local features carry a name's earlier label forward within
 * it, so tag an article in one call, not paragraph by paragraph).
 *
 * Spans come in text order, do not overlap, and cover whole tokens. The
 * handle keeps scratch memory between calls and is not thread-safe: use one
 * per thread. Ill-formed UTF-8 does not fail: each bad byte is a token.
 *
 * @param arena     where the span array is allocated (it lives as long as
 *                  the arena).
 * @param[out] out  @p n spans, or NULL when there are none.
 * @return GZT_OK, GZT_ENOMEM (also when the arena is past its limit), or
 *         GZT_ETOOBIG when @p len exceeds UINT32_MAX.
 */
GZT_NODISCARD int gzt_ner_tag(gzt_ner *m, const char *text, size_t len,
                              gzt_arena *arena, gzt_nerspan **out, size_t *n,
                              gzt_error *err);

/**
 * Give @p m the gazetteer its gazetteer features read (borrowed: it must
 * outlive @p m or be replaced first; NULL removes it). A model trained with
 * gazetteer features (gzt_ner_wants_gazetteer()) still tags without one,
 * less accurately; it should get the same lists it was trained with
 * (common/gazetteers/), plus any user lists.
 */
void gzt_ner_set_gazetteer(gzt_ner *m, const gzt_gaz *gaz);

/** true when @p m was trained with gazetteer features. */
bool gzt_ner_wants_gazetteer(const gzt_ner *m);

/** A one-line description of the model (training data, date, scores). */
const char *gzt_ner_model_info(const gzt_ner *m);

/* ======================================================================
 * Lower layers, shared with nertrain.c and the tests.
 * ====================================================================== */

/* BIO tags: 0 is O, 2t-1 is B-t and 2t is I-t for type t in 1..4. */
#define GZT_NER_NTAGS 9
#define GZT_NER_START 9 /* the "before the sentence" pseudo-tag */
#define GZT_NER_TAG_B(t) ((uint8_t)(2 * (t)-1))
#define GZT_NER_TAG_I(t) ((uint8_t)(2 * (t)))
#define GZT_NER_TAG_TYPE(g) ((uint8_t)(((g) + 1) / 2))
#define GZT_NER_TAG_IS_I(g) ((g) != 0 && (g) % 2 == 0)

/* Sentences longer than this are cut (Viterbi's memory is per sentence). */
#define GZT_NER_SENT_MAX 250
/* Normalised forms are cut to this many bytes (on a character boundary). */
#define GZT_NER_FORM_MAX 64
/* Ceiling on the features of one token. */
#define GZT_NER_MAXFEAT 64

/* ---- tokenizer --------------------------------------------------------- */

/* One token of raw text. */
typedef struct gzt_nertok {
    uint32_t start;    /* byte offset of its first byte in the text */
    uint32_t end;      /* one past its last byte */
    uint32_t form;     /* offset of its normalised form in the forms buffer */
    uint16_t form_len; /* bytes of that form, at most GZT_NER_FORM_MAX */
    uint8_t sent;      /* 1 when the token starts a sentence */
} gzt_nertok;

/*
 * Tokenize @p text as CoNLL-2003 does: words, numbers and each punctuation
 * mark are tokens; "U.S.", "Mr.", "1,200.5", "1996-08-22", "Raouf-Sheybani"
 * and "O'Brien" are one token each; the possessive "'s" and "n't" are split
 * off. Appends ::gzt_nertok records to @p toks and their normalised forms
 * to @p forms (both are reset first): @p forms starts with a copy of the
 * text, where a form that is its token's bytes (plain ASCII) is found, and
 * the other forms follow it. GZT_OK, GZT_ENOMEM, or GZT_ETOOBIG when
 * @p len exceeds UINT32_MAX.
 */
GZT_NODISCARD int gzt_ner_tokenize(gzt_buf *toks, gzt_buf *forms,
                                   const char *text, size_t len);
/* gzt_ner_tokenize() without its ASCII shortcuts, every character decoded
 * and classified: the reference the tests hold the fast path to. */
GZT_NODISCARD int gzt_ner_tokenize_ref(gzt_buf *toks, gzt_buf *forms,
                                       const char *text, size_t len);

/*
 * After gzt_ner_tag(): the tokens of the text it was given, and per token
 * what the gazetteer found there (matched within the token's sentence, on
 * normalised forms), or NULL when @p m has no gazetteer. Valid until the
 * next call on @p m.
 */
const gzt_nertok *gzt_ner_tokens(const gzt_ner *m, size_t *n);
const gzt_gaz_hit *gzt_ner_hits(const gzt_ner *m);

/* ---- features ---------------------------------------------------------- */

/* A token's normalised form, as features see it. */
typedef struct gzt_nerword {
    const char *s; /* bytes, not NUL-terminated */
    uint32_t len;  /* at most GZT_NER_FORM_MAX is looked at */
} gzt_nerword;

/* Feature groups: a model is trained with a set of them and stores it. */
enum {
    GZT_NERF_WORD = 1u << 0,     /* the form and lower-case form */
    GZT_NERF_WINDOW = 1u << 1,   /* neighbours +-2 and word bigrams */
    GZT_NERF_SHAPE = 1u << 2,    /* word shapes of the token and neighbours */
    GZT_NERF_AFFIX = 1u << 3,    /* prefixes and suffixes of 1-4 chars */
    GZT_NERF_SENT = 1u << 4,     /* the sentence's first word */
    GZT_NERF_CLUSTER = 1u << 5,  /* word clusters of token and neighbours */
    GZT_NERF_GAZ = 1u << 6,      /* gazetteer membership (gazetteer.h) */
    GZT_NERF_CUES = 1u << 7,     /* title and organisation cue words */
    GZT_NERF_NONLOCAL = 1u << 8, /* the name's earlier label in the doc */
    GZT_NERF_ORDER2 = 1u << 9,   /* second-order tag transitions */
    GZT_NERF_CAPS = 1u << 10,    /* the sentence is in capitals */
    GZT_NERF_ALL = (1u << 11) - 1
};

/* Levels of the word-cluster hierarchy a model may use. */
#define GZT_NER_CL_LEVELS 4

/* A slot of the cluster table: a word's hash and its ids, one 16-byte
 * load apart so that a lookup misses the cache once. */
typedef struct gzt_nercl {
    uint64_t key;                    /* word hash; 0 = empty slot */
    uint16_t ids[GZT_NER_CL_LEVELS]; /* cluster ids + 1 */
} gzt_nercl;

/* The feature extractor: which groups, the table size, the clusters. */
typedef struct gzt_nerfx {
    uint32_t groups;    /* GZT_NERF_* */
    unsigned bits;      /* the weight table has 2^bits rows */
    gzt_nercl *cl;      /* open-addressed cluster table */
    size_t cl_cap;      /* slots, a power of two */
    size_t cl_n;        /* words in the table */
    const gzt_gaz *gaz; /* borrowed gazetteer for GZT_NERF_GAZ, or NULL */
} gzt_nerfx;

/* Per-document memory of labels given to capitalised words, for the
 * non-local features. */
typedef struct gzt_nerdoc {
    uint64_t *keys; /* open-addressed hashes of lower-case forms; 0 empty */
    uint8_t *vals;  /* the type last given to that word */
    size_t cap;     /* slots, a power of two (0 before first use) */
    size_t n;       /* words stored */
} gzt_nerdoc;

/* The 64-bit hash that keys words in the cluster table (FNV-1a 64 of the
 * bytes, finalised; stable across versions since model files store it). */
uint64_t gzt_ner_word_hash(const char *s, size_t len);

/* Add @p word (its GZT_NER_CL_LEVELS cluster ids, each 0..65534) to the
 * cluster table of @p fx. GZT_OK or GZT_ENOMEM. */
GZT_NODISCARD int gzt_nerfx_add_cluster(gzt_nerfx *fx, uint64_t word_hash,
                                        const uint16_t *ids);
/* Release what @p fx holds (not @p fx itself). */
void gzt_nerfx_fini(gzt_nerfx *fx);

void gzt_nerdoc_reset(gzt_nerdoc *d);
void gzt_nerdoc_fini(gzt_nerdoc *d);
/* Record the types that @p tags give to the capitalised words of a
 * sentence. GZT_OK or GZT_ENOMEM. */
GZT_NODISCARD int gzt_nerdoc_note(gzt_nerdoc *d, const gzt_nerword *w,
                                  const uint8_t *tags, size_t n);

/* A cache of per-word feature work (gzt_nerfx_extract()); one per thread. */
typedef struct gzt_nerwc gzt_nerwc;
gzt_nerwc *gzt_nerwc_new(void); /* NULL when out of memory */
void gzt_nerwc_free(gzt_nerwc *wc);

/*
 * Compute the features of the @p n tokens of one sentence (n at most
 * GZT_NER_SENT_MAX). Token i's weight rows go to rows[i * GZT_NER_MAXFEAT
 * ...] and their count to nrows[i]. When @p names is not NULL, each
 * feature's readable name ("w0=Lavrov") is appended to it, one per line,
 * tokens separated by an empty line (slow; for tests and debugging).
 * Tokens whose @p closed byte is set (gzt_ner_closed(); @p closed may be
 * NULL) get no features. @p hits, when not NULL, are the gazetteer's
 * matches of the sentence (else they are matched here). @p wc (may be
 * NULL) caches what each word alone gives, across calls.
 * GZT_OK or GZT_ENOMEM (only from @p names).
 */
GZT_NODISCARD int gzt_nerfx_extract(const gzt_nerfx *fx, const gzt_nerdoc *doc,
                                    const gzt_nerword *w, size_t n,
                                    const uint8_t *closed,
                                    const gzt_gaz_hit *hits, gzt_nerwc *wc,
                                    uint32_t *rows, uint8_t *nrows,
                                    gzt_buf *names);

/* The long shape of a word: upper-case letters become X, others x, digits
 * d, anything else stays, and runs are cut at 4 ("Xxxx", "dddd-dd", "X.X.").
 * With @p collapse, every run is cut to 1 ("Xx", "d-d", "X.X."). Writes at
 * most @p cap - 1 bytes and a NUL; returns the length written. */
size_t gzt_ner_shape(char *out, size_t cap, const char *s, size_t len,
                     bool collapse);

/* ---- decoding ---------------------------------------------------------- */

/* Transition scores: t1[prev * 9 + cur] with prev in 0..GZT_NER_START;
 * t2[(pp * 10 + prev) * 9 + cur] with pp, prev in 0..GZT_NER_START. */
#define GZT_NER_T1_LEN (10 * GZT_NER_NTAGS)
#define GZT_NER_T2_LEN (10 * 10 * GZT_NER_NTAGS)

/* Bytes of scratch gzt_ner_viterbi() needs for @p n tokens. */
size_t gzt_ner_viterbi_scratch(size_t n);

/*
 * The best tag sequence for @p n tokens (1..GZT_NER_SENT_MAX) whose tag
 * scores are emit[i * 9 + tag], under BIO constraints (I-t only after B-t
 * or I-t). First order when @p t2 is NULL, else second order. @p scratch
 * holds gzt_ner_viterbi_scratch(n) bytes, 8-aligned.
 */
void gzt_ner_viterbi(uint8_t *tags, const float *emit, size_t n,
                     const float *t1, const float *t2, const uint8_t *closed,
                     void *scratch);

/*
 * Is the token @p s[0..len) (a normalised form) closed: a word the tagger
 * tags O without scoring it? Plain lower-case words other than the
 * particles names carry ("of", "van", "de", ...), numbers ("1996",
 * "1,200.5", "08/22") and the sentence punctuation , . ; : ! ? and ". They
 * are 62% of the tokens of CoNLL-2003's training split and 0.14% of them
 * are inside a name; closing them saves most of the tagger's work.
 */
bool gzt_ner_closed(const char *s, size_t len);

/*
 * The closed tokens of a sentence of @p n words, one byte each in
 * @p closed: those of gzt_ner_closed(), punctuation that names never hold
 * ("-", "$", "--", "..."), and the glue words of names ("of", "the", "and",
 * "(", "'s", ...) when they follow a closed token or start the sentence.
 * Together 73% of CoNLL-2003's training tokens, of which 0.01% in a name.
 */
void gzt_ner_close(const gzt_nerword *w, size_t n, uint8_t *closed);

/* ---- model file -------------------------------------------------------- */

/* What a model holds, for gzt_ner_encode(). */
typedef struct gzt_ner_weights {
    const gzt_nerfx *fx; /* groups, bits and clusters */
    const float *w;      /* 2^bits rows of GZT_NER_NTAGS weights */
    const float *t1;     /* GZT_NER_T1_LEN transition weights */
    const float *t2;     /* GZT_NER_T2_LEN, or NULL for first order */
    const char *info;    /* one line describing the model, or NULL */
} gzt_ner_weights;

/* Serialise a model (weights quantised to int16) into @p out (appended).
 * GZT_OK or GZT_ENOMEM. */
GZT_NODISCARD int gzt_ner_encode(gzt_buf *out, const gzt_ner_weights *mw);

/* Tag one sentence of normalised forms, within document state @p doc
 * (noted afterwards). @p tags receives @p n tags. GZT_OK or GZT_ENOMEM. */
GZT_NODISCARD int gzt_ner_tag_words(gzt_ner *m, gzt_nerdoc *doc,
                                    const gzt_nerword *w, size_t n,
                                    uint8_t *tags);

/*
 * The integer tag scores (weight rows summed, before the model's scale) of
 * the open tokens of one sentence, nine per token into @p sums; closed
 * tokens get zeros. With @p cached they are worked out as
 * gzt_ner_tag_words() does, through the per-word sums of the handle's
 * cache, else from every feature's row (gzt_nerfx_extract()): the two must
 * agree to the bit, which is what this is for (tests). GZT_OK or
 * GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_ner_sums(gzt_ner *m, const gzt_nerdoc *doc,
                               const gzt_nerword *w, size_t n, bool cached,
                               int32_t *sums);

#endif
