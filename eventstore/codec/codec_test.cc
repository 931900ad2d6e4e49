#include "eventstore/codec/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "domain/presets.h"
#include "eventstore/codec/events.capnp.h"

namespace roster::eventstore::codec {
namespace {

using namespace domain;

Time T(int64_t us) { return FromMicros(us); }

// One event of every type, with every field set to something other than its default.
std::vector<Event> EveryEventType() {
  RoleCatalog catalog = *PresetCatalog("api");
  catalog.PutRole(Role{"Auditor", {Permission::kAuditView, Permission::kMembersView}, "Viewer"});
  Role before{"Support", {Permission::kMembersView}, ""};
  Role after{"Support", {Permission::kMembersView, Permission::kUsageView}, "Viewer"};
  const Email email = Email::FromNormalized("ana@example.com");
  return {
      OrganizationCreated{OrgId("acme"), "Acme Inc", catalog, OrgSettings{14, 100}, UserId("u1")},
      OrganizationRenamed{"Acme", "Acme Inc."},
      OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{30, 10}},
      OrganizationDeleted{"Acme"},
      InvitationSent{InvitationId("i1"), email, "Ana", "Developer", UserId("u1"), "ab12",
                     T(1'700'000'000'000'000), T(1'700'604'800'000'000)},
      InvitationSent{InvitationId("i2"), email, "Ana", "", UserId("u1"), "ef56", T(1), T(3),
                     ProjectId("website"), "Viewer"},
      InvitationResent{InvitationId("i1"), email, "cd34", T(5), T(6), 2},
      InvitationRevoked{InvitationId("i1"), email, "Viewer"},
      InvitationAccepted{InvitationId("i1"), email, UserId("u2"), MembershipId("m2")},
      InvitationExpired{InvitationId("i3"), email, T(-7)},
      MemberJoined{MembershipId("m2"), UserId("u2"), email, "Ana B", "Developer",
                   InvitationId("i1")},
      MemberRoleChanged{MembershipId("m2"), UserId("u2"), "Developer", "Viewer"},
      MemberRemoved{MembershipId("m2"), UserId("u2"), email, "Viewer"},
      MemberLeft{MembershipId("m3"), UserId("u3"), email, "Billing Manager"},
      OwnershipTransferred{UserId("u1"), UserId("u2"), "Developer", "Viewer"},
      RoleDefined{after},
      RoleUpdated{before, after},
      RoleDeleted{before},
      ProjectCreated{ProjectId("p1"), "Website"},
      ProjectRenamed{ProjectId("p1"), "Website", "Site"},
      ProjectDeleted{ProjectId("p1"), "Site"},
      ProjectMemberAdded{ProjectId("p1"), UserId("client"), "Viewer"},
      ProjectMemberRoleChanged{ProjectId("p1"), UserId("client"), "Viewer", "Developer"},
      ProjectMemberRemoved{ProjectId("p1"), UserId("client"), "Developer",
                           ProjectRemovalReason::kOrgRemoval},
      ProjectMemberRemoved{ProjectId("p1"), UserId("client"), "Viewer",
                           ProjectRemovalReason::kProjectDeleted},
      ApiKeyCreated{ApiKeyId("k1"), "CI key", UserId("u2"), ProjectId("p1")},
      ApiKeyRevoked{ApiKeyId("k1")},
      ApiKeyRotationRecommended{ApiKeyId("k1"), UserId("u2"), "creator_removed"},
      ResourceRegistered{ResourceId("r1"), "agent", "Support bot", UserId("u2"), ProjectId("p1")},
      ResourceReassigned{ResourceId("r1"), UserId("u2"), UserId("u1"), "owner_removed"},
      ResourceDeleted{ResourceId("r1")},
      MemberLoggedIn{UserId("u2"), T(123456789), "203.0.113.9", "Mozilla/5.0"},
      MemberActive{UserId("u2"), T(123456790)},
  };
}

TEST(CodecTest, SamplesCoverEveryEventType) {
  std::set<size_t> kinds;
  for (const Event& e : EveryEventType()) kinds.insert(e.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<Event>);
}

TEST(CodecTest, RoundTripsEveryEventType) {
  EventCodec codec;
  for (const Event& e : EveryEventType()) {
    eventstore::NewEvent encoded = codec.Encode(e);
    EXPECT_EQ(encoded.type, EventType(e));
    EXPECT_EQ(encoded.revision, codec.CurrentRevision(encoded.type));
    auto decoded = codec.Decode(encoded.type, encoded.revision, encoded.payload);
    ASSERT_TRUE(decoded.has_value()) << encoded.type << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, e) << encoded.type;
  }
}

