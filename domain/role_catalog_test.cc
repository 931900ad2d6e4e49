#include "domain/role_catalog.h"

#include <gtest/gtest.h>

#include "domain/presets.h"

namespace roster::domain {
namespace {

using P = Permission;

RoleCatalog Small() {
  return RoleCatalog("custom",
                     {
                         {"Boss", PermissionSet::All(), "Lead"},
                         {"Helper", {P::kMembersView, P::kMembersInvite}, "Member"},
                         {"Reader", {P::kMembersView}, ""},
                     },
                     {
                         {"Member", {P::kProjectsView}},
                         {"Lead", {P::kProjectsView, P::kProjectsManage}},
                     },
                     "Boss");
}

TEST(RoleCatalogTest, LookupIsCaseInsensitiveAndKeepsTheDefinedSpelling) {
  const RoleCatalog c = Small();
  ASSERT_NE(c.FindRole("helper"), nullptr);
  EXPECT_EQ(c.FindRole("HELPER")->name, "Helper");
  EXPECT_EQ(c.FindRole("hElPeR"), c.FindRole("Helper"));
  EXPECT_EQ(c.FindRole("Help"), nullptr);
  EXPECT_EQ(c.FindRole(" Helper"), nullptr);
  EXPECT_EQ(c.FindRole(""), nullptr);
  ASSERT_NE(c.FindProjectRole("LEAD"), nullptr);
  EXPECT_EQ(c.FindProjectRole("lead")->name, "Lead");
  EXPECT_TRUE(c.IsOwnerRole("boss"));
  EXPECT_TRUE(c.IsOwnerRole("BOSS"));
  EXPECT_FALSE(c.IsOwnerRole("Helper"));
  EXPECT_FALSE(c.IsOwnerRole(""));
}

TEST(RoleCatalogTest, ProjectRankOrdersProjectRolesFromLeastPrivileged) {
  const RoleCatalog c = Small();
  EXPECT_EQ(c.ProjectRank(""), -1);
  EXPECT_EQ(c.ProjectRank("nope"), -1);
  EXPECT_EQ(c.ProjectRank("member"), 0);
  EXPECT_EQ(c.ProjectRank("Lead"), 1);
  const std::string none, member = "Member", lead = "Lead";
  EXPECT_EQ(c.HigherProjectRole(member, lead), "Lead");
  EXPECT_EQ(c.HigherProjectRole(lead, member), "Lead");
  EXPECT_EQ(c.HigherProjectRole(none, member), "Member");
  EXPECT_EQ(c.HigherProjectRole(member, none), "Member");
  EXPECT_EQ(c.HigherProjectRole(none, none), "");
}

TEST(RoleCatalogTest, CoversNeedsASubsetOfPermissions) {
  const RoleCatalog c = Small();
  const Role& boss = *c.FindRole("Boss");
  const Role& helper = *c.FindRole("Helper");
  const Role& reader = *c.FindRole("Reader");
  EXPECT_TRUE(c.Covers(boss, helper));
  EXPECT_TRUE(c.Covers(boss, boss));
  EXPECT_TRUE(c.Covers(helper, helper));  // equal is allowed: a subset, not a strict one
  EXPECT_TRUE(c.Covers(helper, reader));
  EXPECT_FALSE(c.Covers(helper, boss));
  EXPECT_FALSE(c.Covers(reader, helper));
  // One extra permission is enough to be out of reach.
  const Role reader_plus{"ReaderPlus", {P::kMembersView, P::kAuditView}, ""};
  EXPECT_FALSE(c.Covers(helper, reader_plus));
}

TEST(RoleCatalogTest, CoversNeedsAnInheritedProjectRoleNoHigherThanTheActors) {
  const RoleCatalog c = Small();
  const Role& helper = *c.FindRole("Helper");  // inherits Member
  const Role same_perms_lead{"SneakyLead", {P::kMembersView}, "Lead"};
  const Role same_perms_member{"Plain", {P::kMembersView}, "Member"};
  const Role same_perms_none{"Nothing", {P::kMembersView}, ""};
  EXPECT_FALSE(c.Covers(helper, same_perms_lead));
  EXPECT_TRUE(c.Covers(helper, same_perms_member));
  EXPECT_TRUE(c.Covers(helper, same_perms_none));
  // The rank counts on its own, as documented: even when the actor holds every permission of
  // the higher project role at org level, a role inheriting it is out of reach.
  const Role helper_with_manage{
      "HelperPlus", {P::kMembersView, P::kMembersInvite, P::kProjectsManage}, "Member"};
  EXPECT_FALSE(c.Covers(helper_with_manage, same_perms_lead));
  // An actor inheriting nothing cannot hand out any inherited project role.
  const Role& reader = *c.FindRole("Reader");
  EXPECT_FALSE(c.Covers(reader, Role{"R2", {P::kMembersView}, "Member"}));
}

// Rule 2 is about permissions. In the api preset project roles are ranked but not nested:
// "Billing Manager" (rank 0) holds billing.manage, which "Developer" (rank 2) does not. A role
// whose inherited project role grants what the actor holds nowhere is an escalation, whatever
// the ranks say.
TEST(RoleCatalogTest, CoversNeedsTheInheritedProjectPermissionsToBeTheActors) {
  const RoleCatalog api = *PresetCatalog("api");
  const Role lead{"Lead", {P::kMembersView, P::kMembersInvite, P::kMembersRoleChange}, "Developer"};
  const Role finance{"Finance", {P::kMembersView}, "Billing Manager"};
  const Role watcher{"Watcher", {P::kMembersView}, "Viewer"};  // project Viewer has billing.view
  const Role builder{"Builder", {P::kMembersView}, "Developer"};
  EXPECT_FALSE(api.Covers(lead, finance));
  EXPECT_FALSE(api.Covers(lead, watcher));
  EXPECT_TRUE(api.Covers(lead, builder));
  // Org permissions count towards what the actor holds in a project (as ProjectAuthority does).
  const Role lead_with_billing{"LeadB",
                               {P::kMembersView, P::kMembersInvite, P::kMembersRoleChange,
                                P::kBillingManage, P::kBillingView, P::kUsageView},
                               "Developer"};
  EXPECT_TRUE(api.Covers(lead_with_billing, finance));
}

TEST(RoleCatalogTest, PutRoleDefinesOrReplacesByCaseInsensitiveName) {
  RoleCatalog c = Small();
  c.PutRole({"Auditor", {P::kAuditView}, ""});
  ASSERT_NE(c.FindRole("auditor"), nullptr);
  EXPECT_EQ(c.roles().size(), 4u);
  c.PutRole({"Auditor", {P::kAuditView, P::kMembersView}, "Member"});
  EXPECT_EQ(c.roles().size(), 4u);
  EXPECT_EQ(c.FindRole("AUDITOR")->permissions, (PermissionSet{P::kAuditView, P::kMembersView}));
  EXPECT_EQ(c.FindRole("AUDITOR")->project_role, "Member");
}

TEST(RoleCatalogTest, EraseRoleKeepsTheOtherLookupsValid) {
  RoleCatalog c = Small();
  c.EraseRole("HELPER");
  EXPECT_EQ(c.FindRole("Helper"), nullptr);
  EXPECT_EQ(c.roles().size(), 2u);
  // The index was rebuilt: the role after the erased one is still found, with its own data.
  ASSERT_NE(c.FindRole("reader"), nullptr);
  EXPECT_EQ(c.FindRole("reader")->name, "Reader");
  EXPECT_EQ(c.FindRole("boss")->name, "Boss");
  c.EraseRole("not-there");
  EXPECT_EQ(c.roles().size(), 2u);
}

TEST(RoleCatalogTest, ValidateRole) {
  const RoleCatalog c = Small();
  EXPECT_EQ(c.ValidateRole({"Support Agent-2_b.x", {}, "Member"}), std::nullopt);
  EXPECT_EQ(c.ValidateRole({"Support", {}, "member"}), std::nullopt);  // project role any case
  for (const std::string& bad :
       {std::string(""), std::string(65, 'a'), std::string(" Lead"), std::string("Lead "),
        std::string("a/b"), std::string("tab\there"), std::string("caf\xc3\xa9")}) {
    auto r = c.ValidateRole({bad, {}, ""});
    ASSERT_TRUE(r.has_value()) << "'" << bad << "'";
    EXPECT_EQ(r->code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(c.ValidateRole({std::string(64, 'a'), {}, ""}), std::nullopt);
  auto unknown = c.ValidateRole({"Ok", {}, "Overlord"});
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->code, ErrorCode::kInvalidArgument);
}

TEST(RoleCatalogTest, EqualityIgnoresLookupIndexes) {
  RoleCatalog a = Small();
  RoleCatalog b = Small();
  EXPECT_EQ(a, b);
  b.PutRole({"X", {}, ""});
  EXPECT_NE(a, b);
  b.EraseRole("x");
  EXPECT_EQ(a, b);
}

TEST(LowerAsciiTest, LowersOnlyAscii) {
  EXPECT_EQ(LowerAscii("Billing Manager"), "billing manager");
  EXPECT_EQ(LowerAscii("\xc3\x84"), "\xc3\x84");
}

}  // namespace
}  // namespace roster::domain
