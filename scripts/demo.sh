#!/usr/bin/env bash
# Build gazette, index the seed corpus and run a demo search.
# Installs missing Debian packages first (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
rm -rf build/news.idx
./build/gazette index -i build/news.idx corpus/
echo
echo '$ gazette search -i build/news.idx "lavrov tehran"'
./build/gazette search -i build/news.idx --color=always 'lavrov tehran'
