// Invitation tokens: 256 random bits from the kernel (getrandom), base64url without padding, handed
// to the caller once; only their SHA-256 (hex) is ever stored. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace roster::service {

std::string NewInvitationToken();
std::string HashInvitationToken(std::string_view token);

}  // namespace roster::service
