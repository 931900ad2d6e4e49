#include "tests/fuzz/targets.h"

#include <cstdio>
#include <cstdlib>

namespace roster::tests::fuzz {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz target: %s\n", what);
  std::abort();
}

}  // namespace roster::tests::fuzz
