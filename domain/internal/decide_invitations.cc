// Decisions about invitations (rule 4): invite (to the organization, to one project, many at
// once), resend, revoke, accept, expire.
#include <unordered_map>

#include "domain/internal/decide_support.h"

namespace roster::domain::internal {
namespace {

bool PastExpiry(const Invitation& inv, Time now) { return now >= inv.expires_at; }

Check RequireHash(std::string_view token_hash) {
  if (token_hash.empty()) {
    return Reject(ErrorCode::kInvalidArgument, "An invitation token is required.");
  }
  return {};
}

// A pending invitation that can still be resent or revoked.
std::expected<const Invitation*, Rejection> FindOpenInvitation(const OrganizationState& s,
                                                               const InvitationId& id, Time now) {
  auto it = s.invitations.find(id);
  if (it == s.invitations.end()) {
    return Reject(ErrorCode::kNotFound, "Invitation " + id.value + " does not exist.");
  }
  const Invitation& inv = it->second;
  switch (inv.status) {
    case InvitationStatus::kAccepted:
      return Reject(ErrorCode::kConflict, "Invitation " + id.value + " was already accepted.");
    case InvitationStatus::kRevoked:
      return Reject(ErrorCode::kConflict,
                    "Invitation " + id.value + " was revoked; send a new invitation instead.");
    case InvitationStatus::kExpired:
      return Reject(ErrorCode::kInvitationExpired,
                    "Invitation " + id.value + " has expired; send a new invitation instead.");
    case InvitationStatus::kPending:
      break;
  }
  if (PastExpiry(inv, now)) {
    return Reject(ErrorCode::kInvitationExpired,
                  "Invitation " + id.value + " has expired; send a new invitation instead.");
  }
  return &inv;
}

// Rules 1 and 2 for acting on an open invitation: the actor may invite, and their role covers
// the role the invitation grants. `what` completes "cannot <what> <role>". A project
// invitation is managed by whoever may add members to its project (as AddProjectMember), or,
// once its project is deleted, by whoever may invite to the organization.
std::expected<const Invitation*, Rejection> RequireOpenInvitationToManage(
    const OrganizationState& s, const UserId& actor, const InvitationId& id, Time now,
    std::string_view what) {
  auto found = s.invitations.find(id);
  if (found != s.invitations.end() && found->second.is_project() &&
      s.FindProject(found->second.project_id) != nullptr) {
    const Invitation& project_inv = found->second;
    auto a = RequireProjectPermission(s, actor, project_inv.project_id,
                                      Permission::kProjectsMembersManage);
    if (!a) return std::unexpected(a.error());
    auto inv = FindOpenInvitation(s, id, now);
    if (!inv) return std::unexpected(inv.error());
    if (const ProjectRole* role = s.catalog.FindProjectRole(project_inv.project_role)) {
      if (auto ok = RequireProjectCovers(*a, *role, what); !ok) return std::unexpected(ok.error());
    }
    return inv;
  }
  auto m = RequirePermission(s, actor, Permission::kMembersInvite);
  if (!m) return std::unexpected(m.error());
  auto inv = FindOpenInvitation(s, id, now);
  if (!inv) return std::unexpected(inv.error());
  if (const Role* role = s.catalog.FindRole((*inv)->role);
      role != nullptr && !(*inv)->is_project()) {
    if (auto ok = RequireCovers(s, **m, *role, what); !ok) return std::unexpected(ok.error());
  }
  return inv;
}

// The lifetime a new invitation is granted: `ttl_days` when given, within 1..the organization's
// invitation_ttl_days (its maximum), else that setting.
std::expected<Duration, Rejection> Lifetime(const OrganizationState& s,
                                            std::optional<int32_t> ttl_days) {
  const int32_t max = s.settings.invitation_ttl_days;
  if (!ttl_days) return Days(max);
  if (*ttl_days < 1 || *ttl_days > max) {
    return Reject(ErrorCode::kInvalidArgument,
                  "An invitation's lifetime must be 1 to " + std::to_string(max) +
                      " days (the organization's invitation_ttl_days is the maximum); got " +
                      std::to_string(*ttl_days) + ".");
  }
  return Days(*ttl_days);
}

Check RequireRoomForOneMore(const OrganizationState& s, Time now, size_t batch_sent) {
  if (s.LivePendingCount(now) + batch_sent <
      static_cast<size_t>(s.settings.max_pending_invitations)) {
    return {};
  }
  return Reject(ErrorCode::kInviteLimit,
                "The organization already has " +
                    std::to_string(s.settings.max_pending_invitations) +
                    " pending invitations, its limit; revoke some or wait for them to expire.");
}

// The id of the next invitation, after `batch_sent` sent earlier in the same command.
InvitationId NextInvitationId(const OrganizationState& s, size_t batch_sent) {
  return InvitationId("i" + std::to_string(s.invitations_created + batch_sent + 1));
}

// One org invitation, decided after `batch_sent` others of the same command (InviteMembers):
// those count toward the pending cap and take the ids before this one's. Duplicate emails
// within a batch are refused before this is asked.
Decision InviteOne(const OrganizationState& s, const UserId& actor, const InviteMember& c, Time now,
                   size_t batch_sent) {
  auto m = RequirePermission(s, actor, Permission::kMembersInvite);
  if (!m) return std::unexpected(m.error());
  auto email = Email::Parse(c.email);
  if (!email) return std::unexpected(email.error());
  if (auto ok = ValidateText("Display name", c.display_name, 200); !ok) {
    return std::unexpected(ok.error());
  }
  const Role* role = s.catalog.FindRole(c.role);
  if (role == nullptr) return Reject(ErrorCode::kNotFound, "Role '" + c.role + "' does not exist.");
  if (auto ok = RequireCovers(s, **m, *role, "invite someone as"); !ok) {
    return std::unexpected(ok.error());
  }
  auto lifetime = Lifetime(s, c.ttl_days);
  if (!lifetime) return std::unexpected(lifetime.error());
  if (auto ok = RequireHash(c.token_hash); !ok) return std::unexpected(ok.error());
  if (s.member_by_email.contains(*email)) {
    return Reject(ErrorCode::kAlreadyMember,
                  email->value() + " is already an active member of the organization.");
  }
  std::vector<Event> events;
  if (auto p = s.pending_by_email.find(*email); p != s.pending_by_email.end()) {
    const Invitation& old = s.invitations.at(p->second);
    if (!PastExpiry(old, now)) {
      return Reject(ErrorCode::kInvitePending, email->value() +
                                                   " already has a pending invitation (" +
                                                   old.id.value + "); resend it instead.");
    }
    // The old invitation's time has passed: record that before the new one replaces it.
    events.push_back(InvitationExpired{old.id, old.email, old.expires_at});
  }
  if (auto ok = RequireRoomForOneMore(s, now, batch_sent); !ok) return std::unexpected(ok.error());
  events.push_back(InvitationSent{NextInvitationId(s, batch_sent), *email, c.display_name,
                                  role->name, actor, c.token_hash, now, now + *lifetime});
  return events;
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId& actor, const InviteMember& c, Time now) {
  return InviteOne(s, actor, c, now, 0);
}

Decision Handle(const OrganizationState& s, const UserId& actor, const InviteToProject& c,
                Time now) {
  auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsMembersManage);
  if (!a) return std::unexpected(a.error());
  auto email = Email::Parse(c.email);
  if (!email) return std::unexpected(email.error());
  if (auto ok = ValidateText("Display name", c.display_name, 200); !ok) {
    return std::unexpected(ok.error());
  }
  const ProjectRole* role = s.catalog.FindProjectRole(c.role);
  if (role == nullptr) {
    return Reject(ErrorCode::kNotFound, "Project role '" + c.role + "' does not exist.");
  }
  if (auto ok = RequireProjectCovers(*a, *role, "invite someone as"); !ok) {
    return std::unexpected(ok.error());
  }
  auto lifetime = Lifetime(s, c.ttl_days);
  if (!lifetime) return std::unexpected(lifetime.error());
  if (auto ok = RequireHash(c.token_hash); !ok) return std::unexpected(ok.error());
  // A member already granted this project directly: the grant is changed, not re-invited.
  if (auto member = s.member_by_email.find(*email); member != s.member_by_email.end()) {
    if (auto direct = a->project->direct_members.find(member->second);
        direct != a->project->direct_members.end()) {
      return Reject(ErrorCode::kConflict, email->value() + " (user " + member->second.value +
                                              ") is already in project " + c.project_id.value +
                                              " as " + direct->second +
                                              "; change their project role instead.");
    }
  }
  std::vector<Event> events;
  if (auto p = s.pending_by_project_email.find(ProjectInviteKey(c.project_id, *email));
      p != s.pending_by_project_email.end()) {
    const Invitation& old = s.invitations.at(p->second);
    if (!PastExpiry(old, now)) {
      return Reject(ErrorCode::kInvitePending,
                    email->value() + " already has a pending invitation to project " +
                        c.project_id.value + " (" + old.id.value + "); resend it instead.");
    }
    events.push_back(InvitationExpired{old.id, old.email, old.expires_at});
  }
  if (auto ok = RequireRoomForOneMore(s, now, 0); !ok) return std::unexpected(ok.error());
  events.push_back(InvitationSent{NextInvitationId(s, 0), *email, c.display_name, "", actor,
                                  c.token_hash, now, now + *lifetime, c.project_id, role->name});
  return events;
}

Decision Handle(const OrganizationState& s, const UserId& actor, const InviteMembers& c, Time now) {
  auto decided = DecideInviteMembers(s, actor, c, now);
  if (!decided) return std::unexpected(decided.error());
  return std::move(decided->events);
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ResendInvitation& c,
                Time now) {
  auto inv =
      RequireOpenInvitationToManage(s, actor, c.invitation_id, now, "resend an invitation as");
  if (!inv) return std::unexpected(inv.error());
  if (auto ok = RequireHash(c.token_hash); !ok) return std::unexpected(ok.error());
  // The invitation's own lifetime (granted when it was sent), not the organization's setting.
  const Duration lifetime = (*inv)->expires_at - (*inv)->sent_at;
  return std::vector<Event>{InvitationResent{(*inv)->id, (*inv)->email, c.token_hash, now,
                                             now + lifetime, (*inv)->resend_count + 1}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RevokeInvitation& c,
                Time now) {
  auto inv =
      RequireOpenInvitationToManage(s, actor, c.invitation_id, now, "revoke an invitation as");
  if (!inv) return std::unexpected(inv.error());
  return std::vector<Event>{InvitationRevoked{(*inv)->id, (*inv)->email, (*inv)->role}};
}

// The actor is the invitee; they need no membership (rule 1's other exception).
Decision Handle(const OrganizationState& s, const UserId& actor, const AcceptInvitation& c,
                Time now) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  if (auto ok = ValidateId("User id", actor.value); !ok) return std::unexpected(ok.error());
  auto it = s.invitations.find(c.invitation_id);
  if (it == s.invitations.end()) {
    return Reject(ErrorCode::kNotFound, "Invitation " + c.invitation_id.value + " does not exist.");
  }
  const Invitation& inv = it->second;
  // The token is checked first so that a wrong token learns nothing about the invitation.
  if (c.token_hash.empty() || c.token_hash != inv.token_hash) {
    return Reject(ErrorCode::kInvalidToken, "The invitation token is not valid for invitation " +
                                                inv.id.value +
                                                " (a resent invitation has a new token).");
  }
  switch (inv.status) {
    case InvitationStatus::kAccepted:
      return Reject(ErrorCode::kConflict, "Invitation " + inv.id.value + " was already accepted.");
    case InvitationStatus::kRevoked:
      return Reject(ErrorCode::kConflict, "Invitation " + inv.id.value + " was revoked.");
    case InvitationStatus::kExpired:
      return Reject(ErrorCode::kInvitationExpired, "Invitation " + inv.id.value + " has expired.");
    case InvitationStatus::kPending:
      break;
  }
  if (PastExpiry(inv, now)) {
    return Reject(ErrorCode::kInvitationExpired, "Invitation " + inv.id.value + " has expired.");
  }
  auto email = Email::Parse(c.verified_email);
  if (!email) return std::unexpected(email.error());
  if (*email != inv.email) {
    return Reject(ErrorCode::kEmailMismatch,
                  "Invitation " + inv.id.value +
                      " was sent to a different email address than the user's verified one.");
  }
  if (auto ok = ValidateText("Display name", c.display_name, 200); !ok) {
    return std::unexpected(ok.error());
  }
  if (inv.is_project()) {
    // Project-only access (rule 7), or a direct grant for someone already in the organization.
    const Project* project = s.FindProject(inv.project_id);
    if (project == nullptr) {
      return Reject(ErrorCode::kNotFound, "Project " + inv.project_id.value + " of invitation " +
                                              inv.id.value + " was deleted.");
    }
    if (auto direct = project->direct_members.find(actor);
        direct != project->direct_members.end()) {
      return Reject(ErrorCode::kConflict, "User " + actor.value + " is already in project " +
                                              inv.project_id.value + " as " + direct->second + ".");
    }
    return std::vector<Event>{InvitationAccepted{inv.id, inv.email, actor, MembershipId()},
                              ProjectMemberAdded{inv.project_id, actor, inv.project_role}};
  }
  if (s.members.contains(actor) || s.member_by_email.contains(inv.email)) {
    return Reject(ErrorCode::kAlreadyMember,
                  "User " + actor.value + " (" + inv.email.value() +
                      ") is already an active member of the organization.");
  }
  const std::string& display = c.display_name.empty() ? inv.display_name : c.display_name;
  MembershipId membership("m" + std::to_string(s.memberships_created + 1));
  return std::vector<Event>{InvitationAccepted{inv.id, inv.email, actor, membership},
                            MemberJoined{membership, actor, inv.email, display, inv.role, inv.id}};
}

// Time-determined facts only, so any caller may run the sweep (the server runs it on a timer).
Decision Handle(const OrganizationState& s, const UserId&, const ExpireInvitations&, Time now) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  std::vector<Event> events;
  for (const auto& [expires_at, id] : s.pending_by_expiry) {
    if (expires_at > now) break;
    events.push_back(InvitationExpired{id, s.invitations.at(id).email, expires_at});
  }
  return events;
}

}  // namespace roster::domain::internal

