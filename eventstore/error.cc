#include "eventstore/error.h"

namespace roster::eventstore {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kWrongExpectedVersion:
      return "WRONG_EXPECTED_VERSION";
    case ErrorCode::kCommandIdReused:
      return "COMMAND_ID_REUSED";
    case ErrorCode::kNotARosterStore:
      return "NOT_A_ROSTER_STORE";
    case ErrorCode::kNewerFormat:
      return "NEWER_FORMAT";
    case ErrorCode::kIoError:
      return "IO_ERROR";
    case ErrorCode::kCorruption:
      return "CORRUPTION";
    case ErrorCode::kStoreFailed:
      return "STORE_FAILED";
    case ErrorCode::kClosed:
      return "CLOSED";
    case ErrorCode::kTimeout:
      return "TIMEOUT";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

}  // namespace roster::eventstore
