// SPEC.md section 3, rule 1 (the actor is an active member holding the needed permission;
// creating an org makes the creator the first owner) and rule 8 (listing members needs
// members.view).
#include <gtest/gtest.h>

#include "domain/presets.h"
#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

TEST(Rule1Test, CreatingAnOrgMakesTheCreatorTheFirstOwner) {
  Given()
      .When("service", CreateOrganization{.org_id = OrgId("acme"),
                                          .name = "Acme",
                                          .preset = "commerce",
                                          .owner = User("ann"),
                                          .owner_email = " Ann@Acme.COM ",
                                          .owner_display_name = "Ann"})
      .ThenEvents({
          OrganizationCreated{OrgId("acme"), "Acme", *PresetCatalog("commerce"), OrgSettings{},
                              User("ann")},
          MemberJoined{MembershipId("m1"), User("ann"), Mail("ann@acme.com"), "Ann", "Owner",
                       InvitationId()},
      });
}

TEST(Rule1Test, TheFirstOwnerHoldsTheOwnerRoleOfEveryPreset) {
  for (std::string_view preset : PresetNames()) {
    auto s = Given();
    s.Run("service", CreateOrganization{.org_id = OrgId("o"),
                                        .name = "O",
                                        .preset = std::string(preset),
                                        .owner = User("ann"),
                                        .owner_email = "ann@example.com"});
    EXPECT_TRUE(s.state().IsOwner(User("ann"))) << preset;
    EXPECT_EQ(s.state().owner_count(), 1u) << preset;
    EXPECT_EQ(s.state().status, OrgStatus::kActive);
  }
}

TEST(Rule1Test, CreateOrganizationValidatesItsInput) {
  const CreateOrganization ok{.org_id = OrgId("o"),
                              .name = "O",
                              .preset = "api",
                              .owner = User("ann"),
                              .owner_email = "ann@example.com"};
  auto bad = ok;
  bad.preset = "enterprise";
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  bad = ok;
  bad.owner_email = "ann";
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  bad = ok;
  bad.owner = User("");
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  bad = ok;
  bad.org_id = OrgId("has space");
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  bad = ok;
  bad.name = "  ";
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  bad = ok;
  bad.invitation_ttl_days = 31;
  Given().When("service", bad).ThenRejected(ErrorCode::kInvalidArgument);
  Given(OrgCreated("api", "ann", "o")).When("service", ok).ThenRejected(ErrorCode::kConflict);
}

// One command per permission-gated command type, run by a member whose custom role holds
// exactly that permission (plus what the target role needs under rule 2), by a member whose
// role holds everything but it, by a stranger and by a removed member.
struct GatedCase {
  std::string name;
  Permission needed;
  PermissionSet extra;  // what rule 2 also needs for this particular command
  Command command;
};

std::vector<GatedCase> GatedCases() {
  const PermissionSet viewer_project{P::kProjectsView, P::kResourcesView};
  return {
      {"RenameOrganization", P::kOrgSettingsManage, {}, RenameOrganization{"New name"}},
      {"ChangeSettings", P::kOrgSettingsManage, {}, ChangeSettings{.invitation_ttl_days = 3}},
      {"DeleteOrganization", P::kOrgDelete, {}, DeleteOrganization{}},
      {"InviteMember",
       P::kMembersInvite,
       {},
       InviteMember{.email = "dave@example.com", .role = "Plain", .token_hash = "h"}},
      {"ResendInvitation", P::kMembersInvite, {}, ResendInvitation{InvitationId("i1"), "h2"}},
      {"RevokeInvitation", P::kMembersInvite, {}, RevokeInvitation{InvitationId("i1")}},
      {"ChangeRole", P::kMembersRoleChange, {}, ChangeRole{User("bob"), "Plain2"}},
      {"RemoveMember", P::kMembersRemove, {}, RemoveMember{User("bob")}},
      {"DefineRole", P::kOrgSettingsManage, {}, DefineRole{"Fresh", {}, ""}},
      {"UpdateRole", P::kOrgSettingsManage, {}, UpdateRole{"Unused", {}, ""}},
      {"DeleteRole", P::kOrgSettingsManage, {}, DeleteRole{"Unused"}},
      {"CreateProject", P::kProjectsCreate, {}, CreateProject{ProjectId("p2"), "P2"}},
      {"RenameProject", P::kProjectsManage, {}, RenameProject{ProjectId("p1"), "Renamed"}},
      {"DeleteProject", P::kProjectsManage, {}, DeleteProject{ProjectId("p1")}},
      {"AddProjectMember", P::kProjectsMembersManage, viewer_project,
       AddProjectMember{ProjectId("p1"), User("dave"), "Viewer"}},
      {"ChangeProjectMemberRole", P::kProjectsMembersManage,
       viewer_project.Union({P::kResourcesManage}),
       ChangeProjectMemberRole{ProjectId("p1"), User("bob"), "Editor"}},
      {"RemoveProjectMember", P::kProjectsMembersManage, viewer_project,
       RemoveProjectMember{ProjectId("p1"), User("bob")}},
      {"CreateApiKey", P::kApiKeysManage, {}, CreateApiKey{ApiKeyId("k2"), "CI", ProjectId()}},
      {"RevokeApiKey", P::kApiKeysManage, {}, RevokeApiKey{ApiKeyId("k1")}},
      {"RegisterResource",
       P::kResourcesManage,
       {},
       RegisterResource{ResourceId("r2"), "agent", "Bot", UserId(), ProjectId()}},
      {"ReassignResource",
       P::kResourcesManage,
       {},
       ReassignResource{ResourceId("r1"), User("bob")}},
      {"DeleteResource", P::kResourcesManage, {}, DeleteResource{ResourceId("r1")}},
  };
}

