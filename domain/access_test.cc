#include "domain/access.h"

#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

bool Mentions(const CheckResult& r, std::string_view text) {
  return r.reason.find(text) != std::string::npos;
}

TEST(CheckTest, OrgLevelAllowedNamesTheOrgRole) {
  auto s = Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"));
  const CheckResult r = s.Check("mgr", P::kMembersInvite);
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.role, "Manager");
  EXPECT_EQ(r.source, AccessSource::kOrgRole);
  EXPECT_TRUE(Mentions(r, "org role Manager")) << r.reason;
  EXPECT_TRUE(Mentions(r, "members.invite")) << r.reason;
}

TEST(CheckTest, OrgLevelDeniedNamesTheRoleHeld) {
  auto s = Given(OrgCreated("commerce"), Joined("m2", "ed", "Editor"));
  const CheckResult r = s.Check("ed", P::kBillingView);
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.role, "Editor");
  EXPECT_TRUE(Mentions(r, "Editor")) << r.reason;
  EXPECT_TRUE(Mentions(r, "billing.view")) << r.reason;
  EXPECT_TRUE(r.reason.starts_with("Denied")) << r.reason;
}

TEST(CheckTest, NonMemberIsDeniedEverything) {
  auto s = Given(OrgCreated("commerce"));
  for (Permission p : AllPermissions()) {
    const CheckResult r = s.Check("stranger", p);
    EXPECT_FALSE(r.allowed) << PermissionName(p);
    EXPECT_EQ(r.role, "");
    EXPECT_TRUE(Mentions(r, "not an active member")) << r.reason;
  }
}

TEST(CheckTest, InheritedProjectRoleIsNamedWithTheOrgRoleBehindIt) {
  auto s = Given(OrgCreated("commerce"), Joined("m2", "ed", "Editor"), ProjectMade("p1"));
  const CheckResult r = s.Check("ed", P::kResourcesManage, "p1");
  EXPECT_TRUE(r.allowed) << r.reason;
  EXPECT_EQ(r.role, "Editor");
  EXPECT_EQ(r.source, AccessSource::kInherited);
  EXPECT_TRUE(Mentions(r, "inherited from org role Editor")) << r.reason;
  const CheckResult denied = s.Check("ed", P::kProjectsManage, "p1");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.source, AccessSource::kInherited);
  EXPECT_TRUE(Mentions(denied, "inherited")) << denied.reason;
}

TEST(CheckTest, DirectProjectRoleIsNamedAsDirect) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
                 ProjectMember("p1", "mia", "Viewer"));
  const CheckResult r = s.Check("mia", P::kProjectsView, "p1");
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.role, "Viewer");
  EXPECT_EQ(r.source, AccessSource::kDirect);
  EXPECT_TRUE(Mentions(r, "direct project role Viewer")) << r.reason;
  const CheckResult denied = s.Check("mia", P::kResourcesManage, "p1");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.source, AccessSource::kDirect);
  EXPECT_TRUE(Mentions(denied, "direct project role Viewer")) << denied.reason;
}

TEST(CheckTest, NoProjectRoleMeansNoProjectAccessEvenForAMember) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"));
  const CheckResult r = s.Check("mia", P::kProjectsView, "p1");
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.source, AccessSource::kNone);
  EXPECT_TRUE(Mentions(r, "org role Member grants no project role")) << r.reason;
  EXPECT_FALSE(s.Check("stranger", P::kProjectsView, "p1").allowed);
}

TEST(CheckTest, MissingOrDeletedProjectAndDeletedOrgDenyWithAReason) {
  auto s = Given(OrgCreated("commerce"), ProjectMade("p1"), ProjectDeleted{ProjectId("p1"), "x"});
  EXPECT_FALSE(s.Check("owner", P::kProjectsView, "p1").allowed);
  EXPECT_TRUE(Mentions(s.Check("owner", P::kProjectsView, "p1"), "does not exist"));
  EXPECT_FALSE(s.Check("owner", P::kProjectsView, "nope").allowed);
  s.Apply({OrganizationDeleted{"x"}});
  const CheckResult r = s.Check("owner", P::kOrgDelete);
  EXPECT_FALSE(r.allowed);
  EXPECT_TRUE(Mentions(r, "deleted")) << r.reason;
  EXPECT_FALSE(Check(OrganizationState(), UserId("owner"), P::kMembersView).allowed);
}

