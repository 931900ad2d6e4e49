#!/usr/bin/env bash
# Quick start: installs missing Debian packages, builds Roster into ./build, and starts rosterd
# in the foreground on the embedded default: data in ./var/roster, listening on
# 127.0.0.1:7400 (the TCP API) and 127.0.0.1:7480 (HTTP/JSON, metrics, health; docs/http.md).
# The admin token is written to ./var/roster/admin.token on first start.
# Stop it with Ctrl-C (a graceful stop). Extra arguments go to rosterd (see `rosterd --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh
mkdir -p var
# --http is on unless the arguments name their own address.
http=(--http 127.0.0.1:7480)
for arg in "$@"; do
  [[ $arg == --http || $arg == --http=* ]] && http=()
done
exec build/bin/rosterd --data-dir var/roster "${http[@]}" "$@"
