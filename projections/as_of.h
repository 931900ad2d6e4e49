// As-of: an organization's state, or a user's access, at a past log position or time, by
// replaying that organization's stream up to that point with the domain's own Apply. Needs
// only the log: the answer does not depend on any projection being current. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/access.h"
#include "domain/organization_state.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"

namespace roster::projections {

// The point to replay up to: records at or before `position` (0 = no limit) and with a time
// at or before `time_us` (nullopt = no limit).
struct AsOfPoint {
  eventstore::Position position = 0;
  std::optional<int64_t> time_us;
};

struct AsOfState {
  domain::OrganizationState state;
  eventstore::Position position = 0;  // of the last record folded (0: none)
  int64_t time_us = 0;                // of that record
  // When each membership joined (record time of its member.joined), by membership id: the
  // aggregate keeps only the order of joining.
  std::unordered_map<std::string, int64_t> joined_at_us;
  // Last login and last activity by user id, up to the point; filled by ReplayActivity only
  // (they are in the organization's activity stream, which access answers do not need).
  std::unordered_map<std::string, int64_t> last_login_us;
  std::unordered_map<std::string, int64_t> last_active_us;
};

eventstore::Result<AsOfState> ReplayOrganization(eventstore::EventLog& log,
                                                 const eventstore::codec::EventCodec& codec,
                                                 const domain::OrgId& org, const AsOfPoint& point);

// Adds to `out` the last login and last activity of each user in the organization's activity
// stream up to the point, as the members read model has them live.
eventstore::Result<void> ReplayActivity(eventstore::EventLog& log,
                                        const eventstore::codec::EventCodec& codec,
                                        const domain::OrgId& org, const AsOfPoint& point,
                                        AsOfState& out);

// One organization's view of a user at a point: membership and project access.
struct UserAccessAsOf {
  std::string org_id;
  std::string org_name;
  std::string role;  // empty: not a member then
  std::vector<std::pair<std::string, domain::ProjectAccess>> projects;
};

UserAccessAsOf AccessOf(const domain::OrganizationState& state, const domain::UserId& user);

}  // namespace roster::projections
