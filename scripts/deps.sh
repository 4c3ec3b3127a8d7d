#!/usr/bin/env bash
# Install the Debian packages gazette needs to build, test and benchmark.
# Only what is missing is installed; safe to run again.
set -euo pipefail
pkgs=(cmake make gcc g++ clang pkg-config zstd
      libstemmer-dev libzstd-dev libutf8proc-dev libstreamvbyte-dev
      libxxhash-dev libjansson-dev libcmocka-dev libxapian-dev xapian-tools
      libsqlite3-dev gnuplot-nox python3)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