TEST(CodecTest, RoundTripKeepsRoleCatalogLookups) {
  EventCodec codec;
  OrganizationCreated created{OrgId("o"), "O", *PresetCatalog("commerce"), {}, UserId("u")};
  auto encoded = codec.Encode(created);
  auto decoded = codec.Decode(encoded.type, encoded.revision, encoded.payload);
  ASSERT_TRUE(decoded.has_value());
  const auto& catalog = std::get<OrganizationCreated>(*decoded).catalog;
  ASSERT_NE(catalog.FindRole("manager"), nullptr);
  EXPECT_TRUE(catalog.IsOwnerRole("Owner"));
  EXPECT_EQ(catalog.ProjectRank("Admin"), 2);
}

TEST(CodecTest, DecodesUnalignedPayload) {
  EventCodec codec;
  auto encoded = codec.Encode(ProjectCreated{ProjectId("p"), "Project"});
  std::string shifted = "x" + encoded.payload;
  auto decoded = codec.Decode(encoded.type, encoded.revision, std::string_view(shifted).substr(1));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(std::get<ProjectCreated>(*decoded).name, "Project");
}

// Text is read by its size, not up to its first NUL: ids and names come back whole.
TEST(CodecTest, TextWithEmbeddedNulRoundTrips) {
  EventCodec codec;
  const std::string id("p\0q", 3);
  const std::string name("a\0b\0", 4);
  auto encoded = codec.Encode(ProjectCreated{ProjectId(id), name});
  auto decoded = codec.Decode(encoded.type, encoded.revision, encoded.payload);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(std::get<ProjectCreated>(*decoded).project_id.value, id);
  EXPECT_EQ(std::get<ProjectCreated>(*decoded).name, name);
}

TEST(CodecTest, RejectsUnknownTypeAndNewerRevision) {
  EventCodec codec;
  auto encoded = codec.Encode(ApiKeyRevoked{ApiKeyId("k")});
  auto unknown = codec.Decode("member.teleported", 1, encoded.payload);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("unknown event type"), std::string::npos);
  auto newer = codec.Decode(encoded.type, 99, encoded.payload);
  ASSERT_FALSE(newer.has_value());
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
}

TEST(CodecTest, GarbageIsAnErrorNotACrash) {
  EventCodec codec;
  const std::vector<std::string> garbage = {
      std::string(8, '\xff'), std::string(16, '\0'), std::string(7, 'a'), std::string(),
      std::string("\x00\x00\x00\x00\xff\xff\xff\x7f", 8) + std::string(8, '\x01')};
  for (const std::string& g : garbage) {
    auto decoded = codec.Decode("member.joined", 1, g);
    if (decoded.has_value()) continue;  // some byte strings are valid (empty) messages
    EXPECT_FALSE(decoded.error().message.empty());
  }
  // Truncating a real payload must never crash either.
  auto encoded = codec.Encode(MemberJoined{
      MembershipId("m1"), UserId("u"), Email::FromNormalized("a@b.co"), "A", "Owner", {}});
  for (size_t n = 0; n < encoded.payload.size(); n += 8) {
    (void)codec.Decode(encoded.type, encoded.revision, encoded.payload.substr(0, n));
  }
}

TEST(CodecTest, UnknownPermissionNameIsAnError) {
  EventCodec codec;
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<wire::RoleDefined>();
  auto role = b.initRole();
  role.setName("Hacker");
  role.initPermissions(1).set(0, "world.domination");
  auto words = capnp::messageToFlatArray(message);
  std::string payload(reinterpret_cast<const char*>(words.asBytes().begin()),
                      words.asBytes().size());
  auto decoded = codec.Decode("role.defined", 1, payload);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("world.domination"), std::string::npos);
}

// A reason this binary does not know (written by a newer one) is refused, not guessed.
TEST(CodecTest, UnknownProjectRemovalReasonIsAnError) {
  EventCodec codec;
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<wire::ProjectMemberRemoved>();
  b.setProjectId("p");
  b.setUserId("u");
  b.setRole("Viewer");
  b.setReason(static_cast<wire::ProjectRemovalReason>(99));
  auto words = capnp::messageToFlatArray(message);
  std::string payload(reinterpret_cast<const char*>(words.asBytes().begin()),
                      words.asBytes().size());
  auto decoded = codec.Decode(std::string(ProjectMemberRemoved::kType), 1, payload);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message, "unknown project removal reason");
}

TEST(CodecTest, OldRevisionGoesThroughItsUpcaster) {
  EventCodec codec;
  auto missing = codec.Decode("project.created", 0, "");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("no upcaster"), std::string::npos);
  codec.RegisterUpcaster("project.created", 0, [](std::string_view payload) -> DecodeResult {
    return Event(ProjectCreated{ProjectId(std::string(payload)), "from revision 0"});
  });
  auto up = codec.Decode("project.created", 0, "legacy");
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(std::get<ProjectCreated>(*up).project_id.value, "legacy");
}

