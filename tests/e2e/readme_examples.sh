#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every command of README.md's Indexing, Searching and Other-commands
# sections, run with the real binary on a copy of corpus/ (a copy, so that
# --prune can see a file disappear), with what the README promises of each.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
# count QUERY...: the --count of a query, into $n.
count() {
    run "$G" search -i news.idx --count "$@"
    [ "$rc" -le 1 ] || fail "count $*: exit $rc"
    n=$(cat "$tmp/out")
}
# json_ok: the last stdout is JSON Lines with documented hit fields and a
# final summary whose 'returned' is the number of hits.
json_ok() {
    python3 - "$tmp/out" "$@" <<'EOF' || fail "bad --json output"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert objs and objs[-1]["type"] == "summary", "no final summary"
s = objs[-1]
for k in ("version", "query", "total", "returned", "offset", "micros"):
    assert k in s, "summary lacks " + k
hits = objs[:-1]
assert s["version"] == 1 and s["returned"] == len(hits), s
assert all(o["type"] == "hit" for o in hits), "non-hit before summary"
for h in hits:
    for k in ("version", "rank", "id", "score", "title", "date", "snippet",
              "highlights"):
        assert k in h, "hit lacks " + k
    for sp in h["highlights"]:
        assert set(sp) >= {"kind", "start", "end", "doc_start", "doc_end"}, sp
        assert 0 <= sp["start"] < sp["end"] <= len(h["snippet"].encode())
if len(sys.argv) > 2:
    assert s["query"] == sys.argv[2], (s["query"], sys.argv[2])
EOF
}

cd "$tmp"
cp -r "$GZT_SOURCE/corpus" corpus
chmod -R u+w corpus

## Indexing
expect 0 "$G" index -i news.idx corpus/
has 'indexed 4 documents (4 added, 0 replaced, 0 unchanged, 0 skipped, 0 errors) from ' err
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "index prints more than its summary"
expect 0 "$G" index -i news.idx corpus/
has 'indexed 4 documents (0 added, 0 replaced, 4 unchanged, 0 skipped, 0 errors)' err

# A text file named on the command line is one document.
expect 0 "$G" index -i single.idx corpus/003_fdbb837543be5c6f.txt
has 'indexed 1 document (1 added,' err
expect 0 "$G" search -i single.idx --count lavrov
expect 0 "$G" show -i single.idx 003_fdbb837543be5c6f.txt
expect 0 "$G" index -i single.idx corpus/
has '(3 added, 0 replaced, 1 unchanged' err
rm -rf single.idx
# A small --memory writes several segments; the results are the same.
expect 0 "$G" index -i small.idx --memory 4K corpus/
expect 0 "$G" stats -i small.idx --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"] > 1, d' "$tmp/out" ||
    fail "--memory 4K did not flush several segments"
# the same JSON results (timings aside) from indexes $1 and $2, or fail
same_results() {
    for q in lavrov 'iran russia' '"strategic partnership"' 'tehr*'; do
        diff <("$G" search -i "$1" --json "$q" | sed 's/"micros":[0-9.]*//') \
            <("$G" search -i "$2" --json "$q" | sed 's/"micros":[0-9.]*//') >/dev/null ||
            fail "$1 ranks '$q' differently from $2"
    done
}
same_results small.idx news.idx
expect 0 "$G" check -i small.idx
# --optimize merges them into one, with the same results
expect 0 "$G" index -i opt.idx --memory 4K --optimize corpus/
expect 0 "$G" stats -i opt.idx --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"] == 1, d' "$tmp/out" ||
    fail "--optimize did not merge into one segment"
same_results opt.idx small.idx
expect 0 "$G" check -i opt.idx
# reindex takes --optimize too
expect 0 "$G" reindex -i small.idx --optimize
expect 0 "$G" stats -i small.idx --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"] == 1, d' "$tmp/out" ||
    fail "reindex --optimize did not merge into one segment"
rm -rf small.idx opt.idx

## Searching (on the untouched corpus)
expect 0 "$G" search -i news.idx 'lavrov tehran'
[ "$(head -1 "$tmp/out")" = "1. 004_fc73e2c017d88888.txt  2025-02-22  1.1954" ] ||
    fail "first hit differs from the README"
