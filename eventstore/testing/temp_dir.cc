#include "eventstore/testing/temp_dir.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace roster::eventstore::testing {

TempDir::TempDir(std::string_view prefix, const std::filesystem::path& base) {
  const char* env = std::getenv("TMPDIR");
  std::string pattern = !base.empty()                    ? base.string()
                        : env != nullptr && *env != '\0' ? std::string(env)
                                                         : std::string("/tmp");
  pattern += "/";
  pattern += prefix;
  pattern += "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // best effort: a leftover temp directory is harmless
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace roster::eventstore::testing
