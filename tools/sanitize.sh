#!/usr/bin/env bash
# Builds and runs the tests under the sanitizers, each job in its own build directory:
#   asan  every test (crash and end-to-end included: the programs they start are built the
#         same way) under AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/
#   tsan  the tests of the concurrent parts under ThreadSanitizer, in build-tsan/
# Usage: tools/sanitize.sh [asan|tsan|all|0]   (default: $ROSTER_SANITIZERS, else all)
# tools/test.sh (and so CI) runs it after the normal suite; docs/testing.md has the details.
# Env: JOBS (build and test parallelism, default nproc), CXX (compiler, default g++).
# Fails on any failing test and on any sanitizer report, from a test or from a program a test
# started (reports go to files in <build>/sanitizer-reports/ and are printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
selected=${1:-${ROSTER_SANITIZERS:-all}}
jobs=${JOBS:-$(nproc)}
cxx=${CXX:-g++}

# -O1 with line tables: readable stacks and a short build.
common_flags="-O1 -g1 -fno-omit-frame-pointer"
# _GLIBCXX_ASSERTIONS adds libstdc++'s cheap checks (bounds of operator[], access to an empty
# optional or expected) to what the sanitizers see.
asan_flags="$common_flags -fsanitize=address,undefined -fno-sanitize-recover=all \
-D_GLIBCXX_ASSERTIONS"
# g++ links ASan and UBSan as two runtimes, and with libasan shared, UBSan's reports ignore
# log_path (its call to set the path binds to libasan's copy) and go to stderr, where the
# output of a program started by a test can get lost. Linked statically, each keeps its own.
asan_link_flags="$asan_flags -static-libasan -static-libubsan"
tsan_flags="$common_flags -fsanitize=thread"

# The concurrent parts: the event log's group commit and subscriptions, the projection engine,
# the command service, the servers (TCP and HTTP), the client and the webhook workers.
tsan_tests=(
  eventstore_test
  projection_engine_test
  projections_test
  command_service_test
  http_test
  server_flow_test
  server_input_test
  server_security_test
  server_stream_test
  server_tls_test
  token_store_test
  webhooks_test
)

# timed <what> <command...>: runs the command and prints its wall and CPU time.
timed() {
  local what=$1
  shift
  local TIMEFORMAT="roster: $what: %0R s wall, %0U s user, %0S s system"
  time "$@"
}

# build <dir> <compile flags> <link flags> <targets...>
build() {
  local dir=$1 flags=$2 link_flags=$3
  shift 3
  mkdir -p "$dir"
  echo "roster: building $dir with $cxx $flags"
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log"; return 1; }
  cmake --build "$dir" --parallel "$jobs" --target "$@"
}

# run_tests <dir> <ctest arguments...>: runs ctest there, then fails on any report file.
run_tests() {
  local dir=$1
  shift
  local status=0
  (cd "$dir" && ctest --output-on-failure --timeout 900 "$@") || status=$?
  shopt -s nullglob
  local reports=("$dir"/sanitizer-reports/*)
  shopt -u nullglob
  if ((${#reports[@]} > 0)); then
    echo "roster: ${#reports[@]} sanitizer report(s) in $dir/sanitizer-reports:" >&2
    for r in "${reports[@]}"; do
      echo "==== $r" >&2
      cat "$r" >&2
    done
    status=1
  fi
  return "$status"
}

# A fresh directory for the reports of one job.
reports_dir() {
  rm -rf "$1/sanitizer-reports"
  mkdir -p "$1/sanitizer-reports"
  echo "$1/sanitizer-reports"
}

run_asan() {
  local dir=$root/build-asan reports
  timed "asan build" build "$dir" "$asan_flags" "$asan_link_flags" roster_tests
  reports=$(reports_dir "$dir")
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:\
check_initialization_order=1:strict_init_order=1:strict_string_checks=1:log_path=$reports/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
  # The fuzz test builds a tree of its own with AddressSanitizer (tests/fuzz/run_fuzz.sh) and
  # ran in the normal suite. The soak also ran there: its load passes through the same code the
  # end-to-end tests run here, it is among the longest tests of a CI run bounded at 60 minutes,
  # and under ASan its memory check measures the sanitizer's shadow memory, not ours. The crash
  # tests run alone afterwards: they kill their child at random moments and expect it to be
  # appending by most of them, which an instrumented child starting on a core shared with other
  # tests often is not yet.
  timed "asan tests" run_tests "$dir" --parallel "$jobs" -LE '^(fuzz|crash|soak)$'
  timed "asan crash tests" run_tests "$dir" --parallel 1 -L '^crash$'
  unset ASAN_OPTIONS UBSAN_OPTIONS
}

run_tsan() {
  local dir=$root/build-tsan reports labels
  timed "tsan build" build "$dir" "$tsan_flags" "$tsan_flags" "${tsan_tests[@]}"
  reports=$(reports_dir "$dir")
  # history_size=4 (of 7) keeps 512K accesses per thread instead of 128K, so that both stacks of
  # a race between far-apart accesses are still there to print.
  export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:history_size=4:\
suppressions=$root/tools/tsan_suppressions.txt:log_path=$reports/tsan"
  # Every case carries its binary's name as a label (cmake/roster_test.cmake).
  labels="^($(
    IFS='|'
    echo "${tsan_tests[*]}"
  ))\$"
  timed "tsan tests" run_tests "$dir" --parallel "$jobs" -L "$labels"
  unset TSAN_OPTIONS
}

case $selected in
  0 | none | off) echo "roster: sanitizers skipped (ROSTER_SANITIZERS=$selected)" ;;
  asan) run_asan ;;
  tsan) run_tsan ;;
  all)
    run_asan
    run_tsan
    ;;
  *)
    echo "roster: unknown sanitizer job '$selected' (asan, tsan, all or 0)" >&2
    exit 2
    ;;
esac
