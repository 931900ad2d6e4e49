// Wire conversions for project, API key, resource and activity events.
#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec::internal {

using domain::FromMicros;
using domain::ToMicros;

void Write(wire::ProjectCreated::Builder b, const domain::ProjectCreated& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setName(Txt(e.name));
}
Decoded<domain::ProjectCreated> Read(wire::ProjectCreated::Reader r) {
  return domain::ProjectCreated{domain::ProjectId(Str(r.getProjectId())), Str(r.getName())};
}

void Write(wire::ProjectRenamed::Builder b, const domain::ProjectRenamed& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setOldName(Txt(e.old_name));
  b.setNewName(Txt(e.new_name));
}
Decoded<domain::ProjectRenamed> Read(wire::ProjectRenamed::Reader r) {
  return domain::ProjectRenamed{domain::ProjectId(Str(r.getProjectId())), Str(r.getOldName()),
                                Str(r.getNewName())};
}

void Write(wire::ProjectDeleted::Builder b, const domain::ProjectDeleted& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setName(Txt(e.name));
}
Decoded<domain::ProjectDeleted> Read(wire::ProjectDeleted::Reader r) {
  return domain::ProjectDeleted{domain::ProjectId(Str(r.getProjectId())), Str(r.getName())};
}

void Write(wire::ProjectMemberAdded::Builder b, const domain::ProjectMemberAdded& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setRole(Txt(e.role));
}
Decoded<domain::ProjectMemberAdded> Read(wire::ProjectMemberAdded::Reader r) {
  return domain::ProjectMemberAdded{domain::ProjectId(Str(r.getProjectId())),
                                    domain::UserId(Str(r.getUserId())), Str(r.getRole())};
}

void Write(wire::ProjectMemberRoleChanged::Builder b, const domain::ProjectMemberRoleChanged& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setFromRole(Txt(e.from_role));
  b.setToRole(Txt(e.to_role));
}
Decoded<domain::ProjectMemberRoleChanged> Read(wire::ProjectMemberRoleChanged::Reader r) {
  return domain::ProjectMemberRoleChanged{domain::ProjectId(Str(r.getProjectId())),
                                          domain::UserId(Str(r.getUserId())), Str(r.getFromRole()),
                                          Str(r.getToRole())};
}

