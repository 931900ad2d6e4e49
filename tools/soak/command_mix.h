// CommandMix: one writer's organizations and the next protocol command for them.
//
// Each writer owns a few organization slots that no other thread writes to, so its model of
// them (members and roles, pending invitations with their tokens, projects and their direct
// members) is exact and every answer can be predicted: a command the model says is valid must
// be accepted, a doomed one (a stranger acting, the last owner leaving, an invitation for an
// active member, a bad email, a wrong token) must be rejected. Members come and go, so what is
// active stays bounded while the history grows; after a random number of commands the
// organization is deleted and a new one takes its slot.
//
// tools/workload drives a CommandService in process with domain commands (an acceptance there
// carries the token's hash, not the token); the soak speaks the protocol, so it keeps this
// smaller model of its own. Not thread-safe: one per writer thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "api/wire/roster.capnp.h"
#include "tools/soak/directory.h"

namespace roster::tools::soak {

// A command as planned: sent (and resent after a broken connection) unchanged.
struct Planned {
  enum class Kind {
    kCreate,
    kDelete,
    kInvite,
    kAccept,
    kChangeRole,
    kRemove,
    kLeave,
    kRevoke,
    kResend,
    kLogin,
    kActivity,
    kCreateProject,
    kAddProjectMember,
    kRemoveProjectMember,
    kDoomed,
  };
  Kind kind = Kind::kLogin;
  size_t slot = 0;
  std::string user;    // the member, invitee or project member it is about
  std::string role;    // the role it gives
  std::string target;  // an invitation or project id
  std::string packed;  // the protocol command (acks.h)
};

class CommandMix {
 public:
  // Slots `first_slot .. first_slot + slots - 1` of the directory are this writer's.
  CommandMix(int writer, uint64_t seed, size_t slots, size_t first_slot, Directory& directory);

  Planned Next();
  // Learns from the answer to `p`. Returns what was wrong when the answer is not the one the
  // model predicts (a valid command rejected, a doomed one accepted).
  std::optional<std::string> Learn(const Planned& p, api::wire::CommandResult::Reader result);

  // Every organization this writer created, and their first owners: the final comparison
  // reads each of them.
  const std::vector<std::string>& orgs() const { return orgs_; }
  const std::vector<std::string>& owners() const { return owners_; }

 private:
  struct Member {
    std::string user;
    std::string role;
  };
  struct PendingInvite {
    std::string id;
    std::string user;
    std::string role;
    std::string token;  // empty when only a retry answered it (the token is returned once)
  };
  struct Project {
    std::string id;
    std::vector<std::string> direct;
  };
  struct Org {
    std::string id;
    std::string preset;
    std::string owner;
    std::vector<std::string> roles;  // non-owner org roles
    std::vector<std::string> project_roles;
    std::vector<Member> members;  // active, the owner not included
    std::vector<PendingInvite> pending;
    std::vector<Project> projects;
    uint64_t commands = 0;
    uint64_t lifetime = 0;
    uint64_t next = 0;  // fresh user and project numbers
    bool created = false;
  };

  void Fresh(Org& o);  // a new organization in this slot, not created yet
  Planned Plan(Org& o, size_t slot);
  Planned Make(const Org& o, size_t slot, Planned::Kind kind, const std::string& actor,
               const std::function<void(api::wire::Command::Builder)>& fill, Planned p = {});
  Planned Invite(Org& o, size_t slot);
  Planned Accept(Org& o, size_t slot);
  Planned Doomed(Org& o, size_t slot);
  Planned Activity(Org& o, size_t slot, bool login);
  Planned ProjectStep(Org& o, size_t slot);
  void Publish(size_t slot, uint64_t position);

  template <class T>
  T& Pick(std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }
  std::string NextCommandId() { return prefix_ + std::to_string(++sequence_); }

  std::string prefix_;
  std::mt19937_64 rng_;
  size_t first_slot_;
  Directory& directory_;
  std::vector<Org> slots_;
  uint64_t orgs_made_ = 0;
  uint64_t sequence_ = 0;
  std::vector<std::string> orgs_;
  std::vector<std::string> owners_;
};

}  // namespace roster::tools::soak
