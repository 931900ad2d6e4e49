// Rejections: why the domain refused a command.
//
// A rejected command is a value, never an exception: a machine-readable code (stable names
// such as LAST_OWNER, used by the API and the CLI) plus a sentence a person understands.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace roster::domain {

enum class ErrorCode {
  kInvalidArgument,
  kPermissionDenied,
  kEscalation,
  kLastOwner,
  kNotFound,
  kConflict,
  kAlreadyMember,
  kInvitePending,
  kInviteLimit,
  kInvitationExpired,
  kInvalidToken,
  kEmailMismatch,
  kOrgDeleted,
};

// The stable wire name of a code, e.g. "LAST_OWNER".
std::string_view ErrorCodeName(ErrorCode code);
// Inverse of ErrorCodeName; false when the name is unknown.
bool ParseErrorCode(std::string_view name, ErrorCode* code);

struct Rejection {
  ErrorCode code;
  std::string message;

  bool operator==(const Rejection&) const = default;
};

inline std::unexpected<Rejection> Reject(ErrorCode code, std::string message) {
  return std::unexpected(Rejection{code, std::move(message)});
}

}  // namespace roster::domain
