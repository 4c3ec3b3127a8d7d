#!/usr/bin/env bash
# The native and the Xapian engine on one corpus: indexing time and index
# size, query latency on the same generated query set, and the cost of
# going through three local remote shards (xapian-tcpsrv) instead of one
# database.
#
# Usage: bench/engines.sh BUILD_DIR CORPUS [QUERIES] [PASSES]
#   BUILD_DIR  a Release build (gazette and bench_queries in it)
#   CORPUS     a file or directory as `gazette index` takes it
#   QUERIES    a query file (default: 1000 made by bench/make_queries.py
#              from CORPUS with seed 1)
# Entities are off (the engines are compared on the same text terms).
# Prints Markdown rows for docs/BENCHMARKS.md. Scratch space in $TMPDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 corpus=$2 queries=${3:-} passes=${4:-3}
g=$build/gazette bq=$build/bench_queries
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$queries" ]; then
    queries=$tmp/queries.txt
    python3 "$here/make_queries.py" "$corpus" 1000 1 >"$queries"
fi

echo "| engine | corpus | MB | docs | seconds | MB/s | docs/s | peak RSS | index bytes |"
echo "|---|---|---|---|---|---|---|---|---|"
for e in native xapian; do
    printf '| %s ' "$e"
    "$here/index.sh" "$g" "$corpus" "$tmp/$e.idx" --no-entities --engine "$e"
done
"$g" index -q -i "$tmp/x3.idx" --no-entities --engine xapian --shards 3 "$corpus"

# three servers on free ports, each in its own process group (xapian-tcpsrv
# signals its whole group when it stops)
stub=$tmp/remote.stub
: >"$stub"
for k in 0 1 2; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" \
        "$tmp/x3.idx/shard-$k" >/dev/null 2>&1 &
    pids+=($!)
    echo "remote 127.0.0.1:$port" >>"$stub"
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" \
            2>/dev/null && break
        sleep 0.1
    done
done

echo
echo "| engine | mode | queries | mean µs | p50 | p90 | p99 | max | matches |"
echo "|---|---|---|---|---|---|---|---|---|"
for mode in top10 count; do
    flag=""
    [ "$mode" = count ] && flag=--count
    for e in native xapian "3 remote shards"; do
        idx=$tmp/native.idx
        [ "$e" = xapian ] && idx=$tmp/xapian.idx
        [ "$e" = "3 remote shards" ] && idx=$stub
        "$bq" "$idx" "$queries" "$passes" $flag | python3 -c '
import re, sys
e, mode = sys.argv[1], sys.argv[2]
line = sys.stdin.read()
v = dict(re.findall(r"(\w+) ([\d.]+)", line))
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (e, mode,
      v.get("queries"), v.get("mean"), v.get("p50"), v.get("p90"),
      v.get("p99"), v.get("max"), v.get("matches")))' "$e" "$mode"
    done
done
