#include "eventstore/hash_chain.h"

#include <kj/encoding.h>

#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/sha256.h"

namespace roster::eventstore {

std::string HashedBody(const Record& record) {
  std::string body = internal::EncodeBody(
      record.stream, NewEvent{record.type, record.revision, record.payload}, record.metadata);
  internal::PatchBody(body, record.stream.size(), record.position, record.stream_version);
  return body;
}

Result<Hash> ChainHash(std::string_view prev, std::string_view body) {
  // One digest context per thread: exports and verify-export hash one record after another.
  thread_local Result<internal::Sha256> sha = internal::Sha256::Create();
  if (!sha) return std::unexpected(sha.error());
  return sha->Of(prev, body);
}

std::expected<Record, std::string> ParseStoredRecord(std::string_view value) {
  auto view = internal::ParseRecord(value);
  if (!view) return std::unexpected(view.error());
  return internal::ToRecord(*view);
}

std::expected<RecordView, std::string> ParseStoredRecordView(std::string_view value) {
  return internal::ParseRecord(value);
}

std::string HashHex(const Hash& hash) {
  const kj::String hex = kj::encodeHex(kj::arrayPtr(hash.data(), hash.size()));
  return std::string(hex.cStr(), hex.size());
}

}  // namespace roster::eventstore
