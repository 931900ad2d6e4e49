// Workload: a seeded, reproducible stream of realistic commands against a CommandService,
// for tests (random commands, crash runs) and benchmarks. It keeps a light model of each
// organization (members, pending invitations with their tokens, projects, keys, resources)
// learned from the events each command records, so most commands it sends are valid; a share
// are deliberately doomed (wrong actor, bad email, last owner) to exercise rejections.
//
// Not thread-safe: use one Workload per thread, over disjoint organizations.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/service/command_service.h"

namespace roster::tools::workload {

struct WorkloadOptions {
  std::string org_prefix = "org";
  size_t orgs = 10;
  uint64_t seed = 1;
  double doomed_share = 0.08;    // commands meant to be rejected
  double activity_share = 0.15;  // logins and last-active marks
};

struct StepResult {
  std::string command;  // CommandName
  bool accepted = false;
  std::string rejection;  // code, when rejected
  size_t events = 0;
  eventstore::Position position = 0;
};

class Workload {
 public:
  Workload(api::service::CommandService& commands, WorkloadOptions options);

  // Creates the organizations (presets in rotation). Idempotent per organization.
  api::service::Result<void> Setup();
  // One random command.
  api::service::Result<StepResult> Step();
  // One command of the benchmark mix only: InviteMember, AcceptInvitation, ChangeRole.
  api::service::Result<StepResult> MembershipStep();

  const std::vector<std::string>& org_ids() const { return org_ids_; }

 private:
  struct Pending {
    std::string id;
    std::string email;
    std::string token;
    std::string user;
  };
  struct OrgModel {
    std::string id;
    std::string preset;
    std::string owner;
    std::vector<std::string> roles;  // non-owner org roles
    std::vector<std::string> project_roles;
    std::vector<std::string> members;  // includes the owner
    std::vector<Pending> pending;
    std::vector<std::string> projects;
    std::vector<std::string> keys;
    std::vector<std::string> resources;
    uint64_t next = 0;  // for fresh user, project, key and resource ids
  };

  api::service::Result<StepResult> Run(OrgModel& org, const std::string& actor,
                                       domain::Command command);
  api::service::Result<StepResult> RunActivity(OrgModel& org, const std::string& actor,
                                               domain::ActivityCommand command);
  void Learn(OrgModel& org, const api::service::CommandOutcome& outcome, const std::string& token);
  api::service::Result<StepResult> Invite(OrgModel& org);
  api::service::Result<StepResult> Accept(OrgModel& org);
  api::service::Result<StepResult> ChangeSomeRole(OrgModel& org);
  api::service::Result<StepResult> Doomed(OrgModel& org);

  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string CommandId();

  api::service::CommandService& commands_;
  WorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::string> org_ids_;
  std::unordered_map<std::string, OrgModel> orgs_;
  uint64_t commands_sent_ = 0;
};

}  // namespace roster::tools::workload
