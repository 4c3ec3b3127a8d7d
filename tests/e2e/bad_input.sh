#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile and broken input: invalid UTF-8 (repaired and searchable), empty
# and binary files, a 50 MB document, a 100,000-character query, and index
# files that were truncated or had a byte flipped (exit 2 naming the file,
# never a crash or a wrong answer).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
one_error_line() { # TEXT: one line on stderr, "gazette: ...TEXT..."
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "not one line on stderr"
    grep -q '^gazette: ' "$tmp/err" || fail "error does not start with gazette:"
    has "$1" err
}

cd "$tmp"

## Invalid UTF-8 and a binary file
mkdir -p in
printf 'caf\xff quokka \xe2\x80 wallaby \xc0\xaf end\n' >in/invalid.txt
printf 'BIN\0\0\001 quokka binary\n' >in/binary.dat
expect 0 "$G" index -i bad.idx in
has 'gazette: warning: ' err
grep -q '^gazette: warning: .*binary.dat' "$tmp/err" || fail "binary file not named in a warning"
has 'indexed 1 document (1 added, 0 replaced, 0 unchanged, 1 skipped, 0 errors, 4 repaired)' err
expect 0 "$G" search -i bad.idx --json quokka
has '"id":"invalid.txt"'
grep -q '"id":"binary.dat"' "$tmp/out" && fail "binary file was indexed"
expect 0 "$G" search -i bad.idx --count wallaby
expect 0 "$G" search -i bad.idx --count caf     # U+FFFD separates tokens
expect 0 "$G" show -i bad.idx --json invalid.txt
python3 - "$tmp/out" <<'EOF' || fail "repaired body"
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # strict: valid UTF-8 out
body = json.loads(raw)["body"]
want = b"caf\xff quokka \xe2\x80 wallaby \xc0\xaf end\n".decode("utf-8", "replace")
assert body == want, (body, want)
EOF
## An empty file: a document of no tokens.
: >in/empty.txt
expect 0 "$G" index -i bad.idx in
has 'indexed 2 documents (1 added, 0 replaced, 1 unchanged, 1 skipped, 0 errors, 4 repaired)' err
expect 0 "$G" show -i bad.idx empty.txt
has 'length: 0 tokens'
expect 0 "$G" search -i bad.idx --count '*:*'
[ "$(cat "$tmp/out")" = 2 ] || fail "the empty document is not in the index"expect 1 "$G" show -i bad.idx binary.dat
expect 0 "$G" check -i bad.idx
# Invalid UTF-8 in a query is repaired, never an error.
run "$G" search -i bad.idx --count $'quokka\xff'
[ "$rc" = 0 ] || fail "invalid UTF-8 query: exit $rc"
run "$G" search -i bad.idx --count $'\xff\xfe'
[ "$rc" = 1 ] && [ ! -s "$tmp/err" ] || fail "query of only invalid bytes: exit $rc"

## A 50 MB document: indexed, searchable at both ends, snippet found.
mkdir -p big
python3 - big/big.txt <<'EOF'
import sys
s = b"The quick brown fox jumps over the lazy dog near the harbour. "
n = 50_000_000 // len(s) + 1
with open(sys.argv[1], "wb") as f:
    f.write(b"Zebu opening sentence. " + s * n + b"Closing okapi sentence.\n")
EOF
expect 0 "$G" index -q -i big.idx big
has 'indexed 1 document (1 added' err
expect 0 "$G" search -i big.idx --count --all zebu okapi fox '"lazy dog"' '"okapi sentence"'
[ "$(cat "$tmp/out")" = 1 ] || fail "big document: words at both ends"
# One search with snippets (they read the whole body): spans at both ends,
# the same bytes in the snippet and the body, fox's frequency.
expect 0 "$G" search -i big.idx --json --explain zebu '"okapi sentence"' fox
python3 - "$tmp/out" big/big.txt <<'EOF' || fail "big document hit"
import json, sys
h = json.loads(open(sys.argv[1], encoding="utf-8").readline())
body = open(sys.argv[2], "rb").read()
assert h["id"] == "big.txt", h["id"]
snip = h["snippet"].encode()
got = [snip[s["start"]:s["end"]] for s in h["highlights"]]
assert b"Zebu" in got and b"okapi sentence" in got and b"fox" in got, got
for s in h["highlights"]:
    assert snip[s["start"]:s["end"]] == body[s["doc_start"]:s["doc_end"]], s
assert max(s["doc_end"] for s in h["highlights"]) > 49_000_000
tf = {e["term"]: e["tf"] for e in h["explain"]}
assert tf["fox"] == body.count(b" fox "), tf
assert tf["zebu"] == 1 and tf['"okapi sentenc"'] == 1, tf   # analysed terms
EOF
expect 0 "$G" check -i big.idx
rm -rf big big.idx

