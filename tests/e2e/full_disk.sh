#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full disk (issue 6), made with RLIMIT_FSIZE instead of a small mount
# (CI may not allow mounts): in a subshell, `ulimit -f KIB` and SIGXFSZ
# ignored, so a write past KIB KiB fails with EFBIG ("File too large") as a
# write to a full disk fails with ENOSPC.
#
# An index of the first 2,000 Reuters-21578 documents (from 40 files, so its
# manifest holds 40 sources and is 3 KB long) is the committed generation.
# Writers run on copies of it: index of the second half of Reuters, with
# --memory 4M (merges while indexing), with --optimize (a merge at the
# commit), reindex, delete, and index of two made-up corpora whose largest
# file is the dictionary or the doc values. Each runs first without a
# limit, to learn the sizes S1 >= S2 >= S3 of the files it writes; then on
# one copy, one after the other, under limits of 0 (the first write fails),
# between S2 and S1 (the largest file fails) and between S3 and S2. Every
# limited run must exit 2 with one error line naming the file in the index
# and the system's reason, "File too large" (printed in the log), leave no
# file behind and leave the previous generation intact: gazette check
# passes, the generation is the same and the answers to a fixed query set
# (lib/state.sh) equal the old ones. Then the same command without the
# limit succeeds and the index answers as after the first run. Across all
# runs the failing write must have hit at least five kinds of file, the
# manifest among them.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/state.sh"
data=$GZT_SHARED/data/reuters21578/reuters21578.jsonl.zst
[ -r "$data" ] || skip "no Reuters-21578 at $data"
command -v zstdcat >/dev/null || skip "zstd is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
cd "$tmp"

## The data.
zstdcat -q "$data" >reuters.jsonl
mkdir parts
head -n 2000 reuters.jsonl | split -l 50 -d -a 2 --additional-suffix=.jsonl - parts/p
# b: the second half of Reuters; under the sanitizer 2,500 documents of
# it, and a third of the made-up corpora below
if [ "${GZT_SANITIZE:-}" = 1 ]; then
    nb=2500 ntiny=10000 nwords=1000
else
    nb=10789 ntiny=30000 nwords=3000
fi
sed -n "10790,$((10789 + nb))p" reuters.jsonl >b.jsonl
# dv.jsonl: 30,000 one-word documents (doc values and ids outweigh the
# rest); dict.jsonl: 3,000 documents of unique made-up words (the
# dictionary outweighs the rest)
python3 - "$ntiny" "$nwords" <<'EOF'
import json, random, sys
r = random.Random(6)
with open("dv.jsonl", "w") as f:
    for i in range(int(sys.argv[1])):
        f.write(json.dumps({"id": "v%d" % i, "title": "", "body": "wombat"}) + "\n")
with open("dict.jsonl", "w") as f:
    for i in range(int(sys.argv[2])):
        words = ("".join(r.choice("bcdfghjklmnpqrstvwxz") for _ in range(14))
                 for _ in range(60))
        f.write(json.dumps({"id": "w%d" % i, "title": "", "body": " ".join(words)}) + "\n")
EOF
state_queries queries
expect 0 "$G" index -q -i base.idx parts/*.jsonl
answers base.idx queries A.base
gbase=$(generation base.idx)
[ "$gbase" = 1 ] || fail "base: generation $gbase"
[ "$(wc -c <base.idx/MANIFEST)" -gt 2048 ] || fail "the manifest is smaller than 2 KiB"

# limited KIB CMD...: run CMD with every file it writes limited to KIB KiB;
# its stderr goes through a pipe (the limit would cut a file) to $tmp/err,
# its status to rc
limited() {
    local kib=$1
    shift
    set +e
    (
        ulimit -f "$kib"
        trap '' XFSZ
        exec "$@" 2>&1 >/dev/null
    ) | cat >"$tmp/err"
    rc=${PIPESTATUS[0]}
    set -e
    : >"$tmp/out"
}

kinds=() unclear=()
# fail_under NAME KIB CMD... (on f.idx): under the limit the command exits
# 2 with one error line naming a file of the index and leaves the
# generation of base.idx as it was, without a file more
fail_under() {
    local name=$1 kib=$2 file
    shift 2
    (cd f.idx && ls) >files.before
    limited "$kib" "$@"
    echo "full_disk: $name, files limited to $kib KiB: exit $rc:" \
        "$(grep -v '^\(re\)\{0,1\}indexed \|^deleted ' "$tmp/err" || :)"
    [ "$rc" = 2 ] || fail "$name: exit $rc under a $kib KiB limit, want 2"
    [ "$(grep -c '^gazette: ' "$tmp/err")" = 1 ] || fail "$name: not one error line"
    file=$(sed -n 's/^gazette: f\.idx\/\([^:]*\): .*/\1/p' "$tmp/err")
    [ -n "$file" ] || fail "$name: the error does not name a file of the index"
    # the system's reason (docs/RELIABILITY.md, promise 3); the other
    # checks go on without it, all are reported at the end
    grep -q '^gazette: .*: File too large$' "$tmp/err" ||
        unclear+=("$name, $kib KiB: $(grep '^gazette: ' "$tmp/err")")
    case $file in
    MANIFEST*) kinds+=(MANIFEST) ;;
    *.*) kinds+=("*.${file##*.}") ;;
    *) kinds+=("$file") ;;
    esac
    [ "$(checked f.idx)" = ok ] || fail "$name: check after the failure: $(checked f.idx)"
    [ "$(generation f.idx)" = "$gbase" ] || fail "$name: generation $(generation f.idx) after the failure"
    answers f.idx queries A.f
    cmp -s A.base A.f || fail "$name: the answers changed: $(diff A.base A.f | head -3 | cut -c1-200)"
    (cd f.idx && ls) | diff -u files.before - >&2 || fail "$name: files left behind"
}

