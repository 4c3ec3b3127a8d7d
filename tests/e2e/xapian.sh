#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Xapian engine end to end, with the real binary and real xapian-tcpsrv
# servers:
# 1. corpus/ indexed with --engine xapian answers as a native index does:
#    the same counts and ids (scores differ between the engines; the order
#    is checked where it is unambiguous: a single term, ties aside, and
#    --sort date; title: and entity-field terms add no score on Xapian, as
#    README says), the same snippets, highlights (**marks**,
#    {TYPE entities}, JSON spans), show --entities and entities; stats says
#    xapian, check passes, --explain is a clear error.
# 2. delete, incremental index (1 added, 3 unchanged), reindex (same
#    answers), reindex --shards 2, and the errors for --engine native on a
#    Xapian index and --shards with the native engine.
# 3. Reuters-21578 indexed unsharded and with --shards 3; three xapian-tcpsrv
#    serve the shards; through a stub of `remote` lines, a stub of `auto`
#    lines and the sharded index itself ~35 queries give the same counts
#    (also as a native index) and the same top 10 (ids, scores to 1e-9,
#    ties at one score in any order) as the unsharded index.
# 4. A shard that is down (a stopped server, a port where nothing listens, a
#    server that never answers with --timeout): a quick error naming
#    HOST:PORT, and with --allow-partial the answers of the live shards, a
#    warning naming the missing one and "partial"/"missing" in JSON.
# 5. Prefix queries over shards: the same scores and the same 1,024-term
#    ceiling as one database.
# Wrong answers that do not stop the other checks (bug) are all reported at
# the end.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
# bug MESSAGE...: a wrong answer that does not stop the other checks; the
# test fails at the end with all of them
bugs=()
bug() { bugs+=("$(printf '%s\n' "$@")"); }
report_bugs() {
    local b
    [ ${#bugs[@]} -gt 0 ] || return 0
    for b in "${bugs[@]}"; do
        echo "FAIL: $b" | sed '2,$s/^/  /' >&2
    done
    exit 1
}
skip() {
    report_bugs
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $* (required when CI=true)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}
command -v python3 >/dev/null || skip "python3 is not installed"

# Servers run in their own process groups (xapian-tcpsrv signals its whole
# group when it stops); every group is stopped at exit, whatever happens.
groups=()
stop_group() { # PGID: TERM the group, KILL it if it lingers
    local i
    kill -TERM -- "-$1" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 -- "-$1" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -KILL -- "-$1" 2>/dev/null || true
}
cleanup() {
    local p
    for p in "${groups[@]}"; do stop_group "$p"; done
    chmod -R u+rwx "$tmp" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
: >"$tmp/out"
: >"$tmp/err"
t_start=$(date +%s)
corpus=$GZT_SOURCE/corpus
py=$tmp/xq.py

# The comparisons, in Python: `snap` records every query's count, exit
# status and hits; `engines` compares a native and a Xapian snapshot;
# `same` two snapshots of the same engine (scores too); `shards` the top 10
# of several indexes against a reference.
cat >"$py" <<'EOF'
import json, subprocess, sys

def run(g, idx, args, timeout=60):
    return subprocess.run([g, "search", "-i", idx] + args, capture_output=True,
                          text=True, timeout=timeout)

def queries(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]

def search(g, idx, q, n):
    """(exit status, summary, hits) of --json -n N"""
    r = run(g, idx, q.get("opts", []) + ["--json", "-n", str(n), "--", q["q"]])
    objs = [json.loads(l) for l in r.stdout.splitlines()]
    assert objs and objs[-1]["type"] == "summary", (idx, q, r.stderr)
    return r.returncode, objs[-1], objs[:-1]

def snap(g, idx, qfile, out):
    res = []
    for q in queries(qfile):
        c = run(g, idx, q.get("opts", []) + ["--count", "--", q["q"]])
        rc, summary, hits = search(g, idx, q, 100)
        t = run(g, idx, q.get("opts", []) + ["-n", "100", "--", q["q"]])
        res.append({"query": q, "count": c.stdout.strip(), "count_rc": c.returncode,
                    "count_err": c.stderr.strip(), "rc": rc,
                    "total": summary["total"], "hits": hits,
                    "text": t.stdout, "text_rc": t.returncode})
    json.dump(res, open(out, "w", encoding="utf-8"))

def text_hits(text):
    """{id: the hit's text block without rank and score}, the footer"""
    blocks = text.rstrip("\n").split("\n\n")
    hits = {}
    for b in blocks[:-1] if blocks else []:
        head, _, rest = b.partition("\n")
        num, _, head = head.partition(". ")
        assert num.isdigit(), b
        head, _, score = head.rpartition("  ")
        float(score)
        hid = head.split()[0]
        hits[hid] = head + "\n" + rest
    footer = blocks[-1].splitlines()[-1] if blocks else ""
    return hits, footer.split(" (")[0]

def engines(a_path, b_path):
    """native snapshot a, xapian snapshot b"""
    bad = []
    for a, b in zip(json.load(open(a_path)), json.load(open(b_path))):
        q = a["query"]
        name = " ".join(q.get("opts", []) + [q["q"]])
        def chk(cond, what):
            if not cond:
                bad.append("%s: %s" % (name, what))
        chk((a["count"], a["count_rc"]) == (b["count"], b["count_rc"]),
            "--count native %s (exit %d) xapian %s (exit %d) %s" % (
                a["count"], a["count_rc"], b["count"], b["count_rc"], b["count_err"]))
        chk(a["total"] == b["total"], "total %s vs %s" % (a["total"], b["total"]))
        chk(a["rc"] == b["rc"] and a["text_rc"] == b["text_rc"], "exit status")
        ids_a = [h["id"] for h in a["hits"]]
        ids_b = [h["id"] for h in b["hits"]]
        chk(sorted(ids_a) == sorted(ids_b), "ids %s vs %s" % (ids_a, ids_b))
        # the same snippet, title, date and highlights per document
        hb = {h["id"]: h for h in b["hits"]}
        for h in a["hits"]:
            o = hb.get(h["id"])
            if o:
                for f in ("title", "date", "snippet", "highlights"):
                    chk(h[f] == o[f], "%s of %s: %r vs %r" % (f, h["id"], h[f], o[f]))
        ta, fa = text_hits(a["text"])
        tb, fb = text_hits(b["text"])
        chk(ta == tb, "text output differs (rank and score aside)")
        chk(fa == fb, "text footer %r vs %r" % (fa, fb))
        order = q.get("order")
        if order == "field":
            chk(a["hits"] and all(h["score"] > 0 for h in a["hits"]), "native scores")
            if any(h["score"] != 0 for h in b["hits"]):
                order = "score"
        if order == "score":
            why = ranks_as(a["hits"], b["hits"])
            chk(why is None, "not ranked as on native: %s; native %s, xapian %s" % (
                why, [(h["id"], h["score"]) for h in a["hits"]],
                [(h["id"], h["score"]) for h in b["hits"]]))
        elif order == "date":
            d = [h["date"] for h in a["hits"] if h["date"]]
            if len(set(d)) == len(d):
                chk(ids_a == ids_b, "date order %s vs %s" % (ids_a, ids_b))
            else:
                bad.append("%s: dates tie, the order check is void" % name)
    return bad

def ranks_as(ref, cand, tol=1e-9):
    """cand ranks as ref does: its i-th hit has ref's i-th score in ref
    (documents of equal score in any order); ref holds the first hits (or
    all) of the ranking, cand at most as many"""
    if len(cand) > len(ref):
        return "%d hits, the reference %d" % (len(cand), len(ref))
    score = {h["id"]: h["score"] for h in ref}
    for i, h in enumerate(cand):
        want = ref[i]["score"]
        s = score.get(h["id"])
        if s is None:
            # only where the tie at this score runs past ref's page
            if abs(ref[-1]["score"] - want) > tol:
                return "rank %d: %s is not among the reference's hits" % (i + 1, h["id"])
        elif abs(s - want) > tol:
            return "rank %d is %s (reference score %.10g), not one scoring %.10g like %s" % (
                i + 1, h["id"], s, want, ref[i]["id"])
    return None

def same(a_path, b_path):
    """two snapshots of the same documents on the Xapian engine: counts, and
    the same score for every id (the order of equal scores may differ)"""
    bad = []
    for a, b in zip(json.load(open(a_path)), json.load(open(b_path))):
        q = a["query"]
        name = " ".join(q.get("opts", []) + [q["q"]])
        if (a["count"], a["count_rc"], a["total"]) != (b["count"], b["count_rc"], b["total"]):
            bad.append("%s: count %s/%s vs %s/%s" % (name, a["count"], a["total"],
                                                     b["count"], b["total"]))
        sa = {h["id"]: h["score"] for h in a["hits"]}
        sb = {h["id"]: h["score"] for h in b["hits"]}
        if sa.keys() != sb.keys() or any(abs(sa[k] - sb[k]) > 1e-9 for k in sa):
            bad.append("%s: %s vs %s" % (name, sorted(sa.items()), sorted(sb.items())))
        else:
            # in score order (ties in any order)
            s = [h["score"] for h in b["hits"]]
            key = "date" if "--sort" in q.get("opts", []) else None
            if key is None and any(y - x > 1e-9 for x, y in zip(s, s[1:])):
                bad.append("%s: hits not in score order: %s" % (name, s))
    return bad

def top_equal(ref, cand, key):
    """cand (10 hits) is a top 10 of ref (>= 10 hits, more if they tie)"""
    if len(cand) != min(10, len(ref)):
        return "%d hits, want %d" % (len(cand), min(10, len(ref)))
    ids = [h["id"] for h in cand]
    if len(set(ids)) != len(ids):
        return "duplicate ids %s" % ids
    byid = {h["id"]: h for h in ref}
    for i, h in enumerate(cand):
        r = ref[i]
        if key(h) != key(r) or abs(h["score"] - r["score"]) > 1e-9:
            return "rank %d: %s %.12g, want %s %.12g%s" % (
                i + 1, h["id"], h["score"], r["id"], r["score"],
                "" if key(h) is None else " (dates %s, %s)" % (key(h), key(r)))
        o = byid.get(h["id"])
        if o is None:
            # past the reference's page: only where its own tie runs over
            if abs(ref[-1]["score"] - h["score"]) > 1e-9 or key(ref[-1]) != key(h):
                return "rank %d: %s is not in the reference" % (i + 1, h["id"])
        elif abs(o["score"] - h["score"]) > 1e-9 or key(o) != key(h):
            return "rank %d: %s scores %.12g, the reference %.12g" % (
                i + 1, h["id"], h["score"], o["score"])
    return None

def shards(g, qfile, ref_idx, native_idx, *cands):
    bad = 0
    qs = queries(qfile)
    for q in qs:
        name = " ".join(q.get("opts", []) + [q["q"]])
        sorted_by_date = "--sort" in q.get("opts", [])
        key = (lambda h: h["date"]) if sorted_by_date else (lambda h: None)
        c = run(g, ref_idx, q.get("opts", []) + ["--count", "--", q["q"]])
        want = (c.stdout.strip(), c.returncode)
        rc, summary, ref = search(g, ref_idx, q, 200)
        problems = []
        if str(summary["total"]) != want[0]:
            problems.append("reference: --count %s, JSON total %s" % (want[0], summary["total"]))
        n = run(g, native_idx, q.get("opts", []) + ["--count", "--", q["q"]])
        if (n.stdout.strip(), n.returncode) != want:
            problems.append("native index: --count %s (exit %d), xapian %s (exit %d)" % (
                n.stdout.strip(), n.returncode, want[0], want[1]))
        if q.get("order") == "score":
            # one term: Xapian ranks as the native engine does
            nrc, _, nhits = search(g, native_idx, q, 200)
            why = ranks_as(nhits, ref[:10])
            if why:
                problems.append("not ranked as on the native index: " + why)
        for idx in cands:
            r = run(g, idx, q.get("opts", []) + ["--count", "--", q["q"]], timeout=30)
            if (r.stdout.strip(), r.returncode) != want:
                problems.append("%s: --count %s (exit %d: %s), want %s" % (
                    idx, r.stdout.strip(), r.returncode, r.stderr.strip(), want[0]))
                continue
            crc, csum, cand = search(g, idx, q, 10)
            if crc != rc or csum["total"] != summary["total"] or "partial" in csum:
                problems.append("%s: exit %d total %s %s" % (idx, crc, csum["total"],
                                                            csum.get("missing", "")))
                continue
            why = top_equal(ref, cand, key)
            if why:
                problems.append("%s: %s" % (idx, why))
        for p in problems:
            bad += 1
            print("MISMATCH %-40s %s" % (name, p))
    print("shards: %d queries, %d indexes against the unsharded one, %d mismatches"
          % (len(qs), len(cands), bad))
    return bad

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "snap":
        snap(*args)
    elif cmd in ("engines", "same"):
        bad = (engines if cmd == "engines" else same)(*args)
        for b in bad:
            print("MISMATCH " + b[:600])
        sys.exit(1 if bad else 0)
    elif cmd == "shards":
        sys.exit(1 if shards(*args) else 0)
EOF

cd "$tmp"
stat_field() { # IDX FIELD: a field of stats --json
    "$G" stats -i "$1" --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1]], separators=(",", ":")))' "$2"
}

