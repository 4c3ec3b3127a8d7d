#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` into a temporary prefix, then the README's C program
# (tests/example/search.c, the same bytes) compiled against the installed
# library with pkg-config, run on an index built by the installed binary.
# Also: the installed manual page and shell completions are there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GZT_SOURCE=${GZT_SOURCE:-$(cd "$here/../.." && pwd)}
GZT_BUILD=${GZT_BUILD:-$GZT_SOURCE/build}
[ -f "$GZT_BUILD/cmake_install.cmake" ] || { echo "no build directory at $GZT_BUILD" >&2; exit 1; }
for tool in cmake cc pkg-config; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

## The example is the README's program, byte for byte.
python3 - "$GZT_SOURCE/README.md" "$GZT_SOURCE/tests/example/search.c" <<'EOF' ||
import re, sys
readme = open(sys.argv[1], encoding="utf-8").read()
sec = readme[readme.index("## The C library"):]
sec = sec[:sec.index("\n## ", 1)]
code = re.search(r"```c\n(.*?)```", sec, re.S).group(1)
assert code == open(sys.argv[2], encoding="utf-8").read(), "search.c != README"
EOF
    fail "tests/example/search.c differs from README.md's program"

## Install
cache_var() { # NAME DEFAULT: a path variable from the build's CMakeCache.txt
    local v
    v=$(sed -n "s/^$1:[A-Z]*=//p" "$GZT_BUILD/CMakeCache.txt" | head -1)
    echo "${v:-$2}"
}
libdir=$(cache_var CMAKE_INSTALL_LIBDIR lib)
mandir=$(cache_var CMAKE_INSTALL_MANDIR share/man)
datadir=$(cache_var CMAKE_INSTALL_DATADIR share)
prefix=$tmp/prefix
cmake --install "$GZT_BUILD" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "cmake --install"; }
for f in bin/gazette include/gazette.h "$libdir/libgazette.a" \
    "$libdir/pkgconfig/gazette.pc" "$mandir/man1/gazette.1" \
    "$datadir/bash-completion/completions/gazette" \
    "$datadir/zsh/vendor-completions/_gazette" \
    "$datadir/fish/vendor_completions.d/gazette.fish"; do
    [ -s "$prefix/$f" ] || fail "not installed (or empty): $f"
done
[ -x "$prefix/bin/gazette" ] || fail "installed gazette is not executable"
grep -q '^\.TH GAZETTE 1' "$prefix/$mandir/man1/gazette.1" || fail "man page header"
grep -q 'complete' "$prefix/$datadir/bash-completion/completions/gazette" ||
    fail "bash completion content"
bash -n "$prefix/$datadir/bash-completion/completions/gazette" || fail "bash completion syntax"
grep -q '^#compdef gazette' "$prefix/$datadir/zsh/vendor-completions/_gazette" ||
    fail "zsh completion lacks #compdef"
grep -q '^complete -c gazette' "$prefix/$datadir/fish/vendor_completions.d/gazette.fish" ||
    fail "fish completion content"
"$prefix/bin/gazette" --version | grep -qE '^gazette [0-9]' || fail "installed --version"

## Compile the example with pkg-config
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
pkg-config --exists gazette || fail "pkg-config does not find gazette.pc"
flags=$(pkg-config --cflags --libs --static gazette)
echo "pkg-config: $flags"
case " $flags " in *" -I$prefix/include "*) ;; *) fail "pkg-config cflags: $flags" ;; esac
for want in "-I$prefix/include" "-L$prefix/$libdir" -lgazette; do
    case " $flags " in
    *" $want "*) ;;
    *) fail "pkg-config flags lack $want: $flags" ;;
    esac
done
cp "$GZT_SOURCE/tests/example/search.c" "$tmp/search.c"
# A sanitizer build installs an instrumented library: link it the same way.
cc=cc
if [ "$(cache_var GAZETTE_SANITIZE OFF)" = ON ]; then
    cc=$(cache_var CMAKE_C_COMPILER cc)
    flags="-fsanitize=address,undefined $flags"
fi
# shellcheck disable=SC2086
(cd "$tmp" && "$cc" -std=c17 -Wall -Wextra -Werror -o search search.c $flags) ||
    fail "the README's program does not compile against the installed library"

## Run it on an index built by the installed binary
"$prefix/bin/gazette" index -q -i "$tmp/news.idx" "$GZT_SOURCE/corpus" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; fail "installed gazette index"; }
"$tmp/search" "$tmp/news.idx" tehran >"$tmp/out" || fail "search exited $?"
cat "$tmp/out"
[ "$(tail -1 "$tmp/out")" = "4 matches" ] || fail "expected '4 matches'"
# the same ranking as the command line
"$prefix/bin/gazette" search -i "$tmp/news.idx" --json tehran | python3 -c '
import json, sys
want = ["%d. %s %.4f" % (o["rank"], o["id"], o["score"])
        for o in map(json.loads, sys.stdin) if o["type"] == "hit"]
got = open(sys.argv[1]).read().splitlines()[:-1]
assert got == want, (got, want)' "$tmp/out" || fail "the example ranks differently from gazette search"
"$tmp/search" "$tmp/news.idx" zanzibar >"$tmp/out" || fail "no-match search exited $?"
[ "$(cat "$tmp/out")" = "0 matches" ] || fail "expected '0 matches'"
set +e
"$tmp/search" "$tmp/news.idx" '"unterminated' >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'column 1' "$tmp/err" || fail "syntax error: exit $rc, $(cat "$tmp/err")"
set +e
"$tmp/search" "$tmp/missing.idx" tehran >"$tmp/out" 2>"$tmp/err"; rc=$?
"$tmp/search" >/dev/null 2>&1; rc2=$?
set -e
[ "$rc" = 2 ] && [ -s "$tmp/err" ] || fail "missing index: exit $rc"
[ "$rc2" = 2 ] || fail "usage: exit $rc2"
echo "install_example: ok"
