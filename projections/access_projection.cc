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

// One row of an organization ('g', 'm', 'p' or 'd'; the key reader is past the org) into `s`.
bool ReadOrgRow(OrganizationState& s, KeyReader& k, std::string_view value) {
  RowReader r(value);
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

}  // namespace

AccessProjection::AccessProjection()
    : orgs_(&AccessProjection::Weigh),
      load_([this](const std::string& org) { return LoadOrg(org); }) {}

size_t AccessProjection::Weigh(const OrganizationState& s) {
  // The catalog and the state's own indexes (role holders, owners in join order) are counted
  // per role and per member, roughly.
  size_t bytes = sizeof(OrganizationState) + 2048 + s.catalog.roles().size() * 512;
  bytes += internal::SampledBytes(s.members, [](const auto& entry) {
    const Member& m = entry.second;
    return 3 * 64 + sizeof(Member) + 2 * internal::HeapBytes(m.user_id.value) +
           internal::HeapBytes(m.membership_id.value) + internal::HeapBytes(m.display_name) +
           internal::HeapBytes(m.role) + 32;
  });
  bytes += internal::SampledBytes(s.projects, [](const auto& entry) {
    const Project& p = entry.second;
    return 64 + sizeof(Project) + internal::HeapBytes(p.name) + p.direct_members.size() * 128;
  });
  return bytes;
}

std::optional<OrganizationState> AccessProjection::LoadOrg(const std::string& org) const {
  OrganizationState s;
  if (!attached()) return s;  // a unit test's model: everything is in memory
  bool ok = true;
  for (const char table_letter : {'g', 'm', 'p', 'd'}) {
    auto scanned = table().ScanPrefix(KeyBuilder(table_letter).Part(org).Take(),
                                      [&](std::string_view key, std::string_view value) {
                                        KeyReader k(key);
                                        k.Part();
                                        ok = ReadOrgRow(s, k, value);
                                        return ok;
                                      });
    if (!scanned || !ok) return std::nullopt;
  }
  RebuildIndexes(s);
  return s;
}

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
  OrganizationState* loaded = orgs_.Mutable(org, load_);
  if (loaded == nullptr) {
    failure_ = "the access rows of organization " + org + " cannot be read";
    return;
  }
  OrganizationState& s = *loaded;
  // Project deletion drops direct members: mark their rows before they disappear.
  if (const auto* ev = std::get_if<ProjectDeleted>(&e.event)) {
    if (auto p = s.projects.find(ev->project_id); p != s.projects.end()) {
      for (const auto& [user, role] : p->second.direct_members) {
        Mark('d', org, ev->project_id.value, user.value);
      }
    }
  }
  domain::Apply(s, e.event);
  // Written again at each join: a row that exists is only overwritten with the same nothing,
  // and no lookup decides whether it exists.
  auto seen = [&](const UserId& user) {
    if (unwritten_ever_.emplace(user.value, org).second) Mark('u', org, user.value);
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
  if (k.table() == 'u') return std::string();  // never deleted
  // Every organization with a dirty row is pinned in the cache until its rows are written.
  const OrganizationState* cached = orgs_.Cached(std::string(k.Part()));
  if (cached == nullptr) return std::nullopt;
  const OrganizationState& s = *cached;
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
  orgs_.ForEach([&](const std::string& org, const OrganizationState& s) {
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
  });
  for (const auto& [user, org] : unwritten_ever_) {
    sink.Put(key.Reset('u').Part(user).Part(org).key(), "");
  }
}

void AccessProjection::Flushed() {
  unwritten_ever_.clear();
  orgs_.Flushed();
}

bool AccessProjection::LoadRow(std::string_view, std::string_view) {
  return true;  // never called: NeedsRowsAtStart() is false
}

std::optional<OrganizationState> AccessProjection::LoadForCheck(
    const std::string& org, const std::string& user,
    const std::optional<std::string>& project) const {
  OrganizationState s;
  if (!attached()) return s;
  // A check reads the organization's status and catalog, the user's membership, and in a
  // project the project and the user's direct role there (domain::Check): one point read each.
  bool found = false;
  auto read = [&](std::string key) {
    auto row = table().Get(key);
    if (!row) return false;
    found = row->has_value();
    if (!found) return true;
    KeyReader k(key);
    k.Part();
    return ReadOrgRow(s, k, **row);
  };
  bool ok =
      read(KeyBuilder('g').Part(org).Take()) && read(KeyBuilder('m').Part(org).Part(user).Take());
  // A project's direct roles are deleted with it, so without its row there is none to read.
  if (ok && project && (ok = read(KeyBuilder('p').Part(org).Part(*project).Take())) && found) {
    ok = read(KeyBuilder('d').Part(org).Part(*project).Part(user).Take());
  }
  if (!ok) return std::nullopt;
  return s;
}

CheckResult AccessProjection::Check(const std::string& org, const std::string& user,
                                    Permission permission,
                                    const std::optional<std::string>& project) const {
  std::shared_ptr<const OrganizationState> s = orgs_.Peek(org);
  if (s == nullptr && orgs_.AdmitOnSecondMiss(org)) s = orgs_.Get(org, load_);
  if (s == nullptr) {
    // Not cached, and not asked about recently: answered from the rows it needs, uncached.
    std::optional<OrganizationState> partial = LoadForCheck(org, user, project);
    if (partial) s = std::make_shared<const OrganizationState>(std::move(*partial));
  }
  if (s == nullptr || s->org_id.value.empty()) {
    return CheckResult{false, "", AccessSource::kNone, "Organization " + org + " does not exist."};
  }
  std::optional<ProjectId> pid;
  if (project) pid = ProjectId(*project);
  return domain::Check(*s, UserId(user), permission, pid);
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
  auto s = orgs_.Get(org, load_);
  if (s == nullptr || s->org_id.value.empty()) return std::nullopt;
  const Project* p = s->FindProject(ProjectId(project));
  if (p == nullptr) return std::nullopt;
  return ProjectMembersOf(*s, *p);
}

std::optional<UserAccessView> AccessProjection::UserAccess(const std::string& org,
                                                           const std::string& user) const {
  auto cached = orgs_.Get(org, load_);
  if (cached == nullptr || cached->org_id.value.empty()) return std::nullopt;
  const OrganizationState& s = *cached;
  UserAccessView view;
  view.org_name = s.name;
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
  auto s = orgs_.Get(org, load_);
  if (s == nullptr || s->org_id.value.empty()) return std::nullopt;
  return s->catalog;
}

std::vector<std::string> AccessProjection::OrgsEverOf(const std::string& user) const {
  std::set<std::string> orgs;
  const std::string prefix = KeyBuilder('u').Part(user).Take();
  // A failed read leaves out what the table holds; what is not yet written is still known.
  if (attached())
    (void)table().ScanPrefix(prefix, [&](std::string_view key, std::string_view) {
      KeyReader k(key);
      k.Part();
      orgs.insert(std::string(k.Part()));
      return true;
    });
  for (auto it = unwritten_ever_.lower_bound({user, ""});
       it != unwritten_ever_.end() && it->first == user; ++it) {
    orgs.insert(it->second);
  }
  return std::vector<std::string>(orgs.begin(), orgs.end());
}

}  // namespace roster::projections
