#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Output modes: **marks** when piped, ANSI colour only when asked for or on a
# terminal that wants it (NO_COLOR, TERM=dumb), stem-aware highlighting, a
# phrase highlighted as one span, and JSON highlight offsets that agree
# between the snippet and the stored body.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
esc=$'\033'
no_escapes() { ! grep -q "$esc" "$tmp/out" || fail "escape sequences in: $*"; }

cd "$tmp"
expect 0 "$G" index -q -i news.idx "$GZT_SOURCE/corpus"
export -n NO_COLOR 2>/dev/null || true
unset NO_COLOR

## Piped: **marks** for matches, {TYPE text} for entities (a match inside
## one nests), no escapes, 80 columns (of characters: "–" is 3 bytes)
expect 0 "$G" search -i news.idx lavrov
has '{PER Sergei **Lavrov**} is set'
has '{LOC Moscow}, 30 March 2023'
no_escapes "piped"
python3 -c '
import sys
wide = [l for l in open(sys.argv[1], encoding="utf-8") if len(l.rstrip("\n")) > 80]
assert not wide, wide' "$tmp/out" || fail "piped output is wider than 80 columns"
expect 0 "$G" search -i news.idx --no-entity-highlights lavrov
has 'Sergei **Lavrov** is set to travel'
grep -q '{PER' "$tmp/out" && fail "entity markers with --no-entity-highlights"
expect 0 "$G" search -i news.idx --color=never lavrov
has '**Lavrov**'
no_escapes "--color=never"
expect 0 "$G" search -i news.idx --color never lavrov   # separate value
has '**Lavrov**'

## --color=always: ANSI SGR, matches in bold red, no ** marks
expect 0 "$G" search -i news.idx --color=always lavrov
grep -q "${esc}\[[0-9;]*m" "$tmp/out" || fail "no SGR with --color=always"
has "${esc}[1;31mLavrov${esc}[0m"
grep -q '\*\*Lavrov\*\*' "$tmp/out" && fail "** marks as well as colour"
grep -q '{PER' "$tmp/out" && fail "{PER markers as well as colour"
# entities underlined in their type's colour (PER cyan, LOC yellow); a match
# inside a person's name keeps the underline and turns bold red
has "${esc}[4;36mSergei "
has "${esc}[4;36m${esc}[1;31mLavrov"
has "${esc}[4;33mMoscow${esc}[0m"
expect 0 "$G" search -i news.idx --color=always --no-entity-highlights lavrov
grep -q "${esc}\[4;3" "$tmp/out" && fail "entity colours with --no-entity-highlights"
# the text is the same once the escapes are removed
sed "s/${esc}\[[0-9;]*m//g" "$tmp/out" | grep 'Sergei Lavrov is set' >/dev/null || fail "text under colour"
NO_COLOR=1 TERM=dumb expect 0 "$G" search -i news.idx --color=always lavrov
grep -q "${esc}\[" "$tmp/out" || fail "--color=always must win over NO_COLOR/TERM"

## --color=auto when piped, with NO_COLOR, with TERM=dumb: no escapes
NO_COLOR=1 expect 0 "$G" search -i news.idx --color=auto lavrov
no_escapes "NO_COLOR=1 --color=auto"
has '**Lavrov**'
TERM=dumb expect 0 "$G" search -i news.idx --color=auto lavrov
no_escapes "TERM=dumb --color=auto"
has '**Lavrov**'

## On a pseudo-terminal (util-linux script): auto is colour unless NO_COLOR
## or TERM=dumb says otherwise.
if command -v script >/dev/null && script -qc true /dev/null </dev/null >/dev/null 2>&1; then
    pty() { script -qec "$1" /dev/null </dev/null >"$tmp/out" 2>"$tmp/err" || true; }
    TERM=xterm pty "'$G' search -i news.idx --color=auto lavrov"
    grep -q "${esc}\[1;31mLavrov" "$tmp/out" || fail "no colour on a terminal"
    TERM=xterm NO_COLOR=1 pty "'$G' search -i news.idx --color=auto lavrov"
    no_escapes "NO_COLOR on a terminal"
    has '**Lavrov**'
    TERM=xterm NO_COLOR='' pty "'$G' search -i news.idx lavrov"
    grep -q "${esc}\[" "$tmp/out" || fail "an empty NO_COLOR must not disable colour"
    TERM=dumb pty "'$G' search -i news.idx lavrov"
    no_escapes "TERM=dumb on a terminal"
    TERM=xterm pty "'$G' search -i news.idx --color=never lavrov"
    no_escapes "--color=never on a terminal"
else
    echo "no usable 'script' command: terminal checks skipped"
fi

## An escape sequence hidden in an article cannot drive the terminal.
mkdir -p evil
printf 'The \033]0;pwned\007 oscar \033[2J article about oscar.\n' >evil/e.txt
expect 0 "$G" index -q -i evil.idx evil
expect 0 "$G" search -i evil.idx --color=always oscar
! grep -q "${esc}\]" "$tmp/out" || fail "OSC sequence from a document reached the output"
! grep -q "${esc}\[2J" "$tmp/out" || fail "CSI sequence from a document reached the output"
expect 0 "$G" search -i evil.idx oscar
no_escapes "control characters from a document"

## Stem-aware highlighting: the words as written are marked (the matches
## alone, without entity markers in the way).
ne=--no-entity-highlights
expect 0 "$G" search -i news.idx $ne negotiations
has 'U.S.-Russia **negotiations** over the war'
expect 0 "$G" search -i news.idx $ne negotiate     # another form, same stem
has 'U.S.-Russia **negotiations** over the war'
expect 0 "$G" search -i news.idx $ne 'Iran'
has "**Iran’s** Ambassador"            # the possessive is part of the word
expect 0 "$G" search -i news.idx 'Iran'    # a match around a place
has "**{LOC Iran}’s** Ambassador"
expect 0 "$G" search -i news.idx $ne '"strategic partnership"'
has '**Strategic Partnership**'          # one span for the whole phrase
has '**strategic partnership**'
grep -q '\*\*Strategic\*\* \*\*Partnership\*\*' "$tmp/out" && fail "phrase split in two spans"

