#include "projections/invitations_projection.h"

#include "domain/overloaded.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using domain::InvitationStatus;
using eventstore::Position;

std::string InvitationKey(const std::string& org, Position pos) {
  return KeyBuilder('i').Part(org).BE64(pos).Take();
}
std::string DeletedKey(const std::string& org) { return KeyBuilder('d').Part(org).Take(); }

InvitationStatus EffectiveStatus(const InvitationView& v, int64_t now_us) {
  if (v.status == InvitationStatus::kPending && now_us >= v.expires_at_us) {
    return InvitationStatus::kExpired;
  }
  return v.status;
}

InvitationView AsOf(const InvitationView& v, int64_t now_us) {
  InvitationView out = v;
  out.status = EffectiveStatus(v, now_us);
  if (out.status != v.status) out.ended_at_us = v.expires_at_us;
  return out;
}

RowWriter& WriteInvitationRow(RowWriter& w, const InvitationView& v) {
  return w.Str(v.invitation_id)
      .Str(v.email)
      .Str(v.display_name)
      .Str(v.role)
      .Str(v.inviter)
      .U8(static_cast<uint8_t>(v.status))
      .I64(v.sent_at_us)
      .I64(v.expires_at_us)
      .I64(v.valid_for_us)
      .U32(v.resend_count)
      .Str(v.accepted_by)
      .I64(v.ended_at_us)
      .Str(v.project_id)
      .Str(v.project_role);
}

// An invitation row ('i' org pos) read back; the key reader is past the org.
std::optional<InvitationView> ReadInvitationRow(KeyReader& k, std::string_view value) {
  InvitationView v;
  v.sent_position = k.BE64();
  RowReader r(value);
  v.invitation_id = r.Str();
  v.email = r.Str();
  v.display_name = r.Str();
  v.role = r.Str();
  v.inviter = r.Str();
  const uint8_t status = r.U8();
  v.sent_at_us = r.I64();
  v.expires_at_us = r.I64();
  v.valid_for_us = r.I64();
  v.resend_count = r.U32();
  v.accepted_by = r.Str();
  v.ended_at_us = r.I64();
  v.project_id = r.Str();
  v.project_role = r.Str();
  if (!k.done() || !r.done() || status > static_cast<uint8_t>(InvitationStatus::kExpired)) {
    return std::nullopt;
  }
  v.status = static_cast<InvitationStatus>(status);
  return v;
}

}  // namespace

InvitationsProjection::InvitationsProjection()
    : orgs_(&InvitationsProjection::Weigh),
      load_([this](const std::string& org) { return LoadOrg(org); }) {}

size_t InvitationsProjection::Weigh(const OrgData& d) {
  size_t bytes = sizeof(OrgData) + 128;
  // The by_id entries of invitations that ended and left memory: a node and the id.
  bytes += (d.by_id.size() - std::min(d.by_id.size(), d.invitations.size())) * 128;
  bytes += internal::SampledBytes(d.invitations, [](const auto& entry) {
    const InvitationView& v = entry.second;
    // The map's node, the by_id entry (a node, the id again), the strings.
    return sizeof(InvitationView) + 64 + 96 + 2 * internal::HeapBytes(v.invitation_id) +
           internal::HeapBytes(v.email) + internal::HeapBytes(v.display_name) +
           internal::HeapBytes(v.role) + internal::HeapBytes(v.inviter) +
           internal::HeapBytes(v.accepted_by) + internal::HeapBytes(v.project_id) +
           internal::HeapBytes(v.project_role);
  });
  return bytes;
}

std::optional<InvitationsProjection::OrgData> InvitationsProjection::LoadOrg(
    const std::string& org) const {
  OrgData d;
  if (!attached()) return d;  // a unit test's model: everything is in memory
  bool ok = true;
  auto scanned = table().ScanPrefix(
      KeyBuilder('i').Part(org).Take(), [&](std::string_view key, std::string_view value) {
        KeyReader k(key);
        k.Part();
        std::optional<InvitationView> v = ReadInvitationRow(k, value);
        ok = v.has_value();
        if (ok) {
          const Position pos = v->sent_position;
          d.by_id[v->invitation_id] = pos;
          // An ended invitation never changes again: read from its row when asked for.
          if (v->status != InvitationStatus::kPending) return true;
          d.invitations.emplace_hint(d.invitations.end(), pos, std::move(*v));
        }
        return ok;
      });
  if (!scanned || !ok) return std::nullopt;
  return d;
}

