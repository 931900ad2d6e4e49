#!/usr/bin/env bash
# Installs the Debian 12 packages Roster builds and tests with, when any is missing.
# Sourced or run by tools/quickstart.sh and tools/test.sh; safe to run again.
set -euo pipefail

roster_packages=(
  build-essential cmake pkg-config
  librocksdb-dev rocksdb-tools
  capnproto libcapnp-dev
  libboost-dev
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  libssl-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libpq-dev postgresql-15
  clang-14 libfuzzer-14-dev clang-format-14
)

missing=()
for p in "${roster_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The console's browser test (docs/testing.md, label "browser") needs Chromium, Node and npm.
# Checked by command rather than by package: a Node.js from elsewhere (NodeSource's nodejs
# ships npm itself and conflicts with Debian's npm package) serves as well.
command -v chromium >/dev/null || missing+=(chromium)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "roster: installing missing Debian packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "roster: not root; run as root or install the packages above with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