## 1. The seed corpus: a Xapian index answers as a native one
expect 0 "$G" index -q -i native.idx "$corpus"
expect 0 "$G" index -q -i x.idx --engine xapian "$corpus"
grep -q '^indexed 4 documents (4 added, 0 replaced, 0 unchanged, 0 skipped, 0 errors)' "$tmp/err" ||
    fail "xapian index summary"
[ -f x.idx/MANIFEST ] || fail "no x.idx/MANIFEST"
[ -d x.idx/shard-0 ] || fail "no x.idx/shard-0"
[ ! -e x.idx/shard-1 ] || fail "one shard by default"
grep -qx 'engine xapian' x.idx/MANIFEST || fail "MANIFEST: no 'engine xapian'"
expect 0 "$G" stats -i x.idx
grep -qE '^engine +xapian$' "$tmp/out" || fail "stats does not say engine xapian"
grep -qE '^documents +4$' "$tmp/out" || fail "stats: documents"
grep -qE '^shards +1$' "$tmp/out" || fail "stats: shards"
[ "$(stat_field x.idx engine)" = '"xapian"' ] || fail "stats --json engine"
[ "$(stat_field x.idx shards)" = 1 ] || fail "stats --json shards"
[ "$(stat_field x.idx docs)" = 4 ] || fail "stats --json docs"
[ "$(stat_field native.idx engine)" = '"native"' ] || fail "stats --json engine of the native index"
expect 0 "$G" check -i x.idx
has 'Xapian check ok'
grep -q '^ok' "$tmp/out" || fail "check does not end with ok"

