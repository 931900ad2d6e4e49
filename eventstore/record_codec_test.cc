#include "eventstore/record_codec.h"

#include <gtest/gtest.h>

#include "eventstore/record_format.h"
#include "eventstore/sha256.h"
#include "eventstore/testing/store_helpers.h"

namespace roster::eventstore {
namespace {

using testing::Event;

std::string StoredValue(std::string_view stream, const NewEvent& event, const EventMetadata& meta,
                        Position position, StreamVersion version, const Hash& prev) {
  std::string body = codec::EncodeBody(stream, event, meta);
  codec::PatchBody(body, stream.size(), position, version);
  Sha256 sha;
  const Hash hash = sha.Of(codec::AsBytes(prev), body);
  body.append(codec::AsBytes(prev));
  body.append(codec::AsBytes(hash));
  return body;
}

TEST(RecordCodecTest, RoundTripsEveryField) {
  EventMetadata meta{"actor", "cmd", "corr", "source", 123456789};
  const std::string stream("org\0with\xffnul", 13);
  const NewEvent event = Event("member.invited", std::string("\0\1\2payload", 10), 7);
  Hash prev{};
  prev[0] = 0xab;
  const std::string value = StoredValue(stream, event, meta, 42, 9, prev);
  EXPECT_EQ(value.size(), codec::BodySize(stream, event, meta) + 2 * format::kHashSize);

  auto view = codec::ParseRecord(value);
  ASSERT_TRUE(view) << view.error();
  const Record record = codec::ToRecord(*view);
  EXPECT_EQ(record.position, 42u);
  EXPECT_EQ(record.stream, stream);
  EXPECT_EQ(record.stream_version, 9);
  EXPECT_EQ(record.type, "member.invited");
  EXPECT_EQ(record.revision, 7);
  EXPECT_EQ(record.metadata, meta);
  EXPECT_EQ(record.payload, event.payload);
  EXPECT_EQ(record.prev_hash, prev);
  Sha256 sha;
  EXPECT_EQ(record.hash, sha.Of(codec::AsBytes(prev), view->body));
}

TEST(RecordCodecTest, RejectsTruncatedOrPaddedValues) {
  const std::string value = StoredValue("s", Event("t", "payload"), {}, 1, 0, Hash{});
  ASSERT_TRUE(codec::ParseRecord(value));
  EXPECT_FALSE(codec::ParseRecord(value.substr(0, 10)));
  // Dropping one payload byte shifts the hashes into the body: the lengths no longer add up.
  std::string shorter = value;
  shorter.erase(shorter.size() - 2 * format::kHashSize - 1, 1);
  EXPECT_FALSE(codec::ParseRecord(shorter));
  std::string longer = value;
  longer.insert(longer.size() - 2 * format::kHashSize, 1, 'x');
  EXPECT_FALSE(codec::ParseRecord(longer));
  std::string other_format = value;
  other_format[0] = 9;
  EXPECT_FALSE(codec::ParseRecord(other_format));
}

TEST(RecordCodecTest, StreamKeysSortByVersionAndNeverShareAPrefix) {
  EXPECT_LT(codec::StreamKey("a", 1), codec::StreamKey("a", 2));
  EXPECT_LT(codec::StreamKey("a", 255), codec::StreamKey("a", 256));
  // "a" and "a\0" differ in the length prefix, so one stream's range never holds the other's.
  const std::string a_nul("a\0", 2);
  EXPECT_FALSE(codec::StreamKey(a_nul, 0).starts_with(codec::StreamPrefix("a")));
  EXPECT_FALSE(codec::StreamKey("ab", 0).starts_with(codec::StreamPrefix("a")));
  EXPECT_EQ(codec::StreamKey("a", 0).size(), 2u + 1 + 8);
}

TEST(RecordCodecTest, PositionKeysSortNumerically) {
  EXPECT_LT(codec::PositionKey(255), codec::PositionKey(256));
  EXPECT_EQ(codec::DecodePositionKey(codec::PositionKey(0x0102030405060708)), 0x0102030405060708u);
}

TEST(RecordCodecTest, CommandEntryAndMetaRoundTrip) {
  const AppendResult result{10, 12, 3, 5, false};
  const std::string entry = codec::EncodeCommandEntry(result, "stream-x");
  auto parsed = codec::ParseCommandEntry(entry);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->result, result);
  EXPECT_EQ(parsed->stream, "stream-x");
  EXPECT_FALSE(codec::ParseCommandEntry("short"));

  EXPECT_EQ(codec::ParseMeta(codec::EncodeMeta(7)), 7u);
  EXPECT_FALSE(codec::ParseMeta("something else"));
}

}  // namespace
}  // namespace roster::eventstore
