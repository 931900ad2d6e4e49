#include "projections/members_projection.h"

#include "domain/overloaded.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using eventstore::Position;

std::string OrgKey(const std::string& org) { return KeyBuilder('g').Part(org).Take(); }
std::string MemberKey(const std::string& org, Position pos) {
  return KeyBuilder('m').Part(org).BE64(pos).Take();
}
std::string ActivityKey(const std::string& org, const std::string& user) {
  return KeyBuilder('a').Part(org).Part(user).Take();
}

RowWriter& WriteOrgRow(RowWriter& w, const OrgSummary& s) {
  return w.Str(s.name)
      .Str(s.preset)
      .Str(s.owner_role)
      .U8(s.deleted)
      .I64(s.created_at_us)
      .I64(s.deleted_at_us);
}

RowWriter& WriteMemberRow(RowWriter& w, const MemberView& v) {
  return w.Str(v.membership_id)
      .Str(v.user_id)
      .Str(v.email)
      .Str(v.display_name)
      .Str(v.role)
      .U8(static_cast<uint8_t>(v.status))
      .I64(v.joined_at_us)
      .I64(v.ended_at_us);
}

RowWriter& WriteActivityRow(RowWriter& w, int64_t last_login_us, int64_t last_active_us) {
  return w.I64(last_login_us).I64(last_active_us);
}

// A membership row ('m' org pos) read back; the key reader is past the org.
std::optional<MemberView> ReadMemberRow(KeyReader& k, std::string_view value) {
  RowReader r(value);
  MemberView v;
  v.joined_position = k.BE64();
  v.membership_id = r.Str();
  v.user_id = r.Str();
  v.email = r.Str();
  v.display_name = r.Str();
  v.role = r.Str();
  const uint8_t status = r.U8();
  v.joined_at_us = r.I64();
  v.ended_at_us = r.I64();
  if (!k.done() || !r.done() || status > 2) return std::nullopt;
  v.status = static_cast<MembershipStatus>(status);
  return v;
}

// Heap bytes, roughly: node-based containers cost about 64 bytes a node beyond their values.
size_t MemberBytes(const MemberView& m) {
  return sizeof(MemberView) + 64 + internal::HeapBytes(m.membership_id) +
         internal::HeapBytes(m.user_id) + internal::HeapBytes(m.email) +
         internal::HeapBytes(m.display_name) + internal::HeapBytes(m.role);
}

}  // namespace

std::string_view MembershipStatusName(MembershipStatus s) {
  switch (s) {
    case MembershipStatus::kActive:
      return "active";
    case MembershipStatus::kRemoved:
      return "removed";
    case MembershipStatus::kLeft:
      return "left";
  }
  return "active";
}

MembersProjection::MembersProjection()
    : orgs_(&MembersProjection::Weigh),
      load_([this](const std::string& org) { return LoadOrg(org); }) {}

size_t MembersProjection::Weigh(const OrgData& d) {
  size_t bytes = sizeof(OrgData) + 256;
  bytes += internal::SampledBytes(d.memberships,
                                  [](const auto& entry) { return MemberBytes(entry.second); });
  // active_by_user and active_positions: a node and a key each; activity: the same.
  bytes += d.active_by_user.size() * 96 + d.active_positions.size() * 48;
  bytes += d.activity.size() * 112;
  return bytes;
}