# The queries: count, ids, snippets and highlights as on native; order where
# unambiguous (a single term, --sort date over distinct dates).
cat >seed.q <<'EOF'
{"q": "lavrov", "order": "score"}
{"q": "iran", "order": "score"}
{"q": "tehran", "order": "score"}
{"q": "treaty", "order": "score"}
{"q": "negotiations"}
{"q": "lavrov tehran"}
{"q": "\"strategic partnership\""}
{"q": "person:lavrov \"strategic partnership\""}
{"q": "person:lavrov"}
{"q": "org:duma"}
{"q": "place:tehran"}
{"q": "entity:\"Sergey Lavrov\""}
{"q": "title:iran"}
{"q": "title:\"strategic partnership\""}
{"q": "date:2025"}
{"q": "date:2023..2024"}
{"q": "iran date:2025-02"}
{"opts": ["--since", "2025-01-01"], "q": "iran"}
{"q": "+iran -treaty"}
{"q": "iran AND (treaty OR agreement) NOT ukraine"}
{"q": "\"lavrov tehran\"~5"}
{"opts": ["--all"], "q": "iran russia treaty"}
{"q": "*:*"}
{"q": "zanzibar"}
{"opts": ["--sort", "date"], "q": "iran", "order": "date"}
{"opts": ["--sort", "date-asc"], "q": "iran", "order": "date"}
{"opts": ["--sort", "date"], "q": "person:lavrov \"strategic partnership\"", "order": "date"}
{"opts": ["--no-entity-highlights"], "q": "\"strategic partnership\""}
EOF
python3 "$py" snap "$G" native.idx seed.q native.snap
python3 "$py" snap "$G" x.idx seed.q x.snap
python3 "$py" engines native.snap x.snap >"$tmp/out" 2>"$tmp/err" || fail "xapian and native answer differently on corpus/"

