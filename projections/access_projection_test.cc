// AccessProjection: given events, then permission checks that answer as domain::Check on the
// same events, project access, the organizations a user was ever in, and rows that load back.
#include "projections/access_projection.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "domain/testing/given.h"
#include "projections/testing/feed.h"

namespace roster::projections {
namespace {

using namespace domain;
using domain::testing::EmailOf;
using domain::testing::Joined;
using domain::testing::Mail;
using domain::testing::OrgCreated;
using domain::testing::ProjectMade;
using domain::testing::ProjectMember;
using domain::testing::User;
using testing::Feed;
using testing::Flushed;
using testing::Loaded;
using testing::Rows;

using P = Permission;
const std::vector<std::string> kUsers = {"owner", "ana", "bo", "cy", "client", "nobody"};
const std::vector<std::optional<std::string>> kProjects = {std::nullopt, "web", "api", "none"};
const Role kSupport{"Support", {P::kMembersView}, "Viewer"};
const Role kSupportInviting{"Support", {P::kMembersView, P::kMembersInvite}, "Viewer"};

std::string Text(const CheckResult& r) {
  return std::string(r.allowed ? "allowed" : "denied") + " role '" + r.role + "' " +
         std::string(AccessSourceName(r.source)) + ": " + r.reason;
}
std::string Text(const ProjectAccess& a) {
  return a.role + " " + std::string(AccessSourceName(a.source)) + " inherited '" +
         a.inherited_role + "' direct '" + a.direct_role + "' org '" + a.org_role + "'";
}

// What every query answers about org-1 and kUsers, as text.
std::vector<std::string> Answers(const AccessProjection& access) {
  std::vector<std::string> out;
  for (const std::string& user : kUsers) {
    for (const auto& project : kProjects) {
      for (Permission p : AllPermissions()) {
        out.push_back(user + " " + project.value_or("-") + " " + std::string(PermissionName(p)) +
                      ": " + Text(access.Check("org-1", user, p, project)));
      }
    }
    if (auto view = access.UserAccess("org-1", user)) {
      out.push_back(user + " org role '" + view->org_role + "'");
      for (const ProjectView& p : view->projects)
        out.push_back(user + " in " + p.project_id + " '" + p.name + "': " + Text(p.access));
    }
    std::string ever = user + " ever:";
    for (const std::string& org : access.OrgsEverOf(user)) ever += " " + org;
    out.push_back(ever);
  }
  for (const std::string project : {"web", "api"}) {
    if (auto members = access.ProjectMembers("org-1", project)) {
      for (const ProjectMemberAccess& m : *members)
        out.push_back(project + " member " + m.user_id + ": " + Text(m.access));
    }
  }
  if (auto catalog = access.Catalog("org-1")) {
    for (const Role& r : catalog->roles())
      out.push_back("role " + r.name + " " + r.permissions.ToString() + " " + r.project_role);
  }
  return out;
}

size_t RowsOfTable(const Rows& rows, char table) {
  size_t n = 0;
  for (const auto& [key, value] : rows) n += key[0] == table;
  return n;
}

// Every event type the model reads, in org-1, in the parts live batches would flush.
std::vector<std::vector<Event>> History() {
  return {
      OrgCreated("platform"),
      {Joined("m2", "ana", "Developer"), Joined("m3", "bo", "Viewer"),
       Joined("m4", "cy", "Billing")},
      {RoleDefined{kSupport},
       MemberRoleChanged{MembershipId("m4"), User("cy"), "Billing", "Support"},
       RoleUpdated{kSupport, kSupportInviting}, OrganizationRenamed{"Org org-1", "Acme"},
       OrganizationSettingsChanged{OrgSettings{}, OrgSettings{30, 5}}},
      {ProjectMade("web"), ProjectMade("api"), ProjectMember("web", "client", "Viewer"),
       ProjectMember("api", "bo", "Editor"),
       ProjectMemberRoleChanged{ProjectId("web"), User("client"), "Viewer", "Editor"}},
      {OwnershipTransferred{User("owner"), User("ana"), "Admin", "Developer"},
       ProjectMemberRemoved{ProjectId("api"), User("bo"), "Editor",
                            ProjectRemovalReason::kOrgRemoval},
       MemberRemoved{MembershipId("m3"), User("bo"), Mail(EmailOf("bo")), "Viewer"},
       MemberLeft{MembershipId("m4"), User("cy"), Mail(EmailOf("cy")), "Support"},
       RoleDeleted{kSupportInviting}, ProjectRenamed{ProjectId("api"), "Project api", "API"},
       ProjectDeleted{ProjectId("web"), "Project web"}},
  };
}

class AccessProjectionTest : public ::testing::Test {
 protected:
  // Feeds the events (of org-1) to the model and folds them into the domain's own state.
  template <class... Parts>
  void Given(const Parts&... parts) {
    feed_.Given(parts...);
    (Fold(parts), ...);
  }
  // Every check over kUsers, every permission and kProjects answers as domain::Check would.
  void ExpectChecksAsDomain(const AccessProjection& access) const {
    for (const std::string& user : kUsers) {
      for (const auto& project : kProjects) {
        std::optional<ProjectId> pid;
        if (project) pid = ProjectId(*project);
        for (Permission p : AllPermissions()) {
          EXPECT_EQ(Text(access.Check("org-1", user, p, project)),
                    Text(domain::Check(state_, User(user), p, pid)))
              << user << " " << project.value_or("-") << " " << PermissionName(p);
        }
      }
    }
  }
  std::string CheckText(const std::string& user, Permission p,
                        const std::optional<std::string>& project = std::nullopt) const {
    return Text(access_.Check("org-1", user, p, project));
  }

