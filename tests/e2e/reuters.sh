#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Match counts on Reuters-21578 against an independent count in Python;
# at the end, search --fast against search on unions.
#
# The index is built with --language none, so a query word matches exactly
# the documents with a case-folded token equal to it. Python tokenizes
# title and body with the rules of docs/ANALYSIS.md for ASCII text (runs of
# letters and digits; an apostrophe between two letters and a dot or comma
# between two digits join; two or more single letters separated by dots are
# one abbreviation token). For ~200 words and ~100 two-word phrases (and
# some --all pairs) chosen across the range of document frequencies,
# `gazette search --count` must equal the Python count exactly. Words that
# the rules could read two ways are left out: words of the one non-ASCII
# article, words that an abbreviation could form, neighbours of overlong
# tokens.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
data=$GZT_SHARED/data/reuters21578/reuters21578.jsonl.zst
[ -r "$data" ] || skip "no Reuters-21578 at $data"
command -v zstd >/dev/null || skip "zstd is not installed"

zstd -dq "$data" -o "$tmp/reuters.jsonl"
"$G" index -q -i "$tmp/r.idx" --language none "$tmp/reuters.jsonl" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    echo "FAIL: indexing Reuters-21578" >&2
    exit 1
}
grep -q '^indexed 21,\?578 documents (21,\?578 added,.* 0 errors' "$tmp/err" || {
    cat "$tmp/err" >&2
    echo "FAIL: not all 21578 documents were indexed" >&2
    exit 1
}

python3 - "$G" "$tmp/r.idx" "$tmp/reuters.jsonl" <<'EOF'
import collections, json, random, re, subprocess, sys

gazette, index, jsonl = sys.argv[1:4]

# docs/ANALYSIS.md for ASCII: an abbreviation (single letters joined by dots,
# the final dot included) or a run of letters and digits in which an
# apostrophe between two letters, or a dot or comma between two digits, joins.
SINGLE = r"[A-Za-z](?![A-Za-z0-9])"
TOKEN = re.compile(
    r"(?P<abbr>%s(?:\.%s)+\.?)" % (SINGLE, SINGLE) +
    r"|(?P<run>[A-Za-z0-9]+(?:(?:(?<=[A-Za-z])'(?=[A-Za-z])"
    r"|(?<=[0-9])[.,](?=[0-9]))[A-Za-z0-9]+)*)")
ABBR_ANYWHERE = re.compile(r"[A-Za-z](?:\.[A-Za-z])+")

def terms(text, excluded):
    out = []
    for m in TOKEN.finditer(text):
        if m.group("abbr"):
            t = m.group("abbr").replace(".", "").lower()
            excluded.add(t)
        else:
            t = m.group("run").replace(",", "").lower()
        out.append(t)
    for i, t in enumerate(out):
        if len(t) > 120:  # dropped by the analyzer: keep its neighbours out
            excluded.update(out[max(i - 1, 0):i + 2])
    return out

excluded = set()
term_docs = collections.defaultdict(set)
pair_docs = collections.defaultdict(set)
for line in open(jsonl, encoding="utf-8"):
    d = json.loads(line)
    doc = str(d["id"])
    title, body = d.get("title") or "", d.get("body") or d.get("text") or ""
    if not (title + body).isascii():
        excluded.update(w.lower() for w in re.findall(r"[A-Za-z]+", title + body))
        continue
    for m in ABBR_ANYWHERE.finditer(title + " " + body):
        letters = m.group().replace(".", "").lower()
        for i in range(len(letters)):
            for j in range(i + 3, len(letters) + 1):
                excluded.add(letters[i:j])
    # title and body are separate fields: no phrase spans them
    for field in (title, body):
        ws = terms(field, excluded)
        for w in ws:
            term_docs[w].add(doc)
        for p in zip(ws, ws[1:]):
            pair_docs[p].add(doc)

def word_ok(w):
    return len(w) >= 3 and w.isalpha() and w.isascii() and w not in excluded

rng = random.Random(21578)
def spread(items, df, k):
    """k items spread over the document-frequency range, low to high."""
    items = sorted(items, key=lambda x: (df(x), x))
    step = len(items) / k
    return [items[min(int(i * step + rng.random() * step), len(items) - 1)]
            for i in range(k)]

words = [w for w in term_docs if word_ok(w)]
pairs = [p for p in pair_docs if word_ok(p[0]) and word_ok(p[1])]
chosen_words = spread(words, lambda w: len(term_docs[w]), 190)
chosen_words += [w for w in ("the", "said", "cocoa", "bahia", "reuter",
                             "dlrs", "shr", "oil", "mln", "yen") if word_ok(w)]
chosen_pairs = spread(pairs, lambda p: len(pair_docs[p]), 100)
common = sorted(words, key=lambda w: -len(term_docs[w]))[:300]
and_pairs = [(rng.choice(common), rng.choice(words)) for _ in range(30)]

checks = [(w, len(term_docs[w])) for w in chosen_words]
checks += [('"%s %s"' % p, len(pair_docs[p])) for p in chosen_pairs]
checks += [("+%s +%s" % p, len(term_docs[p[0]] & term_docs[p[1]]))
           for p in and_pairs]
# a phrase's words in the other order are a different phrase
checks += [('"%s %s"' % (b, a), len(pair_docs.get((b, a), ())))
           for a, b in chosen_pairs[::5]]

bad = 0
for query, want in checks:
    r = subprocess.run([gazette, "search", "-i", index, "--count", "--", query],
                       capture_output=True, text=True)
    got = r.stdout.strip()
    if got != str(want) or r.returncode != (0 if want else 1):
        bad += 1
        print("MISMATCH %-30s gazette %s (exit %d%s) python %d" % (
            query, got, r.returncode,
            ": " + r.stderr.strip() if r.stderr else "", want))
print("reuters: %d queries (%d words, %d phrases, %d AND pairs), %d mismatches;"
      " %d words excluded" % (len(checks), len(chosen_words), len(chosen_pairs),
                              len(and_pairs), bad, len(excluded)))
sys.exit(1 if bad else 0)
EOF

# --fast (dynamic pruning): the same ranked hits as without it, and a total
# that is a lower bound, marked as such, on unions of common and rare words
python3 - "$G" "$tmp/r.idx" <<'EOF2' || { echo "FAIL: search --fast" >&2; exit 1; }
import json, subprocess, sys
gazette, index = sys.argv[1:]
def search(q, *flags):
    r = subprocess.run([gazette, "search", "-i", index, "--json", "-n", "10",
                        *flags, "--", q], capture_output=True, text=True)
    objs = [json.loads(l) for l in r.stdout.splitlines()]
    return [(o["id"], o["score"]) for o in objs[:-1]], objs[-1]
bad = 0
queries = ["oil prices", "the of and", "wheat sugar coffee cocoa",
           "bank rate cut", "opec oil output quota", "tin zinc lead",
           "dollar yen mark", "shares stake acquisition"]
for q in queries:
    exact, s1 = search(q)
    fast, s2 = search(q, "--fast")
    # a total not marked inexact must be the exact one
    if exact != fast or s2["total"] > s1["total"] or \
            ("total_exact" not in s2 and s2["total"] != s1["total"]):
        bad += 1
        print("MISMATCH --fast %r: %s vs %s" % (q, s1, s2))
print("reuters: %d --fast queries, %d mismatches" % (len(queries), bad))
sys.exit(1 if bad else 0)
EOF2
