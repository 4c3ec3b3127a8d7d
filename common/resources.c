/* SPDX-License-Identifier: MIT */
/*
 * resources.c: the library's built-in data files, included byte for byte
 * with the assembler's .incbin, so that the gazette binary and libgazette.a
 * need no data directory at run time. The files are named relative to
 * GZT_RESOURCE_DIR (common/); the two images of their tables that the build
 * writes (common/mkimage.c: "gaz.img", "ner.img") relative to
 * GZT_IMAGE_DIR. CMakeLists.txt sets both and makes this file depend on
 * every one of them. Each file starts on a 64-byte boundary, which the
 * images need.
 */
#include "common/resources.h"

#if !defined GZT_RESOURCE_DIR || !defined GZT_IMAGE_DIR
#error "GZT_RESOURCE_DIR and GZT_IMAGE_DIR must name common/ and the images'"
#endif

/* One .incbin'ed file: gzt_res_NAME .. gzt_res_NAME_end. */
#define GZT_INCBIN(sym, dir, file)                                             \
    __asm__(".section .rodata\n"                                               \
            ".global " #sym "\n"                                               \
            ".balign 64\n" #sym ":\n"                                          \
            ".incbin \"" dir "/" file "\"\n"                                   \
            ".global " #sym "_end\n" #sym "_end:\n"                            \
            ".byte 0\n"                                                        \
            ".previous\n");                                                    \
    extern const uint8_t sym[];                                                \
    extern const uint8_t sym##_end[]

GZT_INCBIN(gzt_res_countries, GZT_RESOURCE_DIR, "gazetteers/countries.tsv");
GZT_INCBIN(gzt_res_people, GZT_RESOURCE_DIR, "gazetteers/people.tsv");
GZT_INCBIN(gzt_res_orgs, GZT_RESOURCE_DIR, "gazetteers/orgs.tsv");
GZT_INCBIN(gzt_res_titles, GZT_RESOURCE_DIR, "gazetteers/titles.txt");
GZT_INCBIN(gzt_res_ner, GZT_RESOURCE_DIR, "ner/model.bin");
GZT_INCBIN(gzt_res_clusters, GZT_RESOURCE_DIR, "ner/clusters.tsv");
GZT_INCBIN(gzt_res_gazimg, GZT_IMAGE_DIR, "gaz.img");
GZT_INCBIN(gzt_res_nerimg, GZT_IMAGE_DIR, "ner.img");

bool
gzt_resource_get(const char *name, const uint8_t **bytes, size_t *len)
{
    static const char *const names[] = {
        "countries.tsv", "people.tsv",   "orgs.tsv", "titles.txt",
        "ner.bin",       "clusters.tsv", "gaz.img",  "ner.img"};
    const uint8_t *const starts[] = {
        gzt_res_countries, gzt_res_people,   gzt_res_orgs,   gzt_res_titles,
        gzt_res_ner,       gzt_res_clusters, gzt_res_gazimg, gzt_res_nerimg};
    const uint8_t *const ends[] = {gzt_res_countries_end, gzt_res_people_end,
                                   gzt_res_orgs_end,      gzt_res_titles_end,
                                   gzt_res_ner_end,       gzt_res_clusters_end,
                                   gzt_res_gazimg_end,    gzt_res_nerimg_end};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *bytes = starts[i];
            *len = (size_t)(ends[i] - starts[i]);
            return true;
        }
    }
    return false;
}