InvitationsProjection::OrgData* InvitationsProjection::Mutable(const std::string& org) {
  OrgData* d = orgs_.Mutable(org, load_);
  if (d == nullptr) failure_ = "the invitation rows of organization " + org + " cannot be read";
  return d;
}

InvitationView* InvitationsProjection::Find(const std::string& org, const std::string& id) {
  OrgData* d = Mutable(org);
  if (d == nullptr) return nullptr;
  auto pos = d->by_id.find(id);
  if (pos == d->by_id.end()) return nullptr;
  // Not in memory: it ended and its row is written; no event changes an ended invitation.
  auto it = d->invitations.find(pos->second);
  return it == d->invitations.end() ? nullptr : &it->second;
}

void InvitationsProjection::Flushed() {
  orgs_.Flushed([this](OrgData& d) {
    if (!attached()) return;  // a unit test's model keeps everything in memory
    std::erase_if(d.invitations, [](const auto& entry) {
      return entry.second.status != InvitationStatus::kPending;
    });
  });
}

std::optional<InvitationView> InvitationsProjection::StoredInvitation(const std::string& org,
                                                                      Position pos) const {
  const std::string key = InvitationKey(org, pos);
  auto row = table().Get(key);
  if (!row || !row->has_value()) return std::nullopt;
  KeyReader k(key);
  k.Part();
  return ReadInvitationRow(k, **row);
}

void InvitationsProjection::End(const std::string& org, InvitationView& inv,
                                InvitationStatus status, int64_t at) {
  if (inv.status == InvitationStatus::kPending && !bulk()) {
    pending_by_expiry_.erase(Due{inv.expires_at_us, org, inv.invitation_id});
  }
  inv.status = status;
  inv.ended_at_us = at;
  MarkInvitation(org, inv.sent_position);
}

void InvitationsProjection::Apply(const EventContext& e) {
  const std::string& org = e.org.value;
  const int64_t now = e.record.metadata.time_us;
  std::visit(domain::Overloaded{
                 [&](const domain::InvitationSent& ev) {
                   OrgData* loaded = Mutable(org);
                   if (loaded == nullptr) return;
                   OrgData& d = *loaded;
                   const Position pos = e.record.position;
                   InvitationView v;
                   v.sent_position = pos;
                   v.invitation_id = ev.invitation_id.value;
                   v.email = ev.email.value();
                   v.display_name = ev.display_name;
                   v.role = ev.role;
                   v.inviter = ev.inviter.value;
                   v.sent_at_us = domain::ToMicros(ev.sent_at);
                   v.expires_at_us = domain::ToMicros(ev.expires_at);
                   v.valid_for_us = v.expires_at_us - v.sent_at_us;
                   v.project_id = ev.project_id.value;
                   v.project_role = ev.project_role;
                   if (!bulk() && !deleted_orgs_.contains(org)) {
                     pending_by_expiry_.insert(Due{v.expires_at_us, org, v.invitation_id});
                   }
                   d.by_id[v.invitation_id] = pos;
                   // Positions only grow: the new invitation goes last.
                   d.invitations.emplace_hint(d.invitations.end(), pos, std::move(v));
                   MarkInvitation(org, pos);
                 },
                 [&](const domain::InvitationResent& ev) {
                   InvitationView* v = Find(org, ev.invitation_id.value);
                   if (v == nullptr || v->status != InvitationStatus::kPending) return;
                   if (!bulk())
                     pending_by_expiry_.erase(Due{v->expires_at_us, org, v->invitation_id});
                   v->sent_at_us = domain::ToMicros(ev.sent_at);
                   v->expires_at_us = domain::ToMicros(ev.expires_at);
                   v->valid_for_us = v->expires_at_us - v->sent_at_us;
                   v->resend_count = ev.resend_count;
                   if (!bulk() && !deleted_orgs_.contains(org)) {
                     pending_by_expiry_.insert(Due{v->expires_at_us, org, v->invitation_id});
                   }
                   MarkInvitation(org, v->sent_position);
                 },
                 [&](const domain::InvitationRevoked& ev) {
                   if (InvitationView* v = Find(org, ev.invitation_id.value)) {
                     End(org, *v, InvitationStatus::kRevoked, now);
                   }
                 },
                 [&](const domain::InvitationAccepted& ev) {
                   if (InvitationView* v = Find(org, ev.invitation_id.value)) {
                     v->accepted_by = ev.user_id.value;
                     End(org, *v, InvitationStatus::kAccepted, now);
                   }
                 },
                 [&](const domain::InvitationExpired& ev) {
                   if (InvitationView* v = Find(org, ev.invitation_id.value)) {
                     End(org, *v, InvitationStatus::kExpired, domain::ToMicros(ev.expired_at));
                   }
                 },
                 [&](const domain::OrganizationDeleted&) {
                   deleted_orgs_.insert(org);
                   if (bulk()) return;
                   dirty_.Mark(DeletedKey(org));
                   std::erase_if(pending_by_expiry_,
                                 [&](const Due& due) { return std::get<1>(due) == org; });
                 },
                 [](const auto&) {},
             },
             e.event);
}

