/* SPDX-License-Identifier: MIT */
/*
 * resources.c: the library's built-in data files, included byte for byte
 * with the assembler's .incbin, so that the gazette binary and libgazette.a
 * need no data directory at run time. The files are named relative to
 * GZT_RESOURCE_DIR (common/, set by CMakeLists.txt, which also makes this
 * file depend on them).
 */
#include "common/resources.h"

#ifndef GZT_RESOURCE_DIR
#error "GZT_RESOURCE_DIR must name the common/ directory"
#endif

/* One .incbin'ed file: gzt_res_NAME .. gzt_res_NAME_end. */
#define GZT_INCBIN(sym, file)                                                  \
    __asm__(".section .rodata\n"                                               \
            ".global " #sym "\n"                                               \
            ".balign 16\n" #sym ":\n"                                          \
            ".incbin \"" GZT_RESOURCE_DIR "/" file "\"\n"                      \
            ".global " #sym "_end\n" #sym "_end:\n"                            \
            ".byte 0\n"                                                        \
            ".previous\n");                                                    \
    extern const uint8_t sym[];                                                \
    extern const uint8_t sym##_end[]

GZT_INCBIN(gzt_res_countries, "gazetteers/countries.tsv");
GZT_INCBIN(gzt_res_people, "gazetteers/people.tsv");
GZT_INCBIN(gzt_res_orgs, "gazetteers/orgs.tsv");
GZT_INCBIN(gzt_res_titles, "gazetteers/titles.txt");
GZT_INCBIN(gzt_res_ner, "ner/model.bin");
GZT_INCBIN(gzt_res_clusters, "ner/clusters.tsv");

bool
gzt_resource_get(const char *name, const uint8_t **bytes, size_t *len)
{
    static const char *const names[] = {"countries.tsv", "people.tsv",
                                        "orgs.tsv",      "titles.txt",
                                        "ner.bin",       "clusters.tsv"};
    const uint8_t *const starts[] = {gzt_res_countries, gzt_res_people,
                                     gzt_res_orgs,      gzt_res_titles,
                                     gzt_res_ner,       gzt_res_clusters};
    const uint8_t *const ends[] = {gzt_res_countries_end, gzt_res_people_end,
                                   gzt_res_orgs_end,      gzt_res_titles_end,
                                   gzt_res_ner_end,       gzt_res_clusters_end};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *bytes = starts[i];
            *len = (size_t)(ends[i] - starts[i]);
            return true;
        }
    }
    return false;
}
