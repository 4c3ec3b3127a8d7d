#!/usr/bin/env bash
# ner_ablation.sh: measure what each feature group of the NER tagger adds.
#
# For the shipped configuration and for each group left out (or added), train
# on the CoNLL-2003 train split with three shuffle seeds, score on the
# validation split, and time raw-text tagging on one core. Prints a Markdown
# table (docs/NER.md keeps the last one). Needs the helper built as in
# scripts/ner_model.sh (NER_TRAIN=path) and the shared data beside the repo.
#
#   scripts/ner_ablation.sh [SPEED_TEXT]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${GZT_SHARED:-$src/../shared}
bin=${NER_TRAIN:-/tmp/ner_train}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077 # the CoNLL text is research-only: keep the copies private
zstdcat "$shared/data/conll2003/eng.train.iob2.txt.zst" > "$work/train"
zstdcat "$shared/data/conll2003/eng.valid.iob2.txt.zst" > "$work/valid"
speed=${1:-}
epochs=${EPOCHS:-12}
gaz=(-g "$src/common/gazetteers")
cl=(--clusters "$src/common/ner/clusters.tsv")

run() { # label, then extra training options
    local label=$1; shift
    local f1s=() s
    for s in 1 2 3; do
        "$bin" "${gaz[@]}" train "$work/train" --epochs "$epochs" --seed $s \
            "${cl[@]}" "$@" -o "$work/m$s.bin" 2> /dev/null
        f1s+=("$("$bin" "${gaz[@]}" eval "$work/m$s.bin" "$work/valid" |
            awk '/^accuracy/ {print $NF}')")
    done
    local mean tps=""
    mean=$(printf '%s\n' "${f1s[@]}" | awk '{s += $1} END {printf "%.2f", s / NR}')
    if [ -n "$speed" ]; then
        tps=$("$bin" "${gaz[@]}" speed "$work/m1.bin" "$speed" |
            awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "tokens/s,") print $i}')
    fi
    printf '| %s | %s | %s | %s |\n' "$label" "$mean" "${f1s[*]}" "$tps"
}

echo "| configuration | valid F1 (mean of 3 seeds) | per seed | raw-text tokens/s |"
echo "| --- | --- | --- | --- |"
run "shipped"
for g in order2 cues cluster gaz nonlocal affix shape window word; do
    run "without $g" --without $g
done
for g in sent caps; do
    run "with $g" --with $g
done