std::optional<MembersProjection::OrgData> MembersProjection::LoadOrg(const std::string& org) const {
  OrgData d;
  d.summary.org_id = org;
  if (!attached()) return d;  // a unit test's model: everything is in memory
  bool ok = true;
  auto read = [&](char table, auto&& row) {
    auto scanned = this->table().ScanPrefix(KeyBuilder(table).Part(org).Take(),
                                            [&](std::string_view key, std::string_view value) {
                                              KeyReader k(key);
                                              k.Part();
                                              ok = row(k, value);
                                              return ok;
                                            });
    return scanned.has_value() && ok;
  };
  const bool read_all =
      read('g',
           [&](KeyReader& k, std::string_view value) {
             RowReader r(value);
             OrgSummary& s = d.summary;
             s.name = r.Str();
             s.preset = r.Str();
             s.owner_role = r.Str();
             s.deleted = r.U8() != 0;
             s.created_at_us = r.I64();
             s.deleted_at_us = r.I64();
             return k.done() && r.done();
           }) &&
      read('m',
           [&](KeyReader& k, std::string_view value) {
             std::optional<MemberView> v = ReadMemberRow(k, value);
             if (!v) return false;
             if (v->status != MembershipStatus::kActive) return true;  // read when listed
             d.active_by_user[v->user_id] = v->joined_position;
             d.active_positions.insert(d.active_positions.end(), v->joined_position);
             const Position pos = v->joined_position;
             d.memberships.emplace_hint(d.memberships.end(), pos, std::move(*v));
             return true;
           }) &&
      read('a', [&](KeyReader& k, std::string_view value) {
        std::string user(k.Part());
        if (!d.active_by_user.contains(user)) return true;  // a former member's: read when listed
        Activity& a = d.activity[std::move(user)];
        RowReader r(value);
        a.last_login_us = r.I64();
        a.last_active_us = r.I64();
        return k.done() && r.done();
      });
  if (!read_all) return std::nullopt;
  return d;
}

MemberView* MembersProjection::ActiveRow(OrgData& d, const std::string& user) {
  auto it = d.active_by_user.find(user);
  if (it == d.active_by_user.end()) return nullptr;
  auto m = d.memberships.find(it->second);
  return m == d.memberships.end() ? nullptr : &m->second;
}

void MembersProjection::EndMembership(const std::string& org, OrgData& d, const std::string& user,
                                      MembershipStatus status, int64_t at) {
  MemberView* m = ActiveRow(d, user);
  if (m == nullptr) return;
  m->status = status;
  m->ended_at_us = at;
  d.active_by_user.erase(user);
  if (bulk()) return;  // no dirty rows, and the query indexes are derived in EndBulk
  dirty_.Mark(MemberKey(org, m->joined_position));
  d.active_positions.erase(m->joined_position);
  if (auto it = orgs_of_user_.find(user); it != orgs_of_user_.end()) {
    it->second.erase(org);
    if (it->second.empty()) orgs_of_user_.erase(it);
  }
}

void MembersProjection::SetRole(const std::string& org, OrgData& d, const std::string& user,
                                const std::string& role) {
  if (MemberView* m = ActiveRow(d, user)) {
    m->role = role;
    if (!bulk()) dirty_.Mark(MemberKey(org, m->joined_position));
  }
}

void MembersProjection::EnsureActivity(const std::string& org, OrgData& d,
                                       const std::string& user) {
  if (!attached() || bulk() || d.activity.contains(user)) return;
  if (std::optional<Activity> stored = StoredActivity(org, user)) d.activity[user] = *stored;
}

std::optional<MembersProjection::Activity> MembersProjection::StoredActivity(
    const std::string& org, const std::string& user) const {
  auto row = table().Get(ActivityKey(org, user));
  if (!row || !row->has_value()) return std::nullopt;
  RowReader r(**row);
  Activity a;
  a.last_login_us = r.I64();
  a.last_active_us = r.I64();
  if (!r.done()) return std::nullopt;
  return a;
}

void MembersProjection::DropWritten(OrgData& d) const {
  std::erase_if(d.memberships,
                [](const auto& entry) { return entry.second.status != MembershipStatus::kActive; });
  std::erase_if(d.activity,
                [&](const auto& entry) { return !d.active_by_user.contains(entry.first); });
}

void MembersProjection::Flushed() {
  orgs_.Flushed([this](OrgData& d) {
    if (attached()) DropWritten(d);
  });
}