// An invitation's deadline (revision 2's sentAt + validFor) and its lifetime (revision 1's
// expiresAt - sentAt, what revision 2 stores) must fit in 64 bits of microseconds: the codec
// and the invitations projection compute them.
TEST(CodecTest, AnInvitationTimeOutOfRangeIsAnError) {
  EventCodec codec;
  auto bytes = [](capnp::MessageBuilder& message) {
    auto words = capnp::messageToFlatArray(message);
    return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                       words.asBytes().size());
  };
  capnp::MallocMessageBuilder rev2;
  auto deadline = rev2.initRoot<wire::MemberInvitedV2>();
  deadline.setSentAt(INT64_MAX - 10);
  deadline.setValidFor(604'800'000'000);
  auto decoded = codec.Decode("invitation.sent", 2, bytes(rev2));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("out of range"), std::string::npos)
      << decoded.error().message;
  capnp::MallocMessageBuilder rev1;
  auto lifetime = rev1.initRoot<wire::InvitationSent>();
  lifetime.setSentAt(-4'683'743'614'403'910'284);
  lifetime.setExpiresAt(5'548'434'740'920'557'457);
  decoded = codec.Decode("invitation.sent", 1, bytes(rev1));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("out of range"), std::string::npos)
      << decoded.error().message;
}

// An invitation.sent revision 2 written before project invitations existed (no projectId,
// no projectRole) still decodes, as the org invitation it was.
TEST(CodecTest, AnInvitationWrittenBeforeProjectInvitationsIsAnOrgInvitation) {
  EventCodec codec;
  capnp::MallocMessageBuilder old;
  auto w = old.initRoot<wire::MemberInvitedV2>();
  w.setInvitationId("i7");
  w.setEmail("bo@example.com");
  w.setRole("Developer");
  w.setInviter("u1");
  w.setTokenHash("ab");
  w.setSentAt(1'000);
  w.setValidFor(2'000);
  auto words = capnp::messageToFlatArray(old);
  auto decoded = codec.Decode(
      "invitation.sent", 2,
      std::string(reinterpret_cast<const char*>(words.asBytes().begin()), words.asBytes().size()));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  const auto& sent = std::get<InvitationSent>(*decoded);
  EXPECT_EQ(sent.role, "Developer");
  EXPECT_EQ(sent.expires_at, T(3'000));
  EXPECT_TRUE(sent.project_id.empty());
  EXPECT_TRUE(sent.project_role.empty());
  // And an org invitation is written as before: the new fields stay absent.
  auto encoded = codec.Encode(sent);
  auto aligned = kj::heapArray<capnp::word>(encoded.payload.size() / sizeof(capnp::word));
  std::memcpy(aligned.begin(), encoded.payload.data(), aligned.asBytes().size());
  capnp::FlatArrayMessageReader reader(aligned);
  EXPECT_FALSE(reader.getRoot<wire::MemberInvitedV2>().hasProjectId());
}

// Settings outside the ranges the domain accepts are not a stored record Roster wrote: refused
// when read, so that no command computes with them (an invitation's expiry from a lifetime of
// 2^31 - 1 days overflows 64 bits of microseconds).
TEST(CodecTest, OrganizationSettingsOutOfRangeAreAnError) {
  EventCodec codec;
  auto bytes = [](capnp::MessageBuilder& message) {
    auto words = capnp::messageToFlatArray(message);
    return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                       words.asBytes().size());
  };
  capnp::MallocMessageBuilder created;
  auto c = created.initRoot<wire::OrganizationCreated>();
  c.setOrgId("o");
  c.setName("Acme");
  c.initCatalog();
  c.initSettings().setInvitationTtlDays(INT32_MAX);
  c.getSettings().setMaxPendingInvitations(50);
  auto decoded = codec.Decode(std::string(OrganizationCreated::kType), 1, bytes(created));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message,
            "organization settings out of range: invitationTtlDays 2147483647, "
            "maxPendingInvitations 50");

  capnp::MallocMessageBuilder changed;
  auto ch = changed.initRoot<wire::OrganizationSettingsChanged>();
  ch.initBefore().setInvitationTtlDays(7);
  ch.getBefore().setMaxPendingInvitations(50);
  ch.initAfter().setInvitationTtlDays(7);
  ch.getAfter().setMaxPendingInvitations(-1);
  decoded = codec.Decode(std::string(OrganizationSettingsChanged::kType), 1, bytes(changed));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("maxPendingInvitations -1"), std::string::npos)
      << decoded.error().message;
}

// A payload holds at most as many elements as it has words.
TEST(CodecTest, APayloadCannotClaimMoreElementsThanItHasBytes) {
  // 56 bytes that claim 100,000 roles: a list of Void elements takes no bytes, and Cap'n Proto
  // reads it as a list of empty structs. Unless the reader's traversal limit follows the payload's
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
  auto decoded = EventCodec().Decode("organization.created", 1, roles_from_nothing);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("malformed payload"), std::string::npos)
      << decoded.error().message;
}

}  // namespace
}  // namespace roster::eventstore::codec
