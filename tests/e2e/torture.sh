#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Crash safety (issue 6): gazette index, reindex and delete on Reuters-21578
# killed with SIGKILL at random moments, at least 50 times per run.
#
# A fixed sequence of seven operations (index of the first half, index of
# the second half with a small --memory so that segments are flushed and
# merged while it runs, delete of ~300 ids, index of changed and new
# documents, reindex, delete of ~200 ids, index --optimize) is first run
# uninterrupted: a copy of the index after each operation is state S1..S7
# (S0: no index), and the answers of each state to a fixed set of queries
# (exit status, total and top 10 ids with scores of `gazette search
# --json`) and its generation are the reference. Entity recognition is off:
# it would double the time spent reading documents, before anything is
# written, and so halve the kills that land while files are written.
#
# Then each trial restores S(k-1) into a scratch directory and kills
# operation k after a random delay (spread over the operation's reference
# duration: some right at the start, many around the commit, some past the
# end), up to four times in a row (two under the sanitizer) while the index
# stays at S(k-1), so a later kill also meets the leftovers of the earlier
# ones. After each kill the operation must not have failed by itself,
# `gazette check` must pass and the index must answer exactly as S(k-1)
# (the generation unchanged) or as S(k) (the next generation: the commit
# finished; an operation that exited 0 must have committed). Then the same
# operation runs again uninterrupted: the kernel released the dead
# writer's flock, so the LOCK file left behind must not block it, the
# leftovers must not disturb it, and the index must then pass check and
# answer as S(k); then gazette gc must leave only the files the manifest
# names, and the answers unchanged.
#
# The same on the Xapian engine (one shard), fewer times: index of 1,500
# documents, index of 1,500 more, delete of 50, reindex. There a kill
# between the commit of the shard and the manifest's leaves the new
# generation complete but the manifest (and gazette stats) at the old
# number until the next commit, as docs/RELIABILITY.md says: that counts as
# the new generation ("with the manifest behind").
#
# The kill delays come from $RANDOM seeded with TORTURE_SEED (printed;
# TORTURE_SEED=N bash torture.sh makes the same random choices again, though
# the machine's timing, which the delays follow, differs). TORTURE_KILLS
# sets the number of kills on the native engine: 52 by default (and 10 on
# Xapian); 12 under the sanitizer build (GZT_SANITIZE=1; and 4), which also
# uses only the first 4,000 documents (and 1,000). Prints e.g. `torture:
# native: 52 kills, 41 old generation, 11 new, 0 lost`. Wrong states do not
# stop the run: all are reported at the end.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/state.sh"
data=$GZT_SHARED/data/reuters21578/reuters21578.jsonl.zst
[ -r "$data" ] || skip "no Reuters-21578 at $data"
command -v zstdcat >/dev/null || skip "zstd is not installed"

seed=${TORTURE_SEED:-$(($(date +%s%N) / 1000 % 1000000))}
RANDOM=$seed
# kills per restore of S(k-1): a later kill meets the earlier ones' leftovers
if [ "${GZT_SANITIZE:-}" = 1 ]; then
    kills=${TORTURE_KILLS:-12} tries=2 xkills=4
else
    kills=${TORTURE_KILLS:-52} tries=4 xkills=10
fi
echo "torture: TORTURE_SEED=$seed, $kills kills (and $xkills on the Xapian engine)"
start=$SECONDS
cd "$tmp"

## The data: two halves of Reuters (of its first 4,000 documents under the
## sanitizer), changed and new documents, ids to delete.
zstdcat -q "$data" >reuters.jsonl
if [ "${GZT_SANITIZE:-}" = 1 ]; then n=4000; else n=21578; fi
head -n $((n / 2)) reuters.jsonl >a.jsonl
sed -n "$((n / 2 + 1)),${n}p" reuters.jsonl >b.jsonl
cat a.jsonl b.jsonl >all.jsonl
# c: 400 documents of the first half with a changed body (replaced), and
# 200 documents under new ids (added); d: 100 more new ones
{
    sed -n '1001,1400p' a.jsonl | sed 's/"body": "/"body": "Zyzzyva revision. /'
    sed -n '1501,1700p' a.jsonl | sed 's/^{"id": \([0-9]*\),/{"id": "n\1",/'
} >c.jsonl
sed -n '101,200p' b.jsonl |
    sed -e 's/^{"id": \([0-9]*\),/{"id": "m\1",/' \
        -e 's/"body": "/"body": "Quagga addendum. /' >d.jsonl
