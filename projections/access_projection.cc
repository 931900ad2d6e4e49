#include "projections/access_projection.h"

#include "domain/overloaded.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using namespace domain;

constexpr uint32_t kMaxRoles = 10000;

void WriteCatalog(RowWriter& w, const RoleCatalog& c) {
  w.Str(c.preset()).Str(c.owner_role()).U32(static_cast<uint32_t>(c.roles().size()));
  for (const Role& r : c.roles()) w.Str(r.name).U32(r.permissions.bits()).Str(r.project_role);
  w.U32(static_cast<uint32_t>(c.project_roles().size()));
  for (const ProjectRole& r : c.project_roles()) w.Str(r.name).U32(r.permissions.bits());
}

std::optional<RoleCatalog> ReadCatalog(RowReader& r) {
  std::string preset = r.Str();
  std::string owner = r.Str();
  const uint32_t n_roles = r.U32();
  if (!r.ok() || n_roles > kMaxRoles) return std::nullopt;
  std::vector<Role> roles;
  for (uint32_t i = 0; i < n_roles; ++i) {
    Role role;
    role.name = r.Str();
    role.permissions = PermissionSet::FromBits(r.U32());
    role.project_role = r.Str();
    roles.push_back(std::move(role));
  }
  const uint32_t n_project = r.U32();
  if (!r.ok() || n_project > kMaxRoles) return std::nullopt;
  std::vector<ProjectRole> project_roles;
  for (uint32_t i = 0; i < n_project; ++i) {
    ProjectRole pr;
    pr.name = r.Str();
    pr.permissions = PermissionSet::FromBits(r.U32());
    project_roles.push_back(std::move(pr));
  }
  if (!r.ok()) return std::nullopt;
  return RoleCatalog(std::move(preset), std::move(roles), std::move(project_roles),
                     std::move(owner));
}

RowWriter& WriteOrgRow(RowWriter& w, const OrganizationState& s) {
  w.Str(s.name)
      .U8(static_cast<uint8_t>(s.status))
      .U32(static_cast<uint32_t>(s.settings.invitation_ttl_days))
      .U32(static_cast<uint32_t>(s.settings.max_pending_invitations))
      .U64(s.memberships_created)
      .Str(s.org_id.value);
  WriteCatalog(w, s.catalog);
  return w;
}

RowWriter& WriteMemberRow(RowWriter& w, const Member& m) {
  return w.Str(m.membership_id.value)
      .Str(m.email.value())
      .Str(m.display_name)
      .Str(m.role)
      .U64(m.join_seq);
}

RowWriter& WriteProjectRow(RowWriter& w, const Project& p) { return w.Str(p.name).U8(p.deleted); }

// Events that change who may do what; the rest (invitations, keys, resources, activity) are
// not folded here.
bool Relevant(const Event& e) {
  return std::visit(Overloaded{
                        [](const OrganizationCreated&) { return true; },
                        [](const OrganizationRenamed&) { return true; },
                        [](const OrganizationSettingsChanged&) { return true; },
                        [](const OrganizationDeleted&) { return true; },
                        [](const MemberJoined&) { return true; },
                        [](const MemberRoleChanged&) { return true; },
                        [](const MemberRemoved&) { return true; },
                        [](const MemberLeft&) { return true; },
                        [](const OwnershipTransferred&) { return true; },
                        [](const RoleDefined&) { return true; },
                        [](const RoleUpdated&) { return true; },
                        [](const RoleDeleted&) { return true; },
                        [](const ProjectCreated&) { return true; },
                        [](const ProjectRenamed&) { return true; },
                        [](const ProjectDeleted&) { return true; },
                        [](const ProjectMemberAdded&) { return true; },
                        [](const ProjectMemberRoleChanged&) { return true; },
                        [](const ProjectMemberRemoved&) { return true; },
                        [](const auto&) { return false; },
                    },
                    e);
}

}  // namespace

void AccessProjection::Mark(char table, const std::string& org, const std::string& a,
                            const std::string& b) {
  if (bulk()) return;  // a rebuild writes every row at the end instead
  KeyBuilder k(table);
  if (table == 'u') {
    k.Part(a).Part(org);  // user first: "which organizations was this user in"
  } else {
    k.Part(org);
    if (!a.empty()) k.Part(a);
    if (!b.empty()) k.Part(b);
  }
  dirty_.Mark(k.Take());
}

