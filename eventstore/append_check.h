// Input validation of an AppendRequest: the limits every EventLog backend enforces, so that a
// request one backend accepts is accepted by the others and a log copies between them. Done on
// the caller's thread before a request is queued, so that a writer only ever sees well-formed
// requests. Pure; thread-safe.
#pragma once

#include <optional>

#include "eventstore/error.h"
#include "eventstore/record.h"

namespace roster::eventstore {

// nullopt when the request is well-formed; otherwise a kInvalidArgument error saying why.
std::optional<Error> CheckAppendRequest(const AppendRequest& request);

}  // namespace roster::eventstore
