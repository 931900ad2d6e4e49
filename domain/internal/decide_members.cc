// Decisions about memberships: role changes (rule 2, 3), removal and leaving (rules 3, 5, 7).
#include "domain/internal/decide_support.h"

namespace roster::domain::internal {
namespace {

Check RequireNotLastOwner(const OrganizationState& s, const Member& target, std::string_view what) {
  if (s.catalog.IsOwnerRole(target.role) && s.owner_count() <= 1) {
    return Reject(ErrorCode::kLastOwner,
                  target.user_id.value + " is the last " + s.catalog.owner_role() +
                      " and an organization must always have one, so they cannot " +
                      std::string(what) + ". Make someone else " + s.catalog.owner_role() +
                      " first.");
  }
  return {};
}

// Who inherits a departing member's resources: the actor when they are an owner (and not the
// one leaving), otherwise the longest-standing other owner. Rule 3 guarantees one exists.
UserId Heir(const OrganizationState& s, const UserId& actor, const UserId& leaving) {
  if (actor != leaving && s.IsOwner(actor)) return actor;
  for (const auto& [seq, owner] : s.owners_by_join) {
    if (owner != leaving) return owner;
  }
  return UserId();
}

// Rule 5 and 7: everything that must follow a member out of the organization.
void AppendDeparture(const OrganizationState& s, const UserId& actor, const Member& member,
                     bool removed, std::vector<Event>& events) {
  if (removed) {
    events.push_back(
        MemberRemoved{member.membership_id, member.user_id, member.email, member.role});
  } else {
    events.push_back(MemberLeft{member.membership_id, member.user_id, member.email, member.role});
  }
  const auto reason = removed ? ProjectRemovalReason::kOrgRemoval : ProjectRemovalReason::kOrgLeft;
  if (auto it = s.direct_projects.find(member.user_id); it != s.direct_projects.end()) {
    for (const ProjectId& pid : it->second) {
      const Project& p = s.projects.at(pid);
      events.push_back(
          ProjectMemberRemoved{pid, member.user_id, p.direct_members.at(member.user_id), reason});
    }
  }
  if (auto it = s.resources_by_owner.find(member.user_id); it != s.resources_by_owner.end()) {
    const UserId heir = Heir(s, actor, member.user_id);
    for (const ResourceId& rid : it->second) {
      events.push_back(
          ResourceReassigned{rid, member.user_id, heir, removed ? "owner_removed" : "owner_left"});
    }
  }
  if (auto it = s.live_keys_by_creator.find(member.user_id); it != s.live_keys_by_creator.end()) {
    for (const ApiKeyId& kid : it->second) {
      if (s.api_keys.at(kid).rotation_recommended) continue;
      events.push_back(ApiKeyRotationRecommended{kid, member.user_id,
                                                 removed ? "creator_removed" : "creator_left"});
    }
  }
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeRole& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kMembersRoleChange);
  if (!m) return std::unexpected(m.error());
  const Member* target = s.FindMember(c.user);
  if (target == nullptr) {
    return Reject(ErrorCode::kNotFound,
                  "User " + c.user.value + " is not an active member of the organization.");
  }
  const Role* to = s.catalog.FindRole(c.role);
  if (to == nullptr) return Reject(ErrorCode::kNotFound, "Role '" + c.role + "' does not exist.");
  if (auto ok = RequireCovers(s, **m, *to, "grant"); !ok) return std::unexpected(ok.error());
  if (const Role* from = s.catalog.FindRole(target->role)) {
    if (auto ok = RequireCovers(s, **m, *from, "change someone from"); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (to->name == target->role) return std::vector<Event>{};
  if (!s.catalog.IsOwnerRole(to->name)) {
    if (auto ok = RequireNotLastOwner(s, *target, "be demoted"); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return std::vector<Event>{
      MemberRoleChanged{target->membership_id, target->user_id, target->role, to->name}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RemoveMember& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kMembersRemove);
  if (!m) return std::unexpected(m.error());
  const Member* target = s.FindMember(c.user);
  if (target == nullptr) {
    return Reject(ErrorCode::kNotFound,
                  "User " + c.user.value + " is not an active member of the organization.");
  }
  if (const Role* role = s.catalog.FindRole(target->role)) {
    if (auto ok = RequireCovers(s, **m, *role, "remove a member with"); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = RequireNotLastOwner(s, *target, "be removed"); !ok) {
    return std::unexpected(ok.error());
  }
  std::vector<Event> events;
  AppendDeparture(s, actor, *target, /*removed=*/true, events);
  return events;
}

Decision Handle(const OrganizationState& s, const UserId& actor, const LeaveOrganization&, Time) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  const Member* self = s.FindMember(actor);
  if (self == nullptr) {
    return Reject(ErrorCode::kNotFound,
                  "User " + actor.value + " is not an active member of the organization.");
  }
  if (auto ok = RequireNotLastOwner(s, *self, "leave"); !ok) return std::unexpected(ok.error());
  std::vector<Event> events;
  AppendDeparture(s, actor, *self, /*removed=*/false, events);
  return events;
}

}  // namespace roster::domain::internal
