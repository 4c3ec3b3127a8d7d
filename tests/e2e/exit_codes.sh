#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exit statuses as grep's (0 found, 1 nothing found, 2 error), errors as one
# line on standard error starting with "gazette:", partial ingest failures
# that still commit what was readable, and punctuation that is never an error.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
# error_is STATUS TEXT CMD...: exit STATUS, nothing on stdout, and exactly one
# line on stderr that starts with "gazette:" and contains TEXT.
error_is() {
    local want=$1 text=$2
    shift 2
    expect "$want" "$@"
    [ ! -s "$tmp/out" ] || fail "stdout not empty on error: $*"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "error is not one line: $*"
    grep -q '^gazette: ' "$tmp/err" || fail "error does not start with gazette: ($*)"
    has "$text" err
}

cd "$tmp"
expect 0 "$G" index -q -i news.idx "$GZT_SOURCE/corpus"

## 0 results, 1 nothing found
expect 0 "$G" search -i news.idx lavrov
[ ! -s "$tmp/err" ] || fail "stderr on success"
expect 1 "$G" search -i news.idx zanzibar
has 'no matches' out
expect 1 "$G" search -i news.idx --json zanzibar
has '"total":0'
expect 1 "$G" search -i news.idx --count zanzibar
[ "$(cat "$tmp/out")" = 0 ] || fail "count of no match"
expect 0 "$G" search -i news.idx --offset 100 lavrov   # matches, none shown
expect 1 "$G" show -i news.idx nope.txt
expect 1 "$G" delete -i news.idx nope.txt
expect 0 "$G" stats -i news.idx
expect 0 "$G" check -i news.idx

## 2: usage errors, one line naming the subcommand and its help
error_is 2 "search: unknown option '--foo' (see gazette search --help)" \
    "$G" search -i news.idx --foo lavrov
error_is 2 "did you mean '--count'?" "$G" search -i news.idx --cont lavrov
error_is 2 "invalid value 'blue' for --color" "$G" search -i news.idx --color blue x
error_is 2 "search: missing QUERY" "$G" search -i news.idx
error_is 2 "unknown command 'serch', did you mean 'search'?" "$G" serch lavrov
error_is 2 "-n" "$G" search -i news.idx -n many lavrov
error_is 2 "--sort" "$G" search -i news.idx --sort random lavrov
error_is 2 "--k1" "$G" search -i news.idx --k1 -1 lavrov
error_is 2 "--memory" "$G" index -i news.idx --memory lots corpus
error_is 2 "--format" "$G" index -i news.idx --format xml corpus
error_is 2 "klingon" "$G" index -i new.idx --language klingon "$GZT_SOURCE/corpus"
[ ! -e new.idx/MANIFEST ] || fail "an index was created despite the error"
cp -r news.idx lang.idx
error_is 2 "built with language 'english', not 'german'" \
    "$G" index -i lang.idx --language german "$GZT_SOURCE/corpus"
# the failed run leaves the index as it was
expect 0 "$G" search -i lang.idx --count lavrov
expect 0 "$G" check -i lang.idx
rm -rf lang.idx
error_is 2 "16 million" "$G" search -i news.idx -n 10000000 --offset 10000000 lavrov
error_is 2 "unknown option '--lim'" "$G" search -i news.idx --lim 5 lavrov   # no abbreviations

## 2: no index
for cmd in "search lavrov" "show x" "stats" "check" "reindex"; do
    # shellcheck disable=SC2086
    error_is 2 "missing.idx: no index here" "$G" $cmd -i missing.idx
done
[ ! -e missing.idx ] || fail "a read command created the index directory"
error_is 2 "missing.idx: no index here" "$G" delete -i missing.idx x
[ ! -e missing.idx ] || fail "delete created the index directory"

