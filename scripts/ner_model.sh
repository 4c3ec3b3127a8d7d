#!/usr/bin/env bash
# ner_model.sh: rebuild the shipped NER model (common/ner/model.bin) and,
# with --clusters, the word-cluster table it uses (common/ner/clusters.tsv).
#
# Reproduces exactly what common/ner/README.md records. Needs a built
# library (cmake --build BUILD --target gazette), gcc, zstd, python3 (for
# the cluster text only) and the shared data beside the repo
# (GZT_SHARED, default ../shared). The CoNLL-2003 and Reuters text is
# research-only: it is decompressed into a private temporary directory and
# removed afterwards; nothing of it is written into the tree except the
# trained weights and the derived cluster table.
#
#   scripts/ner_model.sh [--clusters] [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${GZT_SHARED:-$src/../shared}
clusters=0
if [ "${1:-}" = --clusters ]; then clusters=1; shift; fi
build=${1:-$src/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

libs="-lzstd -lutf8proc -lxxhash -ljansson -lstemmer -lstreamvbyte -lm"
gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src" \
    -I"$src/include" "$src/bench/ner_train_main.c" "$build/libgazette.a" \
    $libs -o "$work/ner_train"

if [ $clusters = 1 ]; then
    gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src" -I"$src/include" \
        "$src/bench/ner_clusters_main.c" "$build/libgazette.a" $libs \
        -o "$work/ner_clusters"
    # unlabeled news: Reuters-21578 titles and body paragraphs, then the
    # Reuters headlines 2012-2016, one paragraph a line
    python3 - "$shared" > "$work/unlabeled.txt" <<'PY'
import json, subprocess, sys
shared = sys.argv[1]
out = sys.stdout
p = subprocess.Popen(['zstdcat', shared + '/data/reuters21578/reuters21578.jsonl.zst'],
                     stdout=subprocess.PIPE, text=True)
for line in p.stdout:
    d = json.loads(line)
    t = (d.get('title') or '').strip()
    if t:
        out.write(' '.join(t.split()) + '\n')
    for para in (d.get('body') or '').split('\n    '):
        para = ' '.join(para.split())
        if para:
            out.write(para + '\n')
p = subprocess.Popen(['zstdcat', shared + '/data/reuters-headlines/reuters-headlines-2012-2016.tsv.zst'],
                     stdout=subprocess.PIPE, text=True)
next(p.stdout)
for line in p.stdout:
    out.write(line[line.find('\t') + 1:])
PY
    "$work/ner_clusters" -c 1024 -v 150000 -m 5 -i 5 "$work/unlabeled.txt" \
        > "$src/common/ner/clusters.tsv"
fi

zstdcat "$shared/data/conll2003/eng.train.iob2.txt.zst" > "$work/train"
zstdcat "$shared/data/conll2003/eng.valid.iob2.txt.zst" > "$work/valid"
"$work/ner_train" -g "$src/common/gazetteers" train "$work/train" \
    --epochs 12 --seed 1 --clusters "$src/common/ner/clusters.tsv" --without order2 \
    --info "gazette NER: averaged perceptron trained on CoNLL-2003 English train (research-only data; see common/ner/README.md)" \
    -o "$src/common/ner/model.bin"
"$work/ner_train" -g "$src/common/gazetteers" eval "$src/common/ner/model.bin" \
    "$work/valid" | tee "$work/report"
awk '/^accuracy/ {print $NF}' "$work/report" > "$src/common/ner/VALID_F1"
chmod 644 "$src/common/ner/model.bin" "$src/common/ner/VALID_F1" \
    "$src/common/ner/clusters.tsv"
echo "validation F1 $(cat "$src/common/ner/VALID_F1") recorded in common/ner/VALID_F1"
