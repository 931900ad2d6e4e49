// Errors of the event log, as values.
//
// Every fallible eventstore call returns Result<T>: either the value or an Error with a code a
// program can branch on and a sentence a person can read. rocksdb::Status never crosses this
// boundary. Value types; safe to copy between threads.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace roster::eventstore {

enum class ErrorCode {
  kInvalidArgument,       // a malformed request (empty stream id, no events, oversize field)
  kWrongExpectedVersion,  // the stream is not at the expected version; see current_version
  kCommandIdReused,       // the command id was first used for a different stream
  kNotARosterStore,       // the directory holds something that is not a Roster store
  kNewerFormat,           // the store was written by a newer format version than this binary
  kIoError,               // the storage reported an I/O error (disk full, permission, ...)
  kCorruption,            // a stored record cannot be decoded
  kStoreFailed,           // an earlier I/O error stopped the store accepting writes
  kClosed,                // the store or subscription was closed
  kTimeout,               // a bounded wait ended before its condition held
  kUnavailable,           // a log server cannot be reached; an append cut off mid-commit has an
                          // unknown outcome until its command id is looked up (FindCommand)
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
  // For kWrongExpectedVersion: the stream's current head version (-1 when it has no events).
  std::optional<int64_t> current_version;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return std::unexpected(Error{...})`.
inline std::unexpected<Error> Fail(ErrorCode code, std::string message,
                                   std::optional<int64_t> current_version = std::nullopt) {
  return std::unexpected(Error{code, std::move(message), current_version});
}

}  // namespace roster::eventstore