## A document over the 64 MiB ceiling: skipped with a warning, exit 2.
mkdir -p huge
echo 'small yak document' >huge/small.txt
head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' 'a' | fold -w 100 >huge/huge.txt
expect 2 "$G" index -q -i huge.idx huge
grep -q '^gazette: warning: .*huge.txt' "$tmp/err" || fail "the oversized file is not named"
expect 0 "$G" search -i huge.idx --count yak
rm -rf huge huge.idx

## A 100,000-character query: results or one "too big" line, exit 2.
expect 0 "$G" index -q -i news.idx "$GZT_SOURCE/corpus"
q=$(python3 -c 'print(("lavrov " * 15000)[:100000])')
run "$G" search -i news.idx --count "$q"
if [ "$rc" = 2 ]; then
    one_error_line 'more than 1024 clauses'
else
    [ "$rc" = 0 ] || fail "100k-word query: exit $rc"
fi
q=$(python3 -c 'print("x" * 100000)')        # one huge word: dropped
run "$G" search -i news.idx --count "$q"
[ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "one 100k word: exit $rc"
[ "$rc" = 1 ] || one_error_line 'too'
q=$(python3 -c 'print("(" * 50000 + "iran" + ")" * 50000)')
expect 2 "$G" search -i news.idx --count "$q"
one_error_line 'nests deeper than 64 levels'
q=$(python3 -c 'print("\"" + "iran " * 20000 + "\"")')
expect 2 "$G" search -i news.idx --count "$q"
one_error_line 'phrase has more than 64 terms'
q=$(python3 -c 'print("-" * 100000)')
run "$G" search -i news.idx --count -- "$q"
[ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "100k dashes: exit $rc"
# Past 256 KiB (in several arguments: one may not exceed 128 KiB).
python3 - "$G" <<'EOF' || fail "a 300 KB query"
import subprocess, sys
r = subprocess.run([sys.argv[1], "search", "-i", "news.idx", "--count"] +
                   ["tehran" * 100] * 500, capture_output=True, text=True)
assert r.returncode == 2, r
assert r.stderr == "gazette: query is longer than 262144 bytes\n", r.stderr
EOF

## Damaged index files: a copy truncated or with one byte flipped.
# damage FILE truncate|flip: a fresh copy of news.idx in d.idx, damaged.
damage() {
    rm -rf d.idx
    cp -r news.idx d.idx
    python3 - "d.idx/$1" "$2" <<'EOF'
import sys
path, how = sys.argv[1], sys.argv[2]
b = bytearray(open(path, "rb").read())
if how == "truncate":
    b = b[: len(b) // 2]
elif how == "flip":
    b[len(b) // 2] ^= 0x10
elif how == "flip-first":
    b[0] ^= 0x01
elif how == "flip-last":
    b[-2] ^= 0x01
elif how == "empty":
    b = b""
open(path, "wb").write(bytes(b))
EOF
}
seg_post=$(cd news.idx && ls seg-*.post | head -1)
[ -n "$seg_post" ] || fail "no seg-*.post in the index"
for f in "$seg_post" MANIFEST; do
    for how in truncate flip flip-first flip-last empty; do
        damage "$f" "$how"
        expect 2 "$G" search -i d.idx iran
        one_error_line "d.idx/$f"
        expect 2 "$G" check -i d.idx
        grep -q "^gazette: d.idx/$f" "$tmp/err" || fail "check does not name $f ($how)"
        [ "$(wc -l <"$tmp/err")" = 1 ] || fail "check: more than one error line"
    done
done
# Every other file of the segment, flipped in the middle.
for f in $(cd news.idx && ls seg-*); do
    damage "$f" flip
    expect 2 "$G" check -i d.idx
    has "d.idx/$f" err
    run "$G" search -i d.idx iran
    [ "$rc" = 2 ] || fail "search of an index with $f damaged: exit $rc"
done
# A writer on a damaged index fails and leaves the files alone.
for cmd in index delete; do
    damage "$seg_post" flip
    ls d.idx >"$tmp/before"
    if [ $cmd = index ]; then
        expect 2 "$G" index -i d.idx "$GZT_SOURCE/corpus"
    else
        expect 2 "$G" delete -i d.idx 003_fdbb837543be5c6f.txt
    fi
    has "d.idx/$seg_post" err
    # a failed writer removes nothing: one bad byte must not lose the index
    ls d.idx | diff -u "$tmp/before" - || fail "a failed $cmd removed index files"
done
# A missing segment file.
rm -rf d.idx && cp -r news.idx d.idx && rm "d.idx/$seg_post"
expect 2 "$G" search -i d.idx iran
one_error_line "$seg_post"
expect 2 "$G" check -i d.idx
has "$seg_post" err
# The original is untouched by all this.
expect 0 "$G" check -i news.idx
echo "bad_input: ok"