TEST(EffectiveProjectAccessTest, HigherOfInheritedAndDirect) {
  // platform: Viewer inherits project Viewer, Developer inherits project Editor.
  auto s = Given(OrgCreated("platform"), Joined("m2", "viv", "Viewer"),
                 Joined("m3", "dev", "Developer"), ProjectMade("p1"),
                 ProjectMember("p1", "viv", "Admin"), ProjectMember("p1", "dev", "Viewer"));
  const Project& p = *s.state().FindProject(ProjectId("p1"));
  const ProjectAccess up = EffectiveProjectAccess(s.state(), p, UserId("viv"));
  EXPECT_EQ(up.role, "Admin");
  EXPECT_EQ(up.source, AccessSource::kDirect);
  EXPECT_EQ(up.inherited_role, "Viewer");
  EXPECT_EQ(up.direct_role, "Admin");
  EXPECT_EQ(up.org_role, "Viewer");
  const ProjectAccess keep = EffectiveProjectAccess(s.state(), p, UserId("dev"));
  EXPECT_EQ(keep.role, "Editor");
  EXPECT_EQ(keep.source, AccessSource::kInherited);
  EXPECT_EQ(keep.direct_role, "Viewer");
  EXPECT_EQ(keep.org_role, "Developer");
}

TEST(EffectiveProjectAccessTest, TieNamesTheDirectGrant) {
  auto s = Given(OrgCreated("platform"), Joined("m2", "dev", "Developer"), ProjectMade("p1"),
                 ProjectMember("p1", "dev", "Editor"));
  const ProjectAccess a =
      EffectiveProjectAccess(s.state(), *s.state().FindProject(ProjectId("p1")), UserId("dev"));
  EXPECT_EQ(a.role, "Editor");
  EXPECT_EQ(a.source, AccessSource::kDirect);
}

TEST(EffectiveProjectAccessTest, ProjectOnlyAccessHasNoOrgRole) {
  auto s =
      Given(OrgCreated("workspace"), ProjectMade("p1"), ProjectMember("p1", "client", "Viewer"));
  const ProjectAccess a =
      EffectiveProjectAccess(s.state(), *s.state().FindProject(ProjectId("p1")), UserId("client"));
  EXPECT_EQ(a.role, "Viewer");
  EXPECT_EQ(a.source, AccessSource::kDirect);
  EXPECT_EQ(a.org_role, "");
  EXPECT_EQ(a.inherited_role, "");
  EXPECT_FALSE(s.Check("client", P::kMembersView).allowed);
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "p1").allowed);
}

TEST(ProjectAuthorityTest, IsTheOrgRolePlusTheEffectiveProjectRole) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
                 ProjectMade("p2"), ProjectMember("p1", "mia", "Editor"),
                 ProjectMember("p1", "client", "Viewer"));
  const OrganizationState& st = s.state();
  const Project& p1 = *st.FindProject(ProjectId("p1"));
  const Project& p2 = *st.FindProject(ProjectId("p2"));
  const PermissionSet member = st.catalog.FindRole("Member")->permissions;
  const PermissionSet editor = st.catalog.FindProjectRole("Editor")->permissions;
  EXPECT_EQ(ProjectAuthority(st, p1, UserId("mia")), member.Union(editor));
  EXPECT_EQ(ProjectAuthority(st, p2, UserId("mia")), member);
  EXPECT_EQ(ProjectAuthority(st, p1, UserId("client")),
            st.catalog.FindProjectRole("Viewer")->permissions);
  EXPECT_EQ(ProjectAuthority(st, p2, UserId("client")), PermissionSet());
  EXPECT_EQ(ProjectAuthority(st, p2, UserId("owner")), PermissionSet::All());
}

TEST(AccessSourceTest, Names) {
  EXPECT_EQ(AccessSourceName(AccessSource::kNone), "none");
  EXPECT_EQ(AccessSourceName(AccessSource::kOrgRole), "org_role");
  EXPECT_EQ(AccessSourceName(AccessSource::kInherited), "inherited");
  EXPECT_EQ(AccessSourceName(AccessSource::kDirect), "direct");
}

}  // namespace
}  // namespace roster::domain
