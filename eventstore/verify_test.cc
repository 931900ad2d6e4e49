// Verify: the hash chain, and naming the exact record after its stored bytes are tampered with
// through RocksDB directly.
#include <gtest/gtest.h>

#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/raw_rocks.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::eventstore {
namespace {

using testing::Event;
using testing::OpenOrDie;
using testing::Request;
using testing::TempDir;

constexpr Position kRecords = 40;
constexpr Position kTampered = 17;

void Fill(const std::filesystem::path& dir) {
  auto store = OpenOrDie(dir);
  for (Position i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(store->Append(Request(testing::Numbered("s", i % 4), ExpectedVersion::Any(),
                                      {Event("t", "payload " + std::to_string(i))})));
  }
}

// Flips one byte at `offset` (negative: from the end) of the stored value at kTampered.
void FlipByte(const std::filesystem::path& dir, long offset) {
  testing::RawRocks raw(dir);
  const std::string key = internal::PositionKey(kTampered);
  std::string value = raw.Get("log", key).value();
  const size_t at = offset >= 0 ? static_cast<size_t>(offset) : value.size() + offset;
  value[at] = static_cast<char>(value[at] ^ 0x01);
  raw.Put("log", key, value);
}

struct Tamper {
  const char* what;
  long offset;
  const char* problem;  // a word the report must contain
};

class VerifyTamperTest : public ::testing::TestWithParam<Tamper> {};

TEST_P(VerifyTamperTest, NamesTheExactPosition) {
  TempDir tmp;
  Fill(tmp.path());
  FlipByte(tmp.path(), GetParam().offset);
  StoreOptions read_only = testing::FastOptions();
  read_only.read_only = true;
  auto store = OpenOrDie(tmp.path(), read_only);
  auto report = store->Verify(0, 0);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad, kTampered) << report->problem;
  EXPECT_EQ(report->checked, kTampered - 1);
  EXPECT_NE(report->problem.find("position " + std::to_string(kTampered)), std::string::npos)
      << report->problem;
  EXPECT_NE(report->problem.find(GetParam().problem), std::string::npos) << report->problem;
  // Before the tampered record the chain is still fine.
  EXPECT_TRUE(store->Verify(1, kTampered - 1)->ok);
}

constexpr long kHashes = 2 * internal::kHashSize;
INSTANTIATE_TEST_SUITE_P(
    Bytes, VerifyTamperTest,
    ::testing::Values(Tamper{"payload", -kHashes - 1, "hash mismatch"},
                      Tamper{"stream_version", internal::kBodyStreamOffset + 2, "hash mismatch"},
                      Tamper{"position", internal::kBodyPositionOffset, "says position"},
                      Tamper{"stream length", internal::kBodyStreamLengthOffset,
                             "cannot be decoded"},
                      Tamper{"prev_hash", -kHashes + 5, "broken link"},
                      Tamper{"hash", -3, "hash mismatch"}),
    [](const ::testing::TestParamInfo<Tamper>& info) {
      std::string name = info.param.what;
      for (char& c : name) c = (c == ' ' ? '_' : c);
      return name;
    });

TEST(VerifyTest, ADeletedRecordIsNamedMissing) {
  TempDir tmp;
  Fill(tmp.path());
  { testing::RawRocks(tmp.path()).Delete("log", internal::PositionKey(kTampered)); }
  auto store = OpenOrDie(tmp.path());
  auto report = store->Verify(0, 0);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad, kTampered);
  EXPECT_NE(report->problem.find("missing"), std::string::npos) << report->problem;
  // Reads notice the hole too, rather than return a log with a gap.
  auto read = store->ReadAll(1, kRecords);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kCorruption);
}

// A long range is verified in segments on several threads; every link still counts, including
// the one between two segments, and the first bad record is still the one named.
constexpr Position kLongLog = 150'000;            // two segments of at least 65,536 records each
constexpr Position kBoundary = 1 + kLongLog / 2;  // the second segment's first record

void FillLong(const std::filesystem::path& dir) {
  StoreOptions options = testing::FastOptions();
  options.sync = false;
  auto store = OpenOrDie(dir, options);
  for (Position i = 0; i < kLongLog / 1000; ++i) {
    std::vector<NewEvent> events;
    for (int e = 0; e < 1000; ++e) events.push_back(Event("t", "payload " + std::to_string(e)));
    ASSERT_TRUE(store->Append(
        Request(testing::Numbered("s", i % 4), ExpectedVersion::Any(), std::move(events))));
  }
}

void FlipLastByte(const std::filesystem::path& dir, Position position) {
  testing::RawRocks raw(dir);
  const std::string key = internal::PositionKey(position);
  std::string value = raw.Get("log", key).value();
  value.back() = static_cast<char>(value.back() ^ 0x01);  // in the stored hash
  raw.Put("log", key, value);
}

TEST(VerifyLongTest, SegmentsTogetherCheckEveryLinkAndNameTheFirstBadRecord) {
  TempDir tmp;
  FillLong(tmp.path());
  {
    auto store = OpenOrDie(tmp.path());
    std::vector<Position> progress;
    auto whole = store->Verify(0, 0, [&](Position p) { progress.push_back(p); });
    ASSERT_TRUE(whole);
    EXPECT_TRUE(whole->ok) << whole->problem;
    EXPECT_EQ(whole->checked, kLongLog);
    EXPECT_EQ(whole->last_hash, store->ReadAll(kLongLog, 1)->front().hash);
    ASSERT_FALSE(progress.empty());
    EXPECT_EQ(progress.back(), kLongLog);
  }
  {
    // A range past the end is split over the stored records only; the end is named missing.
    auto store = OpenOrDie(tmp.path());
    auto beyond = store->Verify(1, UINT64_MAX);
    ASSERT_TRUE(beyond);
    EXPECT_FALSE(beyond->ok);
    EXPECT_EQ(beyond->first_bad, kLongLog + 1) << beyond->problem;
    EXPECT_EQ(beyond->checked, kLongLog);
  }
  // The last record of the first segment: its stored hash anchors the second segment, so the
  // second segment sees a broken link at kBoundary; the report must still name kBoundary - 1.
  FlipLastByte(tmp.path(), kBoundary - 1);
  FlipLastByte(tmp.path(), kLongLog - 10);
  auto store = OpenOrDie(tmp.path());
  auto report = store->Verify(0, 0);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad, kBoundary - 1) << report->problem;
  EXPECT_EQ(report->checked, kBoundary - 2);
  EXPECT_NE(report->problem.find("hash mismatch"), std::string::npos) << report->problem;
  // Only the later one when verifying past the first.
  auto later = store->Verify(kBoundary + 1, 0);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->ok);
  EXPECT_EQ(later->first_bad, kLongLog - 10) << later->problem;
}

}  // namespace
}  // namespace roster::eventstore
