#!/usr/bin/env bash
# What entity recognition costs at index time: indexes CORPUS with entities
# on and off, RUNS times each, interleaved (on, off, on, off, ...) so that a
# busy spell of a shared machine hits both, and prints the fastest run of
# each (wall, user CPU, peak RSS), the ratio of the fastest walls and of
# the median walls (steadier when the machine has slow spells), and every
# run's wall time.
#
# Usage: bench/entities.sh GAZETTE CORPUS [RUNS]   (RUNS defaults to 5)
set -euo pipefail
g=$1 corpus=$2 runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((i = 0; i < runs; i++)); do
    for mode in on off; do
        flag=()
        [ "$mode" = off ] && flag=(--no-entities)
        rm -rf "$work/idx"
        /usr/bin/time -f "$mode %e %U %M" -a -o "$work/times" \
            "$g" index -q "${flag[@]}" -i "$work/idx" "$corpus" >/dev/null \
            2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    done
done
python3 - "$corpus" "$work/times" <<'PY'
import statistics
import sys
runs = {"on": [], "off": []}
for line in open(sys.argv[2]):
    mode, wall, user, rss = line.split()
    runs[mode].append((float(wall), float(user), int(rss)))
best = {m: min(r) for m, r in runs.items()}
for m in ("off", "on"):
    w, u, rss = best[m]
    print("%-3s fastest %.2f s wall, %.2f s user, %.0f MiB; all: %s" % (
        m, w, u, rss / 1024, " ".join("%.2f" % r[0] for r in runs[m])))
med = {m: statistics.median(w for w, _, _ in r) for m, r in runs.items()}
print("on/off %.2f fastest, %.2f median (%s)" % (
    best["on"][0] / best["off"][0], med["on"] / med["off"],
    sys.argv[1].split("/")[-1]))
PY
