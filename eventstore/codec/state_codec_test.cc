#include "eventstore/codec/state_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include "domain/decide.h"
#include "eventstore/codec/state.capnp.h"

namespace roster::eventstore::codec {
namespace {

using namespace domain;

std::string Bytes(capnp::MallocMessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                     words.asBytes().size());
}

class StateCodecTest : public ::testing::Test {
 protected:
  void Run(const char* actor, Command c) {
    auto events = Decide(state_, UserId(actor), c, now_);
    ASSERT_TRUE(events.has_value()) << CommandName(c) << ": " << events.error().message;
    for (const Event& e : *events) Apply(state_, e);
    now_ += std::chrono::hours(1);
  }

  OrganizationState state_;
  Time now_ = FromMicros(1'700'000'000'000'000);
};

TEST_F(StateCodecTest, SnapshotOfABusyOrganizationDecodesToTheSameState) {
  Run("owner",
      CreateOrganization{
          OrgId("acme"), "Acme", "workspace", UserId("owner"), "owner@acme.io", "Olive", {}, {}});
  Run("owner", InviteMember{"ana@acme.io", "Ana", "Member", "h1"});
  Run("ana", AcceptInvitation{InvitationId("i1"), "h1", "ana@acme.io", ""});
  Run("owner", InviteMember{"bo@acme.io", "Bo", "Owner", "h2"});
  Run("owner", InviteMember{"cy@acme.io", "", "Member", "h3"});
  Run("owner", RevokeInvitation{InvitationId("i3")});
  Run("owner", CreateProject{ProjectId("web"), "Website"});
  Run("owner", CreateProject{ProjectId("old"), "Old"});
  Run("owner", AddProjectMember{ProjectId("web"), UserId("ana"), "Editor"});
  Run("owner", AddProjectMember{ProjectId("web"), UserId("client"), "Viewer"});
  Run("owner", DeleteProject{ProjectId("old")});
  // A pending project invitation (issue 21): its project and project role survive a snapshot.
  Run("owner", InviteToProject{"guest@brand.io", "", ProjectId("web"), "Viewer", 2, "h4"});
  Run("owner", CreateApiKey{ApiKeyId("k1"), "CI", ProjectId()});
  Run("owner", CreateApiKey{ApiKeyId("k2"), "Old", ProjectId()});
  Run("owner", RevokeApiKey{ApiKeyId("k2")});
  Run("owner", RegisterResource{ResourceId("r1"), "dashboard", "KPIs", UserId("ana"), ProjectId()});
  Run("owner", DefineRole{"Auditor", {Permission::kAuditView}, ""});
  Run("owner", ChangeSettings{14, 20});

  auto decoded = DecodeState(EncodeState(state_));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(*decoded, state_);
  // The rebuilt indexes answer the same questions.
  EXPECT_EQ(decoded->LivePendingCount(now_), 2u);
  EXPECT_EQ(decoded->pending_by_project_email, state_.pending_by_project_email);
  EXPECT_EQ(decoded->invitations.at(InvitationId("i4")).project_role, "Viewer");
  EXPECT_EQ(decoded->owner_count(), 1u);
  EXPECT_TRUE(decoded->direct_projects.contains(UserId("client")));
}

TEST_F(StateCodecTest, EmptyStateRoundTrips) {
  auto decoded = DecodeState(EncodeState(state_));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, state_);
}

// Snapshots come from a table row's buffer, at any address: a misaligned one decodes too.
TEST_F(StateCodecTest, MisalignedSnapshotDecodes) {
  Run("owner",
      CreateOrganization{OrgId("acme"), "Acme", "api", UserId("owner"), "o@acme.io", "", {}, {}});
  const std::string shifted = "x" + EncodeState(state_);
  auto decoded = DecodeState(std::string_view(shifted).substr(1));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(*decoded, state_);
}

TEST_F(StateCodecTest, CorruptSnapshotIsAnError) {
  Run("owner",
      CreateOrganization{OrgId("acme"), "Acme", "api", UserId("owner"), "o@acme.io", "", {}, {}});
  std::string bytes = EncodeState(state_);
  EXPECT_FALSE(DecodeState(bytes.substr(0, 5)).has_value());
  EXPECT_FALSE(DecodeState(std::string(bytes.size(), '\xff')).has_value());
}

// Well-formed Cap'n Proto holding values the domain cannot: errors that name the value.
TEST(StateCodecValues, UnknownStatusOrPermissionIsAnError) {
  {
    capnp::MallocMessageBuilder message;
    message.initRoot<wire::OrganizationSnapshot>().setStatus(9);
    auto decoded = DecodeState(Bytes(message));
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().message, "bad status");
  }
  {
    capnp::MallocMessageBuilder message;
    auto b = message.initRoot<wire::OrganizationSnapshot>();
    b.initSettings().setInvitationTtlDays(7);
    b.getSettings().setMaxPendingInvitations(50);
    b.initInvitations(1)[0].setStatus(9);
    auto decoded = DecodeState(Bytes(message));
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().message, "bad invitation status");
  }
  {
    capnp::MallocMessageBuilder message;
    auto role = message.initRoot<wire::OrganizationSnapshot>().initCatalog().initRoles(1)[0];
    role.setName("Hacker");
    role.initPermissions(1).set(0, "world.domination");
    auto decoded = DecodeState(Bytes(message));
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().message, "unknown permission 'world.domination'");
  }
}

// A snapshot holds at most as many elements as it has words.
TEST_F(StateCodecTest, ASnapshotCannotClaimMoreElementsThanItHasBytes) {
  // 56 bytes that claim 100,000 roles: a list of Void elements takes no bytes, and Cap'n Proto
  // reads it as a list of empty structs. Unless the reader's traversal limit follows the snapshot's
  // size, a few KiB make the decoder build millions of roles.
  const std::string roles_from_nothing(
      "\x00\x00\x00\x00\x06\x00\x00\x00"   // one segment of 6 words
      "\x00\x00\x00\x00\x00\x00\x03\x00"   // root: a struct of 3 pointers
      "\x00\x00\x00\x00\x00\x00\x00\x00"   // orgId: null
      "\x00\x00\x00\x00\x00\x00\x00\x00"   // name: null
      "\x00\x00\x00\x00\x00\x00\x02\x00"   // catalog: a struct of 2 pointers
      "\x00\x00\x00\x00\x00\x00\x00\x00"   // preset: null
      "\x01\x00\x00\x00\x00\x35\x0c\x00",  // roles: 100,000 Void elements
      56);
  auto decoded = DecodeState(roles_from_nothing);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("malformed snapshot"), std::string::npos)
      << decoded.error().message;
}

}  // namespace
}  // namespace roster::eventstore::codec
