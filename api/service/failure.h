// Failure: why the service could not answer, as a value with a stable code. Codes are the
// domain's rejection codes (NOT_FOUND, PERMISSION_DENIED, ...) when the reason is a rule, or
// UNAVAILABLE (storage failed or a projection is rebuilding), TIMEOUT (a consistency token
// was not reached in time), INTERNAL (a bug or corrupt data) otherwise.
#pragma once

#include <expected>
#include <string>

#include "domain/error.h"
#include "eventstore/error.h"

namespace roster::api::service {

struct Failure {
  std::string code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Failure>;

inline std::unexpected<Failure> Fail(std::string code, std::string message) {
  return std::unexpected(Failure{std::move(code), std::move(message)});
}

inline Failure FromRejection(const domain::Rejection& r) {
  return Failure{std::string(domain::ErrorCodeName(r.code)), r.message};
}

inline Failure FromStoreError(const eventstore::Error& e) {
  switch (e.code) {
    case eventstore::ErrorCode::kTimeout:
      return Failure{"TIMEOUT", e.message};
    case eventstore::ErrorCode::kInvalidArgument:
      return Failure{"INVALID_ARGUMENT", e.message};
    case eventstore::ErrorCode::kCorruption:
      return Failure{"INTERNAL", e.message};
    default:
      return Failure{"UNAVAILABLE", e.message};
  }
}

}  // namespace roster::api::service