# the text output marks matches and entities (as checked equal above; here
# that they are there at all)
expect 0 "$G" search -i x.idx lavrov
has '{PER Sergei **Lavrov**} is set'
expect 0 "$G" search -i x.idx --no-entity-highlights '"strategic partnership"'
has '**Strategic Partnership**'
has '**strategic partnership**'
expect 0 "$G" search -i x.idx --json 'person:lavrov "strategic partnership"'
python3 - "$tmp/out" <<'EOF' || fail "xapian --json hits"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
s = o[-1]
assert s["type"] == "summary" and s["total"] == 3 and s["returned"] == 3, s
assert "partial" not in s, s
kinds = {sp["kind"] for h in o[:-1] for sp in h["highlights"]}
assert "match" in kinds and "PER" in kinds and "LOC" in kinds, kinds
for h in o[:-1]:
    for sp in h["highlights"]:
        assert h["snippet"].encode()[sp["start"]:sp["end"]], sp
EOF
expect 0 "$G" search -i x.idx --count 'person:lavrov "strategic partnership"'
[ "$(cat "$tmp/out")" = 3 ] || fail "--count"
expect 1 "$G" search -i x.idx --count zanzibar
[ "$(cat "$tmp/out")" = 0 ] || fail "--count of nothing"

# Titles: corpus/ has none, so a few headlines as JSON Lines
cat >titles.jsonl <<'EOF'
{"id": "t1", "title": "Iran and Russia sign a strategic partnership treaty", "body": "The treaty was signed in Moscow by both presidents.", "date": "2025-01-17"}
{"id": "t2", "title": "Lavrov visits Tehran", "body": "Russia's foreign minister arrived for talks on the treaty and on trade.", "date": "2025-02-25"}
{"id": "t3", "title": "Oil prices fall", "body": "Iran and Russia both export crude oil; the strategic partnership covers energy.", "date": "2024-11-02"}
{"id": "t4", "title": "Duma ratifies treaty with Iran", "body": "The State Duma voted for the Comprehensive Strategic Partnership Treaty.", "date": "2025-04-08"}
{"id": "t5", "body": "A dispatch without a headline mentions Tehran and oil.", "date": "2023-06-30"}
EOF
expect 0 "$G" index -q -i tn.idx titles.jsonl
expect 0 "$G" index -q -i tx.idx --engine xapian titles.jsonl
cat >titles.q <<'EOF'
{"q": "title:treaty"}
{"q": "title:iran"}
{"q": "title:\"strategic partnership\""}
{"q": "title:tehran treaty"}
{"q": "+title:treaty -title:duma"}
{"q": "oil -title:oil"}
{"q": "title:zanzibar"}
{"opts": ["--sort", "date"], "q": "treaty", "order": "date"}
{"q": "treaty date:2025-01..2025-03"}
EOF
python3 "$py" snap "$G" tn.idx titles.q tn.snap
python3 "$py" snap "$G" tx.idx titles.q tx.snap
python3 "$py" engines tn.snap tx.snap >"$tmp/out" 2>"$tmp/err" || fail "title: queries differ between the engines"
# A single field term: README says title: and entity-field terms add no
# score on Xapian, so either every hit scores 0 or the ranking is native's.
printf '%s\n' '{"q": "title:treaty", "order": "field"}' '{"q": "title:iran", "order": "field"}' >titles.rank.q
printf '%s\n' '{"q": "person:jalali", "order": "field"}' '{"q": "place:moscow", "order": "field"}' \
    '{"q": "org:duma", "order": "field"}' '{"q": "entity:\"Kazem Jalali\"", "order": "field"}' >seed.rank.q
