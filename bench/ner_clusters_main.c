/* SPDX-License-Identifier: MIT */
/*
 * ner_clusters_main.c: word clusters for the NER tagger's cluster features,
 * learned from unlabeled news text.
 *
 *   ner_clusters [-c 1024] [-v 150000] [-m 5] [-i 12] TEXT > clusters.tsv
 *
 * TEXT is plain text, one paragraph a line. Lines are tokenized with the
 * tagger's own tokenizer (gzt_ner_tokenize), so cluster words are spelled
 * as the tagger sees them. The -v most frequent words seen at least -m
 * times are clustered; the rest share one fixed "unknown" class, and
 * sentence boundaries another.
 *
 * The criterion is Brown et al.'s (1992): the likelihood of a class bigram
 * model, sum f(N(c1,c2)) - sum f(N_left(c)) - sum f(N_right(c)) with
 * f(x) = x log x. Instead of Brown's bottom-up merging, which costs hours at
 * a thousand classes on tens of millions of words, it is optimised with the
 * exchange algorithm (Kneser & Ney 1993; Martin, Liermann & Ney 1998): each
 * word in turn moves to the class that most improves the criterion, until
 * few words move. That gives the finest level (-c classes). The coarser
 * levels (c/4, c/16, c/64) come from running the same exchange on the
 * classes themselves, with the class bigram counts as their bigrams, so the
 * levels nest like the prefixes of Brown's bit strings.
 *
 * Output: six "# " lines on its origin, then one word a line, most
 * frequent first:
 *   word<TAB>id@c/64<TAB>id@c/16<TAB>id@c/4<TAB>id@c<TAB>count
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ner.h"

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- vocabulary -------------------------------------------------------- */

typedef struct vocab {
    uint64_t *keys; /* word hash, 0 = empty */
    uint32_t *ids;  /* type id per slot */
    size_t cap;     /* slots */
    size_t n;       /* types */
    char **words;   /* type id -> word (NUL-terminated) */
    uint64_t *cnt;  /* type id -> count */
    size_t wcap;    /* capacity of words/cnt */
} vocab;

static uint32_t
vocab_id(vocab *v, const char *s, size_t len)
{
    uint64_t h = gzt_ner_word_hash(s, len);
    if ((v->n + 1) * 2 > v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1 << 20;
        uint64_t *k = xcalloc(cap, sizeof *k);
        uint32_t *id = xcalloc(cap, sizeof *id);
        for (size_t i = 0; i < v->cap; i++) {
            if (!v->keys[i])
                continue;
            size_t j = v->keys[i] & (cap - 1);
            while (k[j])
                j = (j + 1) & (cap - 1);
            k[j] = v->keys[i];
            id[j] = v->ids[i];
        }
        free(v->keys);
        free(v->ids);
        v->keys = k;
        v->ids = id;
        v->cap = cap;
    }
    size_t j = h & (v->cap - 1);
    while (v->keys[j] && v->keys[j] != h)
        j = (j + 1) & (v->cap - 1);
    if (v->keys[j])
        return v->ids[j];
    if (v->n == v->wcap) {
        v->wcap = v->wcap ? v->wcap * 2 : 1 << 16;
        v->words = realloc(v->words, v->wcap * sizeof *v->words);
        v->cnt = realloc(v->cnt, v->wcap * sizeof *v->cnt);
        if (!v->words || !v->cnt)
            exit(1);
    }
    v->keys[j] = h;
    v->ids[j] = (uint32_t)v->n;
    v->words[v->n] = strndup(s, len);
    v->cnt[v->n] = 0;
    return (uint32_t)v->n++;
}

/* ---- bigram graph ------------------------------------------------------ */

/* Items (words or classes) with their left and right neighbours. */
typedef struct graph {
    uint32_t n;      /* items */
    uint32_t nfixed; /* the last nfixed items stay in classes K.. */
    uint64_t *roff;  /* right neighbours of item i: [roff[i], roff[i+1]) */
    uint32_t *rnb;   /* neighbour item */
    uint64_t *rcnt;  /* bigram count (item, neighbour) */
    uint64_t *loff;  /* left neighbours, likewise */
    uint32_t *lnb;   /* neighbour item */
    uint64_t *lcnt;  /* bigram count (neighbour, item) */
} graph;

typedef struct bigram {
    uint32_t a, b; /* left item, right item */
    uint64_t n;    /* count */
} bigram;

