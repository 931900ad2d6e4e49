// The HTTP API end to end over real sockets: the seed 000 flow (create, invite, accept, change
// role), the domain's refusals as problem documents, idempotent retries, read-your-writes and
// the scopes of tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpApiTest : public HttpFixture {};

TEST_F(HttpApiTest, CreateInviteAcceptChangeRoleAndListMembers) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  auto changed = Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})", "alice");
  ASSERT_EQ(changed.status, 200u) << changed.body;
  auto result = Json(changed);
  EXPECT_EQ(result["accepted"], true);
  // 64-bit numbers are strings, as the JSON codec writes them everywhere in the API.
  ASSERT_TRUE(result["position"].is_string());
  EXPECT_EQ(changed.Header("Roster-Consistency-Token"), result["position"].get<std::string>());

  auto members = Call("GET", "/v1/orgs/acme/members", {}, "alice",
                      {{"Roster-Consistency-Token", changed.Header("Roster-Consistency-Token")}});
  ASSERT_EQ(members.status, 200u) << members.body;
  std::map<std::string, std::string> roles;
  const auto page = Json(members);
  for (const auto& m : page["members"]) {
    roles[m["userId"].get<std::string>()] = m["role"].get<std::string>();
  }
  EXPECT_EQ(roles, (std::map<std::string, std::string>{{"alice", "Owner"}, {"bob", "Manager"}}));
}

TEST_F(HttpApiTest, TheLastOwnerRefusalIsAProblemDocument) {
  CreateOrg("acme");
  auto refused = Call("DELETE", "/v1/orgs/acme/members/alice", {}, "alice");
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_EQ(refused.Header("Content-Type"), "application/problem+json");
  auto problem = Json(refused);
  EXPECT_EQ(problem["code"], "LAST_OWNER");
  EXPECT_EQ(problem["status"], 422);
  EXPECT_EQ(problem["type"], "urn:roster:problem:LAST_OWNER");
  EXPECT_FALSE(problem["detail"].get<std::string>().empty());
}

// The console shows verification progress by walking the chain in ranges: consecutive ranges
// must check every record once and end on the same head hash as one walk of the whole log.
TEST_F(HttpApiTest, TheChainVerifiesInRangesThatAddUpToTheWholeWalk) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  Join("acme", "carol", "Billing");
  auto whole = Call("POST", "/v1/verify", {}, "", {}, &admin_token_);
  ASSERT_EQ(whole.status, 200u) << whole.body;
  const auto all = Json(whole);
  ASSERT_EQ(all["ok"], true);
  const uint64_t checked = std::stoull(all["checked"].get<std::string>());
  ASSERT_GE(checked, 5u);
  const uint64_t middle = checked / 2;
  auto first =
      Call("POST", "/v1/verify/range", R"({"from":"1","to":")" + std::to_string(middle) + R"("})",
           "", {}, &admin_token_);
  auto rest = Call("POST", "/v1/verify/range",
                   R"({"from":")" + std::to_string(middle + 1) + R"("})", "", {}, &admin_token_);
  ASSERT_EQ(first.status, 200u) << first.body;
  ASSERT_EQ(rest.status, 200u) << rest.body;
  EXPECT_EQ(Json(first)["ok"], true);
  EXPECT_EQ(Json(rest)["ok"], true);
  EXPECT_EQ(std::stoull(Json(first)["checked"].get<std::string>()) +
                std::stoull(Json(rest)["checked"].get<std::string>()),
            checked);
  EXPECT_EQ(Json(rest)["headHash"], all["headHash"]);

  auto backwards =
      Call("POST", "/v1/verify/range", R"({"from":"5","to":"2"})", "", {}, &admin_token_);
  EXPECT_EQ(backwards.status, 400u) << backwards.body;
  EXPECT_EQ(Json(backwards)["code"], "INVALID_ARGUMENT");
}