ids() { sed 's/^{"id": "\{0,1\}\([0-9a-z]*\)"\{0,1\},.*/\1/'; }
mapfile -t del1 < <(sed -n '1~70p' all.jsonl | ids)
mapfile -t del2 < <({
    sed -n '50~110p' all.jsonl
    sed -n '1~20p' c.jsonl
} | ids)
if [ ${#del1[@]} -lt 50 ] || [ ${#del2[@]} -lt 50 ]; then fail "ids to delete"; fi

state_queries queries

# x1, x2: two halves of the first 3,000 documents (1,000 under the
# sanitizer), for the Xapian engine
if [ "${GZT_SANITIZE:-}" = 1 ]; then nx=500; else nx=1500; fi
head -n "$nx" reuters.jsonl >x1.jsonl
sed -n "$((nx + 1)),$((2 * nx))p" reuters.jsonl >x2.jsonl
mapfile -t xdel < <(sed -n '1~60p' x1.jsonl x2.jsonl | ids)

## Operations, states and answers. States are $engine-S$k.idx, their
## answers $engine-A$k.
# opcmd K DIR: the command of operation K of $engine on index DIR, in cmd
opcmd() {
    case $engine:$1 in
    native:1) cmd=("$G" index -q -i "$2" --no-entities a.jsonl) ;;
    native:2) cmd=("$G" index -q -i "$2" --memory 4M b.jsonl) ;;
    native:3) cmd=("$G" delete -i "$2" "${del1[@]}") ;;
    native:4) cmd=("$G" index -q -i "$2" c.jsonl) ;;
    native:5) cmd=("$G" reindex -q -i "$2") ;;
    native:6) cmd=("$G" delete -i "$2" "${del2[@]}") ;;
    native:7) cmd=("$G" index -q -i "$2" --optimize d.jsonl) ;;
    xapian:1) cmd=("$G" index -q -i "$2" --engine xapian --no-entities x1.jsonl) ;;
    xapian:2) cmd=("$G" index -q -i "$2" x2.jsonl) ;;
    xapian:3) cmd=("$G" delete -i "$2" "${xdel[@]}") ;;
    xapian:4) cmd=("$G" reindex -q -i "$2") ;;
    esac
}
# deleting: is operation K of $engine a delete (exit 1 when run again)?
deleting() {
    case $engine:$1 in
    native:3 | native:6 | xapian:3) return 0 ;;
    *) return 1 ;;
    esac
}
# leftovers DIR: the files of index DIR that its manifest does not name
leftovers() {
    {
        echo LOCK
        echo MANIFEST
        sed -n 's/^segment \([0-9]*\) .* del \([^ ]*\)$/\1 \2/p' "$1/MANIFEST" |
            while read -r id del; do
                for e in dict post pos dv store ids; do
                    printf 'seg-%06d.%s\n' "$id" "$e"
                done
                [ "$del" = - ] || echo "$del"
            done
        "$G" stats -i "$1" --json | grep -o '"shard_dirs":\[[^]]*\]' |
            cut -d: -f2 | tr -d '[]"' | tr , '\n'
    } | sort >named
    (cd "$1" && ls -A) | sort | comm -23 - named
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# reference ENGINE OPERATION...: the uninterrupted run of the operations
# (descriptions) of ENGINE: their states, answers, generations, durations
declare -a gen dur desc
reference() {
    local k
    engine=$1
    shift
    desc=("" "$@")
    nops=$#
    answers "$engine-S0.idx" queries "$engine-A0"
    gen[0]=$(generation "$engine-S0.idx")
    [ "${gen[0]}" = none ] || fail "$engine: S0: generation ${gen[0]}"
    for k in $(seq "$nops"); do
        [ "$k" = 1 ] || cp -a "$engine-S$((k - 1)).idx" "$engine-S$k.idx"
        opcmd "$k" "$engine-S$k.idx"
        t0=$(now_ms)
        run "${cmd[@]}"
        dur[k]=$(($(now_ms) - t0))
        [ "$rc" = 0 ] || fail "$engine: reference run: operation $k: exit $rc"
        [ "$(checked "$engine-S$k.idx")" = ok ] ||
            fail "$engine: reference run: S$k: check: $(checked "$engine-S$k.idx")"
        answers "$engine-S$k.idx" queries "$engine-A$k"
        gen[k]=$(generation "$engine-S$k.idx")
        ! cmp -s "$engine-A$((k - 1))" "$engine-A$k" ||
            fail "$engine: operation $k changed no answer"
        echo "torture: $engine: operation $k (${desc[k]}): ${dur[k]} ms, generation ${gen[k]}"
    done
}

bugs=()
bug() { bugs+=("$engine: $*"); }
# trials KILLS TRIES: kill the operations of $engine KILLS times, TRIES
# times per restored state at most (see above); prints the summary
trials() {
    local kills=$1 tries=$2 k try d r delay pid st c g state wantc want
    local nkill=0 nold=0 nnew=0 nlost=0 ncheck=0 ndone=0 nbehind=0 group=0 t=$SECONDS
    local S=$engine-S A=$engine-A
    while [ "$nkill" -lt "$kills" ]; do
        k=$((group % nops + 1))
        group=$((group + 1))
        rm -rf s.idx
        [ "$k" = 1 ] || cp -a "$S$((k - 1)).idx" s.idx
        state=old
        for try in $(seq "$tries"); do
            if [ "$state" != old ] || [ "$nkill" -ge "$kills" ]; then break; fi
            # the delay: 10% right at the start, 25% near the end (the
            # commit), 5% past it, the rest anywhere in the reference duration
            d=${dur[k]}
            r=$((RANDOM % 20))
            if [ "$r" -lt 2 ]; then
                delay=$((RANDOM % 20))
            elif [ "$r" -lt 7 ]; then
                delay=$((d * 7 / 10 + RANDOM % (d * 3 / 10 + 1)))
            elif [ "$r" -lt 8 ]; then
                delay=$((d + RANDOM % (d / 5 + 1)))
            else
                delay=$((RANDOM % (d + 1)))
            fi
            what="trial $((nkill + 1)) (TORTURE_SEED=$seed): operation $k (${desc[k]}), kill after $delay ms (try $try)"
            opcmd "$k" s.idx
            "${cmd[@]}" >op.out 2>op.err &
            pid=$!
            sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
            kill -9 "$pid" 2>/dev/null || true
            st=0
            wait "$pid" 2>/dev/null || st=$?
            nkill=$((nkill + 1))
            case $st in
            137) ;;
            0) # ended before the kill: the machine is faster than measured
                ndone=$((ndone + 1))
                dur[k]=$((dur[k] * 4 / 5))
                ;;
            *) bug "$what: the operation failed by itself: exit $st: $(head -2 op.err)" ;;
            esac
            c=$(checked s.idx)
            g=$(generation s.idx)
            answers s.idx queries got
            if [ "$g" = "${gen[k - 1]}" ] && cmp -s got "$A$((k - 1))"; then
                state=old
            elif [ "$g" = "${gen[k]}" ] && cmp -s got "$A$k"; then
                state=new
            elif [ "$engine" = xapian ] && [ "$g" = "${gen[k - 1]}" ] && cmp -s got "$A$k"; then
                # killed between the shard's commit and the manifest's:
                # the new generation, complete, under the old number until
                # the next commit (docs/RELIABILITY.md)
                state=new
                nbehind=$((nbehind + 1))
            else
                state=lost
            fi
            # no index yet (S0) is what check says of a directory never indexed
            wantc=ok
            if [ "$state" = old ] && [ "$k" = 1 ]; then wantc=none; fi
            if [ "$c" != "$wantc" ]; then
                ncheck=$((ncheck + 1))
                bug "$what: gazette check: $c"
            fi
            case $state in
            old)
                nold=$((nold + 1))
                [ "$st" != 0 ] || bug "$what: the operation exited 0, but its commit is lost"
                ;;
            new) nnew=$((nnew + 1)) ;;
            lost)
                nlost=$((nlost + 1))
                bug "$what: generation $g, answers equal neither S$((k - 1))'s (generation ${gen[k - 1]}) nor S$k's (generation ${gen[k]}):
