#include "eventstore/internal/record_codec.h"

#include <algorithm>

#include "eventstore/internal/byte_order.h"
#include "eventstore/internal/record_format.h"

namespace roster::eventstore::internal {

using internal::PutLe16;
using internal::PutLe64;
using internal::PutString;

std::string PositionKey(Position position) {
  std::string key;
  internal::PutBe64(key, position);
  return key;
}

Position DecodePositionKey(std::string_view key) { return internal::LoadBe64(key.data()); }

std::string StreamPrefix(std::string_view stream) {
  std::string key;
  key.reserve(2 + stream.size() + 8);
  internal::PutBe16(key, static_cast<uint16_t>(stream.size()));
  key.append(stream);
  return key;
}

std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  internal::PutBe64(key, version);
  return key;
}

void AppendBigEndian64(std::string& key, uint64_t value) { internal::PutBe64(key, value); }

size_t BodySize(std::string_view stream, const NewEvent& event, const EventMetadata& metadata) {
  return internal::kMinBodySize + stream.size() + event.type.size() + metadata.actor.size() +
         metadata.command_id.size() + metadata.correlation_id.size() + metadata.source.size() +
         event.payload.size();
}

std::string EncodeBody(std::string_view stream, const NewEvent& event,
                       const EventMetadata& metadata) {
  std::string body;
  body.reserve(BodySize(stream, event, metadata) + 2 * internal::kHashSize);
  body.push_back(static_cast<char>(internal::kRecordFormat));
  PutLe64(body, 0);  // position, patched by the writer
  PutString(body, stream);
  PutLe64(body, 0);  // stream version, patched by the writer
  PutString(body, event.type);
  PutLe16(body, event.revision);
  PutString(body, metadata.actor);
  PutString(body, metadata.command_id);
  PutString(body, metadata.correlation_id);
  PutString(body, metadata.source);
  PutLe64(body, static_cast<uint64_t>(metadata.time_us));
  PutString(body, event.payload);
  return body;
}

void PatchBody(std::string& body, size_t stream_size, Position position, StreamVersion version) {
  internal::StoreLe64(body.data() + internal::kBodyPositionOffset, position);
  internal::StoreLe64(body.data() + internal::kBodyStreamOffset + stream_size,
                      static_cast<uint64_t>(version));
}

size_t BodyTimeOffset(std::string_view stream, const NewEvent& event,
                      const EventMetadata& metadata) {
  return internal::kBodyStreamOffset + stream.size() + 8 + 4 + event.type.size() + 2 + 4 +
         metadata.actor.size() + 4 + metadata.command_id.size() + 4 +
         metadata.correlation_id.size() + 4 + metadata.source.size();
}

void PatchTime(std::string& body, size_t offset, int64_t time_us) {
  internal::StoreLe64(body.data() + offset, static_cast<uint64_t>(time_us));
}

std::expected<RecordView, std::string> ParseRecord(std::string_view value) {
  if (value.size() < internal::kMinRecordSize) {
    return std::unexpected("record too short (" + std::to_string(value.size()) + " bytes)");
  }
  RecordView v;
  v.body = value.substr(0, value.size() - 2 * internal::kHashSize);
  v.prev_hash = value.substr(v.body.size(), internal::kHashSize);
  v.hash = value.substr(v.body.size() + internal::kHashSize);
  internal::Reader r(v.body);
  const uint8_t record_format = r.U8();
  if (record_format != internal::kRecordFormat) {
    return std::unexpected("unknown record format " + std::to_string(record_format));
  }
  v.position = r.U64();
  v.stream = r.String();
  v.stream_version = r.I64();
  v.type = r.String();
  v.revision = r.U16();
  v.actor = r.String();
  v.command_id = r.String();
  v.correlation_id = r.String();
  v.source = r.String();
  v.time_us = r.I64();
  v.payload = r.String();
  if (!r.ok()) return std::unexpected("record body truncated");
  if (!r.AtEnd()) return std::unexpected("trailing bytes after the record body");
  return v;
}

Record ToRecord(const RecordView& v) {
  Record out;
  CopyToRecord(v, out);
  return out;
}

void CopyToRecord(const RecordView& v, Record& out) {
  out.position = v.position;
  out.stream.assign(v.stream);
  out.stream_version = v.stream_version;
  out.type.assign(v.type);
  out.revision = v.revision;
  out.metadata.actor.assign(v.actor);
  out.metadata.command_id.assign(v.command_id);
  out.metadata.correlation_id.assign(v.correlation_id);
  out.metadata.source.assign(v.source);
  out.metadata.time_us = v.time_us;
  out.payload.assign(v.payload);
  out.prev_hash = ToHash(v.prev_hash);
  out.hash = ToHash(v.hash);
}

Hash ToHash(std::string_view bytes) {
  Hash h;
  std::copy_n(bytes.data(), h.size(), reinterpret_cast<char*>(h.data()));
  return h;
}

std::string EncodeCommandEntry(const AppendResult& result, std::string_view stream) {
  std::string out;
  out.reserve(internal::kCommandValueFixedSize + stream.size());
  PutLe64(out, result.first_position);
  PutLe64(out, result.last_position);
  PutLe64(out, static_cast<uint64_t>(result.first_version));
  PutLe64(out, static_cast<uint64_t>(result.last_version));
  out.append(stream);
  return out;
}

std::optional<CommandEntry> ParseCommandEntry(std::string_view value) {
  if (value.size() < internal::kCommandValueFixedSize) return std::nullopt;
  CommandEntry e;
  e.result.first_position = internal::LoadLe64(value.data());
  e.result.last_position = internal::LoadLe64(value.data() + 8);
  e.result.first_version = static_cast<StreamVersion>(internal::LoadLe64(value.data() + 16));
  e.result.last_version = static_cast<StreamVersion>(internal::LoadLe64(value.data() + 24));
  e.stream = value.substr(internal::kCommandValueFixedSize);
  return e;
}

std::string EncodeMeta(uint32_t format_version) {
  std::string out(internal::kMetaMagic);
  internal::PutLe32(out, format_version);
  return out;
}

std::optional<uint32_t> ParseMeta(std::string_view value) {
  if (value.size() != internal::kMetaValueSize || !value.starts_with(internal::kMetaMagic)) {
    return std::nullopt;
  }
  return internal::LoadLe32(value.data() + internal::kMetaMagic.size());
}

}  // namespace roster::eventstore::internal