static int
cmp_ab(const void *x, const void *y)
{
    const bigram *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static int
cmp_ba(const void *x, const void *y)
{
    const bigram *p = x, *q = y;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->a < q->a ? -1 : p->a > q->a;
}

/* Build the graph from @p m distinct bigrams (sorted in place). */
static void
graph_build(graph *g, uint32_t n, uint32_t nfixed, bigram *bg, size_t m)
{
    g->n = n;
    g->nfixed = nfixed;
    g->roff = xcalloc(n + 1, sizeof *g->roff);
    g->loff = xcalloc(n + 1, sizeof *g->loff);
    g->rnb = xcalloc(m, sizeof *g->rnb);
    g->lnb = xcalloc(m, sizeof *g->lnb);
    g->rcnt = xcalloc(m, sizeof *g->rcnt);
    g->lcnt = xcalloc(m, sizeof *g->lcnt);
    qsort(bg, m, sizeof *bg, cmp_ab);
    for (size_t i = 0; i < m; i++) {
        g->roff[bg[i].a + 1]++;
        g->rnb[i] = bg[i].b;
        g->rcnt[i] = bg[i].n;
    }
    qsort(bg, m, sizeof *bg, cmp_ba);
    for (size_t i = 0; i < m; i++) {
        g->loff[bg[i].b + 1]++;
        g->lnb[i] = bg[i].a;
        g->lcnt[i] = bg[i].n;
    }
    for (uint32_t i = 0; i < n; i++) {
        g->roff[i + 1] += g->roff[i];
        g->loff[i + 1] += g->loff[i];
    }
}

static void
graph_free(graph *g)
{
    free(g->roff);
    free(g->loff);
    free(g->rnb);
    free(g->lnb);
    free(g->rcnt);
    free(g->lcnt);
}

/* ---- exchange ---------------------------------------------------------- */

/* x log x, with a fast natural log (relative error ~1e-9 on doubles):
 * exponent from the bits, log of the mantissa in [sqrt(1/2), sqrt(2)) by
 * the atanh series. */
static inline double
xlogx(double x)
{
    if (x <= 0)
        return 0;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    u = (u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double m;
    memcpy(&m, &u, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double t = (m - 1) / (m + 1), t2 = t * t;
    double l =
        2 * t *
        (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9)))));
    return x * (l + e * 0.6931471805599453);
}

/*
 * Exchange clustering of the items of @p g into @p K classes (the fixed
 * items get K, K+1, ...). @p cls holds the initial classes and receives the
 * result. @p N (K2 x K2 with K2 = K + nfixed) receives the class bigram
 * counts.
 */
