#include "api/dispatch/fill.h"

#include <cstring>

namespace roster::api::dispatch {

void FillRecord(const eventstore::RecordView& r, wire::Record::Builder out) {
  auto bytes = [](std::string_view s) {
    return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(s.data()), s.size());
  };
  // The views are not NUL-terminated, so text is copied into space of the right size.
  auto copy = [](capnp::Text::Builder to, std::string_view from) {
    if (!from.empty()) std::memcpy(to.begin(), from.data(), from.size());
  };
  out.setPosition(r.position);
  copy(out.initStream(r.stream.size()), r.stream);
  out.setStreamVersion(r.stream_version);
  copy(out.initType(r.type.size()), r.type);
  out.setRevision(r.revision);
  copy(out.initActor(r.actor.size()), r.actor);
  copy(out.initCommandId(r.command_id.size()), r.command_id);
  copy(out.initCorrelationId(r.correlation_id.size()), r.correlation_id);
  copy(out.initSource(r.source.size()), r.source);
  out.setTimeUs(r.time_us);
  out.setPayload(bytes(r.payload));
  out.setPrevHash(bytes(r.prev_hash));
  out.setHash(bytes(r.hash));
}

projections::AsOfPoint Point(wire::AsOf::Reader r) {
  projections::AsOfPoint p;
  p.position = r.getPosition();
  if (r.getTimeUs() != 0) p.time_us = r.getTimeUs();
  return p;
}

void SetAccess(wire::ProjectAccessEntry::Builder out, const std::string& project,
               const domain::ProjectAccess& a) {
  out.setProjectId(project);
  out.setRole(a.role);
  out.setSource(std::string(domain::AccessSourceName(a.source)));
  out.setInheritedRole(a.inherited_role);
  out.setDirectRole(a.direct_role);
}

void SetProjectMember(wire::ProjectMemberAccess::Builder out,
                      const projections::ProjectMemberAccess& member, const std::string& project) {
  out.setUserId(member.user_id);
  SetAccess(out.initAccess(), project, member.access);
}

void SetUserAccess(wire::UserAccess::Builder out, const std::string& org, const std::string& name,
                   const std::string& role,
                   const std::vector<std::pair<std::string, domain::ProjectAccess>>& projects) {
  out.setOrg(org);
  out.setOrgName(name);
  out.setRole(role);
  auto list = out.initProjects(static_cast<unsigned>(projects.size()));
  for (unsigned i = 0; i < projects.size(); ++i) {
    SetAccess(list[i], projects[i].first, projects[i].second);
  }
}

void SetAsOfHeader(wire::OrganizationAsOf::Builder out,
                   const api::service::OrganizationAsOfView& at) {
  const domain::OrganizationState& s = at.at.state;
  out.setOrg(s.org_id.value);
  out.setName(s.name);
  out.setPosition(at.at.position);
  out.setTimeUs(at.at.time_us);
  out.setDeleted(s.status == domain::OrgStatus::kDeleted);
}

void SetOrganizationAsOf(wire::OrganizationAsOf::Builder out,
                         const api::service::OrganizationAsOfView& at) {
  SetAsOfHeader(out, at);
  auto members = out.initMembers(static_cast<unsigned>(at.members.size()));
  for (unsigned i = 0; i < members.size(); ++i) SetAsOfMember(members[i], at.members[i], at.at);
  auto pending = out.initPending(static_cast<unsigned>(at.pending.size()));
  for (unsigned i = 0; i < pending.size(); ++i) SetPending(pending[i], at.pending[i]);
  auto projects = out.initProjects(static_cast<unsigned>(at.projects.size()));
  for (unsigned i = 0; i < projects.size(); ++i) {
    const auto& [project, access] = at.projects[i];
    projects[i].setProjectId(project);
    auto list = projects[i].initMembers(static_cast<unsigned>(access.size()));
    for (unsigned j = 0; j < list.size(); ++j) SetProjectMember(list[j], access[j], project);
  }
}

void SetAsOfMember(wire::Member::Builder out, const domain::Member& m,
                   const projections::AsOfState& at) {
  out.setMembershipId(m.membership_id.value);
  if (auto joined = at.joined_at_us.find(m.membership_id.value); joined != at.joined_at_us.end()) {
    out.setJoinedAtUs(joined->second);
  }
  out.setUserId(m.user_id.value);
  out.setEmail(m.email.value());
  out.setDisplayName(m.display_name);
  out.setRole(m.role);
  out.setStatus("active");
  if (auto login = at.last_login_us.find(m.user_id.value); login != at.last_login_us.end()) {
    out.setLastLoginUs(login->second);
  }
  if (auto active = at.last_active_us.find(m.user_id.value); active != at.last_active_us.end()) {
    out.setLastActiveUs(active->second);
  }
}

void SetPending(wire::PendingInvitation::Builder out, const domain::Invitation& invitation) {
  out.setInvitationId(invitation.id.value);
  out.setEmail(invitation.email.value());
  out.setRole(invitation.role);
  out.setExpiresAtUs(domain::ToMicros(invitation.expires_at));
  out.setProjectId(invitation.project_id.value);
  out.setProjectRole(invitation.project_role);
}

void SetHistoryEntry(wire::HistoryEntry::Builder out, const api::service::UserHistoryEntry& h) {
  out.setPosition(h.position);
  out.setTimeUs(h.time_us);
  out.setOrg(h.org_id);
  out.setAction(h.action);
  out.setActor(h.actor);
  out.setBefore(h.before);
  out.setAfter(h.after);
}

}  // namespace roster::api::dispatch