# entities are marked too ({PER ...}); the README's line is the matches alone
has '{PER Sergei **Lavrov**} is'
expect 0 "$G" search -i news.idx --no-entity-highlights 'lavrov tehran'
has 'Russian Foreign Minister Sergei **Lavrov** is set to travel to'
expect 0 "$G" search -i news.idx 'lavrov tehran'
grep -qE '^4 of 4 matches \([0-9.]+ ms\)$' "$tmp/out" || fail "no '4 of 4 matches' line"
# Several QUERY words are the same as one quoted query.
cp "$tmp/out" "$tmp/quoted"
expect 0 "$G" search -i news.idx lavrov tehran
diff <(sed '$d' "$tmp/quoted") <(sed '$d' "$tmp/out") >/dev/null || fail "lavrov tehran != 'lavrov tehran'"

expect 0 "$G" search -i news.idx '"strategic partnership"' --json
json_ok '"strategic partnership"'
python3 - "$tmp/out" <<'EOF' || fail "strategic partnership JSON"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert o[-1]["total"] == 2 and [h["id"] for h in o[:-1]] == [
    "002_12939b7441be3216.txt", "004_fc73e2c017d88888.txt"], o
for h in o[:-1]:
    # the matches; entity highlights (PER, LOC, ...) come with them
    sp = [s for s in h["highlights"] if s["kind"] == "match"]
    assert len(sp) == 1, sp
    t = h["snippet"].encode()[sp[0]["start"]:sp[0]["end"]].decode()
    assert t.lower() == "strategic partnership", t
EOF
# Both articles with the phrase mention Ukraine: no hit, just the summary.
expect 1 "$G" search -i news.idx '"strategic partnership" -ukraine' --json
json_ok '"strategic partnership" -ukraine'
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "expected only the summary"
expect 0 "$G" search -i news.idx '"strategic cooperation" -ukraine' --json
json_ok
grep -q '"id":"000_74ad9d19b3ce4714.txt"' "$tmp/out" || fail "000 should match"

expect 0 "$G" search -i news.idx --count '+iran +russia'
[ "$(cat "$tmp/out")" = 4 ] || fail "count +iran +russia"
expect 1 "$G" search -i news.idx --count '+iran +zanzibar'
[ "$(cat "$tmp/out")" = 0 ] || fail "count of nothing is not 0"

expect 0 "$G" search -i news.idx --since 2025-01-01 --until 2025-03-31 treaty
has '1. 004_fc73e2c017d88888.txt  2025-02-22'
has '1 of 1 match'
count --since 2025-01-01 --until 2025-03-31 iran; [ "$n" = 2 ] || fail "since..until iran: $n"
count --since 2025 iran; [ "$n" = 2 ] || fail "since 2025: $n"
count --until 2024 iran; [ "$n" = 1 ] || fail "until 2024: $n"   # 002 is undated
count --since 2025-03-07 iran; [ "$n" = 1 ] || fail "since is inclusive: $n"
count --until 2025-02-22 --since 2025-02-22 iran; [ "$n" = 1 ] || fail "one day: $n"

expect 0 "$G" search -i news.idx --sort date -n 2 --offset 2 iran
has '3. 003_fdbb837543be5c6f.txt  2023-03-30'
has '4. 002_12939b7441be3216.txt  '
has '3-4 of 4 matches'
expect 0 "$G" search -i news.idx --sort date -n 2 iran
has '1. 000_74ad9d19b3ce4714.txt  2025-03-07'
has '2. 004_fc73e2c017d88888.txt  2025-02-22'
has '2 of 4 matches'
expect 0 "$G" search -i news.idx --sort date -n 20 --offset 20 iran   # past the end
hasnt '1. '
expect 0 "$G" search -i news.idx --sort date-asc --json iran
python3 - "$tmp/out" <<'EOF' || fail "date-asc order"
import json, sys
d = [json.loads(l).get("date") for l in open(sys.argv[1])][:-1]
dated = [x for x in d if x]
assert dated == sorted(dated) and len(dated) == 3, d
EOF

