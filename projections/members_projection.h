// MembersProjection: the membership view and the organization switcher.
//
// Read model: for each organization its name and status, and every membership it ever had
// (active, removed, left) with role, joined and ended times, last login and last active; for
// each user the organizations they are an active member of. Organizations are cached (a byte
// budget, internal/org_cache.h) and loaded from the rows on demand; what spans them, the
// organizations each user is an active member of, stays in memory. A cached organization holds
// its active state only: an ended membership, and the activity of a user who is no longer a
// member, stay in memory until their rows are written and are read from the rows after that
// (a membership that ended never changes again), so memory follows the working set, not the
// history. Rows:
//   'g' org            -> organization
//   'm' org pos        -> membership (pos = log position of the join, so rows sort by join)
//   'a' org user       -> last login / last active
// Thread-safety: see projection.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/internal/dirty_rows.h"
#include "projections/internal/org_cache.h"
#include "projections/projection.h"

namespace roster::projections {

enum class MembershipStatus : uint8_t { kActive = 0, kRemoved = 1, kLeft = 2 };
std::string_view MembershipStatusName(MembershipStatus s);

struct OrgSummary {
  std::string org_id;
  std::string name;
  std::string preset;
  std::string owner_role;
  bool deleted = false;
  int64_t created_at_us = 0;
  int64_t deleted_at_us = 0;
  bool operator==(const OrgSummary&) const = default;
};

struct MemberView {
  eventstore::Position joined_position = 0;  // also the paging cursor
  std::string membership_id;
  std::string user_id;
  std::string email;
  std::string display_name;
  std::string role;
  MembershipStatus status = MembershipStatus::kActive;
  int64_t joined_at_us = 0;
  int64_t ended_at_us = 0;
  int64_t last_login_us = 0;   // 0 = never recorded
  int64_t last_active_us = 0;  // 0 = never recorded
  bool operator==(const MemberView&) const = default;
};

struct MemberPage {
  std::vector<MemberView> members;
  eventstore::Position next_cursor = 0;  // 0 when there is nothing more
};

struct UserOrganization {
  OrgSummary org;
  MemberView membership;
};

class MembersProjection final : public Projection {
 public:
  MembersProjection();

  static constexpr std::string_view kName = "members";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 1; }
  bool LoadRow(std::string_view key, std::string_view value) override;
  void Apply(const EventContext& e) override;
  void Flush(RowSink& sink) override;
  void FlushAll(RowSink& sink) override;
  void EndBulk() override;
  void Flushed() override;
  std::string failure() const override { return failure_; }
  void SetCacheBudget(size_t bytes) override { orgs_.set_budget(bytes); }
  std::optional<CacheStats> cache_stats() const override { return orgs_.stats(); }

  std::optional<OrgSummary> Org(const std::string& org) const;
  // Members in join order after `cursor` (a joined_position), at most `limit`.
  MemberPage ListMembers(const std::string& org, bool include_former, eventstore::Position cursor,
                         size_t limit) const;
  std::optional<MemberView> ActiveMember(const std::string& org, const std::string& user) const;
  // The organization switcher: live organizations where the user is an active member.
  std::vector<UserOrganization> OrganizationsOf(const std::string& user) const;

 private:
  struct Activity {
    int64_t last_login_us = 0;
    int64_t last_active_us = 0;
  };
  struct OrgData {
    OrgSummary summary;
    // Active memberships, and ended ones whose rows are not yet written (all of them in a unit
    // test's model or a rebuild).
    std::map<eventstore::Position, MemberView> memberships;
    std::unordered_map<std::string, eventstore::Position> active_by_user;
    // Query-only indexes (not kept in bulk mode; EndBulk derives them).
    std::set<eventstore::Position> active_positions;  // join order of active members
    std::unordered_map<std::string, Activity> activity;
  };

  static size_t Weigh(const OrgData& d);
  // The organization's rows read back; nullopt when one cannot be read.
  std::optional<OrgData> LoadOrg(const std::string& org) const;
  MemberView* ActiveRow(OrgData& d, const std::string& user);
  void EndMembership(const std::string& org, OrgData& d, const std::string& user,
                     MembershipStatus status, int64_t at);
  void SetRole(const std::string& org, OrgData& d, const std::string& user,
               const std::string& role);
  void SeeActivity(const std::string& org, OrgData& d, const std::string& user, int64_t at,
                   bool login);
  // Drops what the written rows hold and memory need not: ended memberships, and the activity
  // of users who are not active members.
  void DropWritten(OrgData& d) const;
  // The user's activity row in the organization, from memory or else from the table.
  std::optional<Activity> StoredActivity(const std::string& org, const std::string& user) const;
  // Loads the user's activity row into memory if only the table has it (a former member who
  // joins again, or is seen, keeps the times already recorded).
  void EnsureActivity(const std::string& org, OrgData& d, const std::string& user);
  // Whether former memberships leave memory once written: with a table, outside a rebuild.
  bool KeepsActiveOnly() const { return attached() && !bulk(); }
  MemberView WithActivity(const OrgData& d, const MemberView& m) const;
  MemberView WithActivity(const std::optional<Activity>& a, const MemberView& m) const;
  MemberPage ListAllMembers(const std::string& org, const OrgData& d, eventstore::Position cursor,
                            size_t limit) const;
  std::optional<std::string> RowFor(const std::string& key) const;
  void MarkOrg(const std::string& org);

  internal::OrgCache<OrgData> orgs_;
  internal::OrgCache<OrgData>::Loader load_;
  std::unordered_map<std::string, std::set<std::string>> orgs_of_user_;  // query-only, as above
  std::string failure_;
  internal::DirtyRows dirty_;
};

}  // namespace roster::projections
