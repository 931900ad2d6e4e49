// One scenario per seed page (../shared/seeds), driven over HTTP the way an integrator's backend
// would: the same scenarios as tests/e2e/seeds_e2e_test.cc drives through the CLI, here as
// requests with a token, Roster-Actor, JSON bodies, problem documents, and the consistency
// token of each command sent with the queries after it.
#include <gtest/gtest.h>

#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpSeedsTest : public HttpFixture {
 protected:
  // A command as `actor`; its result. Fails the test unless accepted.
  nlohmann::json Ok(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& actor) {
    auto r = Call(method, path, body, actor);
    EXPECT_EQ(r.status, 200u) << method << " " << path << " as " << actor << ": " << r.body;
    if (!r.Header("Roster-Consistency-Token").empty()) {
      token_ = r.Header("Roster-Consistency-Token");
    }
    return Json(r);
  }
  // A request refused with `code` (a problem document).
  void Refused(const std::string& method, const std::string& path, const std::string& body,
               const std::string& actor, const std::string& code) {
    auto r = Call(method, path, body, actor, {{"Roster-Consistency-Token", token_}});
    EXPECT_GE(r.status, 400u) << method << " " << path << ": " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(Json(r)["code"], code) << method << " " << path << " as " << actor;
  }
  // A query as `viewer` (empty: the backend itself), after every command so far.
  nlohmann::json Get(const std::string& target, const std::string& viewer = "") {
    auto r = Call("GET", target, {}, viewer, {{"Roster-Consistency-Token", token_}});
    EXPECT_EQ(r.status, 200u) << target << " as '" << viewer << "': " << r.body;
    return Json(r);
  }
  bool Allowed(const std::string& org, const std::string& user, const std::string& permission,
               const std::string& project = "") {
    std::string target = "/v1/orgs/" + org + "/check?user=" + user + "&permission=" + permission;
    if (!project.empty()) target += "&projectId=" + project;
    return Get(target)["allowed"].get<bool>();
  }
  void Create(const std::string& org, const std::string& preset, const std::string& owner) {
    Ok("PUT", "/v1/orgs/" + org,
       R"({"name":")" + org + R"(","preset":")" + preset + R"(","ownerEmail":")" + owner +
           R"(@example.test"})",
       owner);
  }
  void Enroll(const std::string& org, const std::string& inviter, const std::string& user,
              const std::string& role) {
    token_ = Join(org, user, role, inviter);
  }
  static bool HasEvent(const nlohmann::json& result, const std::string& type) {
    for (const auto& e : result["events"]) {
      if (e["type"] == type) return true;
    }
    return false;
  }

  std::string token_ = "0";
};

TEST_F(HttpSeedsTest, Seed000ManagerAndTheLastOwner) {
  Create("shop", "commerce", "olga");
  Enroll("shop", "olga", "mia", "Manager");
  Enroll("shop", "mia", "ed", "Editor");
  Ok("POST", "/v1/orgs/shop/members/ed/role", R"({"role":"Billing"})", "mia");
  Refused("POST", "/v1/orgs/shop/members/ed/role", R"({"role":"Owner"})", "mia", "ESCALATION");
  Refused("POST", "/v1/orgs/shop/invitations", R"({"email":"new@example.test","role":"Owner"})",
          "mia", "ESCALATION");
  Refused("DELETE", "/v1/orgs/shop", "", "mia", "PERMISSION_DENIED");
  Refused("DELETE", "/v1/orgs/shop/members/olga", "", "olga", "LAST_OWNER");
  Refused("POST", "/v1/orgs/shop/members/olga/role", R"({"role":"Manager"})", "olga", "LAST_OWNER");
  Refused("POST", "/v1/orgs/shop/leave", "", "olga", "LAST_OWNER");

  std::map<std::string, std::string> roles;
  const auto members = Get("/v1/orgs/shop/members");
  for (const auto& m : members["members"]) roles[m["userId"]] = m["role"];
  EXPECT_EQ(roles, (std::map<std::string, std::string>{
                       {"ed", "Billing"}, {"mia", "Manager"}, {"olga", "Owner"}}));
  EXPECT_TRUE(Allowed("shop", "mia", "members.invite"));
  EXPECT_FALSE(Allowed("shop", "mia", "org.delete"));
  EXPECT_TRUE(Allowed("shop", "ed", "billing.manage"));

  // The refused commands appended nothing.
  const auto changes = Get("/v1/orgs/shop/activity?action=member.role_changed")["entries"];
  ASSERT_EQ(changes.size(), 1u) << changes;
  EXPECT_EQ(changes[0]["before"], "Editor");
  EXPECT_EQ(changes[0]["after"], "Billing");
}