void MembersProjection::SeeActivity(const std::string& org, OrgData& d, const std::string& user,
                                    int64_t at, bool login) {
  EnsureActivity(org, d, user);
  Activity& a = d.activity[user];
  if (login) a.last_login_us = std::max(a.last_login_us, at);
  a.last_active_us = std::max(a.last_active_us, at);
  if (!bulk()) dirty_.Mark(ActivityKey(org, user));
}

void MembersProjection::Apply(const EventContext& e) {
  const std::string& org = e.org.value;
  const int64_t now = e.record.metadata.time_us;
  OrgData* loaded = orgs_.Mutable(org, load_);
  if (loaded == nullptr) {
    failure_ = "the rows of organization " + org + " cannot be read";
    return;
  }
  OrgData& d = *loaded;
  std::visit(domain::Overloaded{
                 [&](const domain::OrganizationCreated& ev) {
                   d.summary.name = ev.name;
                   d.summary.preset = ev.catalog.preset();
                   d.summary.owner_role = ev.catalog.owner_role();
                   d.summary.created_at_us = now;
                   MarkOrg(org);
                 },
                 [&](const domain::OrganizationRenamed& ev) {
                   d.summary.name = ev.new_name;
                   MarkOrg(org);
                 },
                 [&](const domain::OrganizationDeleted&) {
                   d.summary.deleted = true;
                   d.summary.deleted_at_us = now;
                   MarkOrg(org);
                 },
                 [&](const domain::MemberJoined& ev) {
                   const Position pos = e.record.position;
                   MemberView m;
                   m.joined_position = pos;
                   m.membership_id = ev.membership_id.value;
                   m.user_id = ev.user_id.value;
                   m.email = ev.email.value();
                   m.display_name = ev.display_name;
                   m.role = ev.role;
                   m.joined_at_us = now;
                   // Positions only grow: the new membership goes last.
                   d.memberships.emplace_hint(d.memberships.end(), pos, std::move(m));
                   EnsureActivity(org, d, ev.user_id.value);
                   d.active_by_user[ev.user_id.value] = pos;
                   if (bulk()) return;  // as in EndMembership
                   d.active_positions.insert(pos);
                   orgs_of_user_[ev.user_id.value].insert(org);
                   dirty_.Mark(MemberKey(org, pos));
                 },
                 [&](const domain::MemberRoleChanged& ev) {
                   SetRole(org, d, ev.user_id.value, ev.to_role);
                 },
                 [&](const domain::OwnershipTransferred& ev) {
                   SetRole(org, d, ev.to_user.value, d.summary.owner_role);
                   SetRole(org, d, ev.from_user.value, ev.from_new_role);
                 },
                 [&](const domain::MemberRemoved& ev) {
                   EndMembership(org, d, ev.user_id.value, MembershipStatus::kRemoved, now);
                 },
                 [&](const domain::MemberLeft& ev) {
                   EndMembership(org, d, ev.user_id.value, MembershipStatus::kLeft, now);
                 },
                 [&](const domain::MemberLoggedIn& ev) {
                   SeeActivity(org, d, ev.user_id.value, domain::ToMicros(ev.at), true);
                 },
                 [&](const domain::MemberActive& ev) {
                   SeeActivity(org, d, ev.user_id.value, domain::ToMicros(ev.at), false);
                 },
                 [](const auto&) {},
             },
             e.event);
}

std::optional<std::string> MembersProjection::RowFor(const std::string& key) const {
  KeyReader k(key);
  const std::string org(k.Part());
  // Every organization with a dirty row is pinned in the cache until its rows are written.
  const OrgData* cached = orgs_.Cached(org);
  if (cached == nullptr) return std::nullopt;
  const OrgData& d = *cached;
  RowWriter row;
  switch (k.table()) {
    case 'g':
      return WriteOrgRow(row, d.summary).Take();
    case 'm': {
      auto m = d.memberships.find(k.BE64());
      if (m == d.memberships.end()) return std::nullopt;
      return WriteMemberRow(row, m->second).Take();
    }
    case 'a': {
      auto a = d.activity.find(std::string(k.Part()));
      if (a == d.activity.end()) return std::nullopt;
      return WriteActivityRow(row, a->second.last_login_us, a->second.last_active_us).Take();
    }
  }
  return std::nullopt;
}