std::optional<std::string> InvitationsProjection::RowFor(const std::string& key) const {
  KeyReader k(key);
  const std::string org(k.Part());
  if (k.table() == 'd') {
    return deleted_orgs_.contains(org) ? std::optional<std::string>("") : std::nullopt;
  }
  // Every organization with a dirty row is pinned in the cache until its rows are written.
  const OrgData* d = orgs_.Cached(org);
  if (d == nullptr) return std::nullopt;
  auto it = d->invitations.find(k.BE64());
  if (it == d->invitations.end()) return std::nullopt;
  RowWriter row;
  return WriteInvitationRow(row, it->second).Take();
}

void InvitationsProjection::MarkInvitation(const std::string& org, Position pos) {
  if (!bulk()) dirty_.Mark(InvitationKey(org, pos));
}

void InvitationsProjection::EndBulk() {
  // What Apply skips in bulk mode, derived as LoadRow does: the pending invitations of
  // organizations not deleted (the incremental path removes an invitation from the index when
  // it ends, is resent (then re-adds it) or its organization is deleted). Only the
  // organizations this rebuild touched are cached (a rebuild resumed after its rows were
  // written loads the others' pending invitations at start): theirs are replaced.
  std::unordered_set<std::string> touched;
  orgs_.ForEach([&](const std::string& org, const OrgData&) { touched.insert(org); });
  std::erase_if(pending_by_expiry_,
                [&](const Due& due) { return touched.contains(std::get<1>(due)); });
  orgs_.ForEach([&](const std::string& org, const OrgData& d) {
    if (deleted_orgs_.contains(org)) return;
    for (const auto& [pos, v] : d.invitations) {
      if (v.status == InvitationStatus::kPending) {
        pending_by_expiry_.insert(Due{v.expires_at_us, org, v.invitation_id});
      }
    }
  });
}

void InvitationsProjection::Flush(RowSink& sink) {
  dirty_.Flush(sink, [this](const std::string& key) { return RowFor(key); });
}

void InvitationsProjection::FlushAll(RowSink& sink) {
  // The rows RowFor would give for every key, built without looking each one up again.
  KeyBuilder key('d');
  RowWriter row;
  for (const std::string& org : deleted_orgs_) sink.Put(key.Reset('d').Part(org).key(), "");
  orgs_.ForEach([&](const std::string& org, const OrgData& d) {
    for (const auto& [pos, v] : d.invitations) {
      sink.Put(key.Reset('i').Part(org).BE64(pos).key(),
               WriteInvitationRow(row.Clear(), v).bytes());
    }
  });
}