TEST_F(HttpSeedsTest, Seed001ProjectsNeedTheirOwnAccess) {
  Create("ws", "workspace", "olga");
  Ok("POST", "/v1/orgs/ws/projects", R"({"projectId":"web","name":"Website"})", "olga");
  Ok("POST", "/v1/orgs/ws/projects", R"({"projectId":"app","name":"App"})", "olga");
  Enroll("ws", "olga", "mia", "Member");

  auto before = Get("/v1/orgs/ws/members/mia/access");
  EXPECT_EQ(before["role"], "Member");
  EXPECT_TRUE(before["projects"].empty());
  EXPECT_FALSE(Allowed("ws", "mia", "projects.view", "web"));

  Ok("POST", "/v1/orgs/ws/projects/web/members", R"({"user":"mia","role":"Editor"})", "olga");
  Ok("POST", "/v1/orgs/ws/projects/app/members", R"({"user":"mia","role":"Viewer"})", "olga");
  Ok("POST", "/v1/orgs/ws/projects/web/members", R"({"user":"client","role":"Viewer"})", "olga");
  auto check = Get("/v1/orgs/ws/check?user=mia&permission=projects.view&projectId=web");
  EXPECT_EQ(check["allowed"], true);
  EXPECT_EQ(check["source"], "direct");
  EXPECT_TRUE(Allowed("ws", "client", "projects.view", "web"));
  EXPECT_FALSE(Allowed("ws", "client", "members.view"));

  auto removed = Ok("DELETE", "/v1/orgs/ws/members/mia", "", "olga");
  EXPECT_TRUE(HasEvent(removed, "member.removed")) << removed;
  for (const char* project : {"web", "app"}) {
    const auto access = Get(std::string("/v1/orgs/ws/projects/") + project + "/access");
    for (const auto& entry : access) EXPECT_NE(entry["userId"], "mia") << project;
  }
  EXPECT_FALSE(Allowed("ws", "mia", "projects.view", "web"));
  EXPECT_TRUE(Get("/v1/orgs/ws/members/mia/access")["projects"].empty());
}

TEST_F(HttpSeedsTest, Seed002RemovedMembersResourcesGoToAnOwner) {
  Create("plat", "platform", "olga");
  Enroll("plat", "olga", "ada", "Admin");
  Enroll("plat", "ada", "dev", "Developer");
  Ok("POST", "/v1/orgs/plat/resources", R"({"resourceId":"agent-1","kind":"agent","name":"T"})",
     "dev");
  auto resources = Get("/v1/orgs/plat/resources", "ada");
  ASSERT_EQ(resources.size(), 1u) << resources;
  EXPECT_EQ(resources[0]["resourceId"], "agent-1");
  EXPECT_EQ(resources[0]["owner"], "dev");

  auto removed = Ok("DELETE", "/v1/orgs/plat/members/dev", "", "ada");
  ASSERT_TRUE(HasEvent(removed, "resource.reassigned")) << removed;
  // The listing shows the new owner at once: it reads the state the removal was decided on.
  resources = Get("/v1/orgs/plat/resources", "ada");
  ASSERT_EQ(resources.size(), 1u) << resources;
  EXPECT_EQ(resources[0]["owner"], "olga");
  const auto reassigned =
      Get("/v1/orgs/plat/activity?action=resource.reassigned")["entries"].dump();
  EXPECT_NE(reassigned.find("agent-1"), std::string::npos) << reassigned;
  EXPECT_NE(reassigned.find("olga"), std::string::npos) << reassigned;

  Refused("DELETE", "/v1/orgs/plat/members/olga", "", "ada", "ESCALATION");
  Refused("POST", "/v1/orgs/plat/transfer", R"({"toUser":"ada"})", "ada", "PERMISSION_DENIED");
  Ok("POST", "/v1/orgs/plat/transfer", R"({"toUser":"ada"})", "olga");
  Ok("DELETE", "/v1/orgs/plat/members/olga", "", "ada");
  Refused("POST", "/v1/orgs/plat/leave", "", "ada", "LAST_OWNER");
}