$(diff "$A$((k - 1))" got | head -5 | cut -c1-160)
against S$k:
$(diff "$A$k" got | head -5 | cut -c1-160)"
                break
                ;;
            esac
        done
        [ "$state" != lost ] || continue
        # the same operation again, uninterrupted, over the dead writer's
        # LOCK and leftovers; a delete whose commit survived finds none of
        # its ids
        what="trial $nkill (TORTURE_SEED=$seed): operation $k (${desc[k]}), run again after the kill ($state)"
        opcmd "$k" s.idx
        t0=$(now_ms)
        run "${cmd[@]}"
        # the delays follow the machine's load: each uninterrupted run from
        # S(k-1) moves the duration halfway to its own
        if [ "$state" = old ] && [ "$rc" = 0 ]; then
            dur[k]=$(((dur[k] + $(now_ms) - t0) / 2))
        fi
        want=0
        if [ "$state" = new ] && deleting "$k"; then want=1; fi
        [ "$rc" = "$want" ] || bug "$what: exit $rc, want $want: $(head -2 "$tmp/err")"
        c=$(checked s.idx)
        [ "$c" = ok ] || bug "$what: gazette check: $c"
        answers s.idx queries got
        cmp -s got "$A$k" || bug "$what: answers differ from S$k's:
$(diff "$A$k" got | head -5 | cut -c1-160)"
        # gc removes what the killed runs left and nothing else
        if [ -f s.idx/MANIFEST ]; then
            run "$G" gc -i s.idx
            [ "$rc" = 0 ] || bug "$what: gc: exit $rc: $(head -2 "$tmp/err")"
            [ -z "$(leftovers s.idx)" ] || bug "$what: left after gc: $(leftovers s.idx | tr '\n' ' ')"
            answers s.idx queries got
            cmp -s got "$A$k" || bug "$what: answers after gc differ from S$k's"
        fi
    done
    echo "torture: $engine: $nkill kills, $nold old generation, $nnew new, $nlost lost" \
        "($ndone operations had ended, $nbehind new with the manifest behind," \
        "$ncheck failed checks, $group restores, $((SECONDS - t)) s)"
}

reference native "index --no-entities of the first half" \
    "index --memory 4M of the second half" "delete of ${#del1[@]} ids" \
    "index of 400 changed and 200 new documents" "reindex" \
    "delete of ${#del2[@]} ids" "index --optimize of 100 new documents"
if ! grep -q '^ zyzzyva	0	1' native-A4 || ! grep -q '^ quagga	0	m' native-A7; then
    fail "the changed and new documents are not found"
fi
trials "$kills" "$tries"

reference xapian "index --engine xapian of $nx documents" \
    "index of $nx more" "delete of ${#xdel[@]} ids" "reindex"
trials "$xkills" 2

echo "torture: $((SECONDS - start)) s"
if [ ${#bugs[@]} -gt 0 ]; then
    for b in "${bugs[@]}"; do
        echo "FAIL: $b" | sed '2,$s/^/  /' >&2
    done
    exit 1
fi
