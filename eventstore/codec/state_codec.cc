#include "eventstore/codec/state_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "eventstore/codec/internal/wire_convert.h"
#include "eventstore/codec/state.capnp.h"

namespace roster::eventstore::codec {

using namespace domain;
using namespace internal;

std::string EncodeState(const OrganizationState& s) {
  capnp::MallocMessageBuilder message(1024);
  auto b = message.initRoot<wire::OrganizationSnapshot>();
  b.setOrgId(Txt(s.org_id.value));
  b.setName(Txt(s.name));
  b.setStatus(static_cast<uint8_t>(s.status));
  WriteCatalog(b.initCatalog(), s.catalog);
  WriteSettings(b.initSettings(), s.settings);
  auto members = b.initMembers(static_cast<unsigned>(s.members.size()));
  unsigned i = 0;
  for (const auto& [user, m] : s.members) {
    auto w = members[i++];
    w.setMembershipId(Txt(m.membership_id.value));
    w.setUserId(Txt(m.user_id.value));
    w.setEmail(Txt(m.email.value()));
    w.setDisplayName(Txt(m.display_name));
    w.setRole(Txt(m.role));
    w.setJoinSeq(m.join_seq);
  }
  auto invitations = b.initInvitations(static_cast<unsigned>(s.invitations.size()));
  i = 0;
  for (const auto& [id, inv] : s.invitations) {
    auto w = invitations[i++];
    w.setId(Txt(inv.id.value));
    w.setEmail(Txt(inv.email.value()));
    w.setDisplayName(Txt(inv.display_name));
    w.setRole(Txt(inv.role));
    w.setInviter(Txt(inv.inviter.value));
    w.setTokenHash(Txt(inv.token_hash));
    w.setSentAt(ToMicros(inv.sent_at));
    w.setExpiresAt(ToMicros(inv.expires_at));
    w.setStatus(static_cast<uint8_t>(inv.status));
    w.setResendCount(inv.resend_count);
    w.setProjectId(Txt(inv.project_id.value));
    w.setProjectRole(Txt(inv.project_role));
  }
  auto projects = b.initProjects(static_cast<unsigned>(s.projects.size()));
  i = 0;
  for (const auto& [pid, p] : s.projects) {
    auto w = projects[i++];
    w.setId(Txt(p.id.value));
    w.setName(Txt(p.name));
    w.setDeleted(p.deleted);
    auto direct = w.initDirectMembers(static_cast<unsigned>(p.direct_members.size()));
    unsigned j = 0;
    for (const auto& [user, role] : p.direct_members) {
      direct[j].setUserId(Txt(user.value));
      direct[j++].setRole(Txt(role));
    }
  }
  auto keys = b.initApiKeys(static_cast<unsigned>(s.api_keys.size()));
  i = 0;
  for (const auto& [kid, k] : s.api_keys) {
    auto w = keys[i++];
    w.setId(Txt(k.id.value));
    w.setName(Txt(k.name));
    w.setCreator(Txt(k.creator.value));
    w.setProjectId(Txt(k.project_id.value));
    w.setRevoked(k.revoked);
    w.setRotationRecommended(k.rotation_recommended);
  }
  auto resources = b.initResources(static_cast<unsigned>(s.resources.size()));
  i = 0;
  for (const auto& [rid, r] : s.resources) {
    auto w = resources[i++];
    w.setId(Txt(r.id.value));
    w.setKind(Txt(r.kind));
    w.setName(Txt(r.name));
    w.setOwner(Txt(r.owner.value));
    w.setProjectId(Txt(r.project_id.value));
  }
  b.setMembershipsCreated(s.memberships_created);
  b.setInvitationsCreated(s.invitations_created);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                     words.asBytes().size());
}

namespace {

Decoded<OrganizationState> ReadState(wire::OrganizationSnapshot::Reader r) {
  OrganizationState s;
  s.org_id = OrgId(Str(r.getOrgId()));
  s.name = Str(r.getName());
  if (r.getStatus() > static_cast<uint8_t>(OrgStatus::kDeleted)) {
    return std::unexpected(CodecError{"bad status"});
  }
  s.status = static_cast<OrgStatus>(r.getStatus());
  auto catalog = ReadCatalog(r.getCatalog());
  if (!catalog) return std::unexpected(catalog.error());
  s.catalog = std::move(*catalog);
  auto settings = ReadSettings(r.getSettings());
  if (!settings) return std::unexpected(settings.error());
  s.settings = *settings;
  for (auto w : r.getMembers()) {
    Member m{MembershipId(Str(w.getMembershipId())),
             UserId(Str(w.getUserId())),
             Email::FromNormalized(Str(w.getEmail())),
             Str(w.getDisplayName()),
             Str(w.getRole()),
             w.getJoinSeq()};
    s.members.emplace(m.user_id, std::move(m));
  }
  for (auto w : r.getInvitations()) {
    if (w.getStatus() > static_cast<uint8_t>(InvitationStatus::kExpired)) {
      return std::unexpected(CodecError{"bad invitation status"});
    }
    Invitation inv{InvitationId(Str(w.getId())),
                   Email::FromNormalized(Str(w.getEmail())),
                   Str(w.getDisplayName()),
                   Str(w.getRole()),
                   UserId(Str(w.getInviter())),
                   Str(w.getTokenHash()),
                   FromMicros(w.getSentAt()),
                   FromMicros(w.getExpiresAt()),
                   static_cast<InvitationStatus>(w.getStatus()),
                   w.getResendCount(),
                   ProjectId(Str(w.getProjectId())),
                   Str(w.getProjectRole())};
    s.invitations.emplace(inv.id, std::move(inv));
  }
  for (auto w : r.getProjects()) {
    Project p{ProjectId(Str(w.getId())), Str(w.getName()), w.getDeleted(), {}};
    for (auto d : w.getDirectMembers())
      p.direct_members[UserId(Str(d.getUserId()))] = Str(d.getRole());
    s.projects.emplace(p.id, std::move(p));
  }
  for (auto w : r.getApiKeys()) {
    ApiKey k{ApiKeyId(Str(w.getId())),         Str(w.getName()), UserId(Str(w.getCreator())),
             ProjectId(Str(w.getProjectId())), w.getRevoked(),   w.getRotationRecommended()};
    s.api_keys.emplace(k.id, std::move(k));
  }
  for (auto w : r.getResources()) {
    Resource res{ResourceId(Str(w.getId())), Str(w.getKind()), Str(w.getName()),
                 UserId(Str(w.getOwner())), ProjectId(Str(w.getProjectId()))};
    s.resources.emplace(res.id, std::move(res));
  }
  s.memberships_created = r.getMembershipsCreated();
  s.invitations_created = r.getInvitationsCreated();
  RebuildIndexes(s);
  return s;
}

}  // namespace

std::expected<OrganizationState, CodecError> DecodeState(std::string_view bytes) {
  return WithMessage(bytes, "snapshot", [](capnp::MessageReader& reader) {
    return ReadState(reader.getRoot<wire::OrganizationSnapshot>());
  });
}

}  // namespace roster::eventstore::codec
