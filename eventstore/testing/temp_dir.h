// TempDir: a fresh directory under `base` (default: $TMPDIR, else /tmp), removed with everything
// in it when the TempDir goes. For tests and benchmarks. Not copyable.
#pragma once

#include <filesystem>
#include <string_view>

namespace roster::eventstore::testing {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "roster-test", const std::filesystem::path& base = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A path inside the directory that does not exist yet.
  std::filesystem::path Sub(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace roster::eventstore::testing