void MembersProjection::MarkOrg(const std::string& org) {
  if (!bulk()) dirty_.Mark(OrgKey(org));
}

void MembersProjection::EndBulk() {
  // What Apply skips in bulk mode, derived as LoadOrg does: at most one active membership per
  // user and organization, so the active ones are exactly what the incremental path keeps.
  // Only the organizations this rebuild touched are cached (a rebuild resumed after its rows
  // were written loads the others' index at start): theirs are replaced.
  orgs_.ForEach([&](const std::string& org, OrgData& d) {
    for (const auto& [pos, m] : d.memberships) {
      if (m.status == MembershipStatus::kActive) continue;
      if (auto it = orgs_of_user_.find(m.user_id); it != orgs_of_user_.end()) {
        it->second.erase(org);
        if (it->second.empty()) orgs_of_user_.erase(it);
      }
    }
    d.active_positions.clear();
    for (const auto& [pos, m] : d.memberships) {
      if (m.status != MembershipStatus::kActive) continue;
      d.active_positions.insert(d.active_positions.end(), pos);
      orgs_of_user_[m.user_id].insert(org);
    }
  });
}

void MembersProjection::Flush(RowSink& sink) {
  dirty_.Flush(sink, [this](const std::string& key) { return RowFor(key); });
}

void MembersProjection::FlushAll(RowSink& sink) {
  // The rows RowFor would give for every key, built without looking each one up again.
  KeyBuilder key('g');
  RowWriter row;
  orgs_.ForEach([&](const std::string& org, const OrgData& d) {
    sink.Put(key.Reset('g').Part(org).key(), WriteOrgRow(row.Clear(), d.summary).bytes());
    for (const auto& [pos, m] : d.memberships) {
      sink.Put(key.Reset('m').Part(org).BE64(pos).key(), WriteMemberRow(row.Clear(), m).bytes());
    }
    for (const auto& [user, a] : d.activity) {
      sink.Put(key.Reset('a').Part(org).Part(user).key(),
               WriteActivityRow(row.Clear(), a.last_login_us, a.last_active_us).bytes());
    }
  });
  dirty_.Flush(sink, [](const std::string&) { return std::optional<std::string>(); });
}

bool MembersProjection::LoadRow(std::string_view key, std::string_view value) {
  // At start only what spans organizations: who is an active member where. The rest is read
  // from the rows when an organization is first used (LoadOrg).
  KeyReader k(key);
  const std::string org(k.Part());
  if (k.table() != 'm') return k.table() == 'g' || k.table() == 'a';
  std::optional<MemberView> v = ReadMemberRow(k, value);
  if (!v) return false;
  if (v->status == MembershipStatus::kActive) orgs_of_user_[v->user_id].insert(org);
  return true;
}

MemberView MembersProjection::WithActivity(const OrgData& d, const MemberView& m) const {
  auto a = d.activity.find(m.user_id);
  return WithActivity(a == d.activity.end() ? std::nullopt : std::optional<Activity>(a->second), m);
}

MemberView MembersProjection::WithActivity(const std::optional<Activity>& a,
                                           const MemberView& m) const {
  MemberView v = m;
  if (a) {
    // Activity is per user and organization; a former membership keeps the times it had.
    const int64_t until = m.status == MembershipStatus::kActive ? INT64_MAX : m.ended_at_us;
    if (a->last_login_us <= until) v.last_login_us = a->last_login_us;
    if (a->last_active_us <= until) v.last_active_us = a->last_active_us;
  }
  return v;
}

