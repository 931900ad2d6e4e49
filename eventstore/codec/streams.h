// Where domain events live in the log: one stream per organization for membership events,
// and one activity stream per organization for logins and last-active marks (appended without
// an expected version, so they never contend with membership commands).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/ids.h"

namespace roster::eventstore::codec {

inline constexpr std::string_view kOrgStreamPrefix = "org:";
inline constexpr std::string_view kActivityStreamPrefix = "activity:";

inline std::string OrgStream(const domain::OrgId& org) {
  return std::string(kOrgStreamPrefix) + org.value;
}
inline std::string ActivityStream(const domain::OrgId& org) {
  return std::string(kActivityStreamPrefix) + org.value;
}

struct StreamOwner {
  domain::OrgId org;
  bool activity = false;
};

// The organization a stream belongs to; nullopt for streams Roster does not write.
inline std::optional<StreamOwner> ParseStream(std::string_view stream) {
  if (stream.starts_with(kOrgStreamPrefix)) {
    return StreamOwner{domain::OrgId(stream.substr(kOrgStreamPrefix.size())), false};
  }
  if (stream.starts_with(kActivityStreamPrefix)) {
    return StreamOwner{domain::OrgId(stream.substr(kActivityStreamPrefix.size())), true};
  }
  return std::nullopt;
}

}  // namespace roster::eventstore::codec
