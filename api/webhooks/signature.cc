#include "api/webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <vector>

namespace roster::api::webhooks {

std::optional<std::string> HmacSha256Hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &size) == nullptr) {
    return std::nullopt;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::optional<std::string> SignatureHeader(std::string_view secret, int64_t unix_seconds,
                                           std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + 1 + body.size());
  signed_text.append(t).append(".").append(body);
  auto mac = HmacSha256Hex(secret, signed_text);
  if (!mac) return std::nullopt;
  return "t=" + t + ",v1=" + *mac;
}

bool VerifySignature(std::string_view secret, std::string_view header, std::string_view body) {
  std::string_view t;
  std::vector<std::string_view> v1;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.starts_with("t=")) t = part.substr(2);
    if (part.starts_with("v1=")) v1.push_back(part.substr(3));
  }
  if (t.empty() || v1.empty()) return false;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
  }
  std::string signed_text(t);
  signed_text.append(".").append(body);
  auto expected = HmacSha256Hex(secret, signed_text);
  if (!expected) return false;
  for (std::string_view candidate : v1) {
    // Constant time: the comparison must not tell an attacker how many leading bytes matched.
    if (candidate.size() == expected->size() &&
        CRYPTO_memcmp(candidate.data(), expected->data(), candidate.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace roster::api::webhooks