## JSON highlights: offsets in bytes, the snippet span equals the body span,
## a phrase is one span covering both words, as written.
check_json() { # QUERY EXPECTED-TEXT(lowercase, or '-' for any)
    "$G" search -i news.idx --json -n 10 "$1" >"$tmp/hits.json" || true
    python3 - "$tmp/hits.json" "$G" "$2" <<'EOF' || fail "JSON highlights for $1"
import json, subprocess, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert hits[-1]["type"] == "summary"
hits = hits[:-1]
assert hits, "no hits"
spans = 0
for h in hits:
    snip = h["snippet"].encode()
    doc = json.loads(subprocess.run([sys.argv[2], "show", "-i", "news.idx",
                                     "--json", h["id"]], check=True,
                                    capture_output=True).stdout)
    body = doc["body"].encode()
    last = -1
    for sp in h["highlights"]:
        assert sp["kind"] in ("match", "PER", "ORG", "LOC", "MISC"), sp
        assert ("canonical" in sp) == (sp["kind"] != "match"), sp
        assert 0 <= sp["start"] < sp["end"] <= len(snip), (h["id"], sp)
        assert sp["start"] >= last, "highlights not sorted by start"
        last = sp["start"]
        assert 0 <= sp["doc_start"] < sp["doc_end"] <= len(body), (h["id"], sp)
        a = snip[sp["start"]:sp["end"]]
        b = body[sp["doc_start"]:sp["doc_end"]]
        assert a == b, (h["id"], a, b)
        a.decode()  # whole UTF-8 characters
        if sp["kind"] != "match":
            assert sp["canonical"], sp
            continue
        if sys.argv[3] != "-":
            assert a.decode().lower() == sys.argv[3], (h["id"], a.decode())
        spans += 1
assert spans, "nothing highlighted"
EOF
}
check_json negotiations negotiations
check_json negotiated negotiations
check_json '"strategic partnership"' 'strategic partnership'
check_json '"strategic cooperation"' 'strategic cooperation'
check_json '"Comprehensive Strategic Partnership Treaty"' 'comprehensive strategic partnership treaty'
check_json 'Raouf-Sheybani' 'raouf-sheybani'
check_json 'U.S.-Russia' 'u.s.-russia'
check_json "Iran's" -                 # Iran, Iran’s (3-byte apostrophe)
check_json 'tehran' -                # TEHRAN, Tehran, Tehran’s
# shellcheck disable=SC1112 # a typographic apostrophe, on purpose
check_json 'tehran’s' -
check_json 'lavrov tehran russia treaty' -
check_json 'tehr*' -
check_json '"lavrov tehran"~5' -
check_json '3+3' '3+3'

## A phrase with its words as written in the document, one span.
expect 0 "$G" search -i news.idx --json '"STRATEGIC partnership"'
python3 - "$tmp/out" <<'EOF' || fail "phrase span"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")][:-1]
got = sorted(h["snippet"].encode()[s["start"]:s["end"]].decode()
             for h in o for s in h["highlights"] if s["kind"] == "match")
assert got == ["Strategic Partnership", "strategic partnership"], got
EOF

## Title-only documents (a headline file): the snippet is the title.
printf 'date\ttitle\n20120101\tHarbor ferry resumes service\n' >h.tsv
expect 0 "$G" index -q -i h.idx h.tsv
expect 0 "$G" search -i h.idx --json ferry
python3 - "$tmp/out" <<'EOF' || fail "title-only snippet"
import json, sys
h = json.loads(open(sys.argv[1]).readline())
s = [s for s in h["highlights"] if s["kind"] == "match"][0]
assert h["snippet"].encode()[s["start"]:s["end"]] == b"ferry", h
EOF
# a title-only document's snippet is its title: doc offsets are in the title
"$G" show -i h.idx --json h.tsv:2 >"$tmp/doc.json"
python3 -c '
import json, sys
h = json.loads(open(sys.argv[1]).readline())
title = json.load(open(sys.argv[2]))["title"].encode()
assert all(title[s["doc_start"]:s["doc_end"]] == b"ferry" for s in h["highlights"]
           if s["kind"] == "match"), (h, title)
' "$tmp/out" "$tmp/doc.json" || fail "doc offsets of a title-only snippet"

## show: the body byte for byte when piped (same bytes as show --json)
show_body_ok() { # ID
    "$G" show -i "$1" --json "$2" | python3 -c '
import json, sys; sys.stdout.buffer.write(json.load(sys.stdin)["body"].encode())' >"$tmp/body"
    expect 0 "$G" show -i "$1" "$2"
    sed '1,/^$/d' "$tmp/out" >"$tmp/shown"
    cmp -s "$tmp/shown" "$tmp/body" || fail "show $2 is not the body byte for byte"
}
show_body_ok news.idx 004_fc73e2c017d88888.txt   # body ends with a newline
printf 'no newline at the end' >evil/nonl.txt
expect 0 "$G" index -q -i evil.idx evil
expect 0 "$G" show -i evil.idx nonl.txt
sed '1,/^$/d' "$tmp/out" | head -c 21 | cmp -s - <(printf 'no newline at the end') ||
    fail "show nonl.txt body"
show_body_ok evil.idx nonl.txt
show_body_ok news.idx 002_12939b7441be3216.txt

echo "output_modes: ok"
