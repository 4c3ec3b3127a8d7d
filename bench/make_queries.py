#!/usr/bin/env python3
"""Generate a query set from a corpus, by frequency band.

Usage: make_queries.py CORPUS [N] [SEED] > queries.txt

CORPUS is JSON Lines (title, body or text fields) or TSV with a title
column, optionally .zst (read through zstdcat). Words are lower-cased runs
of letters; document frequencies split them into bands (rare: df < 0.01%,
mid: < 1%, common: >= 1%). Queries, in equal shares: one term per band; two
to four terms mixing bands, each as a union (a b), an intersection (+a +b)
and, for bigrams that occur in the corpus, a phrase ("a b"). The output is
a fixed function of the corpus and SEED: one query per line, tagged after a
TAB (term, union, intersection, phrase), the format bench_queries reads.
"""
import json
import random
import re
import subprocess
import sys
from collections import Counter

WORD = re.compile(r"[a-z]+")


def texts(path):
    if path.endswith(".zst"):
        proc = subprocess.Popen(["zstdcat", path], stdout=subprocess.PIPE)
        stream = (l.decode("utf-8", "replace") for l in proc.stdout)
    else:
        stream = open(path, encoding="utf-8", errors="replace")
    header = None
    for line in stream:
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            yield (d.get("title") or "") + " " + (d.get("body") or d.get("text") or "")
        else:
            cols = line.rstrip("\n").split("\t")
            if header is None:
                header = cols
                continue
            yield " ".join(c for h, c in zip(header, cols) if h in ("title", "body", "text"))


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    df, bigrams, ndocs = Counter(), Counter(), 0
    for t in texts(path):
        ndocs += 1
        words = WORD.findall(t.lower())
        df.update(set(words))
        if ndocs % 7 == 0:  # a sample is enough for bigrams
            bigrams.update(set(zip(words, words[1:])))
    vocab = [w for w, c in df.items() if len(w) > 2 and c >= 3]
    bands = {
        "rare": [w for w in vocab if df[w] < ndocs * 0.0001 or df[w] < 5],
        "mid": [w for w in vocab if ndocs * 0.0001 <= df[w] < ndocs * 0.01],
        "common": [w for w in vocab if df[w] >= ndocs * 0.01],
    }
    for b in bands:
        bands[b].sort()
    pairs = sorted(p for p, c in bigrams.items() if c >= 3 and len(p[0]) > 2 and len(p[1]) > 2)
    out = []
    while len(out) < n:
        kind = rng.choice(["term", "union", "intersection", "phrase"])
        if kind == "term":
            band = rng.choice(list(bands))
            if bands[band]:
                out.append((rng.choice(bands[band]), "term-" + band))
            continue
        if kind == "phrase":
            if pairs:
                a, b = rng.choice(pairs)
                out.append(('"%s %s"' % (a, b), "phrase"))
            continue
        k = rng.randint(2, 4)
        words = [rng.choice(bands[rng.choice(list(bands))] or vocab) for _ in range(k)]
        if kind == "union":
            out.append((" ".join(words), "union"))
        else:
            out.append((" ".join("+" + w for w in words), "intersection"))
    for q, tag in out:
        print(json.dumps({"query": q, "tags": [tag]}))


if __name__ == "__main__":
    main()