bool InvitationsProjection::LoadRow(std::string_view key, std::string_view value) {
  KeyReader k(key);
  const std::string org(k.Part());
  if (k.table() == 'd') {
    deleted_orgs_.insert(org);
    // Rows sort 'd' before 'i', so invitations loaded later see the deletion.
    return k.done() && value.empty();
  }
  if (k.table() != 'i') return false;
  // At start only what spans organizations: the pending invitations, for the expiry sweep.
  // The rest is read from the rows when an organization is first used (LoadOrg).
  std::optional<InvitationView> v = ReadInvitationRow(k, value);
  if (!v) return false;
  if (v->status == InvitationStatus::kPending && !deleted_orgs_.contains(org)) {
    pending_by_expiry_.insert(Due{v->expires_at_us, org, v->invitation_id});
  }
  return true;
}

InvitationPage InvitationsProjection::List(const std::string& org,
                                           std::optional<InvitationStatus> status, int64_t now_us,
                                           Position cursor, size_t limit) const {
  InvitationPage page;
  auto d = orgs_.Get(org, load_);
  if (d == nullptr) return page;
  bool full = false;
  auto add = [&](const InvitationView& v) {
    if (status && EffectiveStatus(v, now_us) != *status) return true;
    if (page.invitations.size() == limit) {
      page.next_cursor = page.invitations.back().sent_position;
      full = true;
      return false;
    }
    page.invitations.push_back(AsOf(v, now_us));
    return true;
  };
  const auto& mem = d->invitations;
  auto it = mem.upper_bound(cursor);
  // Memory holds the pending invitations and those ended but not yet written; when more ended
  // than that, the rows hold the rest (ended invitations never change again). Merged in send
  // order, memory wins where both hold one (the table may be older there). Pending ones (and
  // those past their expiry, which still are) are all in memory.
  const bool rows_needed =
      attached() && d->by_id.size() > mem.size() && status != InvitationStatus::kPending;
  if (rows_needed) {
    const std::string begin = KeyBuilder('i').Part(org).BE64(cursor + 1).Take();
    std::string end = KeyBuilder('i').Part(org).Take();
    end.back() = '\x01';  // just past every key of the organization
    auto scanned = table().Scan(begin, end, [&](std::string_view key, std::string_view value) {
      if (key.size() < 9) return true;
      const Position pos = ReadBE64(key.substr(key.size() - 8));
      for (; it != mem.end() && it->first < pos; ++it) {
        if (!add(it->second)) return false;
      }
      if (it != mem.end() && it->first == pos) return add((it++)->second);
      KeyReader k(key);
      k.Part();
      std::optional<InvitationView> v = ReadInvitationRow(k, value);
      return !v || add(*v);  // an unreadable row: a load of the organization reports it
    });
    (void)scanned;  // a failed read ends the page early; the invitations in memory follow
  }
  for (; !full && it != mem.end(); ++it) {
    if (!add(it->second)) break;
  }
  return page;
}

std::optional<InvitationView> InvitationsProjection::Find(const std::string& org,
                                                          const std::string& id,
                                                          int64_t now_us) const {
  auto d = orgs_.Get(org, load_);
  if (d == nullptr) return std::nullopt;
  auto pos = d->by_id.find(id);
  if (pos == d->by_id.end()) return std::nullopt;
  if (auto it = d->invitations.find(pos->second); it != d->invitations.end()) {
    return AsOf(it->second, now_us);
  }
  std::optional<InvitationView> stored = StoredInvitation(org, pos->second);
  if (!stored) return std::nullopt;
  return AsOf(*stored, now_us);
}

std::vector<std::string> InvitationsProjection::OrgsWithOverdueInvitations(int64_t now_us) const {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const auto& [expires_at, org, id] : pending_by_expiry_) {
    if (expires_at > now_us) break;
    if (seen.insert(org).second) out.push_back(org);
  }
  return out;
}

}  // namespace roster::projections
