#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden ranked results (Groonga style): every query of tests/golden/
# queries.txt runs over corpus/ with --json -n 10, reduced to one
# `rank id score` line per hit (score to 4 decimals) under a header, and is
# compared with tests/golden/NAME.expected by `diff -u`.
#
#   GZT_UPDATE_GOLDEN=1 bash tests/e2e/golden.sh    # rewrite the .expected
#
# then review the diff: a changed ranking must be explained.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GZT_SOURCE=${GZT_SOURCE:-$(cd "$here/../.." && pwd)}
G=${GAZETTE:-$GZT_SOURCE/build/gazette}
[ -x "$G" ] || { echo "no gazette binary at $G" >&2; exit 1; }
golden=$GZT_SOURCE/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$G" index -q -i "$tmp/news.idx" "$GZT_SOURCE/corpus" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; echo "FAIL: indexing corpus/" >&2; exit 1; }

failed=0
n=0
names=()
declare -A seen=()
while IFS=$'\t' read -r name flags query; do
    case $name in '' | '#'*) continue ;; esac
    [ -n "$query" ] || { echo "FAIL: queries.txt: no query for $name" >&2; exit 1; }
    [ -z "${seen[$name]:-}" ] || { echo "FAIL: queries.txt: $name twice" >&2; exit 1; }
    seen[$name]=1
    names+=("$name")
    n=$((n + 1))
    extra=()
    [ "$flags" = - ] || read -ra extra <<<"$flags"
    set +e
    "$G" search -i "$tmp/news.idx" --json -n 10 "${extra[@]}" -- "$query" \
        >"$tmp/$name.raw" 2>"$tmp/err"
    rc=$?
    set -e
    if [ "$rc" -gt 1 ]; then
        echo "FAIL: $name: exit $rc: $(cat "$tmp/err")" >&2
        failed=1
    fi
    printf '# query: %s\n# flags: %s\n# exit: %s\n' "$query" "$flags" "$rc" \
        >"$tmp/$name.actual"
done <"$golden/queries.txt"

# One python for all the reductions (its start-up is the slow part).
python3 - "$tmp" "${names[@]}" <<'EOF' || failed=1
import json, sys
d = sys.argv[1]
for name in sys.argv[2:]:
    with open("%s/%s.raw" % (d, name), encoding="utf-8") as f:
        objs = [json.loads(l) for l in f]
    out = []
    if objs:
        s = objs[-1]
        assert s["type"] == "summary" and s["returned"] == len(objs) - 1, name
        out.append("# total: %d" % s["total"])
        for h in objs[:-1]:
            assert h["type"] == "hit", name
            out.append("%d %s %.4f" % (h["rank"], h["id"], h["score"]))
    with open("%s/%s.actual" % (d, name), "a", encoding="utf-8") as f:
        f.write("".join(l + "\n" for l in out))
EOF

for name in "${names[@]}"; do
    if [ "${GZT_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/$name.actual" "$golden/$name.expected"
    elif ! diff -u --label "tests/golden/$name.expected" --label "$name (actual)" \
        "$golden/$name.expected" "$tmp/$name.actual"; then
        failed=1
    fi
done

# An .expected file without its query is stale.
for f in "$golden"/*.expected; do
    [ -e "$f" ] || continue
    b=$(basename "$f" .expected)
    if [ -z "${seen[$b]:-}" ]; then
        if [ "${GZT_UPDATE_GOLDEN:-}" = 1 ]; then
            rm "$f"
        else
            echo "FAIL: $f has no query in queries.txt" >&2
            failed=1
        fi
    fi
done
[ "$n" -ge 20 ] || { echo "FAIL: only $n golden queries" >&2; exit 1; }
if [ "$failed" = 1 ]; then
    echo "golden: differences (GZT_UPDATE_GOLDEN=1 rewrites the files; review the diff)" >&2
    exit 1
fi
[ "${GZT_UPDATE_GOLDEN:-}" = 1 ] && echo "golden: $n files written to $golden" ||
    echo "golden: $n queries ok"
