// Turns a rocksdb::Status into our Error, so that no rocksdb type crosses the eventstore
// boundary. Internal to eventstore/.
#pragma once

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "eventstore/error.h"

namespace roster::eventstore::internal {

// `what` says what we were doing ("reading the log at position 12"); the status adds why.
inline Error ErrorFromStatus(const rocksdb::Status& status, std::string_view what) {
  const ErrorCode code = status.IsCorruption() ? ErrorCode::kCorruption : ErrorCode::kIoError;
  return Error{code, std::string(what) + ": " + status.ToString(), std::nullopt};
}

inline std::unexpected<Error> FailFromStatus(const rocksdb::Status& status, std::string_view what) {
  return std::unexpected(ErrorFromStatus(status, what));
}

}  // namespace roster::eventstore::internal
