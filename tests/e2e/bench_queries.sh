#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gazette bench queries on corpus/: one row per command and tag and one
# over all queries, with the hits each command returned (TOP_10: hits
# returned; TOP_10_COUNT and COUNT: exact counts, equal to search --count);
# a malformed query line is an error naming the file and line; --peer runs
# a Xapian index of the same corpus beside it, with ratio rows and counts
# that must agree; --peers xapian,fts5 builds both peers from the index's
# sources (reused from --peers-dir), with a build row each, and leaves out
# on FTS5 what it cannot say. Timings are printed, never judged.
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
has "| COUNT | all | native news.idx | 5 |"
hasnt "TOP_10"
# --peer: a Xapian index of the same corpus answers the same counts; the
# ratio rows come per command and tag
"$G" index -q -i x.idx --engine xapian "$GZT_SOURCE/corpus" 2>/dev/null
expect 0 "$G" bench queries -i news.idx --peer x.idx q.jsonl --passes 1 --json
python3 - "$tmp/out" <<'EOF2' || fail "bench queries --peer rows"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
engines = {r["engine"] for r in rows if r["type"] == "bench"}
assert engines == {"native news.idx", "xapian x.idx"}, engines
ratios = [r for r in rows if r["type"] == "bench_ratio"]
assert len(ratios) == 15 and all(r["peer_over_index"] > 0 for r in ratios)
for cmd in ("TOP_10_COUNT", "COUNT"):
    h = {r["engine"]: r["hits"] for r in rows
         if r["type"] == "bench" and r["command"] == cmd and r["tag"] == "all"}
    assert len(set(h.values())) == 1, h
EOF2
# a peer that holds other documents: its counts are listed, exit 2
"$G" delete -i x.idx 004_fc73e2c017d88888.txt >/dev/null
expect 2 "$G" bench queries -i news.idx --peer x.idx q.jsonl --passes 1 \
    --command COUNT
has "counts differ" err
has "on xapian x.idx" err

# --peers: built from the index's recorded sources, a row per build, the
# same exact counts on all three engines; an entity field is left out on
# fts5 with a warning, and still compared between native and xapian
cp q.jsonl qp.jsonl
echo '{"query": "person:lavrov", "tags": ["entity"]}' >>qp.jsonl
expect 0 "$G" bench queries -i news.idx --peers xapian,fts5 --peers-dir peers \
    qp.jsonl --passes 1 --json
has "person:lavrov: left out on fts5" err
[ -d peers/xapian ] && [ -f peers/fts5 ] || fail "peers kept in --peers-dir"
python3 - "$tmp/out" <<'EOF2' || fail "bench queries --peers rows"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
builds = {r["engine"]: r for r in rows if r["type"] == "bench_build"}
assert set(builds) == {"xapian", "fts5"}, builds
for b in builds.values():
    assert b["docs"] == 4 and b["size_mb"] > 0 and b["mb_per_s"] > 0, b
for cmd in ("TOP_10", "TOP_10_COUNT", "COUNT"):
    h = {r["engine"]: (r["queries"], r["hits"]) for r in rows
         if r["type"] == "bench" and r["command"] == cmd and r["tag"] == "all"}
    assert set(h) == {"native news.idx", "xapian", "fts5"}, h
    assert h["native news.idx"][0] == 6 and h["fts5"][0] == 5, h
    ent = {r["engine"]: r["hits"] for r in rows if r["type"] == "bench"
           and r["command"] == cmd and r["tag"] == "entity"}
    assert set(ent) == {"native news.idx", "xapian"} and ent["xapian"] > 0, ent
    assert ent["native news.idx"] == ent["xapian"], ent
    assert h["native news.idx"][1] == h["xapian"][1], h
    assert h["native news.idx"][1] - ent["xapian"] == h["fts5"][1], h
ratios = {(r["engine"], r["command"]) for r in rows
          if r["type"] == "bench_ratio" and r["tag"] == "all"}
assert len(ratios) == 6, ratios
EOF2
# --plot: a gnuplot SVG with a panel per command and tag, a line per engine
if command -v gnuplot >/dev/null; then
    expect 0 "$G" bench queries -i news.idx --peers fts5 --peers-dir peers \
        q.jsonl --passes 1 --plot lat.svg
    for panel in "TOP_10, term" "COUNT, union" "TOP_10_COUNT, all queries"; do
        grep -q ">$panel<" lat.svg || fail "--plot: no panel '$panel'"
    done
    [ "$(grep -c '<title>fts5</title>' lat.svg)" = 15 ] ||
        fail "--plot: a fts5 line in each of the 15 panels"
elif [ "${CI:-}" = true ]; then
    fail "gnuplot is missing (scripts/deps.sh installs gnuplot-nox)"
else
    echo "bench queries: gnuplot missing, --plot not tried"
fi
# --fetch reads each hit's id on every engine: the same hits returned
expect 0 "$G" bench queries -i news.idx --peers fts5 --peers-dir peers \
    q.jsonl --passes 1 --command TOP_10 --fetch
grep '| TOP_10 | all |' out | grep -v '×' | awk -F'|' '{print $10}' |
    sort -u | wc -l | grep -qx 1 || fail "--fetch: the engines' hits differ"
# a second run reuses what --peers-dir holds
expect 0 "$G" bench queries -i news.idx --peers fts5 --peers-dir peers \
    q.jsonl --passes 1 --command COUNT
has "| fts5 | reused"
expect 2 "$G" bench queries -i news.idx --peers lucene q.jsonl
has "'lucene' is not xapian or fts5" err

printf '{"query": "iran"}\n{"tags": ["x"]}\n' >bad.jsonl
expect 2 "$G" bench queries -i news.idx bad.jsonl
has "bad.jsonl:2:" err
echo "bench queries: ok"
