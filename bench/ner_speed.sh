#!/usr/bin/env bash
# Raw-text tagging speed of the shipped model on one core: builds the
# bench/ner_train_main.c helper against BUILD/libgazette.a, writes the
# titles and bodies of a Reuters-21578 JSONL file as plain text, and runs
# `ner_train speed` (tokenizing, gazetteer, features, decoding) RUNS times,
# printing each run and the fastest.
#
# Usage: bench/ner_speed.sh REUTERS.jsonl [BUILD] [RUNS]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
jsonl=$1 build=${2:-$src/build} runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libs="-lzstd -lutf8proc -lxxhash -ljansson -lstemmer -lstreamvbyte -lm"
gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src" \
    -I"$src/include" "$src/bench/ner_train_main.c" "$build/libgazette.a" \
    $libs -lpthread -o "$work/ner_train"
python3 - "$jsonl" >"$work/text.txt" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    print(d.get("title", ""))
    print(d.get("body", ""))
    print()
PY
best=0
for ((i = 0; i < runs; i++)); do
    line=$("$work/ner_train" -g "$src/common/gazetteers" speed \
        "$src/common/ner/model.bin" "$work/text.txt")
    echo "$line"
    tps=$(echo "$line" | awk '{print $10}')
    [ "$tps" -gt "$best" ] && best=$tps
done
echo "fastest: $best tokens/s"
