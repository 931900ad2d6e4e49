#!/usr/bin/env bash
# Configures and builds Roster into ./build (Release unless BUILD_TYPE says otherwise).
# Binaries land in build/bin/.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${BUILD_TYPE:-Release}
jobs=${JOBS:-$(nproc)}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build --parallel "$jobs"
