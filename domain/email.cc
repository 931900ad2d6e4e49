#include "domain/email.h"

#include <algorithm>
#include <cctype>

namespace roster::domain {
namespace {

constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxDomain = 253;
constexpr size_t kMaxLabel = 63;

bool IsAtomChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool ValidLocal(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocal) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = 0;
  for (char ch : local) {
    if (ch == '.') {
      if (prev == '.') return false;
    } else if (!IsAtomChar(static_cast<unsigned char>(ch))) {
      return false;
    }
    prev = ch;
  }
  return true;
}

bool ValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  size_t labels = 0;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (!std::isalnum(c) && c != '-') return false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

}  // namespace

std::expected<Email, Rejection> Email::Parse(std::string_view raw) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.empty()) return Reject(ErrorCode::kInvalidArgument, "An email address is required.");

  std::string normalized(raw);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  const size_t at = normalized.find('@');
  if (at == std::string::npos || normalized.find('@', at + 1) != std::string::npos) {
    return Reject(ErrorCode::kInvalidArgument,
                  "'" + normalized + "' is not an email address: it needs exactly one '@'.");
  }
  std::string_view view(normalized);
  if (!ValidLocal(view.substr(0, at))) {
    return Reject(ErrorCode::kInvalidArgument,
                  "'" + normalized + "' is not an email address: the part before '@' is invalid.");
  }
  if (!ValidDomain(view.substr(at + 1))) {
    return Reject(ErrorCode::kInvalidArgument,
                  "'" + normalized + "' is not an email address: the domain after '@' is invalid.");
  }
  return Email(std::move(normalized));
}

}  // namespace roster::domain