expect 0 "$G" search -i news.idx --explain 'lavrov treaty'
python3 - "$tmp/out" <<'EOF' || fail "--explain lines do not add up"
import re, sys
hits = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^\s*\d+\. (\S+)\s.*\s(\d+\.\d{4})$", line)
    if m:
        hits.append([m.group(1), float(m.group(2)), []])
        continue
    m = re.match(r"^\s+(\S+): idf ([\d.]+) × tf (\d+) \(dl (\d+), avgdl ([\d.]+),"
                 r" df (\d+)\) = ([\d.]+)$", line)
    if m:
        hits[-1][2].append((m.group(1), float(m.group(7))))
assert [h[0] for h in hits] == ["004_fc73e2c017d88888.txt",
    "002_12939b7441be3216.txt", "003_fdbb837543be5c6f.txt"], hits
for hid, score, terms in hits:
    assert terms, "no explain line for " + hid
    assert len({t for t, _ in terms}) == len(terms), terms
    assert {t for t, _ in terms} <= {"lavrov", "treati"}, terms
    assert abs(sum(s for _, s in terms) - score) < 0.0005, (hid, score, terms)
assert len(hits[0][2]) == 2, "004 has both words"
EOF

expect 0 "$G" search -i news.idx --explain '"strategic partnership"'
grep -qE '^   "strateg partnership": idf [0-9.]+ × tf 1 \(dl [0-9]+, avgdl [0-9.]+, df [0-9]+\) = 0\.8189$' \
    "$tmp/out" || fail "--explain of a phrase"
grep -q 'df 2) = 0.8189$' "$tmp/out" || fail "phrase df"

expect 0 "$G" search -i news.idx --all iran russia treaty
has '2 of 2 matches'
count --all iran russia treaty; a=$n
count '+iran +russia +treaty'; [ "$a" = "$n" ] || fail "--all != +: $a $n"
count iran russia treaty; [ "$n" = 4 ] || fail "OR default: $n"

## Other commands
expect 0 "$G" show -i news.idx 003_fdbb837543be5c6f.txt
has 'id: 003_fdbb837543be5c6f.txt'
has 'date: 2023-03-30'
has 'Moscow, 30 March 2023 (TDI): Foreign Minister of Russia, Sergey Lavrov'
expect 0 "$G" show -i news.idx --json 003_fdbb837543be5c6f.txt
python3 - "$tmp/out" corpus/003_fdbb837543be5c6f.txt <<'EOF' || fail "show --json"
import json, sys
d = json.loads(open(sys.argv[1], encoding="utf-8").read())
assert d["type"] == "document" and d["version"] == 1, d
assert d["id"] == "003_fdbb837543be5c6f.txt" and d["date"] == "2023-03-30"
assert d["body"].encode() == open(sys.argv[2], "rb").read(), "body != file"
assert isinstance(d["length"], int) and d["length"] > 300
EOF
expect 1 "$G" show -i news.idx no-such-id.txt
[ "$(cat "$tmp/err")" = "gazette: show: no document with id 'no-such-id.txt'" ] ||
    fail "show unknown id message"

expect 0 "$G" stats -i news.idx
grep -qE '^documents +4$' "$tmp/out" || fail "stats documents"
grep -qE '^language +english$' "$tmp/out" || fail "stats language"
grep -qE '^total +[0-9.]+ KB$' "$tmp/out" || fail "stats total"
expect 0 "$G" stats -i news.idx --json
python3 - "$tmp/out" news.idx <<'EOF' || fail "stats --json"
import json, os, sys
d = json.loads(open(sys.argv[1]).read())
assert d["type"] == "stats" and d["version"] == 1 and d["docs"] == 4, d
assert d["language"] == "english" and d["deleted"] == 0 and d["segments"] >= 1
b = d["bytes"]
assert b["total"] == sum(v for k, v in b.items() if k != "total"), b
disk = sum(os.path.getsize(os.path.join(sys.argv[2], f))
           for f in os.listdir(sys.argv[2]))
assert b["total"] == disk, (b["total"], disk)
EOF

expect 0 "$G" check -i news.idx
grep -qE '^ok: [0-9]+ files verified$' "$tmp/out" || fail "check summary"