python3 "$py" snap "$G" tn.idx titles.rank.q tn.rank.snap
python3 "$py" snap "$G" tx.idx titles.rank.q tx.rank.snap
python3 "$py" snap "$G" native.idx seed.rank.q native.rank.snap
python3 "$py" snap "$G" x.idx seed.rank.q x.rank.snap
python3 "$py" engines tn.rank.snap tx.rank.snap >"$tmp/out" 2>"$tmp/err" || fail "a single title: term"
python3 "$py" engines native.rank.snap x.rank.snap >"$tmp/out" 2>"$tmp/err" || fail "a single entity-field term"

# show and entities: byte for byte as on native
for f in "$corpus"/*; do
    id=$(basename "$f")
    for e in native x; do
        "$G" show -i $e.idx --entities "$id" >"show.$e.txt"
        "$G" show -i $e.idx --json --entities "$id" >"show.$e.json"
    done
    cmp -s show.native.txt show.x.txt || { diff show.native.txt show.x.txt >"$tmp/out" || true; fail "show --entities $id differs"; }
    cmp -s show.native.json show.x.json || fail "show --json --entities $id differs"
done
grep -q '^PER  Sergei Lavrov' show.x.txt || fail "show --entities lists no Sergei Lavrov"
expect 1 "$G" show -i x.idx no-such-id
for args in "" "--json -n 0" "--type PER" "--json treaty" "treaty" "--json --type LOC lavrov"; do
    # shellcheck disable=SC2086 # split on purpose
    "$G" entities -i native.idx $args | sed 's/"micros":[0-9.e+-]*//' >ent.native
    # shellcheck disable=SC2086
    "$G" entities -i x.idx $args | sed 's/"micros":[0-9.e+-]*//' >ent.x
    [ -s ent.x ] || fail "entities $args: no output"
    cmp -s ent.native ent.x || { diff ent.native ent.x >"$tmp/out" || true; fail "entities $args differs"; }
done

# --explain is native only: a clear error
expect 2 "$G" search -i x.idx --explain lavrov
[ ! -s "$tmp/out" ] || fail "--explain on xapian printed results"
grep -qi 'xapian' "$tmp/err" || fail "--explain error does not mention xapian"
grep -q '^gazette: ' "$tmp/err" || fail "--explain error does not start with gazette:"

## 2. delete, incremental index, reindex
cp -r native.idx n2.idx
expect 0 "$G" delete -i x.idx 004_fc73e2c017d88888.txt
has 'deleted 1 document'
expect 0 "$G" delete -i n2.idx 004_fc73e2c017d88888.txt
expect 1 "$G" delete -i x.idx no-such-id
[ "$("$G" search -i x.idx --count '*:*')" = 3 ] || fail "*:* after a delete"
[ "$("$G" search -i x.idx --count lavrov)" = 1 ] || fail "lavrov after a delete"
[ "$("$G" search -i x.idx --count iran)" = 3 ] || fail "iran after a delete"
[ "$(stat_field x.idx docs)" = 3 ] || fail "stats docs after a delete"
expect 1 "$G" show -i x.idx 004_fc73e2c017d88888.txt
python3 "$py" snap "$G" n2.idx seed.q n2.snap
python3 "$py" snap "$G" x.idx seed.q x2.snap
python3 "$py" engines n2.snap x2.snap >"$tmp/out" 2>"$tmp/err" || fail "after a delete, xapian and native differ"
expect 0 "$G" check -i x.idx

expect 0 "$G" index -i x.idx "$corpus"
grep -q '^indexed 4 documents (1 added, 0 replaced, 3 unchanged, 0 skipped, 0 errors)' "$tmp/err" ||
    fail "index again: want 1 added, 3 unchanged"
python3 "$py" snap "$G" x.idx seed.q x3.snap
python3 "$py" same x.snap x3.snap >"$tmp/out" 2>"$tmp/err" || fail "the deleted document is not back as it was"
expect 0 "$G" index -i x.idx "$corpus"
grep -q '(0 added, 0 replaced, 4 unchanged' "$tmp/err" || fail "index a third time: want 4 unchanged"

expect 0 "$G" reindex -q -i x.idx
[ ! -e x.idx/shard-0 ] || fail "reindex left the old shard-0"
compgen -G 'x.idx/shard-0.g*' >/dev/null || fail "reindex made no shard-0.gN"
[ "$(stat_field x.idx shards)" = 1 ] || fail "reindex changed the shard count"
[ "$(stat_field x.idx engine)" = '"xapian"' ] || fail "reindex changed the engine"
python3 "$py" snap "$G" x.idx seed.q x4.snap
python3 "$py" same x.snap x4.snap >"$tmp/out" 2>"$tmp/err" || fail "reindex changed the answers"
expect 0 "$G" check -i x.idx

