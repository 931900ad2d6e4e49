// Audit queries answered from the log alone: an organization as of a past time or position,
// and every change to one user's access. The query service answers them for rosterd; the
// offline admin tool (tools/admin) calls the same functions on a data directory it opened
// without the projection engine. Thread-safe; borrows the log and codec for the call.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/service/failure.h"
#include "projections/access_projection.h"
#include "projections/as_of.h"

namespace roster::api::service {

struct OrganizationAsOfView {
  projections::AsOfState at;
  std::vector<domain::Member> members;      // in join order
  std::vector<domain::Invitation> pending;  // pending and unexpired then
  std::vector<std::pair<std::string, std::vector<projections::ProjectMemberAccess>>> projects;
};

struct UserHistoryEntry {
  eventstore::Position position = 0;
  int64_t time_us = 0;
  std::string org_id;
  std::string action;
  std::string project;
  std::string before;
  std::string after;
  std::string actor;
};

// NOT_FOUND when the organization did not exist at that point.
Result<OrganizationAsOfView> OrganizationAsOf(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const domain::OrgId& org,
                                              const projections::AsOfPoint& point);

// Every event of `orgs` (those the user ever belonged to, or simply all) after which the
// user's access differs, in log order, up to `until`.
Result<std::vector<UserHistoryEntry>> UserHistory(eventstore::EventLog& log,
                                                  const eventstore::codec::EventCodec& codec,
                                                  const std::string& user,
                                                  const std::vector<std::string>& orgs,
                                                  const projections::AsOfPoint& until);

}  // namespace roster::api::service