static void
exchange(const graph *g, uint32_t K, uint32_t *cls, int maxiter, int64_t *N,
         const char *label)
{
    const uint32_t K2 = K + g->nfixed;
    int64_t *NT = xcalloc((size_t)K2 * K2, sizeof *NT); /* NT[b][c]=N[c][b] */
    double *FN = xcalloc((size_t)K2 * K2, sizeof *FN);
    double *FNT = xcalloc((size_t)K2 * K2, sizeof *FNT);
    int64_t *Nl = xcalloc(K2, sizeof *Nl), *Nr = xcalloc(K2, sizeof *Nr);
    double *FL = xcalloc(K2, sizeof *FL), *FR = xcalloc(K2, sizeof *FR);
    int64_t *Lw = xcalloc(K2, sizeof *Lw), *Rw = xcalloc(K2, sizeof *Rw);
    uint32_t *sl = xcalloc(K2, sizeof *sl), *sr = xcalloc(K2, sizeof *sr);
    memset(N, 0, (size_t)K2 * K2 * sizeof *N);
    for (uint32_t a = 0; a < g->n; a++)
        for (uint64_t k = g->roff[a]; k < g->roff[a + 1]; k++) {
            uint32_t ca = cls[a], cb = cls[g->rnb[k]];
            N[(size_t)ca * K2 + cb] += (int64_t)g->rcnt[k];
            Nl[ca] += (int64_t)g->rcnt[k];
            Nr[cb] += (int64_t)g->rcnt[k];
        }
    for (uint32_t a = 0; a < K2; a++)
        for (uint32_t b = 0; b < K2; b++) {
            NT[(size_t)b * K2 + a] = N[(size_t)a * K2 + b];
            FN[(size_t)a * K2 + b] = xlogx((double)N[(size_t)a * K2 + b]);
            FNT[(size_t)b * K2 + a] = FN[(size_t)a * K2 + b];
        }
    for (uint32_t a = 0; a < K2; a++) {
        FL[a] = xlogx((double)Nl[a]);
        FR[a] = xlogx((double)Nr[a]);
    }
#define SETN(r, c, d)                                                          \
    do {                                                                       \
        size_t i_ = (size_t)(r)*K2 + (c), t_ = (size_t)(c)*K2 + (r);           \
        N[i_] += (d);                                                          \
        NT[t_] = N[i_];                                                        \
        FN[i_] = FNT[t_] = xlogx((double)N[i_]);                               \
    } while (0)
    double t0 = now();
    for (int it = 0; it < maxiter; it++) {
        size_t moves = 0;
        for (uint32_t w = 0; w + g->nfixed < g->n; w++) {
            uint32_t a = cls[w], nl = 0, nr = 0;
            int64_t self = 0, wl = 0, wr = 0;
            for (uint64_t k = g->loff[w]; k < g->loff[w + 1]; k++) {
                int64_t c = (int64_t)g->lcnt[k];
                wr += c;
                if (g->lnb[k] == w) {
                    self += c;
                    continue;
                }
                uint32_t cc = cls[g->lnb[k]];
                if (!Lw[cc])
                    sl[nl++] = cc;
                Lw[cc] += c;
            }
            for (uint64_t k = g->roff[w]; k < g->roff[w + 1]; k++) {
                int64_t c = (int64_t)g->rcnt[k];
                wl += c;
                if (g->rnb[k] == w)
                    continue;
                uint32_t cc = cls[g->rnb[k]];
                if (!Rw[cc])
                    sr[nr++] = cc;
                Rw[cc] += c;
            }
            if (wl + wr == 0)
                continue;
            /* take w out of a */
            for (uint32_t i = 0; i < nl; i++)
                SETN(sl[i], a, -Lw[sl[i]]);
            for (uint32_t i = 0; i < nr; i++)
                SETN(a, sr[i], -Rw[sr[i]]);
            SETN(a, a, -self);
            Nl[a] -= wl;
            Nr[a] -= wr;
            FL[a] = xlogx((double)Nl[a]);
            FR[a] = xlogx((double)Nr[a]);
            uint32_t best = a;
            double bestg = -1e300;
            for (uint32_t b = 0; b < K; b++) {
                const int64_t *nb = N + (size_t)b * K2,
                              *ntb = NT + (size_t)b * K2;
                const double *fb = FN + (size_t)b * K2,
                             *ftb = FNT + (size_t)b * K2;
                double gsum = 0;
                for (uint32_t i = 0; i < nl; i++) {
                    uint32_t c = sl[i];
                    if (c != b)
                        gsum += xlogx((double)(ntb[c] + Lw[c])) - ftb[c];
                }
                for (uint32_t i = 0; i < nr; i++) {
                    uint32_t c = sr[i];
                    if (c != b)
                        gsum += xlogx((double)(nb[c] + Rw[c])) - fb[c];
                }
                gsum += xlogx((double)(nb[b] + Lw[b] + Rw[b] + self)) - fb[b];
                gsum -= xlogx((double)(Nl[b] + wl)) - FL[b];
                gsum -= xlogx((double)(Nr[b] + wr)) - FR[b];
                if (gsum > bestg + 1e-9 || (b == a && gsum >= bestg - 1e-9)) {
                    bestg = gsum;
                    best = b;
                }
            }
            if (best != a)
                moves++;
            a = best;
            cls[w] = a;
            for (uint32_t i = 0; i < nl; i++)
                SETN(sl[i], a, Lw[sl[i]]);
            for (uint32_t i = 0; i < nr; i++)
                SETN(a, sr[i], Rw[sr[i]]);
            SETN(a, a, self);
            Nl[a] += wl;
            Nr[a] += wr;
            FL[a] = xlogx((double)Nl[a]);
            FR[a] = xlogx((double)Nr[a]);
            for (uint32_t i = 0; i < nl; i++)
                Lw[sl[i]] = 0;
            for (uint32_t i = 0; i < nr; i++)
                Rw[sr[i]] = 0;
        }
        double obj = 0;
        for (size_t i = 0; i < (size_t)K2 * K2; i++)
            obj += FN[i];
        for (uint32_t a = 0; a < K2; a++)
            obj -= FL[a] + FR[a];
        fprintf(stderr, "%s: iteration %d: %zu moves, objective %.6e, %.1f s\n",
                label, it + 1, moves, obj, now() - t0);
        if (moves * 1000 < g->n)
            break;
    }
#undef SETN
    free(NT);
    free(FN);
    free(FNT);
    free(Nl);
    free(Nr);
    free(FL);
    free(FR);
    free(Lw);
    free(Rw);
    free(sl);
    free(sr);
}