## 2: query syntax errors name the column
error_is 2 "column 1: unterminated quote" "$G" search -i news.idx '"unterminated'
error_is 2 "column 8: unterminated quote" "$G" search -i news.idx 'lavrov "tehran'
error_is 2 "column 1: unbalanced parenthesis" "$G" search -i news.idx '(iran russia'
error_is 2 "column 12: unbalanced parenthesis" "$G" search -i news.idx 'iran russia)'
error_is 2 "column 7: unbalanced parenthesis" "$G" search -i news.idx 'tehran)('
error_is 2 "column 7: 'title:' needs a value" "$G" search -i news.idx 'title:'
error_is 2 "column 3: 'AND' needs a right-hand side" "$G" search -i news.idx 'a AND'
error_is 2 "column 1: 'AND' needs a left-hand side" "$G" search -i news.idx 'AND iran'
error_is 2 "column 6: bad date '2025-13'" "$G" search -i news.idx 'date:2025-13'
error_is 2 "column 1: prefix too short" "$G" search -i news.idx 't*'
error_is 2 "empty query" "$G" search -i news.idx '   '
error_is 2 "column 1: unterminated quote" "$G" search -i news.idx --count '"unterminated'
error_is 2 "column 1: unterminated quote" "$G" search -i news.idx --json '"unterminated'
error_is 2 "'2025-13'" "$G" search -i news.idx --since 2025-13 iran

## Punctuation inside words is never an error
for q in 'U.S.-Iran' '3+3' 'Raouf-Sheybani' '20-year' "Iran's" 'C++' 'foo:bar' \
    'http://www.tasnimnews.com' '-' 'iran - russia' '🙂 tehran' "'tehr.*" 'tehran~2' \
    'x.com' '1,000' '--' '::' '\-ukraine' '((()))'; do
    run "$G" search -i news.idx --count -- "$q"
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "query '$q': exit $rc"
    [ ! -s "$tmp/err" ] || fail "query '$q' wrote to stderr"
done
# ... and finds what the README says it finds.
for q in '3+3' 'Raouf-Sheybani' '20-year'; do
    expect 0 "$G" search -i news.idx --json -- "$q"
    has '"total":1'
done
expect 0 "$G" search -i news.idx --count "Iran's"
[ "$(cat "$tmp/out")" = 4 ] || fail "Iran's is iran"
expect 0 "$G" search -i news.idx --count 'U.S.-Russia'
[ "$(cat "$tmp/out")" = 1 ] || fail "U.S.-Russia is a phrase"

## 2 from index: a missing source or a malformed record, the rest committed
mkdir -p docs
echo 'The alpha document mentions kilo.' >docs/a.txt
echo 'The bravo document mentions kilo too.' >docs/b.txt
expect 2 "$G" index -i part.idx docs /no/such/path
has '/no/such/path' err
has 'indexed 2 documents (2 added, 0 replaced, 0 unchanged, 0 skipped, 1 error)' err
expect 0 "$G" search -i part.idx --count kilo
[ "$(cat "$tmp/out")" = 2 ] || fail "readable documents were not committed"

cat >bad.jsonl <<'EOF'
{"id":"j1","body":"juliet one lima"}
{"id":"j2", "body": broken
{"id":"j3","body":"juliet three lima"}
["not", "an", "object"]
{"id":"j5","body":"juliet five lima"}
EOF
expect 2 "$G" index -i j.idx bad.jsonl
grep -q '^gazette: warning: .*bad.jsonl:2: ' "$tmp/err" || fail "no path:line for record 2"
grep -q '^gazette: warning: .*bad.jsonl:4: ' "$tmp/err" || fail "no path:line for record 4"
has '3 added' err
has '2 errors' err
expect 0 "$G" search -i j.idx --count lima
[ "$(cat "$tmp/out")" = 3 ] || fail "good records around bad ones were lost"
expect 0 "$G" check -i j.idx

printf 'id,title\nu1,fine\nu2,"never closed\nu3,lost\n' >unterminated.csv
expect 2 "$G" index -i u.idx unterminated.csv
grep -q '^gazette: warning: .*unterminated.csv:3' "$tmp/err" || fail "no path:line for the open quote"
expect 0 "$G" search -i u.idx --count fine

# A dangling link inside a directory: an unreadable file, reported, skipped.
mkdir -p dl
echo 'mike is readable' >dl/a.txt
ln -s /no/such/target dl/b.txt
expect 2 "$G" index -i dl.idx dl
has 'dl/b.txt' err
expect 0 "$G" search -i dl.idx --count mike
if [ "$(id -u)" != 0 ]; then
    # permissions do not stop root
    mkdir -p perm
    echo 'november is readable' >perm/a.txt
    echo 'november is secret' >perm/b.txt
    chmod 000 perm/b.txt
    expect 2 "$G" index -i perm.idx perm
    has 'perm/b.txt' err
    expect 0 "$G" search -i perm.idx --count november
    [ "$(cat "$tmp/out")" = 1 ] || fail "readable file not committed"
else
    echo "running as root: unreadable-file check skipped"
fi
echo "exit_codes: ok"
