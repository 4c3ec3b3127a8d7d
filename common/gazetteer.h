/* SPDX-License-Identifier: MIT */
/*
 * gazetteer.h: the entity lists of gazette (common/gazetteers/: countries,
 * capitals, demonyms, people, organisations, office titles) and the user's
 * own lists (`--entities FILE`), with a longest-match matcher over a token
 * sequence and per-token membership features for the tagger (ner.h).
 *
 * List format (built-in and user lists alike), one entry a line, UTF-8:
 *
 *     name<TAB>type[<TAB>canonical[<TAB>alias1|alias2|...]]
 *
 * type is PER, ORG, LOC or MISC (any letter case); an empty or absent
 * canonical means the name itself. Every alias is matched like the name and
 * reports the same type and canonical, except an alias written "~Word": that
 * one is a feature only (a person's surname, GZT_GAZ_F_SURNAME), never a
 * match on its own. Blank lines and lines starting with '#' are skipped; a
 * CR before the LF is ignored. titles.txt is `phrase<TAB>title|org`.
 *
 * Matching compares a run of tokens with a name with the spaces taken out,
 * so that "People 's" matches "People's" and "Guinea - Bissau" matches
 * "Guinea-Bissau" whatever the tokenizer did; a match must start and end on
 * a token boundary. It is case-sensitive, with one fallback: a run of
 * ALL-CAPS tokens ("IRAN", "UNITED NATIONS") also matches case-insensitively.
 * Title and organisation cues ("foreign minister", "Ministry") match in
 * lower case, sentence case ("Foreign minister"), title case ("Minister of
 * Foreign Affairs") and, through the fallback, capitals.
 */
#ifndef GZT_GAZETTEER_H
#define GZT_GAZETTEER_H

#include "common/base.h"

/* Entity types; the same numbers as gzt_nertype (ner.h). */
typedef enum gzt_gaz_type {
    GZT_GAZ_NONE = 0, /* no entry */
    GZT_GAZ_PER = 1,  /* a person */
    GZT_GAZ_ORG = 2,  /* an organisation */
    GZT_GAZ_LOC = 3,  /* a place */
    GZT_GAZ_MISC = 4  /* other names: demonyms ("Iranian") */
} gzt_gaz_type;

/* Membership features of one token (gzt_gaz_hit.flags). A "name word" is a
 * word of an entry's name or alias that has a capital letter in it (not
 * "of" in "Islamic Republic of Iran"); hyphenated words count whole and by
 * part ("Zarif-Khonsari", "Zarif", "Khonsari"). */
/* a name word of countries.tsv: a country, capital, demonym or region */
#define GZT_GAZ_F_COUNTRY 0x01u
/* the first word of a person's name or alias */
#define GZT_GAZ_F_FIRST 0x02u
/* a word of a person's surname (a "~" alias) */
#define GZT_GAZ_F_SURNAME 0x04u
/* inside an office title phrase ("prime minister") */
#define GZT_GAZ_F_TITLE 0x08u
/* inside an organisation cue ("Ministry", "News Agency") */
#define GZT_GAZ_F_ORGCUE 0x10u
/* a name word of an organisation */
#define GZT_GAZ_F_ORG 0x20u
/* a name word of a user-list entry */
#define GZT_GAZ_F_USER 0x40u

/* Kinds of cue phrase (gzt_gaz_hit.cue), a bit set. */
#define GZT_GAZ_CUE_TITLE 0x01u /* an office title */
#define GZT_GAZ_CUE_ORG 0x02u   /* an organisation cue word */

/* Greedy segmentation (gzt_gaz_hit.seg). */
#define GZT_GAZ_SEG_O 0 /* not in a segment */
#define GZT_GAZ_SEG_B 1 /* first token of a segment */
#define GZT_GAZ_SEG_I 2 /* later token of a segment */

/* Ceilings: longer names are refused (GZT_ETOOBIG) when a list is loaded. */
#define GZT_GAZ_MAX_TOKENS 32 /* words in a name, and tokens in a match */
#define GZT_GAZ_NAME_MAX 256  /* bytes of a name without its spaces */
#define GZT_GAZ_LIST_MAX ((size_t)256 << 20) /* bytes of one list */

/* One token to match: its bytes as written (not NUL-terminated). The same
 * layout as gzt_nerword (ner.h). */
typedef struct gzt_gaz_tok {
    const char *s; /* bytes of the token */
    uint32_t len;  /* byte count; a token of more than GZT_GAZ_NAME_MAX
                      bytes never matches */
} gzt_gaz_tok;

