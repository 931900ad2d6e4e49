#!/bin/sh
# Builds the fuzzers with clang 14 and runs them (see tests/fuzz/CMakeLists.txt).
# Usage: run_fuzz.sh [--build-only | --no-build] <source dir> <fuzz build dir> [target ...]
#   Configures and builds every fuzzer and seeds program in <fuzz build dir> (not with
#   --no-build), then fuzzes each target named (every one when none is; not with --build-only)
#   in turn: request, event, snapshot, export, config, http. Each starts from the corpus its seeds
#   program writes into <fuzz build dir>/corpus/<target>; findings go to
#   <fuzz build dir>/artifacts/<target>/, and a crash, a sanitizer report, a leak or an
#   escaping exception fails the run.
# Env: ROSTER_FUZZ_SECONDS (each target's time; default 30 for request, 15 for the others),
#   ROSTER_FUZZ_JOBS (build parallelism, default 2).
set -eu
build_step=yes
run_step=yes
case ${1:-} in
  --build-only) run_step=no; shift ;;
  --no-build) build_step=no; shift ;;
esac
src=$1
build=$2
shift 2
jobs=${ROSTER_FUZZ_JOBS:-2}

if [ "$build_step" = yes ]; then
  # -O1 with line tables: the usual fuzzing trade (fast enough, readable stacks) that also
  # keeps the build of the whole project under clang short. UndefinedBehaviorSanitizer stops at
  # its first report, so that libFuzzer counts it as a crash. compat/ supplies <expected> to
  # clang 14.
  flags="-O1 -gline-tables-only -fno-omit-frame-pointer \
-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined \
-I$src/tests/fuzz/compat"
  cmake -S "$src" -B "$build" -DROSTER_FUZZ=ON \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log"; exit 1; }
  cmake --build "$build" -j"$jobs" --target \
    request_fuzzer request_seeds event_fuzzer event_seeds snapshot_fuzzer snapshot_seeds \
    export_fuzzer export_seeds config_fuzzer config_seeds http_fuzzer http_seeds
fi
[ "$run_step" = yes ] || exit 0

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
[ $# -gt 0 ] || set -- request event snapshot export config http
for target in "$@"; do
  case $target in
    request) seconds=${ROSTER_FUZZ_SECONDS:-30} ;;
    event | snapshot | export | config | http) seconds=${ROSTER_FUZZ_SECONDS:-15} ;;
    *) echo "run_fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
  esac
  corpus=$build/corpus/$target
  rm -rf "$corpus"
  if [ "$target" = config ]; then
    "$build/bin/config_seeds" "$corpus" "$src"
  else
    "$build/bin/${target}_seeds" "$corpus"
  fi
  # The request target's Node keeps threads working between inputs (the live projection loop,
  # a rebuild an input asked for), and libFuzzer's leak check after an input, which stops the
  # process wherever they are, can take memory held on a running thread's stack for a leak
  # (google/sanitizers#757). Its leaks are checked when the fuzzer exits, after the Node stopped.
  leaks_per_input=1
  [ "$target" != request ] || leaks_per_input=0
  mkdir -p "$build/artifacts/$target"
  echo "fuzzing $target for $seconds s"
  "$build/bin/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -detect_leaks="$leaks_per_input" -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target/" "$corpus"
done
