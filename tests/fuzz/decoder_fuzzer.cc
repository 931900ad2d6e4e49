// libFuzzer entry point of one decoder target (targets.h). One source for all those fuzzers:
// tests/fuzz/CMakeLists.txt builds it once per target with ROSTER_FUZZ_TARGET naming the
// function. Built only by tests/fuzz/run_fuzz.sh with clang 14.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  roster::tests::fuzz::ROSTER_FUZZ_TARGET(std::span<const uint8_t>(data, size));
  return 0;
}
