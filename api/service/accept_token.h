// The opaque accept token: one string for an invitation link that names the organization, the
// invitation and its secret, so that accepting needs nothing else (docs/protocol.md).
//
// Clients treat it as opaque. Its form, for Roster's own use only: "rinv_" then base64url
// (no padding) of "<org>\n<invitation id>\n<secret>". Ids never hold a newline (IsValidId) and
// secrets are base64url, so the split is unambiguous. The secret is in it: it is handed out
// once, like the secret, and never stored. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/service/failure.h"

namespace roster::api::service {

inline constexpr std::string_view kAcceptTokenPrefix = "rinv_";

struct AcceptTokenParts {
  std::string org;
  std::string invitation_id;
  std::string secret;
};

std::string MakeAcceptToken(std::string_view org, std::string_view invitation_id,
                            std::string_view secret);
// INVALID_ARGUMENT for anything MakeAcceptToken did not make (a secret that is wrong is found
// out only by the domain, with the error a wrong secret always gets).
Result<AcceptTokenParts> ParseAcceptToken(std::string_view token);
inline bool LooksLikeAcceptToken(std::string_view token) {
  return token.starts_with(kAcceptTokenPrefix);
}

}  // namespace roster::api::service