void Write(wire::ProjectMemberRemoved::Builder b, const domain::ProjectMemberRemoved& e) {
  b.setProjectId(Txt(e.project_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setRole(Txt(e.role));
  switch (e.reason) {
    case domain::ProjectRemovalReason::kDirect:
      b.setReason(wire::ProjectRemovalReason::DIRECT);
      break;
    case domain::ProjectRemovalReason::kOrgRemoval:
      b.setReason(wire::ProjectRemovalReason::ORG_REMOVAL);
      break;
    case domain::ProjectRemovalReason::kOrgLeft:
      b.setReason(wire::ProjectRemovalReason::ORG_LEFT);
      break;
    case domain::ProjectRemovalReason::kProjectDeleted:
      b.setReason(wire::ProjectRemovalReason::PROJECT_DELETED);
      break;
  }
}
Decoded<domain::ProjectMemberRemoved> Read(wire::ProjectMemberRemoved::Reader r) {
  domain::ProjectRemovalReason reason = domain::ProjectRemovalReason::kDirect;
  switch (r.getReason()) {
    case wire::ProjectRemovalReason::DIRECT:
      reason = domain::ProjectRemovalReason::kDirect;
      break;
    case wire::ProjectRemovalReason::ORG_REMOVAL:
      reason = domain::ProjectRemovalReason::kOrgRemoval;
      break;
    case wire::ProjectRemovalReason::ORG_LEFT:
      reason = domain::ProjectRemovalReason::kOrgLeft;
      break;
    case wire::ProjectRemovalReason::PROJECT_DELETED:
      reason = domain::ProjectRemovalReason::kProjectDeleted;
      break;
    default:
      return std::unexpected(CodecError{"unknown project removal reason"});
  }
  return domain::ProjectMemberRemoved{domain::ProjectId(Str(r.getProjectId())),
                                      domain::UserId(Str(r.getUserId())), Str(r.getRole()), reason};
}

void Write(wire::ApiKeyCreated::Builder b, const domain::ApiKeyCreated& e) {
  b.setApiKeyId(Txt(e.api_key_id.value));
  b.setName(Txt(e.name));
  b.setCreator(Txt(e.creator.value));
  b.setProjectId(Txt(e.project_id.value));
}
Decoded<domain::ApiKeyCreated> Read(wire::ApiKeyCreated::Reader r) {
  return domain::ApiKeyCreated{domain::ApiKeyId(Str(r.getApiKeyId())), Str(r.getName()),
                               domain::UserId(Str(r.getCreator())),
                               domain::ProjectId(Str(r.getProjectId()))};
}

void Write(wire::ApiKeyRevoked::Builder b, const domain::ApiKeyRevoked& e) {
  b.setApiKeyId(Txt(e.api_key_id.value));
}
Decoded<domain::ApiKeyRevoked> Read(wire::ApiKeyRevoked::Reader r) {
  return domain::ApiKeyRevoked{domain::ApiKeyId(Str(r.getApiKeyId()))};
}

void Write(wire::ApiKeyRotationRecommended::Builder b, const domain::ApiKeyRotationRecommended& e) {
  b.setApiKeyId(Txt(e.api_key_id.value));
  b.setCreator(Txt(e.creator.value));
  b.setReason(Txt(e.reason));
}
Decoded<domain::ApiKeyRotationRecommended> Read(wire::ApiKeyRotationRecommended::Reader r) {
  return domain::ApiKeyRotationRecommended{domain::ApiKeyId(Str(r.getApiKeyId())),
                                           domain::UserId(Str(r.getCreator())), Str(r.getReason())};
}

void Write(wire::ResourceRegistered::Builder b, const domain::ResourceRegistered& e) {
  b.setResourceId(Txt(e.resource_id.value));
  b.setKind(Txt(e.kind));
  b.setName(Txt(e.name));
  b.setOwner(Txt(e.owner.value));
  b.setProjectId(Txt(e.project_id.value));
}
Decoded<domain::ResourceRegistered> Read(wire::ResourceRegistered::Reader r) {
  return domain::ResourceRegistered{domain::ResourceId(Str(r.getResourceId())), Str(r.getKind()),
                                    Str(r.getName()), domain::UserId(Str(r.getOwner())),
                                    domain::ProjectId(Str(r.getProjectId()))};
}

void Write(wire::ResourceReassigned::Builder b, const domain::ResourceReassigned& e) {
  b.setResourceId(Txt(e.resource_id.value));
  b.setFromOwner(Txt(e.from_owner.value));
  b.setToOwner(Txt(e.to_owner.value));
  b.setReason(Txt(e.reason));
}
Decoded<domain::ResourceReassigned> Read(wire::ResourceReassigned::Reader r) {
  return domain::ResourceReassigned{domain::ResourceId(Str(r.getResourceId())),
                                    domain::UserId(Str(r.getFromOwner())),
                                    domain::UserId(Str(r.getToOwner())), Str(r.getReason())};
}

void Write(wire::ResourceDeleted::Builder b, const domain::ResourceDeleted& e) {
  b.setResourceId(Txt(e.resource_id.value));
}
Decoded<domain::ResourceDeleted> Read(wire::ResourceDeleted::Reader r) {
  return domain::ResourceDeleted{domain::ResourceId(Str(r.getResourceId()))};
}

void Write(wire::MemberLoggedIn::Builder b, const domain::MemberLoggedIn& e) {
  b.setUserId(Txt(e.user_id.value));
  b.setAt(ToMicros(e.at));
  b.setIp(Txt(e.ip));
  b.setUserAgent(Txt(e.user_agent));
}
Decoded<domain::MemberLoggedIn> Read(wire::MemberLoggedIn::Reader r) {
  return domain::MemberLoggedIn{domain::UserId(Str(r.getUserId())), FromMicros(r.getAt()),
                                Str(r.getIp()), Str(r.getUserAgent())};
}

void Write(wire::MemberActive::Builder b, const domain::MemberActive& e) {
  b.setUserId(Txt(e.user_id.value));
  b.setAt(ToMicros(e.at));
}
Decoded<domain::MemberActive> Read(wire::MemberActive::Reader r) {
  return domain::MemberActive{domain::UserId(Str(r.getUserId())), FromMicros(r.getAt())};
}

}  // namespace roster::eventstore::codec::internal
