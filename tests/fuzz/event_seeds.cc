// Writes event_fuzzer's seed corpus: every event type with every field set, encoded at its
// current revision, the same events through the frozen revision-1 writer the upcasters read
// (tests/fixtures/rev1_encoder.h), and an organization created from each preset's catalog.
// Fails when an event type has no sample, so that a new type gets one.
//
// Usage: event_seeds <output directory>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "domain/presets.h"
#include "eventstore/codec/codec.h"
#include "tests/fixtures/rev1_encoder.h"
#include "tests/fuzz/targets.h"

namespace {

using namespace roster::domain;

Time T(int64_t us) { return FromMicros(us); }

std::vector<Event> Samples() {
  Role support{"Support", {Permission::kMembersView}, ""};
  Role support_after{"Support", {Permission::kMembersView, Permission::kAuditView}, "Viewer"};
  const Email ana = Email::FromNormalized("ana@acme.test");
  std::vector<Event> events = {
      OrganizationRenamed{"Acme", "Acme Inc"},
      OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{14, 200}},
      OrganizationDeleted{"Acme Inc"},
      InvitationSent{InvitationId("i1"), ana, "Ana", "Manager", UserId("alice"),
                     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     T(1'767'225'600'000'000), T(1'767'830'400'000'000)},
      InvitationResent{InvitationId("i1"), ana, "60303ae22b998861bce3b28f33eec1be",
                       T(1'767'312'000'000'000), T(1'767'916'800'000'000), 1},
      InvitationRevoked{InvitationId("i2"), Email::FromNormalized("bo@acme.test"), "Viewer"},
      InvitationAccepted{InvitationId("i1"), ana, UserId("ana"), MembershipId("m2")},
      InvitationExpired{InvitationId("i3"), Email::FromNormalized("cy@acme.test"),
                        T(1'768'435'200'000'000)},
      MemberJoined{MembershipId("m2"), UserId("ana"), ana, "Ana", "Manager", InvitationId("i1")},
      MemberJoined{MembershipId("m1"), UserId("alice"), Email::FromNormalized("alice@acme.test"),
                   "Alice", "Owner", InvitationId()},
      MemberRoleChanged{MembershipId("m2"), UserId("ana"), "Manager", "Editor"},
      MemberRemoved{MembershipId("m2"), UserId("ana"), ana, "Editor"},
      MemberLeft{MembershipId("m3"), UserId("bo"), Email::FromNormalized("bo@acme.test"), "Viewer"},
      OwnershipTransferred{UserId("alice"), UserId("ana"), "Manager", "Editor"},
      RoleDefined{support},
      RoleUpdated{support, support_after},
      RoleDeleted{support_after},
      ProjectCreated{ProjectId("web"), "Website"},
      ProjectRenamed{ProjectId("web"), "Website", "Web"},
      ProjectDeleted{ProjectId("web"), "Web"},
      ProjectMemberAdded{ProjectId("web"), UserId("carol"), "Viewer"},
      ProjectMemberRoleChanged{ProjectId("web"), UserId("carol"), "Viewer", "Editor"},
      ApiKeyCreated{ApiKeyId("key-1"), "ci", UserId("ana"), ProjectId("web")},
      ApiKeyRevoked{ApiKeyId("key-1")},
      ApiKeyRotationRecommended{ApiKeyId("key-2"), UserId("ana"), "creator_removed"},
      ResourceRegistered{ResourceId("agent-1"), "agent", "Support bot", UserId("ana"),
                         ProjectId("web")},
      ResourceReassigned{ResourceId("agent-1"), UserId("ana"), UserId("alice"), "owner_removed"},
      ResourceDeleted{ResourceId("agent-1")},
      MemberLoggedIn{UserId("ana"), T(1'767'312'000'000'000), "192.0.2.1", "Mozilla/5.0"},
      MemberActive{UserId("ana"), T(1'767'312'060'000'000)},
  };
  for (ProjectRemovalReason reason :
       {ProjectRemovalReason::kDirect, ProjectRemovalReason::kOrgRemoval,
        ProjectRemovalReason::kOrgLeft, ProjectRemovalReason::kProjectDeleted}) {
    events.push_back(ProjectMemberRemoved{ProjectId("web"), UserId("carol"), "Editor", reason});
  }
  for (std::string_view preset : PresetNames()) {
    events.push_back(OrganizationCreated{OrgId("acme"), "Acme", *PresetCatalog(preset),
                                         OrgSettings{7, 50}, UserId("alice")});
  }
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  const roster::eventstore::codec::EventCodec codec;
  std::set<std::string> types;
  size_t written = 0;
  auto write = [&](const roster::eventstore::NewEvent& e) {
    const std::string name =
        e.type + ".r" + std::to_string(e.revision) + "." + std::to_string(written++) + ".bin";
    std::ofstream(out / name, std::ios::binary) << roster::tests::fuzz::EventRecordInput(
        e.type, static_cast<uint8_t>(e.revision), e.payload);
  };
  for (const Event& event : Samples()) {
    const roster::eventstore::NewEvent current = codec.Encode(event);
    types.insert(current.type);
    write(current);
    const roster::eventstore::NewEvent rev1 = roster::tests::fixtures::EncodeRev1(codec, event);
    if (rev1 != current) write(rev1);
  }
  for (const std::string& type : roster::tests::fuzz::EventTypeNames()) {
    if (!types.contains(type)) {
      std::fprintf(stderr, "event_seeds: no sample of %s; add one\n", type.c_str());
      return 1;
    }
  }
  std::printf("%zu seeds written to %s\n", written, out.c_str());
  return 0;
}
