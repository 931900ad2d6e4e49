// Input validation of an AppendRequest, done on the caller's thread before it is queued, so
// that the writer only ever sees well-formed requests. Pure; thread-safe.
#pragma once

#include <optional>

#include "eventstore/error.h"
#include "eventstore/record.h"

namespace roster::eventstore::internal {

// nullopt when the request is well-formed; otherwise a kInvalidArgument error saying why.
std::optional<Error> CheckAppendRequest(const AppendRequest& request);

}  // namespace roster::eventstore::internal
