#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gazette bench index on corpus/: a row per engine (gazette with entities
# off and on, Xapian, SQLite FTS5) with the documents read, the source
# bytes, a size and, where the engine keeps stored text apart, the size
# without it; --engines picks some, --dir keeps what was built (a gazette
# index that answers, an FTS5 database); bad options are usage errors.
# Timings are printed, never judged.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$tmp"
expect 0 "$G" bench index --json "$GZT_SOURCE/corpus"
python3 - "$tmp/out" <<'EOF2' || fail "bench index rows"
import json, sys
rows = {r["engine"]: r for r in map(json.loads, open(sys.argv[1]))}
assert set(rows) == {"gazette", "gazette+entities", "xapian", "fts5"}, rows
src = {r["source_mb"] for r in rows.values()}
assert len(src) == 1 and src.pop() > 0.005, rows
for name, r in rows.items():
    assert r["docs"] == 4 and r["seconds"] > 0 and r["size_mb"] > 0, r
    assert r["peak_rss_mib"] > 0 and r["runs"] == 1, r
    if name != "xapian":
        assert 0 < r["size_without_text_mb"] <= r["size_mb"], r
    else:
        assert "size_without_text_mb" not in r, r
# stored text is kept by gazette, not by the contentless FTS5 table
g = rows["gazette"]
assert g["size_without_text_mb"] < g["size_mb"], g
EOF2
expect 0 "$G" bench index --engines gazette,fts5 --runs 2 --dir kept \
    "$GZT_SOURCE/corpus"
has "| gazette | 4 |"
has "| fts5 | 4 |"
hasnt "| xapian |"
has "time over gazette's: fts5"
[ -f kept/fts5 ] || fail "--dir keeps the FTS5 database"
expect 0 "$G" search -i kept/gazette --count lavrov
[ "$(cat out)" -gt 0 ] || fail "the kept gazette index answers"
# --jobs: gazette's builds on one thread; the same index either way
expect 0 "$G" bench index --jobs 1 --engines gazette --dir one "$GZT_SOURCE/corpus"
has "| gazette | 4 |"
expect 0 "$G" search -i one/gazette --count lavrov
[ "$(cat out)" = "$("$G" search -i kept/gazette --count lavrov)" ] ||
    fail "--jobs 1 builds the same index"
expect 2 "$G" bench index --jobs 0 "$GZT_SOURCE/corpus"
has "--jobs takes 1 to" err
expect 2 "$G" bench index --engines lucene "$GZT_SOURCE/corpus"
has "'lucene' is not gazette" err
expect 2 "$G" bench index --runs 0 "$GZT_SOURCE/corpus"
has "--runs must be at least 1" err
expect 2 "$G" bench index --engines fts5 nonexistent.jsonl
has "nonexistent.jsonl" err
echo "bench index: ok"
