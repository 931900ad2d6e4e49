// Strongly typed identifiers of the membership domain.
//
// Ids are opaque strings chosen by the caller (org, user, project, API key, resource ids come
// from the SaaS product) or by the aggregate (membership and invitation ids, unique within their
// organization). Distinct types keep a UserId from being passed where an OrgId is meant.
// Value types.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace roster::domain {

inline constexpr size_t kMaxIdLength = 128;

// The rule for identifiers chosen by callers: 1 to kMaxIdLength printable ASCII characters, no
// spaces. Public so that the API, which names a stream after an org id before any command is
// decided, refuses exactly the ids the domain would.
constexpr bool IsValidId(std::string_view value) {
  if (value.empty() || value.size() > kMaxIdLength) return false;
  for (char ch : value) {
    if (ch <= ' ' || ch > '~') return false;
  }
  return true;
}

template <class Tag>
struct Id {
  std::string value;

  Id() = default;
  explicit Id(std::string v) : value(std::move(v)) {}
  explicit Id(std::string_view v) : value(v) {}
  explicit Id(const char* v) : value(v) {}

  bool empty() const { return value.empty(); }
  auto operator<=>(const Id&) const = default;
  bool operator==(const Id&) const = default;
};

using OrgId = Id<struct OrgIdTag>;
using UserId = Id<struct UserIdTag>;
using MembershipId = Id<struct MembershipIdTag>;
using InvitationId = Id<struct InvitationIdTag>;
using ProjectId = Id<struct ProjectIdTag>;
using ApiKeyId = Id<struct ApiKeyIdTag>;
using ResourceId = Id<struct ResourceIdTag>;

struct IdHash {
  template <class Tag>
  size_t operator()(const Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value);
  }
};

}  // namespace roster::domain
