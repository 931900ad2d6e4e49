#include "api/service/query_service.h"

#include <algorithm>
#include <map>

#include "eventstore/codec/streams.h"

namespace roster::api::service {

using eventstore::Position;
using namespace projections;

namespace {

constexpr size_t kDefaultPage = 100;

size_t PageSize(size_t asked, size_t max) {
  return asked == 0 ? kDefaultPage : std::min(asked, max);
}

}  // namespace

QueryService::QueryService(ProjectionEngine& engine, eventstore::EventLog& log,
                           const eventstore::codec::EventCodec& codec, const domain::Clock& clock,
                           QueryOptions options)
    : engine_(engine), log_(log), codec_(codec), clock_(clock), options_(options) {}

template <class P>
Result<std::shared_ptr<P>> QueryService::Ready(std::string_view name, Position token) {
  if (token > 0) {
    if (auto reached = engine_.WaitFor(name, token, options_.token_wait); !reached) {
      return std::unexpected(FromStoreError(reached.error()));
    }
  }
  std::shared_ptr<P> p = engine_.Active<P>(name);
  if (!p) {
    // Its build failed: nothing will build it before a restart.
    if (std::string failure = engine_.failure(); !failure.empty()) {
      return Fail("UNAVAILABLE", "the " + std::string(name) +
                                     " read model is not built: projections stopped: " + failure);
    }
    return Fail("UNAVAILABLE",
                "the " + std::string(name) + " read model is being rebuilt; try again shortly");
  }
  return p;
}

Result<void> QueryService::WaitForAll(Position token) {
  if (token == 0) return {};
  for (const projections::ProjectionStatus& p : engine_.Describe()) {
    if (auto reached = engine_.WaitFor(p.name, token, options_.token_wait); !reached) {
      return std::unexpected(FromStoreError(reached.error()));
    }
  }
  return {};
}

Result<MemberPage> QueryService::ListMembers(const domain::OrgId& org_id, const Viewer& viewer,
                                             bool include_former, Position cursor, size_t limit,
                                             Position token) {
  const std::string& org = org_id.value;
  auto members = Ready<MembersProjection>(MembersProjection::kName, token);
  if (!members) return std::unexpected(members.error());
  std::shared_lock lock((*members)->mutex());
  std::optional<OrgSummary> summary = (*members)->Org(org);
  if (!summary) return Fail("NOT_FOUND", "Organization " + org + " does not exist.");
  if (summary->deleted) return Fail("ORG_DELETED", "Organization " + org + " was deleted.");
  if (!viewer.user_id.empty()) {
    auto access = Ready<AccessProjection>(AccessProjection::kName, token);
    if (!access) return std::unexpected(access.error());
    domain::CheckResult check;
    {
      std::shared_lock access_lock((*access)->mutex());
      check = (*access)->Check(org, viewer.user_id, domain::Permission::kMembersView, std::nullopt);
    }
    if (!check.allowed) {
      std::optional<MemberView> self = (*members)->ActiveMember(org, viewer.user_id);
      if (!self) {
        return Fail("PERMISSION_DENIED",
                    "User " + viewer.user_id + " is not an active member of " + org + ".");
      }
      // Without members.view a member sees only their own membership.
      MemberPage page;
      if (self->joined_position > cursor) page.members.push_back(*self);
      return page;
    }
  }
  return (*members)->ListMembers(org, include_former, cursor, PageSize(limit, options_.max_page));
}

Result<std::vector<UserOrganization>> QueryService::OrganizationsOf(const domain::UserId& user_id,
                                                                    Position token) {
  const std::string& user = user_id.value;
  auto members = Ready<MembersProjection>(MembersProjection::kName, token);
  if (!members) return std::unexpected(members.error());
  std::shared_lock lock((*members)->mutex());
  return (*members)->OrganizationsOf(user);
}

Result<void> QueryService::Require(const std::string& org, const Viewer& viewer,
                                   domain::Permission permission,
                                   const std::optional<std::string>& project, std::string_view what,
                                   Position token) {
  if (viewer.user_id.empty()) return {};
  auto access = Ready<AccessProjection>(AccessProjection::kName, token);
  if (!access) return std::unexpected(access.error());
  domain::CheckResult check;
  {
    std::shared_lock lock((*access)->mutex());
    check = (*access)->Check(org, viewer.user_id, permission, project);
  }
  if (check.allowed) return {};
  return Fail("PERMISSION_DENIED",
              "User " + viewer.user_id + " may not " + std::string(what) + " (needs " +
                  std::string(domain::PermissionName(permission)) + "): " + check.reason);
}

Result<InvitationPage> QueryService::Invitations(const domain::OrgId& org_id,
                                                 std::optional<domain::InvitationStatus> status,
                                                 Position cursor, size_t limit, Position token,
                                                 const Viewer& viewer) {
  const std::string& org = org_id.value;
  if (auto ok = Require(org, viewer, domain::Permission::kMembersView, std::nullopt,
                        "list the invitations of " + org, token);
      !ok) {
    return std::unexpected(ok.error());
  }
  auto invitations = Ready<InvitationsProjection>(InvitationsProjection::kName, token);
  if (!invitations) return std::unexpected(invitations.error());
  std::shared_lock lock((*invitations)->mutex());
  return (*invitations)
      ->List(org, status, domain::ToMicros(clock_.Now()), cursor,
             PageSize(limit, options_.max_page));
}

Result<std::vector<ProjectMemberAccess>> QueryService::ProjectAccess(
    const domain::OrgId& org_id, const domain::ProjectId& project_id, Position token,
    const Viewer& viewer) {
  const std::string& org = org_id.value;
  const std::string& project = project_id.value;
  auto access = Ready<AccessProjection>(AccessProjection::kName, token);
  if (!access) return std::unexpected(access.error());
  std::optional<std::vector<ProjectMemberAccess>> members;
  {
    std::shared_lock lock((*access)->mutex());
    members = (*access)->ProjectMembers(org, project);
  }
  if (!members) return Fail("NOT_FOUND", "Project " + project + " does not exist in " + org + ".");
  if (auto ok = Require(org, viewer, domain::Permission::kProjectsView, project,
                        "see who has access to project " + project + " of " + org, token);
      !ok) {
    return std::unexpected(ok.error());
  }
  return std::move(*members);
}

Result<UserAccessView> QueryService::UserAccess(const domain::OrgId& org_id,
                                                const domain::UserId& user_id, Position token,
                                                const Viewer& viewer) {
  const std::string& org = org_id.value;
  const std::string& user = user_id.value;
  if (viewer.user_id != user) {
    if (auto ok = Require(org, viewer, domain::Permission::kMembersView, std::nullopt,
                          "see the access of " + user + " in " + org, token);
        !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto access = Ready<AccessProjection>(AccessProjection::kName, token);
  if (!access) return std::unexpected(access.error());
  std::shared_lock lock((*access)->mutex());
  auto view = (*access)->UserAccess(org, user);
  if (!view) return Fail("NOT_FOUND", "Organization " + org + " does not exist.");
  return std::move(*view);
}

Result<domain::CheckResult> QueryService::Check(const domain::OrgId& org_id,
                                                const domain::UserId& user_id,
                                                const std::string& permission,
                                                const std::optional<domain::ProjectId>& project_id,
                                                Position token) {
  const std::string& org = org_id.value;
  const std::string& user = user_id.value;
  const std::optional<std::string> project =
      project_id ? std::optional<std::string>(project_id->value) : std::nullopt;
  std::optional<domain::Permission> p = domain::ParsePermission(permission);
  if (!p) return Fail("INVALID_ARGUMENT", "Unknown permission '" + permission + "'.");
  auto access = Ready<AccessProjection>(AccessProjection::kName, token);
  if (!access) return std::unexpected(access.error());
  std::shared_lock lock((*access)->mutex());
  return (*access)->Check(org, user, *p, project);
}

Result<ActivityPage> QueryService::Activity(const ActivityFilter& filter, size_t limit,
                                            Position token, const Viewer& viewer) {
  // The activity log is membership actions; logins and last-active marks are the logins read
  // model's. Filtering on one would answer an empty page that looks like "nobody logged in".
  if (filter.action && (*filter.action == domain::MemberLoggedIn::kType ||
                        *filter.action == domain::MemberActive::kType)) {
    return Fail("INVALID_ARGUMENT", "The activity log holds membership actions, not " +
                                        *filter.action +
                                        ": logins and last activity are in the logins query.");
  }
  if (!viewer.user_id.empty()) {
    if (!filter.org) {
      return Fail("INVALID_ARGUMENT",
                  "A viewer reads the activity log of one organization: name it.");
    }
    if (auto ok = Require(*filter.org, viewer, domain::Permission::kAuditView, std::nullopt,
                          "read the activity log of " + *filter.org, token);
        !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto log = Ready<ActivityLogProjection>(ActivityLogProjection::kName, token);
  if (!log) return std::unexpected(log.error());
  auto page = (*log)->Query(filter, PageSize(limit, options_.max_page),
                            engine_.PositionOf(ActivityLogProjection::kName));
  if (!page) return std::unexpected(FromStoreError(page.error()));
  return std::move(*page);
}

Result<LoginPage> QueryService::Logins(const domain::OrgId& org_id, const domain::UserId& user_id,
                                       Position cursor, size_t limit, Position token,
                                       const Viewer& viewer) {
  const std::string& org = org_id.value;
  const std::string& user = user_id.value;
  if (viewer.user_id != user) {
    const std::string whose = user.empty() ? "everyone's" : user + "'s";
    if (auto ok = Require(org, viewer, domain::Permission::kMembersView, std::nullopt,
                          "see " + whose + " logins in " + org, token);
        !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto logins = Ready<LoginsProjection>(LoginsProjection::kName, token);
  if (!logins) return std::unexpected(logins.error());
  auto page = (*logins)->History(org, user, cursor, PageSize(limit, options_.max_page),
                                 engine_.PositionOf(LoginsProjection::kName));
  if (!page) return std::unexpected(FromStoreError(page.error()));
  return std::move(*page);
}

Result<OrganizationAsOfView> QueryService::OrganizationAsOf(const domain::OrgId& org_id,
                                                            const AsOfPoint& point, Position token,
                                                            const Viewer& viewer) {
  const std::string& org = org_id.value;
  if (auto ok = Require(org, viewer, domain::Permission::kAuditView, std::nullopt,
                        "replay the history of " + org, token);
      !ok) {
    return std::unexpected(ok.error());
  }
  return api::service::OrganizationAsOf(log_, codec_, org_id, point);
}

Result<std::vector<std::string>> QueryService::AuditableOrgsOf(const std::string& user,
                                                               const Viewer& viewer,
                                                               Position token) {
  auto access = Ready<AccessProjection>(AccessProjection::kName, token);
  if (!access) return std::unexpected(access.error());
  std::shared_lock lock((*access)->mutex());
  std::vector<std::string> orgs = (*access)->OrgsEverOf(user);
  if (viewer.user_id.empty() || viewer.user_id == user) return orgs;
  std::erase_if(orgs, [&](const std::string& org) {
    return !(*access)
                ->Check(org, viewer.user_id, domain::Permission::kAuditView, std::nullopt)
                .allowed;
  });
  return orgs;
}

Result<std::vector<UserAccessAsOf>> QueryService::UserAccessAsOf(const domain::UserId& user_id,
                                                                 const AsOfPoint& point,
                                                                 Position token,
                                                                 const Viewer& viewer) {
  const std::string& user = user_id.value;
  auto orgs = AuditableOrgsOf(user, viewer, token);
  if (!orgs) return std::unexpected(orgs.error());
  std::vector<projections::UserAccessAsOf> out;
  for (const std::string& org : *orgs) {
    auto replayed = ReplayOrganization(log_, codec_, domain::OrgId(org), point);
    if (!replayed) return std::unexpected(FromStoreError(replayed.error()));
    if (replayed->state.status != domain::OrgStatus::kActive) continue;
    projections::UserAccessAsOf a = AccessOf(replayed->state, domain::UserId(user));
    if (!a.role.empty() || !a.projects.empty()) out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<UserHistoryEntry>> QueryService::UserHistory(const domain::UserId& user_id,
                                                                const AsOfPoint& until,
                                                                Position token,
                                                                const Viewer& viewer) {
  const std::string& user = user_id.value;
  auto orgs = AuditableOrgsOf(user, viewer, token);
  if (!orgs) return std::unexpected(orgs.error());
  return api::service::UserHistory(log_, codec_, user, *orgs, until);
}

}  // namespace roster::api::service
