// AccessProjection: who may do what, now: org roles, role catalogs, projects and their direct
// members, folded with the domain's own Apply so that a permission check here answers exactly
// as the aggregate would. Serves check(org, user, permission[, project]), project access
// (direct and effective) and the organizations a user was ever part of (for as-of history).
// Rows:
//   'g' org              -> name, status, settings, role catalog, memberships created
//   'm' org user         -> active member
//   'p' org project      -> project
//   'd' org project user -> direct project role
//   'u' user org         -> the user appeared in the organization (member or project-only)
// Organizations are cached (a byte budget, internal/org_cache.h) and loaded from their rows on
// demand; the organizations a user was ever part of are read from the 'u' rows.
// Thread-safety: see projection.h.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/access.h"
#include "domain/organization_state.h"
#include "projections/internal/dirty_rows.h"
#include "projections/internal/org_cache.h"
#include "projections/projection.h"

namespace roster::projections {

struct ProjectMemberAccess {
  std::string user_id;
  domain::ProjectAccess access;
  bool operator==(const ProjectMemberAccess&) const = default;
};

// Everyone with access to `project`: its direct members and the members who inherit a role,
// ordered by user id.
std::vector<ProjectMemberAccess> ProjectMembersOf(const domain::OrganizationState& state,
                                                  const domain::Project& project);

struct ProjectView {
  std::string project_id;
  std::string name;
  domain::ProjectAccess access;  // of the user asked about (UserAccess)
};

struct UserAccessView {
  std::string org_name;
  std::string org_role;  // empty when not an org member
  std::vector<ProjectView> projects;
};

class AccessProjection final : public Projection {
 public:
  AccessProjection();

  static constexpr std::string_view kName = "access";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 1; }
  // Nothing spans organizations in memory: nothing to read at start.
  bool NeedsRowsAtStart() const override { return false; }
  bool LoadRow(std::string_view key, std::string_view value) override;
  void Apply(const EventContext& e) override;
  void Flush(RowSink& sink) override;
  void FlushAll(RowSink& sink) override;
  void Flushed() override;
  std::string failure() const override { return failure_; }
  void SetCacheBudget(size_t bytes) override { orgs_.set_budget(bytes); }
  std::optional<CacheStats> cache_stats() const override { return orgs_.stats(); }

  domain::CheckResult Check(const std::string& org, const std::string& user,
                            domain::Permission permission,
                            const std::optional<std::string>& project) const;
  // Everyone with access to the project: direct members and members who inherit a role.
  // nullopt when the organization or project does not exist.
  std::optional<std::vector<ProjectMemberAccess>> ProjectMembers(const std::string& org,
                                                                 const std::string& project) const;
  std::optional<UserAccessView> UserAccess(const std::string& org, const std::string& user) const;
  std::optional<domain::RoleCatalog> Catalog(const std::string& org) const;
  // Every organization the user ever appeared in, in id order.
  std::vector<std::string> OrgsEverOf(const std::string& user) const;

 private:
  void Mark(char table, const std::string& org, const std::string& a = {},
            const std::string& b = {});
  std::optional<std::string> RowFor(const std::string& key) const;
  static size_t Weigh(const domain::OrganizationState& s);
  std::optional<domain::OrganizationState> LoadOrg(const std::string& org) const;
  // Only what a check of `user` (in `project`) reads, from point reads of its rows.
  std::optional<domain::OrganizationState> LoadForCheck(
      const std::string& org, const std::string& user,
      const std::optional<std::string>& project) const;

  internal::OrgCache<domain::OrganizationState> orgs_;
  internal::OrgCache<domain::OrganizationState>::Loader load_;
  // (user, org) 'u' rows staged or to be staged but not yet written: OrgsEverOf adds them to
  // what the table holds.
  std::set<std::pair<std::string, std::string>> unwritten_ever_;
  internal::DirtyRows dirty_;
  std::string failure_;
};

}  // namespace roster::projections