TEST_F(HttpSeedsTest, Seed003GuestsCannotListMembers) {
  Create("ana", "analytics", "ada");
  Enroll("ana", "ada", "uma", "User");
  Enroll("ana", "ada", "gus", "Guest");
  EXPECT_EQ(Get("/v1/orgs/ana/members", "uma")["members"].size(), 3u);
  const auto as_guest = Get("/v1/orgs/ana/members", "gus")["members"];
  ASSERT_EQ(as_guest.size(), 1u);
  EXPECT_EQ(as_guest[0]["userId"], "gus");
  EXPECT_FALSE(Allowed("ana", "gus", "members.view"));
  Refused("GET", "/v1/orgs/ana/invitations", "", "gus", "PERMISSION_DENIED");
  Refused("GET", "/v1/orgs/ana/logins", "", "gus", "PERMISSION_DENIED");
  Refused("GET", "/v1/orgs/ana/api-keys", "", "stranger", "PERMISSION_DENIED");
  Refused("GET", "/v1/orgs/ana/roles", "", "stranger", "PERMISSION_DENIED");
  // Any member sees the catalog; a Guest may grant nothing.
  for (const auto& role : Get("/v1/orgs/ana/roles", "gus")) {
    EXPECT_EQ(role["grantable"], false) << role;
  }
  Get("/v1/orgs/ana/logins?user=gus", "gus");
  Get("/v1/orgs/ana/invitations", "uma");
  Refused("GET", "/v1/orgs/ana/activity", "", "uma", "PERMISSION_DENIED");
  Get("/v1/orgs/ana/activity", "ada");
  Refused("GET", "/v1/orgs/ana/as-of", "", "uma", "PERMISSION_DENIED");
  Get("/v1/orgs/ana/as-of", "ada");
  Get("/v1/users/gus/history", "gus");
  Refused("POST", "/v1/orgs/ana/members/gus/role", R"({"role":"User"})", "uma",
          "PERMISSION_DENIED");
  Ok("POST", "/v1/orgs/ana/members/gus/role", R"({"role":"User"})", "ada");
  EXPECT_EQ(Get("/v1/orgs/ana/members", "gus")["members"].size(), 3u);
}

TEST_F(HttpSeedsTest, Seed004InheritanceExpiryAndKeys) {
  Create("api", "api", "adm");
  Enroll("api", "adm", "dev", "Developer");
  Ok("POST", "/v1/orgs/api/projects", R"({"projectId":"prod","name":"Production"})", "dev");
  Ok("POST", "/v1/orgs/api/projects", R"({"projectId":"staging","name":"Staging"})", "adm");
  const auto projects = Get("/v1/orgs/api/members/dev/access")["projects"];
  ASSERT_EQ(projects.size(), 2u);
  for (const auto& p : projects) EXPECT_EQ(p["source"], "inherited");

  Ok("POST", "/v1/orgs/api/invitations", R"({"email":"late@example.test","role":"Viewer"})", "adm");
  const auto pending = Get("/v1/orgs/api/invitations?status=pending")["invitations"];
  ASSERT_EQ(pending.size(), 1u);
  // 64-bit times are strings.
  EXPECT_EQ(std::stoll(pending[0]["expiresAtUs"].get<std::string>()) -
                std::stoll(pending[0]["sentAtUs"].get<std::string>()),
            7LL * 24 * 3600 * 1'000'000);

  Ok("POST", "/v1/orgs/api/api-keys", R"({"apiKeyId":"key-1","name":"CI"})", "dev");
  auto removed = Ok("DELETE", "/v1/orgs/api/members/dev", "", "adm");
  EXPECT_TRUE(HasEvent(removed, "apikey.rotation_recommended")) << removed;
  // The warning is visible in the API keys listing, not only in the activity log.
  const auto keys = Get("/v1/orgs/api/api-keys", "adm");
  ASSERT_EQ(keys.size(), 1u) << keys;
  EXPECT_EQ(keys[0]["apiKeyId"], "key-1");
  EXPECT_EQ(keys[0]["creator"], "dev");
  EXPECT_EQ(keys[0]["rotationRecommended"], true);
  EXPECT_EQ(keys[0].value("revoked", false), false);
  const auto listed = Get("/v1/orgs/api/projects", "adm");
  ASSERT_EQ(listed.size(), 2u) << listed;
  EXPECT_EQ(listed[0]["projectId"], "prod");
  EXPECT_EQ(listed[1]["projectId"], "staging");
  const auto settings = Get("/v1/orgs/api/settings", "adm");
  EXPECT_EQ(settings["invitationTtlDays"], 7) << settings;
  EXPECT_EQ(settings["maxPendingInvitations"], 50) << settings;
  Ok("PATCH", "/v1/orgs/api/settings", R"({"invitationTtlDays":3})", "adm");
  EXPECT_EQ(Get("/v1/orgs/api/settings")["invitationTtlDays"], 3);
  Refused("GET", "/v1/orgs/nowhere/settings", "", "adm", "NOT_FOUND");
  auto missing = Call("GET", "/v1/orgs/nowhere/roles", {}, "adm");
  EXPECT_NE(Json(missing)["detail"].get<std::string>().find("nowhere"), std::string::npos)
      << missing.body;
  EXPECT_FALSE(Allowed("api", "dev", "projects.view", "prod"));
}

}  // namespace
}  // namespace roster::tests
