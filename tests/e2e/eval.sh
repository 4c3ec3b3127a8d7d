#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gazette eval on BEIR SciFact (../shared/data/beir-scifact): with default
# settings nDCG@10 must reach Anserini's BM25 flat figure, 0.6789; the run
# file it writes is scored again here by an independent implementation of
# trec_eval's measures (Python, below), which must agree with gazette's to
# 1e-9; a reused index (-i) gives the same figures; malformed topics and
# qrels are errors naming file and line.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
data=$GZT_SHARED/data/beir-scifact
[ -r "$data/corpus.jsonl.zst" ] || skip "no BEIR SciFact at $data"
command -v zstd >/dev/null || skip "zstd is not installed"
zstd -dqc "$data/corpus.jsonl.zst" >"$tmp/corpus.jsonl"
gzip -dc "$data/topics.test.tsv.gz" >"$tmp/topics.tsv"
zstd -dqc "$data/qrels.test.txt.zst" >"$tmp/qrels.txt"
cd "$tmp"

expect 0 "$G" eval --corpus corpus.jsonl --topics topics.tsv \
    --qrels qrels.txt -i sf.idx --json
cp "$tmp/out" first.json
python3 - first.json gazette.run qrels.txt <<'EOF' || fail "eval figures"
import json, math, sys
from collections import defaultdict
rep = json.load(open(sys.argv[1]))
assert rep["type"] == "eval" and rep["topics"] == 300, rep
# trec_eval -c, written again: per topic, documents by score descending,
# ties by id descending; judged topics missing from the run count 0
qrels = defaultdict(dict)
for line in open(sys.argv[3]):
    t, _, d, r = line.split()
    qrels[t][d] = int(r)
run = defaultdict(list)
for line in open(sys.argv[2]):
    t, q0, d, rank, score, tag = line.split()
    assert q0 == "Q0" and tag == "gazette"
    run[t].append((float(score), d))
sums = [0.0] * 4
for t, judged in qrels.items():
    docs = sorted(run.get(t, []), key=lambda x: (x[0], x[1]), reverse=True)
    assert len(docs) <= 1000
    rel = sum(1 for g in judged.values() if g > 0)
    gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    dcg = found = 0
    ap = r100 = r1000 = 0.0
    for i, (_, d) in enumerate(docs):
        g = judged.get(d, 0)
        if g <= 0:
            continue
        if i < 10:
            dcg += g / math.log2(i + 2)
        found += 1
        ap += found / (i + 1)
        r100 += i < 100
        r1000 += i < 1000
    sums[0] += dcg / idcg if idcg else 0
    if rel:
        sums[1] += r100 / rel
        sums[2] += r1000 / rel
        sums[3] += ap / rel
n = len(qrels)
mine = [s / n for s in sums]
theirs = [rep["ndcg_cut_10"], rep["recall_100"], rep["recall_1000"], rep["map"]]
for a, b, name in zip(mine, theirs, ["ndcg_cut_10", "recall_100", "recall_1000", "map"]):
    assert abs(a - b) < 1e-9, (name, a, b)
# the target: Anserini BM25 flat on these topics and qrels
assert rep["ndcg_cut_10"] >= 0.6789, rep
print("eval: nDCG@10 %.4f R@100 %.4f R@1000 %.4f MAP %.4f" % tuple(theirs))
EOF
cat "$tmp/out"

# the index is reused: same figures, no --corpus needed
expect 0 "$G" eval -i sf.idx --topics topics.tsv --qrels qrels.txt \
    --run again.run --json
python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for k in ("ndcg_cut_10", "recall_100", "recall_1000", "map"):
    assert a[k] == b[k], (k, a[k], b[k])
' first.json "$tmp/out" || fail "a reused index scores differently"
cmp -s gazette.run again.run || fail "the runs of one index differ"

# text output names every measure
expect 0 "$G" eval -i sf.idx --topics topics.tsv --qrels qrels.txt --depth 100
for m in nDCG@10 R@100 R@1000 MAP; do has "$m"; done

# bad input
printf '1\tfirst topic\nno tab here\n' >bad-topics.tsv
expect 2 "$G" eval -i sf.idx --topics bad-topics.tsv --qrels qrels.txt
has "bad-topics.tsv:2:" err
printf '1 0 31715818 1\n1 0 x\n' >bad-qrels.txt
expect 2 "$G" eval -i sf.idx --topics topics.tsv --qrels bad-qrels.txt
has "bad-qrels.txt:2:" err
expect 2 "$G" eval --topics topics.tsv --qrels qrels.txt -i missing.idx
has "--corpus" err
expect 2 "$G" eval --corpus corpus.jsonl --qrels qrels.txt
echo "eval: ok"