namespace roster::domain {

std::expected<BulkInviteDecision, Rejection> DecideInviteMembers(const OrganizationState& s,
                                                                 const UserId& actor,
                                                                 const InviteMembers& c, Time now) {
  // What no entry could change refuses the whole command.
  auto m = internal::RequirePermission(s, actor, Permission::kMembersInvite);
  if (!m) return std::unexpected(m.error());
  if (c.entries.empty()) {
    return Reject(ErrorCode::kInvalidArgument, "A bulk invitation needs at least one entry.");
  }
  if (c.entries.size() > InviteMembers::kMaxEntries) {
    return Reject(ErrorCode::kInvalidArgument,
                  "A bulk invitation holds at most " + std::to_string(InviteMembers::kMaxEntries) +
                      " entries; this one has " + std::to_string(c.entries.size()) + ".");
  }
  BulkInviteDecision out;
  std::unordered_map<Email, size_t, EmailHash> first_entry;  // email -> its first entry
  size_t sent = 0;
  for (size_t i = 0; i < c.entries.size(); ++i) {
    const InviteMember& entry = c.entries[i];
    auto email = Email::Parse(entry.email);
    if (email) {
      auto [seen, fresh] = first_entry.emplace(*email, i);
      if (!fresh) {
        out.entries.push_back(
            Rejection{ErrorCode::kInvalidArgument,
                      email->value() + " appears more than once in this batch (entries " +
                          std::to_string(seen->second + 1) + " and " + std::to_string(i + 1) +
                          "); only the first is decided."});
        continue;
      }
    }
    auto decided = internal::InviteOne(s, actor, entry, now, sent);
    if (!decided) {
      out.entries.push_back(decided.error());
      continue;
    }
    for (Event& e : *decided) out.events.push_back(std::move(e));
    ++sent;
    out.entries.push_back(std::nullopt);
  }
  return out;
}

}  // namespace roster::domain