Scenario GatedOrg(const GatedCase& c) {
  return Given(OrgCreated("commerce"), RoleDefined{Role{"Plain", {}, ""}},
               RoleDefined{Role{"Plain2", {}, ""}}, RoleDefined{Role{"Unused", {}, ""}},
               RoleDefined{Role{"Only", c.extra.Union({c.needed}), ""}},
               RoleDefined{Role{"AllBut", PermissionSet::All().Minus({c.needed}), ""}},
               Joined("m2", "bob", "Plain"), Joined("m3", "holder", "Only"),
               Joined("m4", "lacker", "AllBut"), Joined("m5", "gone", "Owner"),
               MemberRemoved{MembershipId("m5"), User("gone"), Mail(EmailOf("gone")), "Owner"},
               ProjectMade("p1"), ProjectMember("p1", "bob", "Viewer"),
               Invited("i1", "carol@example.com", "Plain", "owner", "h1"),
               ApiKeyCreated{ApiKeyId("k1"), "Deploy", User("owner"), ProjectId()},
               ResourceRegistered{ResourceId("r1"), "agent", "Bot", User("owner"), ProjectId()});
}

TEST(Rule1Test, EachCommandNeedsItsPermission) {
  for (const GatedCase& c : GatedCases()) {
    SCOPED_TRACE(c.name + " needs " + std::string(PermissionName(c.needed)));
    const Scenario s = GatedOrg(c);
    s.When("holder", c.command).ThenAccepted();
    s.When("lacker", c.command).ThenRejected(ErrorCode::kPermissionDenied);
  }
}

TEST(Rule1Test, StrangersAndRemovedMembersCanDoNothing) {
  for (const GatedCase& c : GatedCases()) {
    SCOPED_TRACE(c.name);
    const Scenario s = GatedOrg(c);
    s.When("stranger", c.command).ThenRejected(ErrorCode::kPermissionDenied);
    s.When("gone", c.command).ThenRejected(ErrorCode::kPermissionDenied);
    s.When("", c.command).ThenRejected(ErrorCode::kPermissionDenied);
  }
}

TEST(Rule1Test, ARejectionSaysWhoLacksWhat) {
  auto o =
      Given(OrgCreated("commerce"), Joined("m2", "ed", "Editor"))
          .When("ed", InviteMember{.email = "x@example.com", .role = "Editor", .token_hash = "h"});
  o.ThenRejected(ErrorCode::kPermissionDenied);
  EXPECT_NE(o.rejection().message.find("Editor"), std::string::npos) << o.rejection().message;
  EXPECT_NE(o.rejection().message.find("members.invite"), std::string::npos)
      << o.rejection().message;
}

TEST(Rule1Test, CommandsOnAnOrgThatDoesNotExistAreNotFound) {
  Given().When("ann", RenameOrganization{"x"}).ThenRejected(ErrorCode::kNotFound);
  Given().When("ann", ExpireInvitations{}).ThenRejected(ErrorCode::kNotFound);
  Given()
      .When("ann", AcceptInvitation{InvitationId("i1"), "h", "ann@example.com", ""})
      .ThenRejected(ErrorCode::kNotFound);
}

// Rule 8: listing members is Check(members.view); an analytics Guest does not hold it.
TEST(Rule8Test, AnalyticsGuestCannotListMembersButAUserCan) {
  auto s = Given(OrgCreated("analytics", "ada"), Joined("m2", "uma", "User"),
                 Joined("m3", "gus", "Guest"));
  EXPECT_TRUE(s.Check("ada", P::kMembersView).allowed);
  EXPECT_TRUE(s.Check("uma", P::kMembersView).allowed);
  const CheckResult guest = s.Check("gus", P::kMembersView);
  EXPECT_FALSE(guest.allowed);
  EXPECT_EQ(guest.role, "Guest");
  EXPECT_NE(guest.reason.find("members.view"), std::string::npos) << guest.reason;
  // Guests otherwise have the full platform, like Users.
  EXPECT_TRUE(s.Check("gus", P::kResourcesManage).allowed);
  EXPECT_TRUE(s.Check("gus", P::kProjectsCreate).allowed);
}

TEST(Rule8Test, VisibilityFollowsTheRoleWhenItChanges) {
  auto s = Given(OrgCreated("analytics", "ada"), Joined("m2", "gus", "Guest"));
  EXPECT_FALSE(s.Check("gus", P::kMembersView).allowed);
  s.Run("ada", ChangeRole{User("gus"), "User"});
  EXPECT_TRUE(s.Check("gus", P::kMembersView).allowed);
  s.Run("ada", ChangeRole{User("gus"), "guest"});
  EXPECT_FALSE(s.Check("gus", P::kMembersView).allowed);
  EXPECT_FALSE(s.Check("stranger", P::kMembersView).allowed);
}

TEST(Rule8Test, RolesWithoutMembersViewInEachPreset) {
  // Which roles cannot list members, per the seeds: commerce Editor and Billing ("Cannot access
  // ... members"), platform Billing and Viewer (no access beyond their area), analytics Guest.
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"commerce", {"Editor", "Billing"}}, {"workspace", {}},
      {"platform", {"Billing", "Viewer"}}, {"analytics", {"Guest"}},
      {"api", {"Billing Manager"}},
  };
  for (const auto& [preset, blind] : expected) {
    std::vector<std::string> got;
    const RoleCatalog catalog = *PresetCatalog(preset);
    for (const Role& r : catalog.roles()) {
      if (!r.permissions.Has(P::kMembersView)) got.push_back(r.name);
    }
    EXPECT_EQ(got, blind) << preset;
  }
}

}  // namespace
}  // namespace roster::domain
