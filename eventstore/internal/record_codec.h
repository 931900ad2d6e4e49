// Encoding and decoding of stored records, keys and small values; the layout itself is in
// record_format.h. Pure functions on bytes, thread-safe.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "eventstore/record.h"

namespace roster::eventstore::internal {

// log column family keys.
std::string PositionKey(Position position);
// Precondition: key.size() == 8.
Position DecodePositionKey(std::string_view key);

// streams column family keys: StreamPrefix(stream) + big-endian version.
std::string StreamPrefix(std::string_view stream);
std::string StreamKey(std::string_view stream, uint64_t version);
void AppendBigEndian64(std::string& key, uint64_t value);

// The body of one event with position and stream version still 0 (the writer patches them in
// with PatchBody once assigned). Capacity is reserved for the two trailing hashes.
std::string EncodeBody(std::string_view stream, const NewEvent& event,
                       const EventMetadata& metadata);
void PatchBody(std::string& body, size_t stream_size, Position position, StreamVersion version);
// Where a body encoded by EncodeBody keeps its time, and rewriting it there.
size_t BodyTimeOffset(std::string_view stream, const NewEvent& event,
                      const EventMetadata& metadata);
void PatchTime(std::string& body, size_t offset, int64_t time_us);
// The encoded size of a body, for input limits; equals EncodeBody(...).size().
size_t BodySize(std::string_view stream, const NewEvent& event, const EventMetadata& metadata);

// Parses a stored record value; the error says what is malformed.
std::expected<RecordView, std::string> ParseRecord(std::string_view value);
Record ToRecord(const RecordView& view);
// The same, into an existing (e.g. just emplaced) record: saves a move per record in scans.
void CopyToRecord(const RecordView& view, Record& out);
Hash ToHash(std::string_view bytes);  // precondition: 32 bytes

// commands column family values.
std::string EncodeCommandEntry(const AppendResult& result, std::string_view stream);
struct CommandEntry {
  AppendResult result;
  std::string_view stream;
};
std::optional<CommandEntry> ParseCommandEntry(std::string_view value);

// The meta value in the default column family.
std::string EncodeMeta(uint32_t format_version);
// The format version, or nullopt when the value is not ours.
std::optional<uint32_t> ParseMeta(std::string_view value);

}  // namespace roster::eventstore::internal
