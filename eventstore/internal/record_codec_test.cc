#include "eventstore/internal/record_codec.h"

#include <gtest/gtest.h>

#include "eventstore/internal/record_format.h"
#include "eventstore/internal/sha256.h"
#include "eventstore/testing/store_helpers.h"

namespace roster::eventstore::internal {
namespace {

using testing::Event;

std::string StoredValue(std::string_view stream, const NewEvent& event, const EventMetadata& meta,
                        Position position, StreamVersion version, const Hash& prev) {
  std::string body = internal::EncodeBody(stream, event, meta);
  internal::PatchBody(body, stream.size(), position, version);
  Sha256 sha = Sha256::Create().value();
  const Hash hash = sha.Of(AsBytes(prev), body).value();
  body.append(AsBytes(prev));
  body.append(AsBytes(hash));
  return body;
}

TEST(RecordCodecTest, RoundTripsEveryField) {
  EventMetadata meta{"actor", "cmd", "corr", "source", 123456789};
  const std::string stream("org\0with\xffnul", 13);
  const NewEvent event = Event("member.invited", std::string("\0\1\2payload", 10), 7);
  Hash prev{};
  prev[0] = 0xab;
  const std::string value = StoredValue(stream, event, meta, 42, 9, prev);
  EXPECT_EQ(value.size(), internal::BodySize(stream, event, meta) + 2 * internal::kHashSize);

  auto view = internal::ParseRecord(value);
  ASSERT_TRUE(view) << view.error();
  const Record record = internal::ToRecord(*view);
  EXPECT_EQ(record.position, 42u);
  EXPECT_EQ(record.stream, stream);
  EXPECT_EQ(record.stream_version, 9);
  EXPECT_EQ(record.type, "member.invited");
  EXPECT_EQ(record.revision, 7);
  EXPECT_EQ(record.metadata, meta);
  EXPECT_EQ(record.payload, event.payload);
  EXPECT_EQ(record.prev_hash, prev);
  Sha256 sha = Sha256::Create().value();
  EXPECT_EQ(record.hash, sha.Of(AsBytes(prev), view->body).value());
}

TEST(RecordCodecTest, RejectsTruncatedOrPaddedValues) {
  const std::string value = StoredValue("s", Event("t", "payload"), {}, 1, 0, Hash{});
  ASSERT_TRUE(internal::ParseRecord(value));
  EXPECT_FALSE(internal::ParseRecord(value.substr(0, 10)));
  // Dropping one payload byte shifts the hashes into the body: the lengths no longer add up.
  std::string shorter = value;
  shorter.erase(shorter.size() - 2 * internal::kHashSize - 1, 1);
  EXPECT_FALSE(internal::ParseRecord(shorter));
  std::string longer = value;
  longer.insert(longer.size() - 2 * internal::kHashSize, 1, 'x');
  EXPECT_FALSE(internal::ParseRecord(longer));
  std::string other_format = value;
  other_format[0] = 9;
  EXPECT_FALSE(internal::ParseRecord(other_format));
}

TEST(RecordCodecTest, StreamKeysSortByVersionAndNeverShareAPrefix) {
  EXPECT_LT(internal::StreamKey("a", 1), internal::StreamKey("a", 2));
  EXPECT_LT(internal::StreamKey("a", 255), internal::StreamKey("a", 256));
  // "a" and "a\0" differ in the length prefix, so one stream's range never holds the other's.
  const std::string a_nul("a\0", 2);
  EXPECT_FALSE(internal::StreamKey(a_nul, 0).starts_with(internal::StreamPrefix("a")));
  EXPECT_FALSE(internal::StreamKey("ab", 0).starts_with(internal::StreamPrefix("a")));
  EXPECT_EQ(internal::StreamKey("a", 0).size(), 2u + 1 + 8);
}

TEST(RecordCodecTest, PositionKeysSortNumerically) {
  EXPECT_LT(internal::PositionKey(255), internal::PositionKey(256));
  EXPECT_EQ(internal::DecodePositionKey(internal::PositionKey(0x0102030405060708)),
            0x0102030405060708u);
}

TEST(RecordCodecTest, CommandEntryAndMetaRoundTrip) {
  const AppendResult result{10, 12, 3, 5, false};
  const std::string entry = internal::EncodeCommandEntry(result, "stream-x");
  auto parsed = internal::ParseCommandEntry(entry);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->result, result);
  EXPECT_EQ(parsed->stream, "stream-x");
  EXPECT_FALSE(internal::ParseCommandEntry("short"));

  EXPECT_EQ(internal::ParseMeta(internal::EncodeMeta(7)), 7u);
  EXPECT_FALSE(internal::ParseMeta("something else"));
}

}  // namespace
}  // namespace roster::eventstore::internal
