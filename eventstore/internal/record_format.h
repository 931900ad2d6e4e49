// The on-disk layout of a Roster event store, written down once (see docs/storage_format.md).
//
// One RocksDB instance, four column families:
//   default   meta: kMetaKey -> kMetaMagic (8 bytes) + format version (u32 LE)
//   log       big-endian u64 position -> record value (below)
//   streams   u16 BE length + stream id bytes + big-endian u64 stream version -> u64 LE position
//   commands  command id bytes -> u64 LE first position, u64 LE last position,
//             i64 LE first version, i64 LE last version, then the stream id bytes
//
// Keys are big-endian so that RocksDB's bytewise order is numeric order; values are
// little-endian. The streams key is length-prefixed so that a stream id may hold any bytes
// (including 0x00) and no stream id is a key prefix of another.
//
// Record value = body || prev_hash (32) || hash (32), hash = SHA-256(prev_hash || body).
// Body, all integers little-endian, every string a u32 length then its bytes:
//   u8  format (kRecordFormat)
//   u64 position
//   str stream
//   i64 stream version
//   str type
//   u16 revision
//   str actor, str command_id, str correlation_id, str source
//   i64 time_us
//   str payload
// Changing any of this means a new kFormatVersion (and a reader for the old one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace roster::eventstore::internal {

// The store layout version this binary writes and the newest it can read.
constexpr uint32_t kFormatVersion = 1;
// The record body layout version (first body byte).
constexpr uint8_t kRecordFormat = 1;

constexpr std::string_view kMetaColumnFamily = "default";
constexpr std::string_view kLogColumnFamily = "log";
constexpr std::string_view kStreamsColumnFamily = "streams";
constexpr std::string_view kCommandsColumnFamily = "commands";

constexpr std::string_view kMetaKey = "roster.eventstore.meta";
constexpr std::string_view kMetaMagic = "RSTRELOG";  // 8 bytes
constexpr size_t kMetaValueSize = 8 + 4;

constexpr size_t kHashSize = 32;
constexpr size_t kPositionKeySize = 8;
constexpr size_t kStreamVersionSize = 8;
constexpr size_t kCommandValueFixedSize = 4 * 8;

// Fixed offsets inside a body, so the writer can encode a body on the caller's thread and
// patch the position and stream version in once it assigns them.
constexpr size_t kBodyFormatOffset = 0;
constexpr size_t kBodyPositionOffset = 1;
constexpr size_t kBodyStreamLengthOffset = 9;
constexpr size_t kBodyStreamOffset = 13;
// The stream version follows the stream id: at kBodyStreamOffset + stream size.
constexpr size_t kMinBodySize = 1 + 8 + 4 + 8 + 4 + 2 + 4 * 4 + 8 + 4;
constexpr size_t kMinRecordSize = kMinBodySize + 2 * kHashSize;

// Input limits. They keep one append, and so one WriteBatch, to a sane size and catch
// obviously broken callers early; a stream id also has to fit the u16 key prefix.
constexpr size_t kMaxStreamIdBytes = 1024;
constexpr size_t kMaxTypeBytes = 256;
constexpr size_t kMaxMetadataFieldBytes = 1024;
constexpr size_t kMaxPayloadBytes = 4u << 20;
constexpr size_t kMaxEventsPerAppend = 10'000;
constexpr size_t kMaxAppendBytes = 16u << 20;

}  // namespace roster::eventstore::internal