void AccessProjection::Apply(const EventContext& e) {
  if (!Relevant(e.event)) return;
  const std::string& org = e.org.value;
  OrganizationState& s = orgs_[org];
  // Project deletion drops direct members: mark their rows before they disappear.
  if (const auto* ev = std::get_if<ProjectDeleted>(&e.event)) {
    if (auto p = s.projects.find(ev->project_id); p != s.projects.end()) {
      for (const auto& [user, role] : p->second.direct_members) {
        Mark('d', org, ev->project_id.value, user.value);
      }
    }
  }
  domain::Apply(s, e.event);
  auto seen = [&](const UserId& user) {
    if (ever_[user.value].insert(org).second) Mark('u', org, user.value);
  };
  std::visit(Overloaded{
                 [&](const MemberJoined& ev) {
                   Mark('g', org);
                   Mark('m', org, ev.user_id.value);
                   seen(ev.user_id);
                 },
                 [&](const MemberRoleChanged& ev) { Mark('m', org, ev.user_id.value); },
                 [&](const MemberRemoved& ev) { Mark('m', org, ev.user_id.value); },
                 [&](const MemberLeft& ev) { Mark('m', org, ev.user_id.value); },
                 [&](const OwnershipTransferred& ev) {
                   Mark('m', org, ev.from_user.value);
                   Mark('m', org, ev.to_user.value);
                 },
                 [&](const ProjectCreated& ev) { Mark('p', org, ev.project_id.value); },
                 [&](const ProjectRenamed& ev) { Mark('p', org, ev.project_id.value); },
                 [&](const ProjectDeleted& ev) { Mark('p', org, ev.project_id.value); },
                 [&](const ProjectMemberAdded& ev) {
                   Mark('d', org, ev.project_id.value, ev.user_id.value);
                   seen(ev.user_id);
                 },
                 [&](const ProjectMemberRoleChanged& ev) {
                   Mark('d', org, ev.project_id.value, ev.user_id.value);
                 },
                 [&](const ProjectMemberRemoved& ev) {
                   Mark('d', org, ev.project_id.value, ev.user_id.value);
                 },
                 [&](const auto&) { Mark('g', org); },  // organization and role catalog events
             },
             e.event);
}

std::optional<std::string> AccessProjection::RowFor(const std::string& key) const {
  KeyReader k(key);
  if (k.table() == 'u') {
    const std::string user(k.Part());
    const std::string org(k.Part());
    auto it = ever_.find(user);
    if (it == ever_.end() || !it->second.contains(org)) return std::nullopt;
    return std::string();
  }
  auto o = orgs_.find(std::string(k.Part()));
  if (o == orgs_.end()) return std::nullopt;
  const OrganizationState& s = o->second;
  RowWriter row;
  switch (k.table()) {
    case 'g':
      return WriteOrgRow(row, s).Take();
    case 'm': {
      const Member* m = s.FindMember(UserId(k.Part()));
      if (m == nullptr) return std::nullopt;
      return WriteMemberRow(row, *m).Take();
    }
    case 'p': {
      auto p = s.projects.find(ProjectId(k.Part()));
      if (p == s.projects.end()) return std::nullopt;
      return WriteProjectRow(row, p->second).Take();
    }
    case 'd': {
      auto p = s.projects.find(ProjectId(k.Part()));
      if (p == s.projects.end()) return std::nullopt;
      auto d = p->second.direct_members.find(UserId(k.Part()));
      if (d == p->second.direct_members.end()) return std::nullopt;
      return row.Str(d->second).Take();
    }
  }
  return std::nullopt;
}

void AccessProjection::Flush(RowSink& sink) {
  dirty_.Flush(sink, [this](const std::string& key) { return RowFor(key); });
}

void AccessProjection::FlushAll(RowSink& sink) {
  // The rows RowFor would give for every key, built without looking each one up again.
  KeyBuilder key('g');
  RowWriter row;
  for (const auto& [org, s] : orgs_) {
    sink.Put(key.Reset('g').Part(org).key(), WriteOrgRow(row.Clear(), s).bytes());
    for (const auto& [user, m] : s.members) {
      sink.Put(key.Reset('m').Part(org).Part(user.value).key(),
               WriteMemberRow(row.Clear(), m).bytes());
    }
    for (const auto& [pid, p] : s.projects) {
      sink.Put(key.Reset('p').Part(org).Part(pid.value).key(),
               WriteProjectRow(row.Clear(), p).bytes());
      for (const auto& [user, role] : p.direct_members) {
        sink.Put(key.Reset('d').Part(org).Part(pid.value).Part(user.value).key(),
                 row.Clear().Str(role).bytes());
      }
    }
  }
  for (const auto& [user, orgs] : ever_) {
    for (const std::string& org : orgs) sink.Put(key.Reset('u').Part(user).Part(org).key(), "");
  }
}

