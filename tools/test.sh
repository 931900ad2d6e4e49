#!/usr/bin/env bash
# Installs what is missing, checks formatting, builds, and runs every test with CTest, then the
# sanitizer jobs (tools/sanitize.sh; ROSTER_SANITIZERS=0 skips them). Exits non-zero on any
# failure.
# Long soak/crash/fuzz runs have short defaults here; see docs/testing.md for the long versions.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/format.sh --check
tools/build.sh
(cd build && ctest --output-on-failure --parallel "${JOBS:-$(nproc)}" --timeout 900 "$@")
tools/sanitize.sh "${ROSTER_SANITIZERS:-all}"