// The role dropdown: the catalog with what the acting member may grant, by ChangeRole's rule.
TEST_F(HttpApiTest, TheRoleCatalogSaysWhichRolesTheViewerMayGrant) {
  CreateOrg("acme");
  Join("acme", "bob", "Manager");
  Join("acme", "carol", "Editor");
  auto grantable = [&](const std::string& viewer) {
    auto r = Call("GET", "/v1/orgs/acme/roles", {}, viewer);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<std::string> names;
    for (const auto& role : Json(r)) {
      if (role.value("grantable", false)) names.push_back(role["name"]);
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  EXPECT_EQ(grantable("bob"), (std::vector<std::string>{"Billing", "Editor", "Manager"}));
  EXPECT_EQ(grantable("carol"), std::vector<std::string>{});
  EXPECT_EQ(grantable("alice"),
            (std::vector<std::string>{"Billing", "Editor", "Manager", "Owner"}));
  auto roles = Json(Call("GET", "/v1/orgs/acme/roles", {}, "alice"));
  bool owner_seen = false;
  for (const auto& role : roles) {
    if (role["name"] == "Owner") {
      owner_seen = true;
      EXPECT_EQ(role["ownerRole"], true);
      EXPECT_FALSE(role["permissions"].empty());
    }
  }
  EXPECT_TRUE(owner_seen) << roles;
  // What the listing offers is what ChangeRole accepts.
  EXPECT_EQ(Call("POST", "/v1/orgs/acme/members/carol/role", R"({"role":"Billing"})", "bob").status,
            200u);
  EXPECT_EQ(Call("POST", "/v1/orgs/acme/members/carol/role", R"({"role":"Owner"})", "bob").status,
            403u);
}

TEST_F(HttpApiTest, AnUnknownOrganizationIsNotFound) {
  auto r = Call("POST", "/v1/orgs/nowhere/members/bob/role", R"({"role":"Manager"})", "alice");
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(Json(r)["code"], "NOT_FOUND");
}

TEST_F(HttpApiTest, EscalationIsForbidden) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  // An Editor may not manage members, let alone grant Owner.
  auto r = Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Owner"})", "bob");
  EXPECT_EQ(r.status, 403u) << r.body;
  const auto code = Json(r)["code"].get<std::string>();
  EXPECT_TRUE(code == "PERMISSION_DENIED" || code == "ESCALATION") << code;
}

TEST_F(HttpApiTest, ARetryWithTheSameIdempotencyKeyReturnsTheFirstOutcome) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  const HttpHeaders key{{"Idempotency-Key", "change-bob-1"}};
  auto first =
      Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})", "alice", key);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.Header("Idempotent-Replayed"), "");
  auto retry =
      Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})", "alice", key);
  ASSERT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(retry.Header("Roster-Consistency-Token"), first.Header("Roster-Consistency-Token"));
  EXPECT_EQ(Json(retry)["events"], Json(first)["events"]);

  // The same key for a command on another organization is a conflict, not a silent replay.
  CreateOrg("globex");
  auto reused = Call("PATCH", "/v1/orgs/globex", R"({"name":"Globex"})", "alice", key);
  EXPECT_EQ(reused.status, 409u) << reused.body;
  EXPECT_EQ(Json(reused)["code"], "CONFLICT");
}

TEST_F(HttpApiTest, TheSameIdempotencyKeyWithADifferentBodyIsAConflictAcrossARestart) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  const HttpHeaders key{{"Idempotency-Key", "change-bob-2"}};
  auto first =
      Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})", "alice", key);
  ASSERT_EQ(first.status, 200u) << first.body;
  auto check = [&] {
    // The same request, spelled differently (spacing) and with another correlation id, is a
    // retry: the first outcome.
    HttpHeaders retry_headers = key;
    retry_headers.emplace_back("Roster-Correlation-Id", "another-correlation");
    auto same = Call("POST", "/v1/orgs/acme/members/bob/role", "{ \"role\" : \"Manager\" }",
                     "alice", retry_headers);
    ASSERT_EQ(same.status, 200u) << same.body;
    EXPECT_EQ(same.Header("Idempotent-Replayed"), "true");
    EXPECT_EQ(same.Header("Roster-Consistency-Token"), first.Header("Roster-Consistency-Token"));
    // Another body under the key: refused, and the role stays what the first request made it.
    auto other =
        Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Billing"})", "alice", key);
    EXPECT_EQ(other.status, 409u) << other.body;
    EXPECT_EQ(other.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(other.Header("Idempotent-Replayed"), "");
    EXPECT_EQ(Json(other)["code"], "CONFLICT");
    // Another actor is another request too.
    auto as_bob =
        Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})", "bob", key);
    EXPECT_EQ(as_bob.status, 409u) << as_bob.body;
    auto access = Call("GET", "/v1/orgs/acme/members/bob/access", {}, "bob",
                       {{"Roster-Consistency-Token", first.Header("Roster-Consistency-Token")}});
    ASSERT_EQ(access.status, 200u) << access.body;
    EXPECT_EQ(Json(access)["role"], "Manager");
  };
  check();
  StopServer();
  StartServer();
  check();

  // A refusal is kept with its request as well.
  const HttpHeaders refused_key{{"Idempotency-Key", "remove-alice"}};
  auto refused = Call("DELETE", "/v1/orgs/acme/members/alice", {}, "alice", refused_key);
  ASSERT_EQ(refused.status, 422u) << refused.body;
  auto other = Call("DELETE", "/v1/orgs/acme/members/bob", {}, "alice", refused_key);
  EXPECT_EQ(other.status, 409u) << other.body;
  EXPECT_EQ(Json(other)["code"], "CONFLICT");
}