MemberPage MembersProjection::ListAllMembers(const std::string& org, const OrgData& d,
                                             Position cursor, size_t limit) const {
  // Memory holds the active memberships and the ended ones not yet written; the table holds
  // every membership written. Merged in join order, memory wins for what both hold (the table
  // may be older there); what only the table holds ended and never changes again.
  MemberPage page;
  bool full = false;
  auto add = [&](MemberView v) {
    if (page.members.size() == limit) {
      page.next_cursor = page.members.back().joined_position;
      full = true;
      return false;
    }
    page.members.push_back(std::move(v));
    return true;
  };
  auto mem = d.memberships.upper_bound(cursor);
  const std::string begin = KeyBuilder('m').Part(org).BE64(cursor + 1).Take();
  std::string end = KeyBuilder('m').Part(org).Take();
  end.back() = '\x01';  // just past every key of the organization
  auto scanned = table().Scan(begin, end, [&](std::string_view key, std::string_view value) {
    if (key.size() < 9) return true;
    const Position pos = ReadBE64(key.substr(key.size() - 8));
    for (; mem != d.memberships.end() && mem->first < pos; ++mem) {
      if (!add(WithActivity(d, mem->second))) return false;
    }
    if (mem != d.memberships.end() && mem->first == pos) {
      const bool added = add(WithActivity(d, mem->second));
      ++mem;
      return added;
    }
    KeyReader k(key);
    k.Part();
    std::optional<MemberView> v = ReadMemberRow(k, value);
    if (!v) return true;  // unreadable: a load of the organization reports it; a listing skips it
    auto a = d.activity.find(v->user_id);
    return add(WithActivity(a != d.activity.end() ? std::optional<Activity>(a->second)
                                                  : StoredActivity(org, v->user_id),
                            *v));
  });
  (void)scanned;  // a failed read ends the page early; the memberships in memory still follow
  for (; !full && mem != d.memberships.end(); ++mem) {
    if (!add(WithActivity(d, mem->second))) break;
  }
  return page;
}

std::optional<OrgSummary> MembersProjection::Org(const std::string& org) const {
  auto d = orgs_.Get(org, load_);
  if (d == nullptr || d->summary.name.empty()) return std::nullopt;
  return d->summary;
}

MemberPage MembersProjection::ListMembers(const std::string& org, bool include_former,
                                          Position cursor, size_t limit) const {
  MemberPage page;
  auto cached = orgs_.Get(org, load_);
  if (cached == nullptr) return page;
  const OrgData& d = *cached;
  if (!include_former) {
    for (auto pos = d.active_positions.upper_bound(cursor); pos != d.active_positions.end();
         ++pos) {
      if (page.members.size() == limit) {
        page.next_cursor = page.members.back().joined_position;
        break;
      }
      page.members.push_back(WithActivity(d, d.memberships.at(*pos)));
    }
    return page;
  }
  if (attached() && !bulk()) return ListAllMembers(org, d, cursor, limit);
  for (auto m = d.memberships.upper_bound(cursor); m != d.memberships.end(); ++m) {
    if (page.members.size() == limit) {
      page.next_cursor = page.members.back().joined_position;
      break;
    }
    page.members.push_back(WithActivity(d, m->second));
  }
  return page;
}

std::optional<MemberView> MembersProjection::ActiveMember(const std::string& org,
                                                          const std::string& user) const {
  auto d = orgs_.Get(org, load_);
  if (d == nullptr) return std::nullopt;
  auto pos = d->active_by_user.find(user);
  if (pos == d->active_by_user.end()) return std::nullopt;
  return WithActivity(*d, d->memberships.at(pos->second));
}

std::vector<UserOrganization> MembersProjection::OrganizationsOf(const std::string& user) const {
  std::vector<UserOrganization> out;
  auto it = orgs_of_user_.find(user);
  if (it == orgs_of_user_.end()) return out;
  for (const std::string& org : it->second) {
    auto d = orgs_.Get(org, load_);
    if (d == nullptr || d->summary.deleted) continue;
    auto pos = d->active_by_user.find(user);
    if (pos == d->active_by_user.end()) continue;
    out.push_back(UserOrganization{d->summary, WithActivity(*d, d->memberships.at(pos->second))});
  }
  return out;
}

}  // namespace roster::projections
