# shellcheck shell=bash
# Shared setup and assertions of the end-to-end tests (sourced, not run).
# Sets GZT_SOURCE, GZT_SHARED, G (the gazette binary) and tmp (a temporary
# directory removed at exit).
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
GZT_SOURCE=${GZT_SOURCE:-$(cd "$here/../.." && pwd)}
GZT_SHARED=${GZT_SHARED:-$GZT_SOURCE/../shared}
G=${GAZETTE:-$GZT_SOURCE/build/gazette}
[ -x "$G" ] || { echo "no gazette binary at $G" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# run CMD...: run it, stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() { set +e; "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e; }
fail() {
    echo "FAIL: $*" >&2
    sed 's/^/  stdout| /' "$tmp/out" | head -40 | cut -c1-300 | cat -v >&2
    sed 's/^/  stderr| /' "$tmp/err" | head -20 | cut -c1-300 >&2
    exit 1
}
# expect STATUS CMD...: run it and require that exit status.
expect() {
    local want=$1
    shift
    run "$@"
    [ "$rc" = "$want" ] || fail "exit $rc, want $want: $(echo "$*" | cut -c1-200)"
}
# has / hasnt TEXT [out|err]: the last output contains (or lacks) TEXT.
has() { grep -qF -- "$1" "$tmp/${2:-out}" || fail "no '$1' in ${2:-out}"; }
hasnt() { ! grep -qF -- "$1" "$tmp/${2:-out}" || fail "unwanted '$1' in ${2:-out}"; }

# skip REASON: exit 77 (CTest's skip) with REASON, or fail when CI=true,
# where every test must run.
skip() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $* (required when CI=true)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}
