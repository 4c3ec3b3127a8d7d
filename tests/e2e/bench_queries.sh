#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gazette bench queries on corpus/: one row per command and tag and one
# over all queries, with the hits each command returned (TOP_10: hits
# returned; TOP_10_COUNT and COUNT: exact counts, equal to search --count);
# a malformed query line is an error naming the file and line. Timings
# are printed, never judged.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$tmp"
"$G" index -q -i news.idx "$GZT_SOURCE/corpus" 2>/dev/null
cat >q.jsonl <<'EOF2'
{"query": "lavrov", "tags": ["term"]}
{"query": "iran russia", "tags": ["union"]}
{"query": "+iran +duma", "tags": ["intersection"]}
{"query": "\"strategic partnership\"", "tags": ["phrase", "union"]}
tehran
EOF2
expect 0 "$G" bench queries -i news.idx q.jsonl --passes 1 --json
python3 - "$tmp/out" "$G" <<'EOF2' || fail "bench queries rows"
import json, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def count(q):
    r = subprocess.run([sys.argv[2], "search", "-i", "news.idx", "--count",
                        "--", q], capture_output=True, text=True)
    return int(r.stdout)
by = {(r["command"], r["tag"]): r for r in rows}
for cmd in ("TOP_10", "TOP_10_COUNT", "COUNT"):
    for tag, n in (("term", 1), ("union", 2), ("intersection", 1),
                   ("phrase", 1), ("all", 5)):
        r = by[(cmd, tag)]
        assert r["queries"] == n, r
        assert r["p50_us"] > 0 and r["p99_us"] >= r["p50_us"], r
exact = sum(count(q) for q in ["lavrov", "iran russia", "+iran +duma",
                               '"strategic partnership"', "tehran"])
assert by[("COUNT", "all")]["hits"] == exact, (by[("COUNT", "all")], exact)
assert by[("TOP_10_COUNT", "all")]["hits"] == exact
assert by[("TOP_10", "all")]["hits"] == exact  # fewer than 10 per query here
assert len(rows) == 15, len(rows)
EOF2
expect 0 "$G" bench queries -i news.idx q.jsonl --passes 1 --command COUNT
has "| COUNT | all | 5 |"
hasnt "TOP_10"
printf '{"query": "iran"}\n{"tags": ["x"]}\n' >bad.jsonl
expect 2 "$G" bench queries -i news.idx bad.jsonl
has "bad.jsonl:2:" err
echo "bench queries: ok"
