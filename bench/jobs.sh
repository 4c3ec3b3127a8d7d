#!/usr/bin/env bash
# What analysis threads buy at index time: indexes CORPUS with --jobs 1 and
# --jobs N (default 2), entities off unless ENTITIES=1, RUNS times each,
# interleaved (1, N, 1, N, ...) so that a busy spell of a shared machine
# hits both, and prints the fastest run of each (wall, user CPU, peak RSS),
# the speed-up of the fastest walls, and every run's wall time.
#
# Usage: bench/jobs.sh GAZETTE CORPUS [RUNS] [N]   (RUNS defaults to 3)
set -euo pipefail
g=$1 corpus=$2 runs=${3:-3} n=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ent=(--no-entities)
[ "${ENTITIES:-0}" = 1 ] && ent=()
fmt=()
case $corpus in *.tsv) fmt=(--format csv) ;; esac
for ((i = 0; i < runs; i++)); do
    for j in 1 "$n"; do
        rm -rf "$work/idx"
        /usr/bin/time -f "$j %e %U %M" -a -o "$work/times" \
            "$g" index -q "${ent[@]}" "${fmt[@]}" --jobs "$j" -i "$work/idx" \
            "$corpus" >/dev/null 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    done
done
python3 - "$corpus" "$work/times" "$n" <<'PY'
import sys
runs = {}
for line in open(sys.argv[2]):
    j, wall, user, rss = line.split()
    runs.setdefault(j, []).append((float(wall), float(user), int(rss)))
best = {j: min(r) for j, r in runs.items()}
n = sys.argv[3]
for j in ("1", n):
    w, u, rss = best[j]
    print("--jobs %-2s fastest %.2f s wall, %.2f s user, %.0f MiB; all: %s" % (
        j, w, u, rss / 1024, " ".join("%.2f" % r[0] for r in runs[j])))
print("speed-up %.2f (%s)" % (best["1"][0] / best[n][0], sys.argv[1].split("/")[-1]))
PY
