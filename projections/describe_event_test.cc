#include "projections/describe_event.h"

#include <gtest/gtest.h>

namespace roster::projections {
namespace {

using namespace domain;

// SubjectOf indexes the activity log; DescribeEvent fills the entry a query filters on. They
// must agree for every event type, or subject queries would miss entries.
TEST(DescribeEventTest, SubjectOfAgreesWithDescribeEventForEveryType) {
  const Email email = Email::FromNormalized("ana@example.com");
  const Role role{"Support", {Permission::kMembersView}, ""};
  const std::vector<Event> events = {
      OrganizationCreated{OrgId("o"), "O", {}, {}, UserId("u")},
      OrganizationRenamed{"a", "b"},
      OrganizationSettingsChanged{},
      OrganizationDeleted{"x"},
      InvitationSent{InvitationId("i1"), email, "", "R", UserId("u"), "h", {}, {}},
      InvitationResent{InvitationId("i1"), email, "h", {}, {}, 1},
      InvitationRevoked{InvitationId("i1"), email, "R"},
      InvitationAccepted{InvitationId("i1"), email, UserId("ana"), MembershipId("m2")},
      InvitationExpired{InvitationId("i1"), email, {}},
      MemberJoined{MembershipId("m2"), UserId("ana"), email, "", "R", {}},
      MemberRoleChanged{MembershipId("m2"), UserId("ana"), "R", "S"},
      MemberRemoved{MembershipId("m2"), UserId("ana"), email, "R"},
      MemberLeft{MembershipId("m2"), UserId("ana"), email, "R"},
      OwnershipTransferred{UserId("a"), UserId("b"), "R", "S"},
      RoleDefined{role},
      RoleUpdated{role, role},
      RoleDeleted{role},
      ProjectCreated{ProjectId("p"), "P"},
      ProjectRenamed{ProjectId("p"), "P", "Q"},
      ProjectDeleted{ProjectId("p"), "P"},
      ProjectMemberAdded{ProjectId("p"), UserId("c"), "V"},
      ProjectMemberRoleChanged{ProjectId("p"), UserId("c"), "V", "E"},
      ProjectMemberRemoved{ProjectId("p"), UserId("c"), "V", ProjectRemovalReason::kDirect},
      ApiKeyCreated{ApiKeyId("k"), "K", UserId("u"), {}},
      ApiKeyRevoked{ApiKeyId("k")},
      ApiKeyRotationRecommended{ApiKeyId("k"), UserId("u"), "r"},
      ResourceRegistered{ResourceId("r"), "agent", "A", UserId("u"), {}},
      ResourceReassigned{ResourceId("r"), UserId("u"), UserId("v"), "manual"},
      ResourceDeleted{ResourceId("r")},
  };
  EXPECT_EQ(events.size() + 2, std::variant_size_v<Event>) << "every membership event is listed";
  const std::string org = "acme";
  for (const Event& e : events) {
    EventFacts facts;
    ASSERT_TRUE(DescribeEvent(e, org, &facts)) << EventType(e);
    EXPECT_EQ(SubjectOf(e, org), facts.subject) << EventType(e);
    EXPECT_FALSE(facts.subject.empty()) << EventType(e);
  }
  EventFacts facts;
  EXPECT_FALSE(DescribeEvent(MemberLoggedIn{UserId("u"), {}, "", ""}, org, &facts));
  EXPECT_TRUE(SubjectOf(MemberActive{UserId("u"), {}}, org).empty());
}

}  // namespace
}  // namespace roster::projections