  AccessProjection access_;
  Feed feed_{access_};
  OrganizationState state_;

 private:
  void Fold(const Event& e) { domain::Apply(state_, e); }
  void Fold(const std::vector<Event>& events) {
    for (const Event& e : events) domain::Apply(state_, e);
  }
};

TEST_F(AccessProjectionTest, MembersMayDoWhatTheirOrgRoleGrants) {
  Given(OrgCreated("platform"), Joined("m2", "ana", "Developer"), Joined("m3", "bo", "Viewer"));
  EXPECT_EQ(
      CheckText("ana", P::kProjectsCreate),
      "allowed role 'Developer' org_role: Allowed: org role Developer grants projects.create.");
  EXPECT_EQ(CheckText("bo", P::kMembersInvite),
            "denied role 'Viewer' none: Denied: org role Viewer does not grant members.invite.");
  EXPECT_EQ(CheckText("nobody", P::kMembersView),
            "denied role '' none: User nobody is not an active member of the organization.");
  EXPECT_EQ(Text(access_.Check("org-9", "ana", P::kMembersView, std::nullopt)),
            "denied role '' none: Organization org-9 does not exist.");
  EXPECT_EQ(access_.UserAccess("org-1", "ana")->org_role, "Developer");
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, RoleChangesRemovalsAndLeavesChangeTheAnswers) {
  Given(OrgCreated("platform"), Joined("m2", "ana", "Developer"), Joined("m3", "bo", "Viewer"),
        Joined("m4", "cy", "Billing"),
        MemberRoleChanged{MembershipId("m2"), User("ana"), "Developer", "Admin"},
        MemberRemoved{MembershipId("m3"), User("bo"), Mail(EmailOf("bo")), "Viewer"},
        MemberLeft{MembershipId("m4"), User("cy"), Mail(EmailOf("cy")), "Billing"});
  EXPECT_TRUE(access_.Check("org-1", "ana", P::kMembersInvite, std::nullopt).allowed);
  EXPECT_FALSE(access_.Check("org-1", "bo", P::kProjectsView, std::nullopt).allowed);
  EXPECT_FALSE(access_.Check("org-1", "cy", P::kBillingView, std::nullopt).allowed);
  EXPECT_EQ(access_.UserAccess("org-1", "bo")->org_role, "");
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, OwnershipTransferMovesTheOwnerRole) {
  Given(OrgCreated("platform"), Joined("m2", "ana", "Developer"),
        OwnershipTransferred{User("owner"), User("ana"), "Admin", "Developer"});
  EXPECT_EQ(CheckText("ana", P::kOrgDelete),
            "allowed role 'Owner' org_role: Allowed: org role Owner grants org.delete.");
  EXPECT_EQ(access_.UserAccess("org-1", "owner")->org_role, "Admin");
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, CustomRolesAreDefinedUpdatedAndDeleted) {
  Given(OrgCreated("platform"), RoleDefined{kSupport}, Joined("m2", "ana", "Support"));
  EXPECT_TRUE(access_.Check("org-1", "ana", P::kMembersView, std::nullopt).allowed);
  EXPECT_FALSE(access_.Check("org-1", "ana", P::kMembersInvite, std::nullopt).allowed);
  Given(RoleUpdated{kSupport, kSupportInviting});
  EXPECT_TRUE(access_.Check("org-1", "ana", P::kMembersInvite, std::nullopt).allowed);
  ASSERT_NE(access_.Catalog("org-1")->FindRole("support"), nullptr);
  EXPECT_EQ(*access_.Catalog("org-1")->FindRole("support"), kSupportInviting);
  ExpectChecksAsDomain(access_);
  Given(MemberRoleChanged{MembershipId("m2"), User("ana"), "Support", "Viewer"},
        RoleDeleted{kSupportInviting});
  EXPECT_EQ(access_.Catalog("org-1")->FindRole("Support"), nullptr);
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, ProjectsAnswerWithDirectAndInheritedRoles) {
  Given(OrgCreated("platform"), Joined("m2", "ana", "Billing"), ProjectMade("web"),
        ProjectMember("web", "client", "Viewer"));
  EXPECT_EQ(CheckText("client", P::kResourcesView, "web"),
            "allowed role 'Viewer' direct: Allowed: direct project role Viewer grants "
            "resources.view.");
  EXPECT_FALSE(access_.Check("org-1", "client", P::kResourcesManage, "web").allowed);
  ExpectChecksAsDomain(access_);

  Given(ProjectMemberRoleChanged{ProjectId("web"), User("client"), "Viewer", "Editor"},
        ProjectRenamed{ProjectId("web"), "Project web", "Website"});
  EXPECT_TRUE(access_.Check("org-1", "client", P::kResourcesManage, "web").allowed);
  auto members = access_.ProjectMembers("org-1", "web");
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->size(), 2u) << "ana's Billing role inherits nothing";
  EXPECT_EQ((*members)[0].user_id, "client");
  EXPECT_EQ(Text((*members)[0].access), "Editor direct inherited '' direct 'Editor' org ''");
  EXPECT_EQ((*members)[1].user_id, "owner");
  EXPECT_EQ((*members)[1].access.source, AccessSource::kInherited);
  auto client = access_.UserAccess("org-1", "client");
  ASSERT_EQ(client->projects.size(), 1u);
  EXPECT_EQ(client->projects[0].name, "Website");

