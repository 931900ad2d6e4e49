// Replays every input under tests/fuzz/regressions/<target>/ through its decoder target
// (targets.h): the inputs a fuzzer once failed on, kept so that their fixes stay. A broken
// promise aborts the binary with the target's message after the input's name.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/fuzz/targets.h"

namespace roster::tests::fuzz {
namespace {

size_t Replay(const std::string& target, void (*fuzz)(std::span<const uint8_t>)) {
  const std::filesystem::path dir = std::filesystem::path(ROSTER_FUZZ_REGRESSIONS) / target;
  if (!std::filesystem::exists(dir)) return 0;
  size_t replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replaying %s\n", entry.path().c_str());
    fuzz(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ++replayed;
  }
  return replayed;
}

TEST(FuzzReplayTest, EventRecords) { Replay("event", FuzzEventRecord); }
TEST(FuzzReplayTest, Snapshots) { Replay("snapshot", FuzzSnapshot); }
TEST(FuzzReplayTest, ExportFiles) { Replay("export", FuzzExportFile); }
TEST(FuzzReplayTest, ConfigFiles) { Replay("config", FuzzConfigFile); }
TEST(FuzzReplayTest, HttpRequests) { EXPECT_GT(Replay("http", FuzzHttpRequest), 0u); }

}  // namespace
}  // namespace roster::tests::fuzz
