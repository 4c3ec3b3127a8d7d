#!/usr/bin/env bash
# What this machine's two cores give to indexing work that needs no
# coordination at all, the ceiling of what --jobs 2 can reach: one
# `index --jobs 1` run alone, then two at once on their own indexes, each
# pinned to its own core (taskset), interleaved RUNS times. Prints the
# fastest of each and R = 2 x alone / pair: the throughput of two
# independent one-job builds over that of one. Where R is under a target
# speed-up, no division of one build's work between two threads reaches
# it on this machine.
#
# Usage: bench/ceiling.sh GAZETTE CORPUS [RUNS]   (RUNS defaults to 3)
set -euo pipefail
g=$1 corpus=$2 runs=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fmt=()
case $corpus in *.tsv) fmt=(--format csv) ;; esac
one() { # CPU INDEX: a --jobs 1 build, pinned to CPU unless it is "-"
    local pin=()
    [ "$1" != - ] && pin=(taskset -c "$1")
    "${pin[@]}" "$g" index -q --no-entities "${fmt[@]}" --jobs 1 -i "$2" \
        "$corpus" >/dev/null 2>>"$work/log" || { cat "$work/log" >&2; exit 1; }
}
now() { echo "$EPOCHREALTIME"; }
for ((i = 0; i < runs; i++)); do
    rm -rf "$work"/a "$work"/b
    t0=$(now)
    one - "$work/a"
    t1=$(now)
    echo "alone $t0 $t1" >>"$work/times"
    rm -rf "$work"/a
    t0=$(now)
    one 0 "$work/a" &
    one 1 "$work/b"
    wait
    t1=$(now)
    echo "pair $t0 $t1" >>"$work/times"
done
python3 - "$corpus" "$work/times" <<'PY'
import sys
runs = {}
for line in open(sys.argv[2]):
    k, t0, t1 = line.split()
    runs.setdefault(k, []).append(float(t1) - float(t0))
a, p = min(runs["alone"]), min(runs["pair"])
for k in ("alone", "pair"):
    print("%-5s fastest %.2f s; all: %s" % (k, min(runs[k]),
          " ".join("%.2f" % t for t in runs[k])))
print("R = 2 x alone / pair = %.2f (%s)" % (2 * a / p, sys.argv[1].split("/")[-1]))
PY
