#include "api/service/accept_token.h"

#include <kj/encoding.h>

#include "domain/ids.h"

namespace roster::api::service {

std::string MakeAcceptToken(std::string_view org, std::string_view invitation_id,
                            std::string_view secret) {
  std::string plain;
  plain.reserve(org.size() + invitation_id.size() + secret.size() + 2);
  plain.append(org).append("\n").append(invitation_id).append("\n").append(secret);
  const kj::String text = kj::encodeBase64Url(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(plain.data()), plain.size()));
  std::string out(text.cStr(), text.size());
  // No padding: the token travels in links, where '=' needs escaping.
  while (!out.empty() && out.back() == '=') out.pop_back();
  return std::string(kAcceptTokenPrefix) + out;
}

Result<AcceptTokenParts> ParseAcceptToken(std::string_view token) {
  auto malformed = [] {
    return Fail("INVALID_ARGUMENT",
                "the accept token is malformed: pass it exactly as the invitation's answer "
                "returned it (it starts with rinv_)");
  };
  if (!LooksLikeAcceptToken(token) || token.size() > 1024) return malformed();
  std::string text(token.substr(kAcceptTokenPrefix.size()));
  for (char& c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!plain) {
      return malformed();
    }
  }
  if (text.size() % 4 == 1) return malformed();
  while (text.size() % 4 != 0) text.push_back('=');
  auto decoded = kj::decodeBase64(kj::arrayPtr(text.data(), text.size()));
  if (decoded.hadErrors) return malformed();
  const std::string plain(reinterpret_cast<const char*>(decoded.begin()), decoded.size());
  const auto first = plain.find('\n');
  const auto second = first == std::string::npos ? first : plain.find('\n', first + 1);
  if (second == std::string::npos) return malformed();
  AcceptTokenParts parts{plain.substr(0, first), plain.substr(first + 1, second - first - 1),
                         plain.substr(second + 1)};
  if (!domain::IsValidId(parts.org) || !domain::IsValidId(parts.invitation_id) ||
      parts.secret.empty() || parts.secret.find('\n') != std::string::npos) {
    return malformed();
  }
  return parts;
}

}  // namespace roster::api::service
