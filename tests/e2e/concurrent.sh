#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Readers during writes (issue 6): searches run in a loop while reindex,
# delete and index change the index; every answer equals the old or the
# new generation's answer, never a mix, never an error.
#
# The index holds the first half of Reuters-21578. Writers run one after
# the other, in four cycles (two under the sanitizer, GZT_SANITIZE=1):
# index of 500 new documents, delete of 500 ids, and reindex (its source
# file swapped first between two versions, the second with 3,000 changed
# bodies and 500 documents fewer; the deleted documents come back from it).
# Before a writer starts, a phase file says "R i" (writer i runs), after it
# ends "Q i" (state i, quiet); the state's answers A(i) are recorded while
# quiet. Two reader processes meanwhile loop over a fixed query set, each
# answer being `gazette search --json` (exit status, total, top 10 ids and
# scores) with the phase read just before and just after it. An answer whose
# phases span states lo..hi must equal A(j) of one j in lo..hi for its
# query, whole: a total from one generation and hits from another, or an
# error, is a failure. Each kind of writer must have overlapped some
# answers, and some of those must be old ones. Prints e.g. `concurrent: 2301
# answers (1141 during writes: 1053 old, 46 new, 42 same), 0 bad` (same: the
# writer did not change that query's answer).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
data=$GZT_SHARED/data/reuters21578/reuters21578.jsonl.zst
[ -r "$data" ] || skip "no Reuters-21578 at $data"
command -v zstdcat >/dev/null || skip "zstd is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
if [ "${GZT_SANITIZE:-}" = 1 ]; then cycles=2; else cycles=4; fi
cd "$tmp"

## The data: the first half of Reuters in two versions, 500 new documents
## per cycle, 500 ids to delete.
zstdcat -q "$data" >reuters.jsonl
head -n 10789 reuters.jsonl >x.jsonl
{
    sed -n '1,3000p' x.jsonl | sed 's/"body": "/"body": "Wombat revision. /'
    sed -n '3001,9000p;9501,$p' x.jsonl
} >y.jsonl
for c in $(seq "$cycles"); do
    sed -n "$((11501 + 500 * c)),$((12000 + 500 * c))p" reuters.jsonl >"d$c.jsonl"
done
# deleted in each cycle, back at each reindex (their source still has them)
mapfile -t eids < <(sed -n '4001,4500p' x.jsonl | sed 's/^{"id": \([0-9]*\),.*/\1/')
[ ${#eids[@]} = 500 ] || fail "ids to delete"

# FLAGS|QUERY per line, as in torture.sh
cat >queries <<'EOF'
|oil
|"crude oil"
|+oil +prices
|+oil -opec
|(bank OR banks) AND rate NOT dollar
|title:cocoa
|person:reagan
|petrol*
|date:1987-03-01..1987-03-10 coffee
|*:*
|wombat
|the
--sort date|gold
EOF

# reader.py G INDEX QUERIES PHASE STOP OUT [once]: search every query in
# turn, in a loop until the file STOP exists (once: one pass), appending
# one JSON line per answer to OUT: the phases before and after, the query's
# number, the exit status and the answer (total and [id, score] of the top
# 10, or the first line of stderr with the index's name replaced by IDX)
cat >reader.py <<'EOF'
import json, os, subprocess, sys
g, index, queries, phase, stop, out = sys.argv[1:7]
once = len(sys.argv) > 7
qs = []
for line in open(queries, encoding="utf-8"):
    flags, q = line.rstrip("\n").split("|", 1)
    qs.append(flags.split() + ["--", q])
def ph():
    with open(phase) as f:
        return f.read().strip()
with open(out, "a", encoding="utf-8") as o:
    while True:
        for i, q in enumerate(qs):
            before = ph()
            r = subprocess.run([g, "search", "-i", index, "--json", "-n", "10"] + q,
                               capture_output=True, text=True)
            after = ph()
            if r.returncode in (0, 1):
                try:
                    objs = [json.loads(l) for l in r.stdout.splitlines()]
                    ans = [objs[-1]["total"],
                           [[h["id"], h["score"]] for h in objs[:-1]]]
                except (ValueError, KeyError, IndexError) as e:
                    ans = "bad output: %s: %r" % (e, r.stdout[:200])
            else:
                ans = r.stderr.split("\n")[0].replace(index, "IDX")
            o.write(json.dumps({"b": before, "a": after, "q": i,
                                "st": r.returncode, "ans": ans}) + "\n")
            o.flush()
        if once or os.path.exists(stop):
            break
EOF
setphase() { echo "$1" >phase.tmp && mv phase.tmp phase; }
# state I: record the answers of state I (no writer runs)
state() { python3 reader.py "$G" r.idx queries phase stop "A$1.jsonl" once; }

cp x.jsonl a.jsonl
expect 0 "$G" index -q -i r.idx a.jsonl
setphase "Q 0"
state 0

## Readers and writers.
rm -f stop
python3 reader.py "$G" r.idx queries phase stop reader1.jsonl &
r1=$!
python3 reader.py "$G" r.idx queries phase stop reader2.jsonl &
r2=$!
trap 'touch "$tmp/stop"; wait; chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 0.3
i=0
: >writers
for c in $(seq "$cycles"); do
    for w in index delete reindex; do
        i=$((i + 1))
        case $w in
        index) cmd=("$G" index -q -i r.idx "d$c.jsonl") ;;
        delete) cmd=("$G" delete -i r.idx "${eids[@]}") ;;
        reindex)
            if [ $((c % 2)) = 1 ]; then cp y.jsonl a.jsonl; else cp x.jsonl a.jsonl; fi
            cmd=("$G" reindex -q -i r.idx)
            ;;
        esac
        setphase "R $i"
        run "${cmd[@]}"
        setphase "Q $i"
        [ "$rc" = 0 ] || fail "writer $i ($w): exit $rc"
        echo "$i $w" >>writers
        state "$i"
        sleep 0.1
    done