/* Cluster K fine classes (plus nfixed fixed ones) with bigram counts @p N
 * into K2 coarse classes; @p up receives each fine class's coarse class. */
static void
coarsen(const int64_t *N, uint32_t K, uint32_t nfixed, uint32_t Kc,
        uint32_t *up, int maxiter)
{
    uint32_t n = K + nfixed;
    bigram *bg = xcalloc((size_t)n * n, sizeof *bg);
    size_t m = 0;
    uint64_t *freq = xcalloc(n, sizeof *freq);
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t b = 0; b < n; b++)
            if (N[(size_t)a * n + b] > 0) {
                bg[m++] = (bigram){a, b, (uint64_t)N[(size_t)a * n + b]};
                freq[a] += (uint64_t)N[(size_t)a * n + b];
            }
    graph g;
    graph_build(&g, n, nfixed, bg, m);
    /* initial classes: fine classes by frequency, round robin */
    uint32_t *order = xcalloc(K, sizeof *order);
    for (uint32_t i = 0; i < K; i++)
        order[i] = i;
    for (uint32_t i = 1; i < K; i++) /* insertion sort: K is small */
        for (uint32_t j = i; j > 0 && freq[order[j]] > freq[order[j - 1]];
             j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (uint32_t i = 0; i < K; i++)
        up[order[i]] = i % Kc;
    for (uint32_t i = 0; i < nfixed; i++)
        up[K + i] = Kc + i;
    int64_t *Nc = xcalloc((size_t)(Kc + nfixed) * (Kc + nfixed), sizeof *Nc);
    char label[32];
    snprintf(label, sizeof label, "%u->%u", K, Kc);
    exchange(&g, Kc, up, maxiter, Nc, label);
    free(Nc);
    free(order);
    free(freq);
    free(bg);
    graph_free(&g);
}

/* ---- main -------------------------------------------------------------- */

static const uint64_t *sort_cnt; /* counts cmp_cnt_desc() sorts by */