  Given(ProjectMemberRemoved{ProjectId("web"), User("client"), "Editor",
                             ProjectRemovalReason::kDirect});
  EXPECT_FALSE(access_.Check("org-1", "client", P::kResourcesView, "web").allowed);
  EXPECT_EQ(access_.ProjectMembers("org-1", "web")->size(), 1u);
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, DeletedProjectIsGoneWithItsDirectMembersRows) {
  Given(OrgCreated("platform"), ProjectMade("web"), ProjectMember("web", "client", "Viewer"));
  Rows rows = Flushed(access_);
  EXPECT_EQ(RowsOfTable(rows, 'd'), 1u);
  Given(ProjectDeleted{ProjectId("web"), "Project web"});
  rows = Flushed(access_, std::move(rows));
  EXPECT_EQ(RowsOfTable(rows, 'd'), 0u) << "no direct role outlives its project";
  EXPECT_FALSE(access_.ProjectMembers("org-1", "web").has_value());
  EXPECT_EQ(CheckText("owner", P::kProjectsView, "web"),
            "denied role '' none: Project web does not exist.");
  EXPECT_TRUE(access_.UserAccess("org-1", "client")->projects.empty());
  ExpectChecksAsDomain(access_);
}

TEST_F(AccessProjectionTest, OrganizationChangesRewriteItsRowAndDeletionDeniesEveryone) {
  Given(OrgCreated("platform"), Joined("m2", "ana", "Admin"));
  const Rows created = Flushed(access_);
  Given(OrganizationRenamed{"Org org-1", "Acme Renamed"});
  const Rows renamed = Flushed(access_);
  ASSERT_EQ(renamed.size(), 1u);
  EXPECT_EQ(renamed.begin()->first[0], 'g');
  EXPECT_NE(renamed.begin()->second.find("Acme Renamed"), std::string::npos);
  Given(OrganizationSettingsChanged{OrgSettings{}, OrgSettings{30, 5}});
  const Rows settings = Flushed(access_);
  ASSERT_EQ(settings.size(), 1u);
  EXPECT_EQ(settings.begin()->first, renamed.begin()->first);
  EXPECT_NE(settings.begin()->second, renamed.begin()->second);

  Given(OrganizationDeleted{"Acme Renamed"});
  EXPECT_EQ(CheckText("owner", P::kMembersView),
            "denied role '' none: The organization was deleted.");
  ExpectChecksAsDomain(access_);
  EXPECT_EQ(Flushed(access_).size(), 1u) << "the organization row says it was deleted";
}

TEST_F(AccessProjectionTest, OrgsEverOfListsEveryOrganizationAUserAppearedIn) {
  feed_.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"),
              MemberRemoved{MembershipId("m2"), User("ana"), Mail(EmailOf("ana")), "Member"});
  feed_.In("org-0").Given(OrgCreated("api", "cy", "org-0"), ProjectMade("p"),
                          ProjectMember("p", "ana", "Viewer"));
  EXPECT_EQ(access_.OrgsEverOf("ana"), (std::vector<std::string>{"org-0", "org-1"}));
  EXPECT_EQ(access_.OrgsEverOf("owner"), std::vector<std::string>{"org-1"});
  EXPECT_TRUE(access_.OrgsEverOf("nobody").empty());
}

