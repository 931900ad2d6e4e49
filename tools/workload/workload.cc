#include "tools/workload/workload.h"

#include <algorithm>

#include "api/service/secrets.h"
#include "domain/overloaded.h"
#include "domain/presets.h"

namespace roster::tools::workload {
namespace {

using namespace domain;
using api::service::CommandContext;
using api::service::CommandOutcome;
using api::service::Result;

void Erase(std::vector<std::string>& v, const std::string& x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

}  // namespace

Workload::Workload(api::service::CommandService& commands, WorkloadOptions options)
    : commands_(commands), options_(std::move(options)), rng_(options_.seed) {
  for (size_t i = 0; i < options_.orgs; ++i) {
    OrgModel m;
    m.id = options_.org_prefix + "-" + std::to_string(i);
    m.preset = std::string(PresetNames()[i % PresetNames().size()]);
    m.owner = m.id + "-owner";
    const RoleCatalog catalog = *PresetCatalog(m.preset);
    for (const Role& r : catalog.roles()) {
      if (!catalog.IsOwnerRole(r.name)) m.roles.push_back(r.name);
    }
    for (const ProjectRole& r : catalog.project_roles()) m.project_roles.push_back(r.name);
    m.members.push_back(m.owner);
    org_ids_.push_back(m.id);
    orgs_.emplace(m.id, std::move(m));
  }
}

std::string Workload::CommandId() {
  return options_.org_prefix + "/" + std::to_string(options_.seed) + "/" +
         std::to_string(++commands_sent_);
}

Result<void> Workload::Setup() {
  for (const std::string& id : org_ids_) {
    OrgModel& m = orgs_.at(id);
    CreateOrganization create{
        OrgId(id),        "Org " + id, m.preset, UserId(m.owner), m.owner + "@" + id + ".test",
        "Owner of " + id, {},          {}};
    auto outcome = commands_.Execute(
        OrgId(id), create, CommandContext{UserId(m.owner), "setup/" + id, "", "workload", {}});
    if (!outcome) return std::unexpected(outcome.error());
  }
  return {};
}

void Workload::Learn(OrgModel& m, const CommandOutcome& outcome, const std::string& token) {
  for (const Event& e : outcome.events) {
    std::visit(
        Overloaded{
            [&](const InvitationSent& ev) {
              const std::string& email = ev.email.value();
              m.pending.push_back(
                  Pending{ev.invitation_id.value, email, token, email.substr(0, email.find('@'))});
            },
            [&](const InvitationResent& ev) {
              for (Pending& p : m.pending) {
                if (p.id == ev.invitation_id.value) p.token = token;
              }
            },
            [&](const InvitationAccepted& ev) {
              std::erase_if(m.pending,
                            [&](const Pending& p) { return p.id == ev.invitation_id.value; });
            },
            [&](const InvitationRevoked& ev) {
              std::erase_if(m.pending,
                            [&](const Pending& p) { return p.id == ev.invitation_id.value; });
            },
            [&](const InvitationExpired& ev) {
              std::erase_if(m.pending,
                            [&](const Pending& p) { return p.id == ev.invitation_id.value; });
            },
            [&](const MemberJoined& ev) { m.members.push_back(ev.user_id.value); },
            [&](const MemberRemoved& ev) { Erase(m.members, ev.user_id.value); },
            [&](const MemberLeft& ev) { Erase(m.members, ev.user_id.value); },
            [&](const OwnershipTransferred& ev) { m.owner = ev.to_user.value; },
            [&](const ProjectCreated& ev) { m.projects.push_back(ev.project_id.value); },
            [&](const ProjectDeleted& ev) { Erase(m.projects, ev.project_id.value); },
            [&](const ApiKeyCreated& ev) { m.keys.push_back(ev.api_key_id.value); },
            [&](const ApiKeyRevoked& ev) { Erase(m.keys, ev.api_key_id.value); },
            [&](const ResourceRegistered& ev) { m.resources.push_back(ev.resource_id.value); },
            [&](const ResourceDeleted& ev) { Erase(m.resources, ev.resource_id.value); },
            [](const auto&) {},
        },
        e);
  }
}

Result<StepResult> Workload::Run(OrgModel& m, const std::string& actor, Command command) {
  const std::string name(CommandName(command));
  auto outcome = commands_.Execute(OrgId(m.id), std::move(command),
                                   CommandContext{UserId(actor), CommandId(), "", "workload", {}});
  if (!outcome) return std::unexpected(outcome.error());
  Learn(m, *outcome, outcome->invitation_token);
  StepResult r{name, outcome->accepted(), "", outcome->events.size(), outcome->position};
  if (outcome->rejection) r.rejection = std::string(ErrorCodeName(outcome->rejection->code));
  return r;
}

Result<StepResult> Workload::RunActivity(OrgModel& m, const std::string& actor,
                                         ActivityCommand command) {
  const std::string name(CommandName(command));
  auto outcome =
      commands_.ExecuteActivity(OrgId(m.id), std::move(command),
                                CommandContext{UserId(actor), CommandId(), "", "workload", {}});
  if (!outcome) return std::unexpected(outcome.error());
  StepResult r{name, outcome->accepted(), "", outcome->events.size(), outcome->position};
  if (outcome->rejection) r.rejection = std::string(ErrorCodeName(outcome->rejection->code));
  return r;
}

Result<StepResult> Workload::Invite(OrgModel& m) {
  const std::string user = m.id + "-u" + std::to_string(++m.next);
  return Run(m, m.owner,
             InviteMember{user + "@" + m.id + ".test", "User " + user, Pick(m.roles), ""});
}

Result<StepResult> Workload::Accept(OrgModel& m) {
  if (m.pending.empty()) return Invite(m);
  const Pending p = Pick(m.pending);
  auto token_hash = api::service::HashSecretToken(p.token);
  if (!token_hash) return std::unexpected(token_hash.error());
  return Run(m, p.user, AcceptInvitation{InvitationId(p.id), *token_hash, p.email, ""});
}

Result<StepResult> Workload::ChangeSomeRole(OrgModel& m) {
  if (m.members.size() < 2) return Invite(m);
  std::string target = Pick(m.members);
  if (target == m.owner) return Invite(m);
  return Run(m, m.owner, ChangeRole{UserId(target), Pick(m.roles)});
}

Result<StepResult> Workload::Doomed(OrgModel& m) {
  switch (std::uniform_int_distribution<int>(0, 4)(rng_)) {
    case 0:  // a stranger acts
      return Run(m, "stranger-" + std::to_string(m.next),
                 InviteMember{"x@y.test", "", Pick(m.roles), ""});
    case 1:  // an invalid email
      return Run(m, m.owner, InviteMember{"not an email", "", Pick(m.roles), ""});
    case 2:  // the last owner tries to leave
      return Run(m, m.owner, LeaveOrganization{});
    case 3:  // a wrong token
      if (!m.pending.empty()) {
        const Pending& p = Pick(m.pending);
        return Run(m, p.user, AcceptInvitation{InvitationId(p.id), "wrong", p.email, ""});
      }
      [[fallthrough]];
    default:  // a member without the permission invites an owner
      return Run(m, Pick(m.members), InviteMember{"boss@y.test", "", "Owner", ""});
  }
}

Result<StepResult> Workload::MembershipStep() {
  OrgModel& m = orgs_.at(Pick(org_ids_));
  const int dice = std::uniform_int_distribution<int>(0, 2)(rng_);
  if (dice == 0) return Invite(m);
  if (dice == 1) return Accept(m);
  return ChangeSomeRole(m);
}

Result<StepResult> Workload::Step() {
  OrgModel& m = orgs_.at(Pick(org_ids_));
  if (Chance(options_.doomed_share)) return Doomed(m);
  if (Chance(options_.activity_share)) {
    const std::string& who = Pick(m.members);
    if (Chance(0.5))
      return RunActivity(m, who,
                         RecordLogin{"203.0.113." + std::to_string(m.next % 250), "workload/1.0"});
    return RunActivity(m, who, RecordActivity{});
  }
  const int dice = std::uniform_int_distribution<int>(0, 99)(rng_);
  const std::string id = std::to_string(++m.next);
  if (dice < 22) return Invite(m);
  if (dice < 40) return Accept(m);
  if (dice < 52) return ChangeSomeRole(m);
  if (dice < 56 && m.members.size() > 2) {
    std::string target = Pick(m.members);
    if (target != m.owner) return Run(m, m.owner, RemoveMember{UserId(target)});
  }
  if (dice < 58 && m.members.size() > 2) {
    std::string who = Pick(m.members);
    if (who != m.owner) return Run(m, who, LeaveOrganization{});
  }
  if (dice < 63) return Run(m, m.owner, CreateProject{ProjectId("p" + id), "Project " + id});
  if (dice < 71 && !m.projects.empty()) {
    // Half of the time a member, half of the time someone with project-only access.
    const std::string user = Chance(0.5) ? Pick(m.members) : m.id + "-client" + id;
    return Run(m, m.owner,
               AddProjectMember{ProjectId(Pick(m.projects)), UserId(user), Pick(m.project_roles)});
  }
  if (dice < 74 && !m.projects.empty()) {
    return Run(m, m.owner,
               ChangeProjectMemberRole{ProjectId(Pick(m.projects)), UserId(Pick(m.members)),
                                       Pick(m.project_roles)});
  }
  if (dice < 76 && !m.projects.empty()) {
    return Run(m, m.owner,
               RemoveProjectMember{ProjectId(Pick(m.projects)), UserId(Pick(m.members))});
  }
  if (dice < 80) return Run(m, m.owner, CreateApiKey{ApiKeyId("k" + id), "Key " + id, ProjectId()});
  if (dice < 81 && !m.keys.empty()) return Run(m, m.owner, RevokeApiKey{ApiKeyId(Pick(m.keys))});
  if (dice < 85) {
    return Run(m, m.owner,
               RegisterResource{ResourceId("r" + id), "dashboard", "Dashboard " + id,
                                UserId(Pick(m.members)), ProjectId()});
  }
  if (dice < 86 && !m.resources.empty()) {
    return Run(m, m.owner,
               ReassignResource{ResourceId(Pick(m.resources)), UserId(Pick(m.members))});
  }
  if (dice < 89 && !m.pending.empty()) {
    return Run(m, m.owner, RevokeInvitation{InvitationId(Pick(m.pending).id)});
  }
  if (dice < 92 && !m.pending.empty()) {
    return Run(m, m.owner, ResendInvitation{InvitationId(Pick(m.pending).id), ""});
  }
  if (dice < 93) {
    return Run(m, m.owner,
               DefineRole{"Custom " + id, {Permission::kMembersView, Permission::kUsageView}, ""});
  }
  if (dice < 94) return Run(m, m.owner, RenameOrganization{"Org " + m.id + " v" + id});
  if (dice < 95) return Run(m, m.owner, ChangeSettings{7 + static_cast<int32_t>(m.next % 20), {}});
  if (dice < 96 && m.members.size() > 2) {
    std::string to = Pick(m.members);
    if (to != m.owner) return Run(m, m.owner, TransferOwnership{UserId(to), ""});
  }
  return Invite(m);
}

}  // namespace roster::tools::workload
