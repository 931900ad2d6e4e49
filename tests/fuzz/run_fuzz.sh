#!/bin/sh
# Builds the request fuzzer with clang 14 and runs it (see tests/fuzz/CMakeLists.txt).
# Usage: run_fuzz.sh <source dir> <fuzz build dir>
# Env: ROSTER_FUZZ_SECONDS (default 60), ROSTER_FUZZ_JOBS (build parallelism, default 2).
set -eu
src=$1
build=$2
seconds=${ROSTER_FUZZ_SECONDS:-60}
jobs=${ROSTER_FUZZ_JOBS:-2}

# -O1 with line tables: the usual fuzzing trade (fast enough, readable stacks) that also keeps
# the build of the whole project under clang short. compat/ supplies <expected> to clang 14.
flags="-O1 -gline-tables-only -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link \
-I$src/tests/fuzz/compat"
cmake -S "$src" -B "$build" -DROSTER_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target request_fuzzer request_seeds -j"$jobs"

corpus=$build/corpus
rm -rf "$corpus"
"$build/bin/request_seeds" "$corpus"
# Findings go to $build/artifacts; a crash, a leak or an escaping exception fails the test.
mkdir -p "$build/artifacts"
exec "$build/bin/request_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix="$build/artifacts/" "$corpus"