TEST_F(AccessProjectionTest, RowsLoadBackIntoTheSameAnswers) {
  Rows rows;
  for (const auto& part : History()) {
    Given(part);
    rows = Flushed(access_, std::move(rows));
  }
  auto reloaded = Loaded<AccessProjection>(rows);
  const auto answers = Answers(access_);
  EXPECT_GT(answers.size(), 400u);
  EXPECT_EQ(Answers(*reloaded), answers);
  ExpectChecksAsDomain(*reloaded);
}

// An organization not in the cache and not asked about recently is checked from the rows a
// check reads (point reads), uncached; the next miss loads it whole. With no cache at all the
// two alternate, so two passes over every check put each on both paths.
TEST_F(AccessProjectionTest, ChecksOnAnUncachedOrganizationAnswerAsTheDomain) {
  Rows rows;
  for (const auto& part : History()) {
    Given(part);
    rows = Flushed(access_, std::move(rows));
  }
  auto cold = Loaded<AccessProjection>(rows);
  cold->SetCacheBudget(0);
  ExpectChecksAsDomain(*cold);
  (void)cold->Check("org-1", "owner", Permission::kMembersView, std::nullopt);
  ExpectChecksAsDomain(*cold);
  const std::optional<CacheStats> stats = cold->cache_stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->orgs, 0u);
  EXPECT_EQ(stats->hits, 0u);
  EXPECT_GT(stats->misses, 100u);
}

TEST_F(AccessProjectionTest, RebuildInBulkModeWritesTheSameRowsAndAnswers) {
  AccessProjection rebuilt;
  rebuilt.SetBulk(true);
  Feed rebuilt_feed(rebuilt);
  for (const auto& part : History()) {
    Given(part);
    rebuilt_feed.Given(part);
  }
  rebuilt.EndBulk();
  EXPECT_EQ(testing::FlushedAll(rebuilt), Flushed(access_));
  EXPECT_EQ(Answers(rebuilt), Answers(access_));
  ExpectChecksAsDomain(rebuilt);
}

}  // namespace
}  // namespace roster::projections
