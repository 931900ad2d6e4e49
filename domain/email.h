// Email addresses as the domain compares them.
//
// An Email is normalized (surrounding whitespace trimmed, lower-cased) and validated once, at
// the edge, so that two spellings of one address are one invitee. Validation is deliberately
// practical rather than RFC 5322-complete: one '@', a non-empty local part of at most 64 bytes
// from the unquoted atom characters and dots (no leading, trailing or double dot), and a domain
// of dot-separated labels (letters, digits, hyphens; at least two labels) of at most 253 bytes.
// Value type.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace roster::domain {

class Email {
 public:
  Email() = default;
  // Normalizes and validates `raw`; INVALID_ARGUMENT says what is wrong.
  static std::expected<Email, Rejection> Parse(std::string_view raw);
  // For values that were validated before they were stored (decoding our own events).
  static Email FromNormalized(std::string normalized) { return Email(std::move(normalized)); }

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Email&) const = default;

 private:
  explicit Email(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

struct EmailHash {
  size_t operator()(const Email& e) const noexcept { return std::hash<std::string>{}(e.value()); }
};

}  // namespace roster::domain