static int
cmp_cnt_desc(const void *x, const void *y)
{
    const uint64_t *cnt = sort_cnt;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (cnt[a] != cnt[b])
        return cnt[a] > cnt[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

int
main(int argc, char **argv)
{
    uint32_t K = 1024, maxv = 150000, minc = 5;
    int iters = 12;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc)
            K = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v") && i + 1 < argc)
            maxv = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            minc = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            iters = atoi(argv[++i]);
        else
            path = argv[i];
    }
    if (!path || K < 64 || K % 64) {
        fprintf(stderr, "usage: ner_clusters [-c K (multiple of 64)] [-v "
                        "maxvocab] [-m mincount] [-i iters] TEXT\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    double t0 = now();
    vocab v;
    memset(&v, 0, sizeof v);
    uint32_t BOUND = vocab_id(&v, "\n<s>", 4); /* type 0: boundaries */
    uint32_t *stream = NULL;
    size_t ns = 0, scap = 0;
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t ll;
    while ((ll = getline(&line, &lcap, f)) > 0) {
        if (gzt_ner_tokenize(&toks, &forms, line, (size_t)ll) != GZT_OK)
            return 1;
        const gzt_nertok *t = (const gzt_nertok *)toks.p;
        size_t n = toks.len / sizeof *t;
        if (ns + 2 * n + 2 > scap) {
            scap = (ns + 2 * n + 2) * 2;
            stream = realloc(stream, scap * sizeof *stream);
            if (!stream)
                return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (t[i].sent)
                stream[ns++] = BOUND;
            uint32_t id =
                vocab_id(&v, (const char *)forms.p + t[i].form, t[i].form_len);
            v.cnt[id]++;
            stream[ns++] = id;
        }
    }
    stream[ns++] = BOUND;
    fclose(f);
    free(line);
    fprintf(stderr, "%zu tokens, %zu types, %.1f s\n", ns, v.n, now() - t0);
    /* keep the most frequent words */
    uint32_t *byfreq = xcalloc(v.n, sizeof *byfreq);
    for (uint32_t i = 0; i < v.n; i++)
        byfreq[i] = i;
    v.cnt[BOUND] = 0;
    sort_cnt = v.cnt;
    qsort(byfreq, v.n, sizeof *byfreq, cmp_cnt_desc);
    uint32_t V = 0;
    while (V < v.n && V < maxv && v.cnt[byfreq[V]] >= minc)
        V++;
    const uint32_t UNK = V, BOS = V + 1;
    uint32_t *map = xcalloc(v.n, sizeof *map);
    for (uint32_t i = 0; i < v.n; i++)
        map[i] = UNK;
    for (uint32_t i = 0; i < V; i++)
        map[byfreq[i]] = i;
    map[BOUND] = BOS;
    /* bigram counts */
    size_t hcap = 1u << 26;
    uint64_t *hk = xcalloc(hcap, sizeof *hk);
    uint32_t *hv = xcalloc(hcap, sizeof *hv);
    size_t m = 0;
    for (size_t i = 0; i + 1 < ns; i++) {
        uint32_t a = map[stream[i]], b = map[stream[i + 1]];
        if (a == BOS && b == BOS)
            continue;
        uint64_t key = ((uint64_t)a << 32 | b) + 1;
        size_t j = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 38);
        while (hk[j] && hk[j] != key)
            j = (j + 1) & (hcap - 1);
        if (!hk[j]) {
            hk[j] = key;
            if (++m * 10 > hcap * 7) {
                fprintf(stderr, "bigram table full\n");
                return 1;
            }
        }
        hv[j]++;
    }
    free(stream);
    bigram *bg = xcalloc(m, sizeof *bg);
    size_t k = 0;
    for (size_t j = 0; j < hcap; j++)
        if (hk[j]) {
            uint64_t key = hk[j] - 1;
            bg[k++] = (bigram){(uint32_t)(key >> 32), (uint32_t)key, hv[j]};
        }
    free(hk);
    free(hv);
    fprintf(stderr,
            "%u words clustered (count >= %llu), %zu bigram types, "
            "%.1f s\n",
            V, V ? (unsigned long long)v.cnt[byfreq[V - 1]] : 0ULL, m,
            now() - t0);
    graph g;
    graph_build(&g, V + 2, 2, bg, m);
    free(bg);
    uint32_t *cls = xcalloc(V + 2, sizeof *cls);
    for (uint32_t i = 0; i < V; i++)
        cls[i] = i % K;
    cls[UNK] = K;
    cls[BOS] = K + 1;
    int64_t *N = xcalloc((size_t)(K + 2) * (K + 2), sizeof *N);
    exchange(&g, K, cls, iters, N, "words");
    /* coarser levels, each from the one below */
    uint32_t *up4 = xcalloc(K + 2, sizeof *up4);
    uint32_t *up16 = xcalloc(K + 2, sizeof *up16);
    uint32_t *up64 = xcalloc(K + 2, sizeof *up64);
    coarsen(N, K, 2, K / 4, up4, 30);
    /* class bigram counts at K/4 */
    uint32_t K4 = K / 4 + 2;
    int64_t *N4 = xcalloc((size_t)K4 * K4, sizeof *N4);
    for (uint32_t a = 0; a < K + 2; a++)
        for (uint32_t b = 0; b < K + 2; b++)
            N4[(size_t)up4[a] * K4 + up4[b]] += N[(size_t)a * (K + 2) + b];
    coarsen(N4, K / 4, 2, K / 16, up16, 30);
    uint32_t K16 = K / 16 + 2;
    int64_t *N16 = xcalloc((size_t)K16 * K16, sizeof *N16);
    for (uint32_t a = 0; a < K4; a++)
        for (uint32_t b = 0; b < K4; b++)
            N16[(size_t)up16[a] * K16 + up16[b]] += N4[(size_t)a * K4 + b];
    coarsen(N16, K / 16, 2, K / 64, up64, 30);
    printf("# Word clusters for the gazette NER tagger (common/ner.c, "
           "GZT_NERF_CLUSTER).\n"
           "# Derived data: exchange clustering (Brown et al. 1992 "
           "class-bigram criterion) of the\n"
           "# %u most frequent tokens (count >= %llu) of %.1f million "
           "tokens of unlabeled news:\n"
           "# Reuters-21578 titles and bodies (1987) and Reuters headlines "
           "2012-2016, tokenized by\n"
           "# gzt_ner_tokenize(). Built by bench/ner_clusters_main.c via "
           "scripts/ner_model.sh --clusters.\n"
           "# The source text is research-only and is not in this "
           "repository; see common/ner/README.md.\n",
           V, V ? (unsigned long long)v.cnt[byfreq[V - 1]] : 0ULL,
           (double)ns / 1e6);
    for (uint32_t i = 0; i < V; i++) {
        uint32_t c = cls[i];
        printf("%s\t%u\t%u\t%u\t%u\t%llu\n", v.words[byfreq[i]],
               up64[up16[up4[c]]], up16[up4[c]], up4[c], c,
               (unsigned long long)v.cnt[byfreq[i]]);
    }
    fprintf(stderr, "done in %.1f s\n", now() - t0);
    return 0;
}
