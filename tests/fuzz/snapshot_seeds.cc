// Writes snapshot_fuzzer's seed corpus: snapshots (EncodeState, as the command service writes
// them) of organizations the domain itself built, one per preset, each after a script that
// reaches every part of the state: members in every role, pending, accepted, revoked and
// expired invitations, projects with direct members (one deleted), live and revoked API keys,
// a resource, a custom role and changed settings. Also the empty state, a state right after
// creation and a deleted organization.
//
// Usage: snapshot_seeds <output directory>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "domain/decide.h"
#include "domain/presets.h"
#include "eventstore/codec/state_codec.h"

namespace {

using namespace roster::domain;

class Org {
 public:
  // Decides and applies; a command a preset's rules refuse is skipped (the state stays real).
  void Run(const std::string& actor, const Command& command) {
    auto events = Decide(state, UserId(actor), command, now);
    if (!events) {
      std::fprintf(stderr, "snapshot_seeds: %s skipped: %s\n",
                   std::string(CommandName(command)).c_str(), events.error().message.c_str());
      return;
    }
    for (const Event& e : *events) Apply(state, e);
    now += std::chrono::hours(1);
  }

  OrganizationState state;
  Time now = FromMicros(1'767'225'600'000'000);
};

// A busy organization on `preset`; `created` gets its state right after creation.
Org Busy(std::string_view preset, OrganizationState& created) {
  Org org;
  const std::string name(preset);
  org.Run("owner", CreateOrganization{OrgId("org-" + name),
                                      "Acme " + name,
                                      name,
                                      UserId("owner"),
                                      "owner@acme.test",
                                      "Olive",
                                      {},
                                      {}});
  created = org.state;
  const RoleCatalog catalog = org.state.catalog;
  std::string first_role;
  int n = 0;
  for (const Role& role : catalog.roles()) {
    if (catalog.IsOwnerRole(role.name)) continue;
    if (first_role.empty()) first_role = role.name;
    ++n;
    const std::string user = "user" + std::to_string(n);
    const std::string email = user + "@acme.test";
    org.Run("owner", InviteMember{email, "User " + std::to_string(n), role.name, "h" + user});
    const InvitationId invitation("i" + std::to_string(n));
    if (n % 3 == 0) {
      org.Run("owner", RevokeInvitation{invitation});
    } else {
      org.Run(user, AcceptInvitation{invitation, "h" + user, email, ""});
    }
  }
  org.Run("owner", InviteMember{"late@acme.test", "", first_role, "hlate"});
  org.Run("owner", CreateProject{ProjectId("web"), "Website"});
  org.Run("owner", CreateProject{ProjectId("old"), "Old"});
  if (!catalog.project_roles().empty()) {
    org.Run("owner", AddProjectMember{ProjectId("web"), UserId("user1"),
                                      catalog.project_roles().back().name});
    org.Run("owner", AddProjectMember{ProjectId("web"), UserId("client"),
                                      catalog.project_roles().front().name});
    org.Run("owner", AddProjectMember{ProjectId("old"), UserId("client"),
                                      catalog.project_roles().front().name});
  }
  org.Run("owner", DeleteProject{ProjectId("old")});
  org.Run("owner", CreateApiKey{ApiKeyId("k1"), "CI", ProjectId()});
  org.Run("owner", CreateApiKey{ApiKeyId("k2"), "Old", ProjectId("web")});
  org.Run("owner", RevokeApiKey{ApiKeyId("k2")});
  org.Run("owner",
          RegisterResource{ResourceId("r1"), "dashboard", "KPIs", UserId("user1"), ProjectId()});
  org.Run("owner", DefineRole{"Auditor", {Permission::kAuditView, Permission::kMembersView}, ""});
  org.Run("owner", ChangeSettings{14, 20});
  return org;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  size_t written = 0;
  auto write = [&](const std::string& name, const OrganizationState& state) {
    std::ofstream(out / (name + ".bin"), std::ios::binary)
        << roster::eventstore::codec::EncodeState(state);
    ++written;
  };
  write("empty", OrganizationState{});
  for (std::string_view preset : PresetNames()) {
    OrganizationState created;
    Org org = Busy(preset, created);
    write(std::string(preset) + "_created", created);
    write(std::string(preset) + "_busy", org.state);
    // A month later every pending invitation has expired; then the organization goes.
    org.now += std::chrono::days(30);
    org.Run("owner", ExpireInvitations{});
    write(std::string(preset) + "_expired", org.state);
    org.Run("owner", DeleteOrganization{});
    write(std::string(preset) + "_deleted", org.state);
  }
  std::printf("%zu seeds written to %s\n", written, out.c_str());
  return 0;
}
