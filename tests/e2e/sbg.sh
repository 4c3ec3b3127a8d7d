#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gazette sbg index / sbg serve, the search-benchmark-game's engine
# protocol: index builds a complete index from JSON Lines on stdin (text,
# or title and body) and replaces the one there; serve answers every line
# with exactly one line, flushed (checked by waiting for each answer before
# sending the next line), with the counts of gazette search.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$tmp"
cat >docs.jsonl <<'EOF'
{"id":"1","text":"Iran and Russia sign a strategic treaty"}
{"id":"2","title":"Oil","body":"Oil prices rise as Iran exports fall"}
{"id":"3","text":"The Duma ratified the treaty","date":"2025-04-08"}
{"id":"4","text":"Running runners ran"}
EOF
expect 0 "$G" sbg index idx <docs.jsonl
has "indexed 4 documents" err
[ "$("$G" search -i idx --count treaty)" = 2 ] || fail "sbg index: treaty"

# one answer per line, each flushed before the next question is asked
coproc SERVE { "$G" sbg serve idx 2>serve.err; }
# bash unsets SERVE and SERVE_PID once the coprocess has ended: keep them
serve_pid=$SERVE_PID
serve_in=${SERVE[1]}
serve_out=${SERVE[0]}
ask() {
    printf '%s\t%s\n' "$1" "$2" >&"$serve_in"
    IFS= read -r -t 10 reply <&"$serve_out" || fail "no answer to $1 $2"
    [ "$reply" = "$3" ] || fail "$1 $2: '$reply', want '$3'"
}
ask COUNT iran 2
ask COUNT '+iran +oil' 1
ask COUNT '"strategic treaty"' 1
ask COUNT nothinghere 0
ask TOP_10 'iran treaty' 3
ask TOP_10_COUNT 'iran treaty' 3
ask TOP_100 treaty 2
ask TOP_1000_COUNT 'iran OR duma' 3
ask COUNT run 1 # stemmed: running, runners, ran
ask FROBNICATE iran UNSUPPORTED
ask COUNT '"unterminated' UNSUPPORTED
printf 'no tab at all\n' >&"$serve_in"
IFS= read -r -t 10 reply <&"$serve_out" || fail "no answer to a line without a tab"
[ "$reply" = UNSUPPORTED ] || fail "a line without a tab: '$reply'"
exec {serve_in}>&-
wait "$serve_pid" || fail "serve exited with an error"
grep -q "unterminated quote" serve.err || fail "no reason for the refused query"

# a second index replaces the first; --language none stops stemming
head -2 docs.jsonl | "$G" sbg index --language none idx 2>/dev/null
[ "$(printf 'COUNT\tiran\nCOUNT\tduma\nCOUNT\tprice\n' | "$G" sbg serve idx | tr '\n' ' ')" = "2 0 0 " ] ||
    fail "the replacing index (no stemming) answers wrongly"
ls -d idx.* 2>/dev/null && fail "leftover directories beside the index"

# bad input: a failed build leaves the old index alone
printf '{"id":"9","text":"iran"}\n{"id":' >bad.jsonl
expect 2 "$G" sbg index idx <bad.jsonl
has "left as it was" err
[ "$(printf 'COUNT\tiran\n' | "$G" sbg serve idx)" = 2 ] || fail "the old index is gone"
ls -d idx.* 2>/dev/null && fail "leftover directories beside the index"
expect 2 "$G" sbg serve missing.idx
echo "sbg: ok"