expect 0 "$G" reindex -q -i x.idx --shards 2
[ "$(stat_field x.idx shards)" = 2 ] || fail "reindex --shards 2: stats shards $(stat_field x.idx shards)"
[ "$(find x.idx -maxdepth 1 -name 'shard-*' | wc -l)" = 2 ] || fail "reindex --shards 2: $(ls x.idx)"
compgen -G 'x.idx/shard-1.g*' >/dev/null || fail "reindex --shards 2 made no shard-1.gN"
dirs=$(cd x.idx && printf '"%s",' shard-*)
[ "$(stat_field x.idx shard_dirs)" = "[${dirs%,}]" ] ||
    fail "stats --json shard_dirs $(stat_field x.idx shard_dirs), the directories $dirs"
grep -qx 'shards 2 tag [0-9]*' x.idx/MANIFEST || fail "MANIFEST: shards 2"
python3 "$py" snap "$G" x.idx seed.q x5.snap
python3 "$py" same x.snap x5.snap >"$tmp/out" 2>"$tmp/err" || fail "two shards answer differently from one"
expect 0 "$G" check -i x.idx
has '2 shards'
expect 0 "$G" index -i x.idx "$corpus"
grep -q '(0 added, 0 replaced, 4 unchanged' "$tmp/err" || fail "index over two shards: want 4 unchanged"
expect 2 "$G" index -q -i x.idx --shards 3 "$corpus"
grep -q 'reindex --shards' "$tmp/err" || fail "index --shards 3 on a 2-shard index: no hint to reindex"

# engine mismatches and --shards on the native engine are clear errors
gen=$(stat_field x.idx generation)
expect 2 "$G" index -q -i x.idx --engine native "$corpus"
grep -q "^gazette: .*xapian.*native" "$tmp/err" || fail "--engine native on a xapian index: unclear error"
[ "$(stat_field x.idx generation)" = "$gen" ] || fail "a refused index run changed the index"
[ "$("$G" search -i x.idx --count iran)" = 4 ] || fail "the xapian index after a refused run"
expect 2 "$G" index -q -i native.idx --engine xapian "$corpus"
grep -q "^gazette: .*native.*xapian" "$tmp/err" || fail "--engine xapian on a native index: unclear error"
expect 2 "$G" index -q -i new.idx --engine native --shards 3 "$corpus"
grep -q '^gazette: .*--shards.*xapian' "$tmp/err" || fail "--shards with --engine native: unclear error"
expect 2 "$G" index -q -i native.idx --shards 3 "$corpus"
grep -q '^gazette: .*--shards.*xapian' "$tmp/err" || fail "--shards on a native index: unclear error"
expect 2 "$G" reindex -q -i native.idx --shards 2
grep -q '^gazette: .*--shards' "$tmp/err" || fail "reindex --shards of a native index: unclear error"
expect 2 "$G" index -q -i new.idx --engine xapian --shards 0 "$corpus"
grep -q '^gazette: .*--shards' "$tmp/err" || fail "--shards 0: unclear error"
echo "xapian: corpus/ checks done ($(($(date +%s) - t_start)) s)"

## 3. Scale-out over Reuters-21578
data=$GZT_SHARED/data/reuters21578/reuters21578.jsonl.zst
[ -r "$data" ] || skip "no Reuters-21578 at $data (the corpus/ checks ran)"
command -v zstd >/dev/null || skip "zstd is not installed (the corpus/ checks ran)"
command -v xapian-tcpsrv >/dev/null || skip "xapian-tcpsrv is not installed (Debian: xapian-tools)"
command -v setsid >/dev/null || skip "setsid is not installed"
zstd -dq "$data" -o reuters.jsonl
# the two Xapian builds in parallel (two cores), the native one after
"$G" index -q -i r1.idx --engine xapian --no-entities reuters.jsonl 2>r1.log &
p1=$!
"$G" index -q -i r3.idx --engine xapian --no-entities --shards 3 reuters.jsonl 2>r3.log &
p3=$!
s1=0 s3=0
wait $p1 || s1=$?
wait $p3 || s3=$?
for n in 1 3; do
    s=$([ $n = 1 ] && echo $s1 || echo $s3)
    cp r$n.log "$tmp/err"
    [ "$s" = 0 ] || fail "indexing Reuters-21578 into r$n.idx: exit $s"
    grep -q '^indexed 21,\?578 documents (21,\?578 added,.* 0 errors' "$tmp/err" ||
        fail "r$n.idx: not all 21578 documents were indexed"
