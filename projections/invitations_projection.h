// InvitationsProjection: every invitation of every organization with its status and expiry,
// and the index the expiry sweep uses to find organizations with overdue invitations.
//
// A pending invitation whose expiry has passed but whose InvitationExpired event is not yet in
// the log is reported as "expired" when the query gives the current time: expiry is a function
// of time, the event only records it. A cached organization holds its pending invitations;
// one that ended stays in memory until its row is written, then only its id and position do,
// and listings and lookups read it from its row (an ended invitation never changes again).
// Rows:
//   'i' org pos   -> invitation (pos = log position of invitation.sent)
//   'd' org       -> the organization was deleted
// Thread-safety: see projection.h.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/organization_state.h"
#include "projections/internal/dirty_rows.h"
#include "projections/internal/org_cache.h"
#include "projections/projection.h"

namespace roster::projections {

struct InvitationView {
  eventstore::Position sent_position = 0;  // also the paging cursor
  std::string invitation_id;
  std::string email;
  std::string display_name;
  std::string role;
  std::string inviter;
  domain::InvitationStatus status = domain::InvitationStatus::kPending;
  int64_t sent_at_us = 0;  // of the latest send (a resend moves it)
  int64_t expires_at_us = 0;
  // The lifetime the latest send granted (expires_at - sent_at): since invitation.sent
  // revision 2 the log records this rather than the deadline. New in version 2 of the rows.
  int64_t valid_for_us = 0;
  uint32_t resend_count = 0;
  std::string accepted_by;  // user id, when accepted
  int64_t ended_at_us = 0;  // accepted, revoked or expired at
  // A project invitation (InviteToProject): the project and the project role it grants; both
  // empty for an org invitation. New in version 3 of the rows.
  std::string project_id;
  std::string project_role;
  bool operator==(const InvitationView&) const = default;
};

struct InvitationPage {
  std::vector<InvitationView> invitations;
  eventstore::Position next_cursor = 0;
};

class InvitationsProjection final : public Projection {
 public:
  InvitationsProjection();

  static constexpr std::string_view kName = "invitations";
  std::string_view name() const override { return kName; }
  // 2: rows carry valid_for_us (docs/schema_evolution.md); 3: project_id and project_role.
  // Older rows are rebuilt.
  uint32_t version() const override { return 3; }
  bool LoadRow(std::string_view key, std::string_view value) override;
  void Apply(const EventContext& e) override;
  void Flush(RowSink& sink) override;
  void FlushAll(RowSink& sink) override;
  void EndBulk() override;
  // Ended invitations leave memory once their rows are written.
  void Flushed() override;
  std::string failure() const override { return failure_; }
  void SetCacheBudget(size_t bytes) override { orgs_.set_budget(bytes); }
  std::optional<CacheStats> cache_stats() const override { return orgs_.stats(); }

  // Invitations of an organization in send order, optionally only those with `status` as of
  // `now_us` (pending past its expiry counts as expired), after `cursor`, at most `limit`.
  InvitationPage List(const std::string& org, std::optional<domain::InvitationStatus> status,
                      int64_t now_us, eventstore::Position cursor, size_t limit) const;
  std::optional<InvitationView> Find(const std::string& org, const std::string& id,
                                     int64_t now_us) const;
  // Live organizations that have a pending invitation whose expiry is at or before `now_us`.
  std::vector<std::string> OrgsWithOverdueInvitations(int64_t now_us) const;

 private:
  struct OrgData {
    // Pending invitations, and ended ones whose rows are not yet written (all of them in a
    // unit test's model or a rebuild).
    std::map<eventstore::Position, InvitationView> invitations;
    std::unordered_map<std::string, eventstore::Position> by_id;  // every invitation
  };
  using Due = std::tuple<int64_t, std::string, std::string>;  // expires_at, org, invitation id

  static size_t Weigh(const OrgData& d);
  std::optional<OrgData> LoadOrg(const std::string& org) const;
  // The organization's invitations to change (pinned in the cache); null after a failed load.
  OrgData* Mutable(const std::string& org);
  InvitationView* Find(const std::string& org, const std::string& id);
  void End(const std::string& org, InvitationView& inv, domain::InvitationStatus status,
           int64_t at);
  std::optional<std::string> RowFor(const std::string& key) const;
  // An invitation's row read back (one that ended and left memory).
  std::optional<InvitationView> StoredInvitation(const std::string& org,
                                                 eventstore::Position pos) const;
  void MarkInvitation(const std::string& org, eventstore::Position pos);

  internal::OrgCache<OrgData> orgs_;
  internal::OrgCache<OrgData>::Loader load_;
  std::string failure_;
  std::unordered_set<std::string> deleted_orgs_;
  std::set<Due> pending_by_expiry_;  // query-only: not kept in bulk mode, EndBulk derives it
  internal::DirtyRows dirty_;
};

}  // namespace roster::projections