# full NAME CMD... (on f.idx): run on a copy of base.idx, the command writes
# files of sizes S1 >= S2 >= S3...; under limits of 0 (the first write
# fails), between S1 and S2 (the largest file fails) and between S2 and S3
# it fails (fail_under), one failure after the other on one copy; then
# without a limit it succeeds and the index answers as the copy does
full() {
    local name=$1 kib i
    local -a sizes limits
    shift
    rm -rf ref.idx f.idx
    cp -a base.idx ref.idx
    run "${@//f.idx/ref.idx}"
    [ "$rc" = 0 ] || fail "$name: without a limit: exit $rc"
    answers ref.idx queries A.ref
    ! cmp -s A.base A.ref || fail "$name: the command changes no answer"
    # the sizes of the files it wrote, largest first
    mapfile -t sizes < <(cd ref.idx && for f in *; do
        if [ "$f" != LOCK ] && ! cmp -s "$f" "../base.idx/$f" 2>/dev/null; then
            stat -c %s "$f"
        fi
    done | sort -rn)
    limits=(0)
    for i in 1 2; do
        [ "${#sizes[@]}" -gt "$i" ] || break
        kib=$(((sizes[i - 1] + sizes[i]) / 2 / 1024))
        if [ $((kib * 1024)) -ge "${sizes[i]}" ] && [ $((kib * 1024)) -lt "${sizes[i - 1]}" ]; then
            limits+=("$kib")
        fi
    done
    cp -a base.idx f.idx
    for kib in "${limits[@]}"; do
        fail_under "$name" "$kib" "$@"
    done
    run "$@"
    [ "$rc" = 0 ] || fail "$name: without the limit: exit $rc"
    [ "$(checked f.idx)" = ok ] || fail "$name: check after the run without limit: $(checked f.idx)"
    answers f.idx queries A.f
    cmp -s A.ref A.f || fail "$name: without the limit: other answers than an untouched copy's"
}

full "index of $nb documents" "$G" index -q -i f.idx b.jsonl
full "index --memory 4M" "$G" index -q -i f.idx --memory 4M b.jsonl
full "index --optimize" "$G" index -q -i f.idx --optimize b.jsonl
# reindex reads a changed source (this changes no index)
sed -i 's/"body": "/"body": "Zyzzyva revision. /' parts/p00.jsonl
full "reindex" "$G" reindex -q -i f.idx
full "delete" "$G" delete -i f.idx 5 17 1999
full "index of $ntiny tiny documents" "$G" index -q -i f.idx dv.jsonl
full "index of $nwords documents of unique words" "$G" index -q -i f.idx dict.jsonl

# the failing write must have hit several kinds of file
printf '%s\n' "${kinds[@]}" | sort | uniq -c | sed 's/^ */full_disk: failed writes: /'
n=$(printf '%s\n' "${kinds[@]}" | sort -u | wc -l)
[ "$n" -ge 5 ] || fail "only $n kinds of file hit the limit"
printf '%s\n' "${kinds[@]}" | grep -qx MANIFEST || fail "the manifest never hit the limit"
if [ ${#unclear[@]} -gt 0 ]; then
    echo "FAIL: errors that do not give the system's reason (File too large):" >&2
    printf '  %s\n' "${unclear[@]}" >&2
    exit 1
fi
echo "full_disk: ok"
