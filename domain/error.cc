#include "domain/error.h"

#include <array>
#include <utility>

namespace roster::domain {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 13> kNames = {{
    {ErrorCode::kInvalidArgument, "INVALID_ARGUMENT"},
    {ErrorCode::kPermissionDenied, "PERMISSION_DENIED"},
    {ErrorCode::kEscalation, "ESCALATION"},
    {ErrorCode::kLastOwner, "LAST_OWNER"},
    {ErrorCode::kNotFound, "NOT_FOUND"},
    {ErrorCode::kConflict, "CONFLICT"},
    {ErrorCode::kAlreadyMember, "ALREADY_MEMBER"},
    {ErrorCode::kInvitePending, "INVITE_PENDING"},
    {ErrorCode::kInviteLimit, "INVITE_LIMIT"},
    {ErrorCode::kInvitationExpired, "INVITATION_EXPIRED"},
    {ErrorCode::kInvalidToken, "INVALID_TOKEN"},
    {ErrorCode::kEmailMismatch, "EMAIL_MISMATCH"},
    {ErrorCode::kOrgDeleted, "ORG_DELETED"},
}};

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "UNKNOWN";
}

bool ParseErrorCode(std::string_view name, ErrorCode* code) {
  for (const auto& [c, n] : kNames) {
    if (n == name) {
      *code = c;
      return true;
    }
  }
  return false;
}

}  // namespace roster::domain