done
expect 0 "$G" index -q -i rn.idx --no-entities reuters.jsonl
[ "$(stat_field r3.idx shards)" = 3 ] || fail "r3.idx: stats shards"
for k in 0 1 2; do [ -d r3.idx/shard-$k ] || fail "no r3.idx/shard-$k"; done
[ "$(stat_field r3.idx docs)" = 21578 ] || fail "r3.idx: stats docs"
echo "xapian: Reuters indexed ($(($(date +%s) - t_start)) s)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# serve DIR: start xapian-tcpsrv on a free port in its own process group;
# sets port and pgid once it accepts connections
serve() {
    local i pid stat
    for _ in 1 2 3; do
        port=$(free_port)
        setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$port" "$1" \
            >"srv.$port.log" 2>&1 </dev/null &
        pid=$!
        groups+=("$pid")
        for i in $(seq 200); do
            if ! kill -0 "$pid" 2>/dev/null; then
                break # it died (the port was taken after all): another one
            fi
            if accepts "$port"; then
                read -r -a stat <"/proc/$pid/stat"
                pgid=${stat[4]}
                [ "$pgid" = "$pid" ] || fail "xapian-tcpsrv $pid is in process group $pgid, not its own"
                return 0
            fi
            sleep 0.05
        done
        stop_group "$pid"
    done
    cp "srv.$port.log" "$tmp/err"
    fail "xapian-tcpsrv does not accept connections on 127.0.0.1:$port for $1"
}
[ "$(stat_field r3.idx shard_dirs)" = '["shard-0","shard-1","shard-2"]' ] || fail "r3.idx: stats shard_dirs"
ports=() pgids=()
for k in 0 1 2; do
    serve "$tmp/r3.idx/shard-$k"
    ports+=("$port")
    pgids+=("$pgid")
done
mkdir stubs
for k in 0 1 2; do echo "remote 127.0.0.1:${ports[$k]}"; done >stubs/remote.stub
# auto paths are relative to the stub's directory
for k in 0 1 2; do echo "auto ../r3.idx/shard-$k"; done >stubs/auto.stub

cat >reuters.q <<'EOF'
{"q": "oil", "order": "score"}
{"q": "cocoa", "order": "score"}
{"q": "bahia", "order": "score"}
{"q": "yen", "order": "score"}
{"q": "shr", "order": "score"}
{"q": "reuter", "order": "score"}
{"q": "u.s.", "order": "score"}
{"q": "1987"}
{"q": "zzzqqq"}
{"q": "oil gas"}
{"q": "coffee OR cocoa"}
{"q": "wheat corn soybeans"}
{"q": "mln dlrs"}
{"q": "+oil +opec"}
{"q": "+oil -crude"}
{"q": "opec -saudi"}
{"q": "+dollar -yen trade"}
{"q": "iran AND (oil OR gas) NOT iraq"}
{"q": "\"crude oil\""}
{"q": "\"interest rates\""}
{"q": "\"federal reserve\""}
{"q": "\"oil prices\" opec"}
{"q": "\"bank of japan\""}
{"q": "\"crude oil\"~3"}
{"q": "\"oil crude\""}
{"q": "oil date:1987-03-01..1987-03-15"}
{"opts": ["--since", "1987-04-01", "--until", "1987-04-30"], "q": "trade"}
{"q": "date:1987-04"}
{"opts": ["--all"], "q": "oil price opec"}
{"opts": ["--all"], "q": "dollar yen trade"}
{"q": "title:oil"}
{"q": "title:\"trade deficit\""}
{"opts": ["--sort", "date"], "q": "cocoa"}
{"opts": ["--sort", "date-asc"], "q": "bahia"}
{"opts": ["--offset", "20"], "q": "sugar"}
{"q": "*:*"}
EOF
(cd / && python3 "$py" shards "$G" "$tmp/reuters.q" "$tmp/r1.idx" "$tmp/rn.idx" \
    "$tmp/stubs/remote.stub" "$tmp/stubs/auto.stub" "$tmp/r3.idx") >"$tmp/out" 2>"$tmp/err" ||
    fail "the shards answer differently from one database"
# a stub is a full reader: stats, show, check
[ "$(stat_field stubs/remote.stub docs)" = 21578 ] || fail "stats through the remote stub"
[ "$(stat_field stubs/remote.stub engine)" = '"xapian"' ] || fail "stats engine through the remote stub"
"$G" show -i r1.idx 313 >show.r1
expect 0 "$G" show -i stubs/remote.stub 313
cmp -s "$tmp/out" show.r1 || fail "show through the remote stub differs"
expect 0 timeout 60 "$G" check -i stubs/remote.stub
has '21578 stored documents: ok'
echo "xapian: shard checks done ($(($(date +%s) - t_start)) s)"

## 3b. Prefix queries score over shards as on one database (a difference is
## reported at the end, after the other checks)
cat >prefix.q <<'EOF'
{"q": "export*"}
{"q": "opec*"}
{"q": "tehr*"}
{"q": "title:coffe*"}
EOF
(cd / && python3 "$py" shards "$G" "$tmp/prefix.q" "$tmp/r1.idx" "$tmp/rn.idx" \
    "$tmp/stubs/remote.stub" "$tmp/stubs/auto.stub" "$tmp/r3.idx") >prefix.out 2>&1 ||
    bug "prefix queries score differently over shards than on one database:" "$(cat prefix.out)"

