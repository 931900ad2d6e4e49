// The test clock's offset file: what one write leaves is what the next start reads; no file is
// no offset; a file that does not hold an offset stops the start instead of being guessed at;
// a failed write says so.
#include "api/dispatch/test_clock_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "eventstore/testing/temp_dir.h"

namespace roster::api::dispatch {
namespace {

TEST(TestClockFileTest, WhatIsWrittenIsReadBackAndNoFileIsNoOffset) {
  eventstore::testing::TempDir tmp("roster-test-clock");
  const std::filesystem::path file = TestClockFile(tmp.path());
  EXPECT_EQ(file, tmp.path() / "test-clock");
  auto none = ReadTestClockOffset(file);
  ASSERT_TRUE(none.has_value()) << none.error();
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(WriteTestClockOffset(file, domain::Days(8)).has_value());
  ASSERT_TRUE(WriteTestClockOffset(file, domain::Days(9)).has_value());
  auto kept = ReadTestClockOffset(file);
  ASSERT_TRUE(kept.has_value()) << kept.error();
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ(**kept, domain::Days(9));
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
}

TEST(TestClockFileTest, AFileThatHoldsNoOffsetIsAnError) {
  eventstore::testing::TempDir tmp("roster-test-clock");
  const std::filesystem::path file = TestClockFile(tmp.path());
  for (const std::string& bad :
       std::vector<std::string>{"", "abc\n", "-5\n", "12 34\n", "99999999999999999999\n",
                                std::to_string(domain::OffsetClock::kMaxOffset.count() + 1)}) {
    std::ofstream(file, std::ios::trunc) << bad;
    auto read = ReadTestClockOffset(file);
    ASSERT_FALSE(read.has_value()) << "'" << bad << "'";
    EXPECT_NE(read.error().find("test-clock"), std::string::npos) << read.error();
  }
}

TEST(TestClockFileTest, AWriteThatCannotHappenSaysWhy) {
  eventstore::testing::TempDir tmp("roster-test-clock");
  auto written = WriteTestClockOffset(tmp.path() / "missing" / "test-clock", domain::Days(1));
  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().find("cannot write"), std::string::npos) << written.error();
}

}  // namespace
}  // namespace roster::api::dispatch
