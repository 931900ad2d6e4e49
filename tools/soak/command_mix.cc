#include "tools/soak/command_mix.h"

#include <algorithm>
#include <functional>

#include "domain/presets.h"
#include "tools/soak/acks.h"

namespace roster::tools::soak {
namespace {

using Kind = Planned::Kind;
using api::wire::Command;

// Bounds on what is active in one organization: the history grows, this does not.
constexpr size_t kMaxPending = 8;
constexpr size_t kMaxMembers = 12;  // members plus pending invitations
constexpr size_t kMaxProjects = 3;
constexpr uint64_t kMinLifetime = 150;  // commands before the organization is deleted
constexpr uint64_t kMaxLifetime = 1500;

std::string Email(const std::string& user) { return user + "@soak.test"; }

template <class T, class Pred>
void EraseIf(std::vector<T>& v, Pred pred) {
  v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
}

}  // namespace

CommandMix::CommandMix(int writer, uint64_t seed, size_t slots, size_t first_slot,
                       Directory& directory)
    : prefix_("s" + std::to_string(writer) + "-"),
      rng_(seed),
      first_slot_(first_slot),
      directory_(directory),
      slots_(slots) {
  for (Org& o : slots_) Fresh(o);
}

void CommandMix::Fresh(Org& o) {
  const uint64_t n = ++orgs_made_;
  o = Org{};
  o.id = prefix_ + "o" + std::to_string(n);
  o.preset = std::string(domain::PresetNames()[n % domain::PresetNames().size()]);
  o.owner = o.id + "-owner";
  const domain::RoleCatalog catalog = *domain::PresetCatalog(o.preset);
  for (const domain::Role& r : catalog.roles()) {
    if (!catalog.IsOwnerRole(r.name)) o.roles.push_back(r.name);
  }
  for (const domain::ProjectRole& r : catalog.project_roles()) o.project_roles.push_back(r.name);
  o.lifetime = std::uniform_int_distribution<uint64_t>(kMinLifetime, kMaxLifetime)(rng_);
}

Planned CommandMix::Next() {
  const size_t slot = std::uniform_int_distribution<size_t>(0, slots_.size() - 1)(rng_);
  return Plan(slots_[slot], slot);
}

Planned CommandMix::Make(const Org& o, size_t slot, Kind kind, const std::string& actor,
                         const std::function<void(Command::Builder)>& fill, Planned p) {
  p.kind = kind;
  p.slot = slot;
  const std::string id = NextCommandId();
  p.packed = PackCommand([&](Command::Builder c) {
    c.setOrg(o.id);
    c.setActor(actor);
    c.setCommandId(id);
    fill(c);
  });
  return p;
}

Planned CommandMix::Plan(Org& o, size_t slot) {
  if (!o.created) {
    return Make(o, slot, Kind::kCreate, o.owner, [&](Command::Builder c) {
      auto create = c.initCreateOrganization();
      create.setName("Soak " + o.id);
      create.setPreset(o.preset);
      create.setOwnerEmail(Email(o.owner));
      create.setOwnerDisplayName("Owner of " + o.id);
    });
  }
  if (o.commands >= o.lifetime) {
    return Make(o, slot, Kind::kDelete, o.owner,
                [](Command::Builder c) { c.setDeleteOrganization(); });
  }
  // Each step needs something to act on (members, pending invitations); without it, an
  // invitation is sent instead.
  const int dice = std::uniform_int_distribution<int>(0, 99)(rng_);
  if (dice < 6) return Activity(o, slot, true);
  if (dice < 11) return Activity(o, slot, false);
  if (dice < 16) return Doomed(o, slot);
  if (dice < 36) return Invite(o, slot);
  if (dice < 56) return Accept(o, slot);
  if (dice < 68) {
    if (!o.members.empty() && o.roles.size() >= 2) {
      const Member& m = Pick(o.members);
      std::vector<std::string> others;
      for (const auto& r : o.roles) {
        if (r != m.role) others.push_back(r);
      }
      Planned p;
      p.user = m.user;
      p.role = Pick(others);
      return Make(
          o, slot, Kind::kChangeRole, o.owner,
          [&](Command::Builder c) {
            auto change = c.initChangeRole();
            change.setUser(p.user);
            change.setRole(p.role);
          },
          p);
    }
  } else if (dice < 78) {
    if (o.members.size() > 2) {
      Planned p;
      p.user = Pick(o.members).user;
      if (dice < 74) {
        return Make(
            o, slot, Kind::kRemove, o.owner, [&](Command::Builder c) { c.setRemoveMember(p.user); },
            p);
      }
      return Make(
          o, slot, Kind::kLeave, p.user, [](Command::Builder c) { c.setLeaveOrganization(); }, p);
    }
  } else if (dice < 87) {
    if (!o.pending.empty()) {
      // Invitations whose token was lost with a cut-off answer are revoked first.
      auto tokenless = std::find_if(o.pending.begin(), o.pending.end(),
                                    [](const PendingInvite& i) { return i.token.empty(); });
      const bool revoke = dice < 84 || tokenless != o.pending.end();
      Planned p;
      p.target = tokenless != o.pending.end() ? tokenless->id : Pick(o.pending).id;
      return Make(
          o, slot, revoke ? Kind::kRevoke : Kind::kResend, o.owner,
          [&](Command::Builder c) {
            if (revoke) {
              c.setRevokeInvitation(p.target);
            } else {
              c.setResendInvitation(p.target);
            }
          },
          p);
    }
  } else if (!o.project_roles.empty()) {
    return ProjectStep(o, slot);
  }
  return Invite(o, slot);
}

Planned CommandMix::Invite(Org& o, size_t slot) {
  Planned p;
  if (o.pending.size() < kMaxPending && o.members.size() + o.pending.size() < kMaxMembers) {
    p.user = o.id + "-u" + std::to_string(++o.next);
    p.role = Pick(o.roles);
    return Make(
        o, slot, Kind::kInvite, o.owner,
        [&](Command::Builder c) {
          auto invite = c.initInviteMember();
          invite.setEmail(Email(p.user));
          invite.setDisplayName("User " + p.user);
          invite.setRole(p.role);
        },
        p);
  }
  if (!o.members.empty()) {
    p.user = Pick(o.members).user;
    return Make(
        o, slot, Kind::kRemove, o.owner, [&](Command::Builder c) { c.setRemoveMember(p.user); }, p);
  }
  p.target = Pick(o.pending).id;
  return Make(
      o, slot, Kind::kRevoke, o.owner, [&](Command::Builder c) { c.setRevokeInvitation(p.target); },
      p);
}

Planned CommandMix::Accept(Org& o, size_t slot) {
  std::vector<const PendingInvite*> ready;
  for (const PendingInvite& i : o.pending) {
    if (!i.token.empty()) ready.push_back(&i);
  }
  if (ready.empty() || o.members.size() >= kMaxMembers) return Invite(o, slot);
  const PendingInvite& i = *Pick(ready);
  Planned p;
  p.user = i.user;
  p.role = i.role;
  p.target = i.id;
  return Make(
      o, slot, Kind::kAccept, i.user,
      [&](Command::Builder c) {
        auto accept = c.initAcceptInvitation();
        accept.setInvitationId(i.id);
        accept.setToken(i.token);
        accept.setVerifiedEmail(Email(i.user));
        accept.setDisplayName("User " + i.user);
      },
      p);
}

Planned CommandMix::Activity(Org& o, size_t slot, bool login) {
  Planned p;
  p.user =
      o.members.empty() || std::bernoulli_distribution(0.2)(rng_) ? o.owner : Pick(o.members).user;
  return Make(
      o, slot, login ? Kind::kLogin : Kind::kActivity, p.user,
      [&](Command::Builder c) {
        if (login) {
          auto l = c.initRecordLogin();
          l.setIp("198.51.100." + std::to_string(o.next % 250));
          l.setUserAgent("roster-soak/1");
        } else {
          c.setRecordActivity();
        }
      },
      p);
}

Planned CommandMix::Doomed(Org& o, size_t slot) {
  std::vector<const PendingInvite*> ready;
  for (const PendingInvite& i : o.pending) {
    if (!i.token.empty()) ready.push_back(&i);
  }
  const int which = std::uniform_int_distribution<int>(0, 4)(rng_);
  if (which == 0) {  // someone who is not a member acts
    return Make(o, slot, Kind::kDoomed, o.id + "-stranger", [&](Command::Builder c) {
      auto invite = c.initInviteMember();
      invite.setEmail(Email(o.id + "-x" + std::to_string(o.next)));
      invite.setRole(Pick(o.roles));
    });
  }
  if (which == 2 && !o.members.empty()) {  // an invitation for an active member
    const std::string email = Email(Pick(o.members).user);
    return Make(o, slot, Kind::kDoomed, o.owner, [&](Command::Builder c) {
      auto invite = c.initInviteMember();
      invite.setEmail(email);
      invite.setRole(Pick(o.roles));
    });
  }
  if (which == 3) {  // not an email
    return Make(o, slot, Kind::kDoomed, o.owner, [&](Command::Builder c) {
      auto invite = c.initInviteMember();
      invite.setEmail("not an email");
      invite.setRole(Pick(o.roles));
    });
  }
  if (which == 4 && !ready.empty()) {  // the right invitation with a wrong token
    const PendingInvite& i = *Pick(ready);
    return Make(o, slot, Kind::kDoomed, i.user, [&](Command::Builder c) {
      auto accept = c.initAcceptInvitation();
      accept.setInvitationId(i.id);
      accept.setToken("not-the-token");
      accept.setVerifiedEmail(Email(i.user));
    });
  }
  // The last owner leaves.
  return Make(o, slot, Kind::kDoomed, o.owner,
              [](Command::Builder c) { c.setLeaveOrganization(); });
}

Planned CommandMix::ProjectStep(Org& o, size_t slot) {
  Planned p;
  if (o.projects.empty() ||
      (o.projects.size() < kMaxProjects && std::bernoulli_distribution(0.15)(rng_))) {
    p.target = "p" + std::to_string(++o.next);
    return Make(
        o, slot, Kind::kCreateProject, o.owner,
        [&](Command::Builder c) {
          auto project = c.initCreateProject();
          project.setProjectId(p.target);
          project.setName("Project " + p.target);
        },
        p);
  }
  Project& project = Pick(o.projects);
  p.target = project.id;
  if (!project.direct.empty() && std::bernoulli_distribution(0.35)(rng_)) {
    p.user = Pick(project.direct);
    return Make(
        o, slot, Kind::kRemoveProjectMember, o.owner,
        [&](Command::Builder c) {
          auto m = c.initRemoveProjectMember();
          m.setProjectId(p.target);
          m.setUser(p.user);
        },
        p);
  }
  std::vector<std::string> candidates;
  for (const Member& m : o.members) {
    if (std::find(project.direct.begin(), project.direct.end(), m.user) == project.direct.end()) {
      candidates.push_back(m.user);
    }
  }
  // Half of the time someone with project-only access (no org membership, rule 7).
  p.user = candidates.empty() || std::bernoulli_distribution(0.5)(rng_)
               ? o.id + "-c" + std::to_string(++o.next)
               : Pick(candidates);
  p.role = Pick(o.project_roles);
  return Make(
      o, slot, Kind::kAddProjectMember, o.owner,
      [&](Command::Builder c) {
        auto m = c.initAddProjectMember();
        m.setProjectId(p.target);
        m.setUser(p.user);
        m.setRole(p.role);
      },
      p);
}

std::optional<std::string> CommandMix::Learn(const Planned& p,
                                             api::wire::CommandResult::Reader result) {
  Org& o = slots_[p.slot];
  o.commands++;
  auto forget_member = [&](const std::string& user) {
    EraseIf(o.members, [&](const Member& m) { return m.user == user; });
    for (Project& project : o.projects) EraseIf(project.direct, [&](auto& u) { return u == user; });
  };
  auto forget_invite = [&](const std::string& id) {
    EraseIf(o.pending, [&](const PendingInvite& i) { return i.id == id; });
  };
  if (p.kind == Kind::kDoomed) {
    if (!result.getAccepted()) return std::nullopt;
    return "a command that breaks a rule was accepted: " + DescribeCommand(p.packed);
  }
  if (!result.getAccepted()) {
    // The server decided nothing; the model forgets what the command was about so that it
    // goes on with commands it can still predict.
    if (p.kind == Kind::kCreate) o.created = true;
    if (p.kind == Kind::kDelete) Fresh(o);
    if (p.kind == Kind::kAccept || p.kind == Kind::kRevoke || p.kind == Kind::kResend) {
      forget_invite(p.target);
    }
    Publish(p.slot, 0);
    return "a valid command was rejected: " + DescribeCommand(p.packed) + ": " +
           result.getRejection().getCode().cStr() + " " + result.getRejection().getMessage().cStr();
  }
  switch (p.kind) {
    case Kind::kCreate:
      o.created = true;
      orgs_.push_back(o.id);
      owners_.push_back(o.owner);
      break;
    case Kind::kDelete:
      Fresh(o);
      break;
    case Kind::kInvite:
      o.pending.push_back(PendingInvite{result.getInvitationId().cStr(), p.user, p.role,
                                        result.getInvitationToken().cStr()});
      break;
    case Kind::kAccept:
      forget_invite(p.target);
      o.members.push_back(Member{p.user, p.role});
      break;
    case Kind::kChangeRole:
      for (Member& m : o.members) {
        if (m.user == p.user) m.role = p.role;
      }
      break;
    case Kind::kRemove:
    case Kind::kLeave:
      forget_member(p.user);
      break;
    case Kind::kRevoke:
      forget_invite(p.target);
      break;
    case Kind::kResend:
      for (PendingInvite& i : o.pending) {
        if (i.id == p.target) i.token = result.getInvitationToken().cStr();
      }
      break;
    case Kind::kCreateProject:
      o.projects.push_back(Project{p.target, {}});
      break;
    case Kind::kAddProjectMember:
      for (Project& project : o.projects) {
        if (project.id == p.target) project.direct.push_back(p.user);
      }
      break;
    case Kind::kRemoveProjectMember:
      for (Project& project : o.projects) {
        if (project.id == p.target) EraseIf(project.direct, [&](auto& u) { return u == p.user; });
      }
      break;
    case Kind::kLogin:
    case Kind::kActivity:
    case Kind::kDoomed:
      break;
  }
  Publish(p.slot, result.getPosition());
  return std::nullopt;
}

void CommandMix::Publish(size_t slot, uint64_t position) {
  const Org& o = slots_[slot];
  OrgView view;
  if (o.created) {
    view.org = o.id;
    view.owner = o.owner;
    view.members.push_back(o.owner);
    for (const Member& m : o.members) view.members.push_back(m.user);
    for (const Project& project : o.projects) view.projects.push_back(project.id);
    view.last_position = position;
  }
  directory_.Publish(first_slot_ + slot, std::move(view));
}

}  // namespace roster::tools::soak