bool AccessProjection::LoadRow(std::string_view key, std::string_view value) {
  KeyReader k(key);
  RowReader r(value);
  if (k.table() == 'u') {
    const std::string user(k.Part());
    ever_[user].insert(std::string(k.Part()));
    return k.done() && value.empty();
  }
  OrganizationState& s = orgs_[std::string(k.Part())];
  switch (k.table()) {
    case 'g': {
      s.name = r.Str();
      const uint8_t status = r.U8();
      s.settings.invitation_ttl_days = static_cast<int32_t>(r.U32());
      s.settings.max_pending_invitations = static_cast<int32_t>(r.U32());
      s.memberships_created = r.U64();
      s.org_id = OrgId(r.Str());
      std::optional<RoleCatalog> catalog = ReadCatalog(r);
      if (!catalog || status > static_cast<uint8_t>(OrgStatus::kDeleted)) return false;
      s.status = static_cast<OrgStatus>(status);
      s.catalog = std::move(*catalog);
      return k.done() && r.done();
    }
    case 'm': {
      Member m;
      m.user_id = UserId(k.Part());
      m.membership_id = MembershipId(r.Str());
      m.email = Email::FromNormalized(r.Str());
      m.display_name = r.Str();
      m.role = r.Str();
      m.join_seq = r.U64();
      if (!k.done() || !r.done()) return false;
      s.members[m.user_id] = std::move(m);
      return true;
    }
    case 'p': {
      ProjectId id(k.Part());
      Project& p = s.projects[id];
      p.id = id;
      p.name = r.Str();
      p.deleted = r.U8() != 0;
      return k.done() && r.done();
    }
    case 'd': {
      ProjectId id(k.Part());
      UserId user(k.Part());
      Project& p = s.projects[id];
      p.id = id;
      p.direct_members[user] = r.Str();
      return k.done() && r.done();
    }
  }
  return false;
}

bool AccessProjection::FinishLoad() {
  for (auto& [org, s] : orgs_) RebuildIndexes(s);
  return true;
}

CheckResult AccessProjection::Check(const std::string& org, const std::string& user,
                                    Permission permission,
                                    const std::optional<std::string>& project) const {
  auto it = orgs_.find(org);
  if (it == orgs_.end()) {
    return CheckResult{false, "", AccessSource::kNone, "Organization " + org + " does not exist."};
  }
  std::optional<ProjectId> pid;
  if (project) pid = ProjectId(*project);
  return domain::Check(it->second, UserId(user), permission, pid);
}

std::vector<ProjectMemberAccess> ProjectMembersOf(const OrganizationState& s, const Project& p) {
  std::vector<ProjectMemberAccess> out;
  for (const auto& [user, role] : p.direct_members) {
    out.push_back({user.value, EffectiveProjectAccess(s, p, user)});
  }
  for (const auto& [user, m] : s.members) {
    if (p.direct_members.contains(user)) continue;
    ProjectAccess a = EffectiveProjectAccess(s, p, user);
    if (a.source != AccessSource::kNone) out.push_back({user.value, std::move(a)});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
  return out;
}

std::optional<std::vector<ProjectMemberAccess>> AccessProjection::ProjectMembers(
    const std::string& org, const std::string& project) const {
  auto it = orgs_.find(org);
  if (it == orgs_.end()) return std::nullopt;
  const Project* p = it->second.FindProject(ProjectId(project));
  if (p == nullptr) return std::nullopt;
  return ProjectMembersOf(it->second, *p);
}

std::optional<UserAccessView> AccessProjection::UserAccess(const std::string& org,
                                                           const std::string& user) const {
  auto it = orgs_.find(org);
  if (it == orgs_.end()) return std::nullopt;
  const OrganizationState& s = it->second;
  UserAccessView view;
  const UserId uid(user);
  if (const Member* m = s.FindMember(uid)) view.org_role = m->role;
  std::vector<const Project*> projects;
  for (const auto& [pid, p] : s.projects) {
    if (!p.deleted) projects.push_back(&p);
  }
  std::sort(projects.begin(), projects.end(),
            [](const Project* a, const Project* b) { return a->id < b->id; });
  for (const Project* p : projects) {
    ProjectAccess a = EffectiveProjectAccess(s, *p, uid);
    if (a.source != AccessSource::kNone)
      view.projects.push_back({p->id.value, p->name, std::move(a)});
  }
  return view;
}

std::optional<RoleCatalog> AccessProjection::Catalog(const std::string& org) const {
  auto it = orgs_.find(org);
  if (it == orgs_.end()) return std::nullopt;
  return it->second.catalog;
}

std::vector<std::string> AccessProjection::OrgsEverOf(const std::string& user) const {
  auto it = ever_.find(user);
  if (it == ever_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

}  // namespace roster::projections
