/* SPDX-License-Identifier: MIT */
/*
 * mkimage.c: a build step, not part of the library. It loads the built-in
 * entity lists (common/gazetteers/) and the tagger's model
 * (common/ner/model.bin) the slow way, as gzt_gaz_load_files() and
 * gzt_ner_load() build them, and writes each as an image of its tables
 * (gzt_gaz_image_write(), gzt_ner_image_write()). common/resources.c builds
 * the two images into the library, where gzt_builtin_gazetteer() and
 * gzt_builtin_model() (entity.h) use them in place: a program that
 * recognises entities starts without building 15 MB of tables.
 *
 *   gazette_mkimage GAZETTEER_DIR MODEL.bin GAZ.img NER.img
 */
#include <stdio.h>

#include "common/gazetteer.h"
#include "common/io.h"
#include "common/ner.h"

/* Write @p b to @p path whole; false (with a message) on failure. */
static bool
write_file(const char *path, const gzt_buf *b)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(b->p, 1, b->len, f) == b->len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        perror(path);
    return ok;
}

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s GAZETTEER_DIR MODEL.bin GAZ.img NER.img\n",
                argv[0]);
        return 2;
    }
    gzt_error err = {0};
    gzt_gaz *g = NULL;
    gzt_ner *m = NULL;
    gzt_buf b = GZT_BUF_INIT;
    int rc = gzt_gaz_load_files(&g, argv[1], &err);
    if (rc == GZT_OK)
        rc = gzt_io_read_file(argv[2], &b, (size_t)256 << 20, &err);
    if (rc == GZT_OK)
        rc = gzt_ner_load(&m, b.p, b.len, &err);
    if (rc != GZT_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        goto done;
    }
    rc = gzt_gaz_image_write(g, &b);
    if (rc == GZT_OK && !write_file(argv[3], &b))
        rc = GZT_EIO;
    if (rc == GZT_OK)
        rc = gzt_ner_image_write(m, &b);
    if (rc == GZT_OK && !write_file(argv[4], &b))
        rc = GZT_EIO;
    if (rc == GZT_ENOMEM)
        fprintf(stderr, "%s: out of memory\n", argv[0]);
done:
    gzt_buf_free(&b);
    gzt_ner_free(m);
    gzt_gaz_free(g);
    return rc == GZT_OK ? 0 : 1;
}
