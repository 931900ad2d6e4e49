// Commands: protocol -> domain command -> command service -> protocol result.
#include "api/dispatch/dispatcher.h"
#include "api/service/accept_token.h"
#include "api/service/secrets.h"
#include "eventstore/codec/text.h"
#include "projections/describe_event.h"

namespace roster::api::dispatch {
namespace {

using namespace domain;
using eventstore::codec::Str;

std::optional<int32_t> NonZero(int32_t v) {
  return v == 0 ? std::nullopt : std::optional<int32_t>(v);
}

std::expected<PermissionSet, std::string> Permissions(capnp::List<capnp::Text>::Reader list) {
  PermissionSet set;
  for (auto name : list) {
    auto p = ParsePermission(std::string_view(name.cStr(), name.size()));
    if (!p) return std::unexpected("unknown permission '" + Str(name) + "'");
    set = set.Union({*p});
  }
  return set;
}

// The domain command a protocol command asks for; activity commands come back separately.
using AnyCommand = std::variant<Command, ActivityCommand>;

InviteMember ToInviteMember(wire::InviteMember::Reader r) {
  return InviteMember{Str(r.getEmail()), Str(r.getDisplayName()), Str(r.getRole()), "",
                      NonZero(r.getTtlDays())};
}

api::service::Result<std::string> HashOf(const std::string& token) {
  if (token.empty()) return std::string();
  return api::service::HashSecretToken(token);
}

// INVALID_ARGUMENT for a request that names no valid command, INTERNAL when a secret cannot
// be hashed. `accept` is the opaque accept token of an acceptInvitation, already read.
api::service::Result<AnyCommand> ToDomain(
    const std::string& org, const std::string& actor, wire::Command::Reader c,
    const std::optional<api::service::AcceptTokenParts>& accept) {
  switch (c.which()) {
    case wire::Command::CREATE_ORGANIZATION: {
      auto r = c.getCreateOrganization();
      return Command(CreateOrganization{
          OrgId(org), Str(r.getName()), Str(r.getPreset()), UserId(actor), Str(r.getOwnerEmail()),
          Str(r.getOwnerDisplayName()), NonZero(r.getInvitationTtlDays()),
          NonZero(r.getMaxPendingInvitations())});
    }
    case wire::Command::RENAME_ORGANIZATION:
      return Command(RenameOrganization{Str(c.getRenameOrganization())});
    case wire::Command::CHANGE_SETTINGS: {
      auto r = c.getChangeSettings();
      return Command(
          ChangeSettings{NonZero(r.getInvitationTtlDays()), NonZero(r.getMaxPendingInvitations())});
    }
    case wire::Command::DELETE_ORGANIZATION:
      return Command(DeleteOrganization{});
    case wire::Command::INVITE_MEMBER:
      return Command(ToInviteMember(c.getInviteMember()));
    case wire::Command::INVITE_TO_PROJECT: {
      auto r = c.getInviteToProject();
      return Command(InviteToProject{Str(r.getEmail()), Str(r.getDisplayName()),
                                     ProjectId(Str(r.getProjectId())), Str(r.getRole()),
                                     NonZero(r.getTtlDays()), ""});
    }
    case wire::Command::INVITE_MEMBERS: {
      InviteMembers bulk;
      for (auto entry : c.getInviteMembers()) bulk.entries.push_back(ToInviteMember(entry));
      return Command(std::move(bulk));
    }
    case wire::Command::RESEND_INVITATION:
      return Command(ResendInvitation{InvitationId(Str(c.getResendInvitation())), ""});
    case wire::Command::REVOKE_INVITATION:
      return Command(RevokeInvitation{InvitationId(Str(c.getRevokeInvitation()))});
    case wire::Command::ACCEPT_INVITATION: {
      auto r = c.getAcceptInvitation();
      auto token_hash = HashOf(accept ? accept->secret : Str(r.getToken()));
      if (!token_hash) return std::unexpected(token_hash.error());
      return Command(AcceptInvitation{
          InvitationId(accept ? accept->invitation_id : Str(r.getInvitationId())),
          std::move(*token_hash), Str(r.getVerifiedEmail()), Str(r.getDisplayName())});
    }
    case wire::Command::EXPIRE_INVITATIONS:
      return Command(ExpireInvitations{});
    case wire::Command::CHANGE_ROLE: {
      auto r = c.getChangeRole();
      return Command(ChangeRole{UserId(Str(r.getUser())), Str(r.getRole())});
    }
    case wire::Command::REMOVE_MEMBER:
      return Command(RemoveMember{UserId(Str(c.getRemoveMember()))});
    case wire::Command::LEAVE_ORGANIZATION:
      return Command(LeaveOrganization{});
    case wire::Command::TRANSFER_OWNERSHIP: {
      auto r = c.getTransferOwnership();
      return Command(TransferOwnership{UserId(Str(r.getToUser())), Str(r.getPreviousOwnerRole())});
    }
    case wire::Command::DEFINE_ROLE:
    case wire::Command::UPDATE_ROLE: {
      const bool define = c.which() == wire::Command::DEFINE_ROLE;
      auto r = define ? c.getDefineRole() : c.getUpdateRole();
      auto permissions = Permissions(r.getPermissions());
      if (!permissions) return api::service::Fail("INVALID_ARGUMENT", permissions.error());
      if (define)
        return Command(DefineRole{Str(r.getName()), *permissions, Str(r.getProjectRole())});
      return Command(UpdateRole{Str(r.getName()), *permissions, Str(r.getProjectRole())});
    }
    case wire::Command::DELETE_ROLE:
      return Command(DeleteRole{Str(c.getDeleteRole())});
    case wire::Command::CREATE_PROJECT: {
      auto r = c.getCreateProject();
      return Command(CreateProject{ProjectId(Str(r.getProjectId())), Str(r.getName())});
    }
    case wire::Command::RENAME_PROJECT: {
      auto r = c.getRenameProject();
      return Command(RenameProject{ProjectId(Str(r.getProjectId())), Str(r.getName())});
    }
    case wire::Command::DELETE_PROJECT:
      return Command(DeleteProject{ProjectId(Str(c.getDeleteProject()))});
    case wire::Command::ADD_PROJECT_MEMBER: {
      auto r = c.getAddProjectMember();
      return Command(AddProjectMember{ProjectId(Str(r.getProjectId())), UserId(Str(r.getUser())),
                                      Str(r.getRole())});
    }
    case wire::Command::CHANGE_PROJECT_MEMBER_ROLE: {
      auto r = c.getChangeProjectMemberRole();
      return Command(ChangeProjectMemberRole{ProjectId(Str(r.getProjectId())),
                                             UserId(Str(r.getUser())), Str(r.getRole())});
    }
    case wire::Command::REMOVE_PROJECT_MEMBER: {
      auto r = c.getRemoveProjectMember();
      return Command(
          RemoveProjectMember{ProjectId(Str(r.getProjectId())), UserId(Str(r.getUser()))});
    }
    case wire::Command::CREATE_API_KEY: {
      auto r = c.getCreateApiKey();
      return Command(CreateApiKey{ApiKeyId(Str(r.getApiKeyId())), Str(r.getName()),
                                  ProjectId(Str(r.getProjectId()))});
    }
    case wire::Command::REVOKE_API_KEY:
      return Command(RevokeApiKey{ApiKeyId(Str(c.getRevokeApiKey()))});
    case wire::Command::REGISTER_RESOURCE: {
      auto r = c.getRegisterResource();
      return Command(RegisterResource{ResourceId(Str(r.getResourceId())), Str(r.getKind()),
                                      Str(r.getName()), UserId(Str(r.getOwner())),
                                      ProjectId(Str(r.getProjectId()))});
    }
    case wire::Command::REASSIGN_RESOURCE: {
      auto r = c.getReassignResource();
      return Command(
          ReassignResource{ResourceId(Str(r.getResourceId())), UserId(Str(r.getToOwner()))});
    }
    case wire::Command::DELETE_RESOURCE:
      return Command(DeleteResource{ResourceId(Str(c.getDeleteResource()))});
    case wire::Command::RECORD_LOGIN: {
      auto r = c.getRecordLogin();
      return ActivityCommand(RecordLogin{Str(r.getIp()), Str(r.getUserAgent())});
    }
    case wire::Command::RECORD_ACTIVITY:
      return ActivityCommand(RecordActivity{});
  }
  return api::service::Fail("INVALID_ARGUMENT", "unknown command");
}

// The digest the command service compares a reused command id against: the command's
// canonical Cap'n Proto form without its two ids, so the same request sent again (over either
// API, whatever the encoder's layout) digests the same and any other field's change does not.
api::service::Result<std::string> RequestDigest(wire::Command::Reader c) {
  capnp::MallocMessageBuilder copy;
  copy.setRoot(c);
  auto root = copy.getRoot<wire::Command>();
  root.disownCommandId();
  root.disownCorrelationId();
  const kj::Array<capnp::word> words = capnp::canonicalize(root.asReader());
  const auto bytes = words.asBytes();
  return api::service::Sha256Hex(
      std::string_view(reinterpret_cast<const char*>(bytes.begin()), bytes.size()));
}

// The opaque accept token of an acceptInvitation (AcceptInvitation.acceptToken, or a `token`
// that is one when no invitation id is given), read; none for any other command. A token that
// names another organization or invitation than the request does is INVALID_ARGUMENT.
api::service::Result<std::optional<api::service::AcceptTokenParts>> ReadAcceptToken(
    wire::Command::Reader c) {
  using Parts = std::optional<api::service::AcceptTokenParts>;
  if (c.which() != wire::Command::ACCEPT_INVITATION) return Parts();
  auto r = c.getAcceptInvitation();
  std::string opaque = Str(r.getAcceptToken());
  // The link's token in `token` (HTTP's {"token": "rinv_..."}). With an invitation id beside
  // it, a `token` that does not parse is that invitation's secret, as it always was.
  const bool in_token_field =
      opaque.empty() && api::service::LooksLikeAcceptToken(Str(r.getToken()));
  if (in_token_field) opaque = Str(r.getToken());
  if (opaque.empty()) return Parts();
  auto parts = api::service::ParseAcceptToken(opaque);
  if (!parts && in_token_field && r.getInvitationId().size() != 0) return Parts();
  if (!parts) return std::unexpected(parts.error());
  if (c.getOrg().size() != 0 && Str(c.getOrg()) != parts->org) {
    return api::service::Fail("INVALID_ARGUMENT",
                              "the accept token is for another organization "
                              "than the one the request names");
  }
  if (r.getInvitationId().size() != 0 && Str(r.getInvitationId()) != parts->invitation_id) {
    return api::service::Fail("INVALID_ARGUMENT",
                              "the accept token is for another invitation "
                              "than the one the request names");
  }
  return Parts(std::move(*parts));
}

void FillResult(const api::service::CommandOutcome& outcome, const std::string& org,
                const eventstore::codec::EventCodec& codec, wire::Command::Reader request,
                wire::CommandResult::Builder out) {
  out.setAccepted(outcome.accepted());
  if (outcome.rejection) {
    auto rejection = out.initRejection();
    rejection.setCode(std::string(ErrorCodeName(outcome.rejection->code)));
    rejection.setMessage(outcome.rejection->message);
  }
  out.setPosition(outcome.position);
  out.setStreamVersion(outcome.version);
  out.setDuplicate(outcome.duplicate);
  out.setInvitationToken(outcome.invitation_token);
  auto events = out.initEvents(static_cast<unsigned>(outcome.events.size()));
  for (unsigned i = 0; i < events.size(); ++i) {
    const Event& e = outcome.events[i];
    eventstore::NewEvent encoded = codec.Encode(e);
    events[i].setType(encoded.type);
    events[i].setRevision(encoded.revision);
    events[i].setPayload(capnp::Data::Reader(
        reinterpret_cast<const kj::byte*>(encoded.payload.data()), encoded.payload.size()));
    projections::EventFacts facts;
    if (projections::DescribeEvent(e, org, &facts)) {
      std::string summary = facts.subject;
      if (!facts.project.empty() && facts.project != facts.subject)
        summary += " in " + facts.project;
      if (!facts.before.empty() || !facts.after.empty()) {
        summary += ": " + (facts.before.empty() ? "-" : facts.before) + " -> " +
                   (facts.after.empty() ? "-" : facts.after);
      }
      events[i].setSummary(summary);
    }
    if (const auto* sent = std::get_if<InvitationSent>(&e))
      out.setInvitationId(sent->invitation_id.value);
    if (const auto* re = std::get_if<InvitationResent>(&e))
      out.setInvitationId(re->invitation_id.value);
    if (const auto* joined = std::get_if<MemberJoined>(&e))
      out.setMembershipId(joined->membership_id.value);
  }
  if (!outcome.invitation_token.empty() && out.hasInvitationId()) {
    out.setAcceptToken(
        api::service::MakeAcceptToken(org, out.getInvitationId().cStr(), outcome.invitation_token));
  }
  if (request.which() == wire::Command::INVITE_MEMBERS && !outcome.entries.empty()) {
    auto entries = request.getInviteMembers();
    auto list = out.initInvitationOutcomes(static_cast<unsigned>(outcome.entries.size()));
    for (unsigned i = 0; i < list.size(); ++i) {
      const api::service::EntryOutcome& entry = outcome.entries[i];
      if (i < entries.size()) list[i].setEmail(entries[i].getEmail());
      list[i].setAccepted(!entry.rejection.has_value());
      if (entry.rejection) {
        auto rejection = list[i].initRejection();
        rejection.setCode(std::string(ErrorCodeName(entry.rejection->code)));
        rejection.setMessage(entry.rejection->message);
        continue;
      }
      list[i].setInvitationId(entry.invitation_id);
      if (!entry.invitation_token.empty()) {
        list[i].setInvitationToken(entry.invitation_token);
        list[i].setAcceptToken(
            api::service::MakeAcceptToken(org, entry.invitation_id, entry.invitation_token));
      }
    }
  }
}

}  // namespace

void Dispatcher::HandleCommand(const Principal& principal, wire::Command::Reader c,
                               wire::Response::Builder response) {
  auto accept = ReadAcceptToken(c);
  if (!accept) {
    SetError(response, accept.error().code, accept.error().message);
    return;
  }
  // An accept token names the organization itself.
  const std::string org = *accept ? (*accept)->org : Str(c.getOrg());
  if (!IsValidId(org)) {
    SetError(response, "INVALID_ARGUMENT",
             "an organization id is 1 to 128 printable characters without spaces");
    return;
  }
  if (c.getCommandId().size() == 0) {
    SetError(response, "INVALID_ARGUMENT",
             "a command needs a commandId: a client-chosen id that makes a retry return the "
             "first outcome instead of acting twice");
    return;
  }
  const std::string actor = Str(c.getActor());
  auto command = ToDomain(org, actor, c, *accept);
  if (!command) {
    SetError(response, command.error().code, command.error().message);
    return;
  }
  auto digest = RequestDigest(c);
  if (!digest) {
    SetError(response, digest.error().code, digest.error().message);
    return;
  }
  const api::service::CommandContext ctx{UserId(actor), Str(c.getCommandId()),
                                         Str(c.getCorrelationId()), principal.name,
                                         std::move(*digest)};
  auto outcome =
      std::holds_alternative<Command>(*command)
          ? node_.commands().Execute(OrgId(org), std::get<Command>(std::move(*command)), ctx)
          : node_.commands().ExecuteActivity(OrgId(org),
                                             std::get<ActivityCommand>(std::move(*command)), ctx);
  if (!outcome) {
    SetError(response, outcome.error().code, outcome.error().message);
    return;
  }
  FillResult(*outcome, org, node_.codec(), c, response.initCommand());
}

}  // namespace roster::api::dispatch