## 4. A shard that is down
millis() { date +%s%3N; }
live=$tmp/stubs/live.stub
for k in 0 2; do echo "remote 127.0.0.1:${ports[$k]}"; done >"$live"
down=127.0.0.1:${ports[1]}
stop_group "${pgids[1]}"
for _ in $(seq 100); do accepts "${ports[1]}" || break; sleep 0.05; done
! accepts "${ports[1]}" || fail "the stopped server still accepts connections"
# partial_ok STUB MISSING QUERY...: fails fast without --allow-partial; with
# it, the live shards' answers, a warning and "partial"/"missing"
partial_ok() {
    local stub=$1 miss=$2 t0 t1
    shift 2
    t0=$(millis)
    expect 2 timeout 30 "$G" search -i "$stub" --count "$@"
    t1=$(millis)
    [ $((t1 - t0)) -lt 3000 ] || fail "a dead shard took $((t1 - t0)) ms to fail"
    [ ! -s "$tmp/out" ] || fail "output despite a dead shard"
    has "$miss" err
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "the error is not one line"
    grep -q '^gazette: ' "$tmp/err" || fail "the error does not start with gazette:"
    expect 2 timeout 30 "$G" search -i "$stub" --json "$@"
    has "$miss" err
    want=$("$G" search -i "$live" --count "$@" || true)
    expect 0 timeout 30 "$G" search -i "$stub" --allow-partial --count "$@"
    [ "$(cat "$tmp/out")" = "$want" ] || fail "--allow-partial --count $(cat "$tmp/out"), the live shards $want"
    grep -q "^gazette: warning: .*$miss" "$tmp/err" || fail "no warning naming $miss"
    expect 0 timeout 30 "$G" search -i "$stub" --allow-partial --json -n 10 "$@"
    has "$miss" err
    cp "$tmp/out" partial.json
    "$G" search -i "$live" --json -n 10 "$@" >live.json
    python3 - partial.json live.json "$miss" <<'EOF' || fail "--allow-partial --json"
import json, sys
p = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
l = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
s = p[-1]
assert s["type"] == "summary" and s["partial"] is True, s
assert sys.argv[3] in s["missing"], s
assert s["total"] == l[-1]["total"], (s, l[-1])
assert [(h["id"], h["score"]) for h in p[:-1]] == [(h["id"], h["score"]) for h in l[:-1]], "hits"
EOF
    expect 0 timeout 30 "$G" search -i "$stub" --allow-partial "$@"
    grep -q "^gazette: warning: .*$miss" "$tmp/err" || fail "text: no warning naming $miss"
    has "of $want matches"
    grep -q "^[0-9]* of $want matches .*partial" "$tmp/out" || fail "the text summary does not say partial"
}
partial_ok stubs/remote.stub "$down" oil
partial_ok stubs/remote.stub "$down" '"crude oil" opec'
# a port where nothing listens at all
nothing=127.0.0.1:$(free_port)
(echo "remote 127.0.0.1:${ports[0]}"; echo "remote $nothing"; echo "remote 127.0.0.1:${ports[2]}") >stubs/nothing.stub
partial_ok stubs/nothing.stub "$nothing" --all oil price
# a server that accepts but never answers: --timeout bounds it
setsid python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(120)' >hole.port </dev/null &
groups+=("$!")
for _ in $(seq 200); do [ -s hole.port ] && break; sleep 0.05; done
[ -s hole.port ] || fail "the silent listener did not start"
hole=127.0.0.1:$(cat hole.port)
(echo "remote 127.0.0.1:${ports[0]}"; echo "remote 127.0.0.1:${ports[2]}"; echo "remote $hole") >stubs/hole.stub
t0=$(millis)
expect 2 timeout 30 "$G" search -i stubs/hole.stub --timeout 600 --count oil
t1=$(millis)
has "$hole" err
if [ $((t1 - t0)) -lt 500 ] || [ $((t1 - t0)) -ge 5000 ]; then
    fail "--timeout 600 took $((t1 - t0)) ms"
fi
expect 0 timeout 30 "$G" search -i stubs/hole.stub --timeout 600 --allow-partial --count oil
[ "$(cat "$tmp/out")" = "$("$G" search -i "$live" --count oil)" ] || fail "--timeout --allow-partial count"
grep -q "^gazette: warning: .*$hole" "$tmp/err" || fail "no warning naming $hole"
# every shard down: an error even with --allow-partial
echo "remote $down" >stubs/dead.stub
expect 2 timeout 30 "$G" search -i stubs/dead.stub --allow-partial oil
has "$down" err
echo "xapian: dead shard checks done ($(($(date +%s) - t_start)) s)"

## 5. The 1,024-term ceiling of a prefix holds for the whole index, not per
## shard
python3 -c '
import json
for i in range(1500):
    print(json.dumps({"id": "d%d" % i, "body": "zq%04dx common" % i}))' >zq.jsonl
expect 0 "$G" index -q -i zq1.idx --engine xapian --no-entities zq.jsonl
expect 0 "$G" index -q -i zq3.idx --engine xapian --no-entities --shards 3 zq.jsonl
expect 0 "$G" index -q -i zqn.idx --no-entities zq.jsonl
for i in zqn zq1 zq3; do
    run "$G" search -i $i.idx --count 'zq*'
    if [ "$rc" != 2 ] || ! grep -q 'more than 1024 terms' "$tmp/err"; then
        bug "zq* matches 1,500 terms (about 500 a shard): $i.idx gives exit $rc," \
            "$(cat "$tmp/out" "$tmp/err"), not the 1,024-term error"
    fi
done

report_bugs
echo "xapian: ok ($(($(date +%s) - t_start)) s)"