TEST_F(HttpApiTest, TheConsistencyTokenGivesReadYourWrites) {
  CreateOrg("acme");
  const std::string token = Join("acme", "bob", "Billing");
  ASSERT_FALSE(token.empty());
  auto access = Call("GET", "/v1/orgs/acme/members/bob/access", {}, "bob",
                     {{"Roster-Consistency-Token", token}});
  ASSERT_EQ(access.status, 200u) << access.body;
  EXPECT_EQ(Json(access)["role"], "Billing");

  auto bad =
      Call("GET", "/v1/orgs/acme/members", {}, "alice", {{"Roster-Consistency-Token", "soon"}});
  EXPECT_EQ(bad.status, 400u) << bad.body;
}

TEST_F(HttpApiTest, PermissionChecksAnswerWithTheirReason) {
  CreateOrg("acme");
  const std::string token = Join("acme", "bob", "Editor");
  auto allowed = Call("GET", "/v1/orgs/acme/check?user=bob&permission=resources.manage", {},
                      "alice", {{"Roster-Consistency-Token", token}});
  ASSERT_EQ(allowed.status, 200u) << allowed.body;
  EXPECT_EQ(Json(allowed)["allowed"], true);
  EXPECT_EQ(Json(allowed)["role"], "Editor");
  auto denied = Call("GET", "/v1/orgs/acme/check?user=bob&permission=org.delete");
  ASSERT_EQ(denied.status, 200u) << denied.body;
  EXPECT_EQ(Json(denied)["allowed"], false);
}

TEST_F(HttpApiTest, PagesLinkToTheNextPage) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  const std::string token = Join("acme", "carol", "Editor");
  auto page = Call("GET", "/v1/orgs/acme/members?limit=2", {}, "alice",
                   {{"Roster-Consistency-Token", token}});
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(Json(page)["members"].size(), 2u);
  const std::string link = page.Header("Link");
  ASSERT_NE(link.find("rel=\"next\""), std::string::npos) << link;
  const auto open = link.find('<'), close = link.find('>');
  auto next = Call("GET", link.substr(open + 1, close - open - 1));
  ASSERT_EQ(next.status, 200u) << next.body;
  ASSERT_EQ(Json(next)["members"].size(), 1u);
  EXPECT_EQ(next.Header("Link"), "");
}

TEST_F(HttpApiTest, TokensAreCheckedAndScoped) {
  const std::string none;
  auto anonymous = Call("GET", "/v1/orgs/acme/members", {}, "alice", {}, &none);
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Json(anonymous)["code"], "UNAUTHENTICATED");

  const std::string wrong = "not-a-token";
  auto forged = Call("GET", "/v1/orgs/acme/members", {}, "alice", {}, &wrong);
  EXPECT_EQ(forged.status, 401u);

  auto auditor_command =
      Call("PUT", "/v1/orgs/acme", R"({"name":"Acme","preset":"commerce","ownerEmail":"a@x.com"})",
           "alice", {}, &auditor_token_);
  EXPECT_EQ(auditor_command.status, 403u) << auditor_command.body;
  EXPECT_EQ(Json(auditor_command)["code"], "FORBIDDEN");

  auto service_admin = Call("GET", "/v1/tokens");
  EXPECT_EQ(service_admin.status, 403u) << service_admin.body;
  auto admin = Call("GET", "/v1/tokens", {}, "", {}, &admin_token_);
  ASSERT_EQ(admin.status, 200u) << admin.body;
  EXPECT_EQ(Json(admin).size(), 3u);  // admin, billing-service, auditor
}

TEST_F(HttpApiTest, ARevokedTokenStopsWorkingOnTheNextRequest) {
  auto issued =
      Call("POST", "/v1/tokens", R"({"name":"ci","scope":"auditor"})", "", {}, &admin_token_);
  ASSERT_EQ(issued.status, 200u) << issued.body;
  const std::string ci = Json(issued)["token"].get<std::string>();
  EXPECT_EQ(Call("GET", "/v1/status", {}, "", {}, &ci).status, 200u);
  EXPECT_EQ(Call("DELETE", "/v1/tokens/ci", {}, "", {}, &admin_token_).status, 204u);
  EXPECT_EQ(Call("GET", "/v1/status", {}, "", {}, &ci).status, 401u);
}

}  // namespace
}  // namespace roster::tests
