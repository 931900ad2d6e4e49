// Decisions about invitations (rule 4): invite, resend, revoke, accept, expire.
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
// the role the invitation grants. `what` completes "cannot <what> <role>".
std::expected<const Invitation*, Rejection> RequireOpenInvitationToManage(
    const OrganizationState& s, const UserId& actor, const InvitationId& id, Time now,
    std::string_view what) {
  auto m = RequirePermission(s, actor, Permission::kMembersInvite);
  if (!m) return std::unexpected(m.error());
  auto inv = FindOpenInvitation(s, id, now);
  if (!inv) return std::unexpected(inv.error());
  if (const Role* role = s.catalog.FindRole((*inv)->role)) {
    if (auto ok = RequireCovers(s, **m, *role, what); !ok) return std::unexpected(ok.error());
  }
  return inv;
}

Time ExpiryFrom(const OrganizationState& s, Time now) {
  return now + Days(s.settings.invitation_ttl_days);
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId& actor, const InviteMember& c, Time now) {
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
  if (s.LivePendingCount(now) >= static_cast<size_t>(s.settings.max_pending_invitations)) {
    return Reject(ErrorCode::kInviteLimit,
                  "The organization already has " +
                      std::to_string(s.settings.max_pending_invitations) +
                      " pending invitations, its limit; revoke some or wait for them to expire.");
  }
  InvitationId id("i" + std::to_string(s.invitations_created + 1));
  events.push_back(InvitationSent{id, *email, c.display_name, role->name, actor, c.token_hash, now,
                                  ExpiryFrom(s, now)});
  return events;
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ResendInvitation& c,
                Time now) {
  auto inv =
      RequireOpenInvitationToManage(s, actor, c.invitation_id, now, "resend an invitation as");
  if (!inv) return std::unexpected(inv.error());
  if (auto ok = RequireHash(c.token_hash); !ok) return std::unexpected(ok.error());
  return std::vector<Event>{InvitationResent{(*inv)->id, (*inv)->email, c.token_hash, now,
                                             ExpiryFrom(s, now), (*inv)->resend_count + 1}};
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
  if (s.members.contains(actor) || s.member_by_email.contains(inv.email)) {
    return Reject(ErrorCode::kAlreadyMember,
                  "User " + actor.value + " (" + inv.email.value() +
                      ") is already an active member of the organization.");
  }
  if (auto ok = ValidateText("Display name", c.display_name, 200); !ok) {
    return std::unexpected(ok.error());
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
