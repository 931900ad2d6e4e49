// QueryService: the read side. Answers from the projections (waiting, bounded, for a
// consistency token so that a client reads its own writes) and from the log for as-of
// questions. Applies the visibility rule: listing members needs members.view, and a member
// without it (an analytics Guest) sees only themself. The other listings, given a viewer,
// refuse one who lacks the permission that reading them needs (docs/domain.md, rule 8).
//
// Thread-safety: thread-safe. Borrows the engine, log, codec and clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/service/audit_queries.h"
#include "api/service/failure.h"
#include "domain/time.h"
#include "projections/access_projection.h"
#include "projections/activity_log_projection.h"
#include "projections/as_of.h"
#include "projections/invitations_projection.h"
#include "projections/logins_projection.h"
#include "projections/members_projection.h"
#include "projections/projection_engine.h"

namespace roster::api::service {

struct QueryOptions {
  std::chrono::milliseconds token_wait{5000};  // how long a query waits for its token
  size_t max_page = 1000;
};

// Who is asking, for the visibility rule; empty viewer = the trusted backend itself.
struct Viewer {
  std::string user_id;
};

class QueryService {
 public:
  QueryService(projections::ProjectionEngine& engine, eventstore::EventLog& log,
               const eventstore::codec::EventCodec& codec, const domain::Clock& clock,
               QueryOptions options = {});

  Result<projections::MemberPage> ListMembers(const domain::OrgId& org, const Viewer& viewer,
                                              bool include_former, eventstore::Position cursor,
                                              size_t limit, eventstore::Position token);
  Result<std::vector<projections::UserOrganization>> OrganizationsOf(const domain::UserId& user,
                                                                     eventstore::Position token);
  // A viewer needs members.view.
  Result<projections::InvitationPage> Invitations(const domain::OrgId& org,
                                                  std::optional<domain::InvitationStatus> status,
                                                  eventstore::Position cursor, size_t limit,
                                                  eventstore::Position token,
                                                  const Viewer& viewer = {});
  // A viewer needs projects.view in that project.
  Result<std::vector<projections::ProjectMemberAccess>> ProjectAccess(
      const domain::OrgId& org, const domain::ProjectId& project, eventstore::Position token,
      const Viewer& viewer = {});
  // A viewer may see their own access; anyone else's needs members.view.
  Result<projections::UserAccessView> UserAccess(const domain::OrgId& org,
                                                 const domain::UserId& user,
                                                 eventstore::Position token,
                                                 const Viewer& viewer = {});
  // Waits until every read model has reached `token` (the status query: it shows them all).
  Result<void> WaitForAll(eventstore::Position token);
  Result<domain::CheckResult> Check(const domain::OrgId& org, const domain::UserId& user,
                                    const std::string& permission,
                                    const std::optional<domain::ProjectId>& project,
                                    eventstore::Position token);
  // A viewer needs audit.view in the filter's organization, which must then be given.
  Result<projections::ActivityPage> Activity(const projections::ActivityFilter& filter,
                                             size_t limit, eventstore::Position token,
                                             const Viewer& viewer = {});
  // A viewer may see their own logins; anyone else's (or everyone's) needs members.view.
  Result<projections::LoginPage> Logins(const domain::OrgId& org, const domain::UserId& user,
                                        eventstore::Position cursor, size_t limit,
                                        eventstore::Position token, const Viewer& viewer = {});

  // A viewer needs audit.view in the organization (now: the past is replayed, not the right).
  Result<OrganizationAsOfView> OrganizationAsOf(const domain::OrgId& org,
                                                const projections::AsOfPoint& point,
                                                eventstore::Position token = 0,
                                                const Viewer& viewer = {});
  // The user's organizations come from the access read model (hence the token); their
  // states at the point are replayed from the log. A viewer other than the user sees only the
  // organizations where they hold audit.view.
  Result<std::vector<projections::UserAccessAsOf>> UserAccessAsOf(
      const domain::UserId& user, const projections::AsOfPoint& point,
      eventstore::Position token = 0, const Viewer& viewer = {});
  // Every change to one user's access across all organizations, in log order; a viewer other
  // than the user sees only the organizations where they hold audit.view.
  Result<std::vector<UserHistoryEntry>> UserHistory(const domain::UserId& user,
                                                    const projections::AsOfPoint& until,
                                                    eventstore::Position token = 0,
                                                    const Viewer& viewer = {});

 private:
  template <class P>
  Result<std::shared_ptr<P>> Ready(std::string_view name, eventstore::Position token);
  // PERMISSION_DENIED unless the viewer (when there is one) holds `permission` in the org, or
  // in the project when one is given. `what` completes "User u may not ...".
  Result<void> Require(const std::string& org, const Viewer& viewer, domain::Permission permission,
                       const std::optional<std::string>& project, std::string_view what,
                       eventstore::Position token);

  // The organizations `user` ever belonged to that `viewer` may audit (all of them for the
  // user themself or the trusted backend).
  Result<std::vector<std::string>> AuditableOrgsOf(const std::string& user, const Viewer& viewer,
                                                   eventstore::Position token);

  projections::ProjectionEngine& engine_;
  eventstore::EventLog& log_;
  const eventstore::codec::EventCodec& codec_;
  const domain::Clock& clock_;
  QueryOptions options_;
};

}  // namespace roster::api::service