/* What gzt_gaz_match() reports for one token position. */
typedef struct gzt_gaz_hit {
    const char *canonical;  /* canonical form of the entry that starts here,
                               owned by the gazetteer (valid until a list
                               is added to it); NULL when none */
    uint32_t canonical_len; /* bytes of canonical (it is NUL-terminated) */
    uint16_t flags;         /* GZT_GAZ_F_* of this token */
    uint8_t type;           /* gzt_gaz_type of that entry; 0 when none */
    uint8_t len;            /* tokens it covers, from here; 0 when none */
    uint8_t user;           /* 1 when it comes from a user list */
    uint8_t cue;            /* GZT_GAZ_CUE_* of the longest cue phrase that
                               starts here; 0 when none */
    uint8_t cue_len;        /* tokens of that phrase */
    uint8_t seg;            /* GZT_GAZ_SEG_*: this token's place in the
                               greedy left-to-right segmentation */
    uint8_t seg_type;       /* gzt_gaz_type of that segment; 0 for O */
} gzt_gaz_hit;

typedef struct gzt_gaz gzt_gaz;

/*
 * Build a gazetteer from the bytes of the four built-in lists (any may be
 * NULL with length 0, giving a gazetteer without that list). The bytes are
 * borrowed for the call only: everything kept is copied.
 *
 * When two rows of the built-in lists give the same name, the first loaded
 * wins, in the order countries, orgs, people.
 *
 * @param[out] out  the gazetteer, or NULL on failure; gzt_gaz_free() it.
 * @return GZT_OK, GZT_ENOMEM, GZT_EINVAL (a malformed row; the message
 *         names the list and the line), GZT_ETOOBIG (a name past the
 *         ceilings above).
 */
GZT_NODISCARD int gzt_gaz_load(gzt_gaz **out, const char *countries,
                               size_t countries_len, const char *people,
                               size_t people_len, const char *orgs,
                               size_t orgs_len, const char *titles,
                               size_t titles_len, gzt_error *err);

/*
 * gzt_gaz_load() from the files countries.tsv, people.tsv, orgs.tsv and
 * titles.txt of directory @p dir (common/gazetteers/ in the source tree).
 *
 * @return as gzt_gaz_load(), or GZT_ENOTFOUND / GZT_EIO naming the file.
 */
GZT_NODISCARD int gzt_gaz_load_files(gzt_gaz **out, const char *dir,
                                     gzt_error *err);

/*
 * Add a user list (the format above) to @p g. The whole list is checked
 * before anything is added, so a bad row leaves @p g as it was. User
 * entries take precedence: a user name replaces a built-in entry of the
 * same name, a later user row replaces an earlier one, and where a user
 * entry starts, gzt_gaz_match() reports it even when a longer built-in
 * entry starts at the same token.
 *
 * @param path  names the list in messages ("my-list.tsv:12: ...").
 * @return GZT_OK; GZT_EINVAL naming the line for a row with an empty name,
 *         a missing or unknown type, more than four columns, or bytes that
 *         are not UTF-8; GZT_ETOOBIG for a name past the ceilings or a list
 *         over GZT_GAZ_LIST_MAX; GZT_ENOMEM (then @p g may hold part of the
 *         list: free it).
 */
GZT_NODISCARD int gzt_gaz_add_user(gzt_gaz *g, const char *data, size_t len,
                                   const char *path, gzt_error *err);

/*
 * Write @p g as an image that gzt_gaz_from_image() can use in place: the
 * build writes the built-in lists' image (common/mkimage.c), so that a
 * program starts without building their tables. The image holds this
 * build's memory layout: it is for the machine that made it. @p out is
 * reset first; its bytes are the image.
 * @return GZT_OK or GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_gaz_image_write(const gzt_gaz *g, gzt_buf *out);

/*
 * A gazetteer over the image @p image (@p len bytes, at an address aligned
 * to 64 bytes), which it borrows: the image must outlive it. Nothing is
 * copied until gzt_gaz_add_user() needs to change it.
 * @return GZT_OK, GZT_ENOMEM, or GZT_ECORRUPT when the bytes are not an
 *         image of this build's layout.
 */
GZT_NODISCARD int gzt_gaz_from_image(gzt_gaz **out, const void *image,
                                     size_t len, gzt_error *err);

/* Free @p g and everything it owns; NULL is a no-op. */
void gzt_gaz_free(gzt_gaz *g);

/*
 * For each of the @p n tokens, fill hits[i]: the longest entry starting at
 * token i (a user entry first, see gzt_gaz_add_user()), the longest cue
 * phrase starting there, the token's membership flags, and its place in
 * the greedy segmentation (left to right, longest first, user entries laid
 * down before built-in ones, no overlaps).
 *
 * Does not allocate; @p g is only read, so threads may share it.
 */
void gzt_gaz_match(const gzt_gaz *g, const gzt_gaz_tok *toks, size_t n,
                   gzt_gaz_hit *hits);

/* Names and aliases added so far (not cue phrases, not "~" aliases),
 * counting those that a later user row replaced. */
size_t gzt_gaz_count(const gzt_gaz *g);

/* "PER", "ORG", "LOC", "MISC", or "" for GZT_GAZ_NONE and anything else. */
const char *gzt_gaz_type_name(int type);

#endif