# reindex: the same ranked results before and after, a new generation.
hits() { "$G" search -i news.idx --json -n 10 "$1" | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    print(o.get("id"), o.get("score"), o.get("total"))'; }
queries=(lavrov 'iran russia' '"strategic partnership"' 'tehr*' 'date:2025 iran')
for q in "${queries[@]}"; do hits "$q"; done >"$tmp/before"
gen0=$("$G" stats -i news.idx --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
expect 0 "$G" reindex -i news.idx
has 'reindexed 4 documents' err
for q in "${queries[@]}"; do hits "$q"; done >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "reindex changed results"
gen1=$("$G" stats -i news.idx --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
[ "$gen1" -gt "$gen0" ] || fail "reindex did not commit a new generation"
expect 0 "$G" check -i news.idx
# A source that is gone stops reindex, and the old index stays.
mv corpus corpus.away
expect 2 "$G" reindex -i news.idx
grep -q '^gazette: .*corpus' "$tmp/err" || fail "reindex does not name the missing source"
mv corpus.away corpus
for q in "${queries[@]}"; do hits "$q"; done >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "a failed reindex changed results"
expect 0 "$G" check -i news.idx

# $GAZETTE_INDEX, then gazette.idx in the current directory.
GAZETTE_INDEX=news.idx expect 0 "$G" search --count lavrov
[ "$(cat "$tmp/out")" = 2 ] || fail "GAZETTE_INDEX"
expect 2 "$G" search --count lavrov
has 'gazette.idx' err
cp -r news.idx gazette.idx
expect 0 "$G" search --count lavrov
rm -rf gazette.idx

## Re-indexing after changes: replace, add, prune
echo "Lavrov later added a closing remark about quinoa." >>corpus/000_74ad9d19b3ce4714.txt
expect 0 "$G" index -i news.idx corpus/
has '(0 added, 1 replaced, 3 unchanged, 0 skipped, 0 errors)' err
count quinoa; [ "$n" = 1 ] || fail "replaced text not searchable"
count lavrov; [ "$n" = 3 ] || fail "lavrov after replace: $n"
mkdir -p corpus/sub
printf 'Zanzibar cloves\n\ndate 2024-05-01 Cloves from Zanzibar reach Tehran.\n' >corpus/sub/new.txt
expect 0 "$G" index -i news.idx corpus/
has '(1 added, 0 replaced, 4 unchanged, 0 skipped, 0 errors)' err
expect 0 "$G" show -i news.idx --json sub/new.txt
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] == "Zanzibar cloves" and d["date"] == "2024-05-01", d' "$tmp/out" ||
    fail "title/date of a text file"
count zanzibar; [ "$n" = 1 ] || fail "added file not searchable"
count title:cloves; [ "$n" = 1 ] || fail "title: of a text file"
rm corpus/sub/new.txt
expect 0 "$G" index -i news.idx corpus/    # without --prune it stays
count zanzibar; [ "$n" = 1 ] || fail "file dropped without --prune"
expect 0 "$G" index -i news.idx --prune corpus/
has '1 pruned' err
count zanzibar; [ "$n" = 0 ] || fail "--prune kept a removed file"
expect 1 "$G" show -i news.idx sub/new.txt

expect 0 "$G" delete -i news.idx 003_fdbb837543be5c6f.txt
has 'deleted 1 document'
count lavrov; [ "$n" = 2 ] || fail "deleted document still found"
expect 1 "$G" show -i news.idx 003_fdbb837543be5c6f.txt
expect 1 "$G" delete -i news.idx 003_fdbb837543be5c6f.txt
has "gazette: warning: no document with id '003_fdbb837543be5c6f.txt'" err
expect 0 "$G" delete -i news.idx 004_fc73e2c017d88888.txt nope.txt
has 'deleted 1 document'
expect 0 "$G" stats -i news.idx --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["docs"] == 2, d' "$tmp/out" ||
    fail "stats after delete"
expect 0 "$G" check -i news.idx

## Help, version, manual, completions
expect 0 "$G" --help
cp "$tmp/out" "$tmp/help"
for c in index reindex search show delete stats check; do
    grep -qE "^  $c +[a-z]" "$tmp/help" || fail "gazette --help does not list $c"
    expect 0 "$G" "$c" --help
    has "Usage: gazette $c"
    expect 0 "$G" "$c" -h
    has "Usage: gazette $c"
done
expect 0 "$G" search --help
for o in --limit --offset --all --count --json --since --until --sort --explain --color --k1 --b; do
    has "$o"
done
expect 0 "$G" --version
grep -qE '^gazette [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" || fail "--version"
for kind in man complete-bash complete-zsh complete-fish; do
    expect 0 "$G" --generate "$kind"
    [ -s "$tmp/out" ] || fail "--generate $kind is empty"
    has search
    has since
    cp "$tmp/out" "$tmp/gen-$kind"
done
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww "$tmp/gen-man" >"$tmp/man.txt" 2>"$tmp/groff.err" ||
        fail "groff failed"
    [ ! -s "$tmp/groff.err" ] || { cat "$tmp/groff.err"; fail "groff warnings"; }
    grep -q 'reindex' "$tmp/man.txt" || fail "man page lacks reindex"
else
    echo "groff not installed: man page not rendered"
fi
bash -n "$tmp/gen-complete-bash" || fail "bash completion syntax"
if command -v zsh >/dev/null; then zsh -n "$tmp/gen-complete-zsh" || fail "zsh completion"; fi
if command -v fish >/dev/null; then fish -n "$tmp/gen-complete-fish" || fail "fish completion"; fi

## JSON Lines, CSV/TSV, standard input
cat >reuters.jsonl <<'EOF'
{"id":"r1","title":"BAHIA COCOA REVIEW","body":"Showers continued throughout the week in the Bahia cocoa zone.","date":"26-FEB-1987 15:01:01.79"}
{"id":2,"title":"Sugar","text":"Sugar prices rose in Bahia.","date":"2025-03-07T10:00:00Z"}
{"id":"r3","title":"Grain","body":"Wheat exports fell.","date":"19870302"}
EOF
expect 0 "$G" index -i reuters.idx reuters.jsonl
has 'indexed 3 documents (3 added,' err
expect 0 "$G" search -i reuters.idx --json bahia
json_ok bahia
python3 - "$tmp/out" <<'EOF' || fail "JSONL ids and dates"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((h["id"], h["date"], h["title"]) for h in o[:-1])
assert got == [("2", "2025-03-07", "Sugar"),
               ("r1", "1987-02-26", "BAHIA COCOA REVIEW")], got
EOF
expect 0 "$G" show -i reuters.idx --json r3
has '"date":"1987-03-02"'
# renamed fields
printf '{"key":"k1","headline":"Tin","story":"Tin council talks","when":"2024-02-03"}\n' >renamed.jsonl
expect 0 "$G" index -i renamed.idx --id-field key --title-field headline \
    --body-field story --date-field when renamed.jsonl
expect 0 "$G" show -i renamed.idx --json k1
has '"title":"Tin"'
has '"date":"2024-02-03"'
has '"body":"Tin council talks"'

printf 'date\ttitle\n20120101\tHarbor ferry resumes service\n20120102\t"Blue Horizon" opens, to full houses\n' >headlines.tsv
expect 0 "$G" index -i h.idx headlines.tsv --format csv
has 'indexed 2 documents (2 added,' err
expect 0 "$G" search -i h.idx --json horizon
json_ok
has '"id":"headlines.tsv:3"'     # no id column: FILE:LINE
has '"title":"\"Blue Horizon\" opens, to full houses"'
has '"date":"2012-01-02"'
printf 'id,title,body,date\nc1,"Hello, world","He said ""hi"".\nThen left.",2025-03-07\nc2,Plain,plain body,2025-03-08\n' >quoted.csv
expect 0 "$G" index -i q.idx quoted.csv
has 'indexed 2 documents' err
expect 0 "$G" show -i q.idx --json c1
has '"title":"Hello, world"'
has '"body":"He said \"hi\".\nThen left."'
printf 'id;body\ns1;semicolon separated\n' >semi.txt
expect 0 "$G" index -i semi.idx --format csv --delimiter ';' semi.txt
expect 0 "$G" search -i semi.idx --count semicolon

gzip -c reuters.jsonl >feed.jsonl.gz
expect 0 "$G" index -i stdin.idx --format jsonl - < <(zcat feed.jsonl.gz)
has 'indexed 3 documents (3 added,' err
count_s=$("$G" search -i stdin.idx --count bahia)
[ "$count_s" = 2 ] || fail "stdin ingest: $count_s"
echo "readme_examples: ok"
