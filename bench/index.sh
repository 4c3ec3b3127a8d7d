#!/usr/bin/env bash
# Indexing throughput, peak RSS and index size of one corpus.
#
# Usage: bench/index.sh GAZETTE CORPUS [INDEX_DIR] [extra gazette index flags]
# CORPUS is a file or directory as `gazette index` takes it. Prints one
# Markdown table row: corpus, MB, docs, seconds, MB/s, docs/s, peak RSS and
# the index bytes per file kind (from `gazette stats --json`).
set -euo pipefail
g=$1 corpus=$2 idx=${3:-$(mktemp -d)/bench.idx}
shift $(( $# >= 3 ? 3 : 2 ))
rm -rf "$idx"
bytes=$(du -sb "$corpus" | cut -f1)
log=$(mktemp)
/usr/bin/time -f '%e %M' -o "$log.time" "$g" index -q -i "$idx" "$@" "$corpus" 2>"$log"
read -r secs rss_kb <"$log.time"
docs=$("$g" stats -i "$idx" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["docs"])')
sizes=$("$g" stats -i "$idx" --json | python3 -c '
import json,sys
s=json.load(sys.stdin)["bytes"]
print(" | ".join("%s %.1f MB" % (k, v/1e6) for k, v in s.items() if k != "manifest"))')
python3 - "$corpus" "$bytes" "$docs" "$secs" "$rss_kb" "$sizes" <<'PY'
import sys
corpus, b, d, t, rss, sizes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
print("| %s | %.1f MB | %d | %.2f s | %.1f MB/s | %.0f docs/s | %.0f MiB | %s |" % (
    corpus.split("/")[-1], b / 1e6, d, t, b / 1e6 / t, d / t, rss / 1024, sizes))
PY
rm -f "$log" "$log.time"
