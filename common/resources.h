/* SPDX-License-Identifier: MIT */
/*
 * resources.h: data files built into the library: the entity lists of
 * common/gazetteers/ and the entity tagger's model (common/ner/), and the
 * images of their tables that the build makes (common/mkimage.c).
 */
#ifndef GZT_RESOURCES_H
#define GZT_RESOURCES_H

#include "common/base.h"

/* The built-in file called @p name ("countries.tsv", "ner.bin", "gaz.img",
 * ...), at an address aligned to 64 bytes: false when there is none. */
bool gzt_resource_get(const char *name, const uint8_t **bytes, size_t *len);

#endif