done
touch stop
wait "$r1" "$r2" || fail "a reader failed"

python3 - "$i" <<'EOF'
import json, sys
n = int(sys.argv[1])
writers = dict(l.split() for l in open("writers"))
A = []
for s in range(n + 1):
    a = {}
    for l in open("A%d.jsonl" % s):
        r = json.loads(l)
        a[r["q"]] = (r["st"], r["ans"])
    A.append(a)
for s in range(1, n + 1):
    assert A[s] != A[s - 1], "writer %d (%s) changed no answer" % (s, writers[str(s)])
def bounds(ph):
    kind, i = ph.split()
    i = int(i)
    return (i - 1 if kind == "R" else i), i
total = during = old = new = same = bad = 0
overlap = {}
for f in ("reader1.jsonl", "reader2.jsonl", *("A%d.jsonl" % s for s in range(n + 1))):
    for l in open(f):
        r = json.loads(l)
        total += 1
        lo, _ = bounds(r["b"])
        _, hi = bounds(r["a"])
        got = (r["st"], r["ans"])
        match = [j for j in range(lo, hi + 1) if A[j][r["q"]] == got]
        if not match:
            bad += 1
            if bad <= 10:
                print("BAD answer (%s) between %s and %s: query %d: %s\n"
                      "  want one of: %s" % (f, r["b"], r["a"], r["q"],
                      json.dumps(got)[:300],
                      " | ".join(json.dumps(A[j][r["q"]])[:150]
                                 for j in range(lo, hi + 1))))
            continue
        if r["b"][0] == "R" or r["a"][0] == "R":
            during += 1
            for j in range(lo + 1, hi + 1):
                overlap[writers[str(j)]] = overlap.get(writers[str(j)], 0) + 1
            if len(set(json.dumps(A[j][r["q"]]) for j in range(lo, hi + 1))) == 1:
                same += 1
            elif match[0] == lo:
                old += 1
            else:
                new += 1
print("concurrent: %d answers (%d during writes: %d old, %d new, %d same), "
      "%d bad; answers during each kind of writer: %s" % (
          total, during, old, new, same, bad,
          ", ".join("%s %d" % kv for kv in sorted(overlap.items()))))
missing = [w for w in ("reindex", "delete", "index") if not overlap.get(w)]
if missing:
    print("FAIL: no answer read while %s ran" % " or ".join(missing))
sys.exit(1 if bad or missing or not old else 0)
EOF
