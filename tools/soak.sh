#!/usr/bin/env bash
# Runs the soak by hand: builds roster-soak (with rosterd and roster-admin beside it) into
# ./build, Release unless BUILD_TYPE says otherwise, then runs it with the arguments given:
#   tools/soak.sh --minutes 30
#   ROSTER_SOAK_MINUTES=30 ROSTER_SOAK_SEED=123 tools/soak.sh
# Exit status is roster-soak's: 0 every check held, 1 a failure, 2 bad usage, 3 the watchdog
# ended a run that hung. docs/testing.md, "The soak", describes it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build build --parallel "${JOBS:-$(nproc)}" --target roster-soak
exec build/bin/roster-soak "$@"
