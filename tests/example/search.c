/* search.c: cc search.c $(pkg-config --cflags --libs --static gazette) */
#include <gazette.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    gzt_index *idx;
    gzt_results *res;
    gzt_error err = {0};
    if (argc < 3 || gzt_index_open(&idx, argv[1], &err) != GZT_OK) {
        fprintf(stderr, "%s\n", argc < 3 ? "usage: search DIR QUERY" : err.msg);
        return 2;
    }
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    int rc = gzt_search(&res, idx, argv[2], &o, &err);
    if (rc != GZT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        gzt_index_close(idx);
        return 2;
    }
    for (size_t i = 0; i < gzt_results_count(res); i++) {
        gzt_hit h;
        if (gzt_results_hit(res, i, &h) == GZT_OK)
            printf("%zu. %s %.4f\n", h.rank, h.id, h.score);
    }
    printf("%llu matches\n", (unsigned long long)gzt_results_total(res));
    gzt_results_free(res);
    gzt_index_close(idx);
    return 0;
}
