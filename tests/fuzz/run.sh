#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh: run the libFuzzer targets of tests/fuzz under ASan + UBSan.
#
#   tests/fuzz/run.sh SECONDS [--merge] [TARGET...]
#
# Configures and builds build-fuzz/ (clang, -DGAZETTE_FUZZ=ON
# -DGAZETTE_SANITIZE=ON), then runs each TARGET (the NAME of
# tests/fuzz/fuzz_NAME.c; all of them when none is given) for SECONDS
# seconds, one after another. Each starts from its committed corpus
# tests/fuzz/corpus/NAME (with tests/fuzz/NAME.dict when there is one) and
# writes the new inputs it finds to build-fuzz/fuzz/NAME/corpus, so that the
# repository stays clean. With --merge, those are then minimised into the
# committed corpus (libFuzzer's -merge=1): review them before committing.
#
# Prints per target the inputs run, executions per second and the coverage
# gained. A crash, leak, timeout (-timeout=10) or memory blow-up
# (-rss_limit_mb=2048) stops that target and leaves the input under
# build-fuzz/fuzz/NAME/ (the path is printed; reproduce it with
# build-fuzz/tests/fuzz/fuzz_NAME FILE, or with replay_NAME FILE in any other
# build); the other targets still run, and the exit status is then 1.
#
# Examples:
#   tests/fuzz/run.sh 60                  # every target for a minute
#   tests/fuzz/run.sh 600 query segment   # two targets for ten minutes
#   tests/fuzz/run.sh 300 --merge csv     # and keep what it found
set -uo pipefail
cd "$(dirname "$0")/../.."

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -ge 1 ] || usage
seconds=$1
shift
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
merge=0
targets=()
for a in "$@"; do
    case $a in
    --merge) merge=1 ;;
    -*) usage ;;
    *) targets+=("$a") ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        n=${f#tests/fuzz/fuzz_}
        targets+=("${n%.c}")
    done
fi
for t in "${targets[@]}"; do
    if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
        echo "run.sh: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2
        exit 2
    fi
done

build=build-fuzz
echo "== configure and build $build (clang, libFuzzer, ASan + UBSan)"
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGAZETTE_WERROR=ON -DGAZETTE_SANITIZE=ON -DGAZETTE_FUZZ=ON \
    >/dev/null || exit 2
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" >/dev/null ||
    { cmake --build "$build" -j1 --target "${targets[@]/#/fuzz_}"; exit 2; }

# libxapian 1.4.22 deletes one of its own objects through a pointer to a
# smaller type (see scripts/test.sh)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:new_delete_type_mismatch=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-10s %12s %10s %14s %10s  %s\n' target runs exec/s "cov (new)" \
    "new units" result
for t in "${targets[@]}"; do
    out=$build/fuzz/$t
    mkdir -p "$out/corpus"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
    log=$out/log
    # the targets' scratch files (fuzzkit.c), removed even after a crash
    shm=/dev/shm
    [ -d $shm ] && [ -w $shm ] || shm=/tmp
    scratch=$(mktemp -d $shm/gzt-run.XXXXXX) || exit 2
    TMPDIR=$scratch "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/" "${dict[@]}" "$out/corpus" \
        "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    rm -rf "$scratch"
    # "#123 INITED cov: 456 ft: ..." then "#N ... cov: C ft: ..." lines
    cov0=$(grep -m1 -o 'INITED cov: [0-9]*' "$log" | grep -o '[0-9]*$')
    cov1=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
        grep -o '[0-9]*$')
    eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" |
        grep -o '[0-9]*$')
    units=$(grep -o 'stat::new_units_added: *[0-9]*' "$log" | grep -o '[0-9]*$')
    result=ok
    if [ $rc -ne 0 ]; then
        art=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1)
        result="FAILED (exit $rc) ${art#Test unit written to }; log $log"
        failed+=("$t")
    fi
    printf '%-10s %12s %10s %14s %10s  %s\n' "$t" "${runs:-?}" "${eps:-?}" \
        "${cov1:-?} (+$(( ${cov1:-0} - ${cov0:-0} )))" "${units:-?}" \
        "$result"
    if [ $rc -ne 0 ]; then
        pat='ERROR: (Address|Leak)Sanitizer|ERROR: libFuzzer|runtime error'
        grep -m1 -B2 -A12 -E "$pat|fuzz check failed" "$log" |
            sed 's/^/    /'
    elif [ $merge -eq 1 ]; then
        "$build/tests/fuzz/fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=2048 \
            "tests/fuzz/corpus/$t" "$out/corpus" >"$out/merge.log" 2>&1 ||
            { echo "    merge failed: $out/merge.log"; failed+=("$t"); }
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
