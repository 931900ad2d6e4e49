// The event record: what the log stores, as opaque bytes plus the metadata every event carries.
//
// The eventstore knows no domain: `type` is a stable name chosen by the caller
// (e.g. "member.role_changed"), `revision` the schema revision of `payload`, and `payload` the
// caller's encoded bytes. The byte layout of a stored record is in record_format.h and
// docs/storage_format.md. Value types; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace roster::eventstore {

// Global log positions are dense and start at 1; 0 means "before the first record".
using Position = uint64_t;
// Stream versions start at 0 for a stream's first event; -1 means the stream has no events.
using StreamVersion = int64_t;
constexpr StreamVersion kNoStreamVersion = -1;

using Hash = std::array<uint8_t, 32>;  // SHA-256

// Who and what caused an append; stored with every record of that append.
struct EventMetadata {
  std::string actor;           // the user or principal on whose behalf the command ran
  std::string command_id;      // the client-chosen id; non-empty makes the append idempotent
  std::string correlation_id;  // groups the records of one business transaction
  std::string source;          // where it came from: the API client's principal
  int64_t time_us = 0;         // when it happened, microseconds since the Unix epoch (UTC)

  bool operator==(const EventMetadata&) const = default;
};

// One event to append.
struct NewEvent {
  std::string type;
  uint16_t revision = 1;
  std::string payload;

  bool operator==(const NewEvent&) const = default;
};

// One stored event.
struct Record {
  Position position = 0;
  std::string stream;
  StreamVersion stream_version = 0;
  std::string type;
  uint16_t revision = 1;
  EventMetadata metadata;
  std::string payload;
  Hash prev_hash{};  // the previous record's hash (all zero for position 1)
  Hash hash{};       // SHA-256(prev_hash || canonical body); see docs/storage_format.md

  bool operator==(const Record&) const = default;
};

// What an append must find the stream at.
class ExpectedVersion {
 public:
  static ExpectedVersion Any() { return ExpectedVersion(kAny); }
  static ExpectedVersion NoStream() { return ExpectedVersion(kNoStreamVersion); }
  static ExpectedVersion Exactly(StreamVersion v) { return ExpectedVersion(v); }

  bool is_any() const { return value_ == kAny; }
  // Only meaningful when !is_any(): -1 for "no stream", otherwise the exact head version.
  StreamVersion value() const { return value_; }
  bool Matches(StreamVersion head) const { return is_any() || head == value_; }

 private:
  static constexpr StreamVersion kAny = -2;
  explicit ExpectedVersion(StreamVersion v) : value_(v) {}
  StreamVersion value_;
};

struct AppendRequest {
  std::string stream;
  ExpectedVersion expected = ExpectedVersion::Any();
  std::vector<NewEvent> events;  // at least one; all land atomically or none do
  EventMetadata metadata;
};

struct AppendResult {
  Position first_position = 0;
  Position last_position = 0;
  StreamVersion first_version = 0;  // the stream version of the first appended event
  StreamVersion last_version = 0;   // the stream's head version after this append
  bool duplicate = false;           // true when the command id was seen: nothing was written

  bool operator==(const AppendResult&) const = default;
};

// What the log remembers of an append made with a command id.
struct CommandOutcomeRecord {
  AppendResult result;
  std::string stream;
};

struct VerifyReport {
  Position from = 0;
  Position to = 0;
  uint64_t checked = 0;  // records whose hash and link were checked
  bool ok = true;
  Position first_bad = 0;  // when !ok: the first record whose hash or link is wrong (or missing)
  std::string problem;     // when !ok: what is wrong with it
  Hash last_hash{};        // hash of the last record checked (the chain head when to == last)
};

// A stored record, decoded in place: every view points into the value it was parsed from.
struct RecordView {
  Position position = 0;
  std::string_view stream;
  StreamVersion stream_version = 0;
  std::string_view type;
  uint16_t revision = 0;
  std::string_view actor;
  std::string_view command_id;
  std::string_view correlation_id;
  std::string_view source;
  int64_t time_us = 0;
  std::string_view payload;
  std::string_view body;       // what the hash covers, after prev_hash
  std::string_view prev_hash;  // 32 bytes
  std::string_view hash;       // 32 bytes
};

inline std::string_view AsBytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}
// Lower-case hex of a hash, as messages, tools and the audit export show it.
std::string HashHex(const Hash& hash);

}  // namespace roster::eventstore
