// Issue 21's invitation features over the HTTP API: an invitation's own lifetime, inviting to a
// project by email and accepting with the link's one token (POST /v1/invitations/accept), and
// many invitations in one request (POST /v1/orgs/{org}/invitations/bulk).
#include <gtest/gtest.h>

#include <string>

#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpInvitationsTest : public HttpFixture {
 protected:
  // A seed 001 workspace owned by alice with projects "website" and "internal".
  void CreateWorkspace() {
    auto r = Call("PUT", "/v1/orgs/smaq",
                  R"({"name":"Smaq","preset":"workspace","ownerEmail":"alice@example.com"})");
    ASSERT_EQ(r.status, 200u) << r.body;
    for (const char* p : {"website", "internal"}) {
      auto made =
          Call("POST", "/v1/orgs/smaq/projects", std::string(R"({"projectId":")") + p + R"("})");
      ASSERT_EQ(made.status, 200u) << made.body;
    }
  }
};

// Seed 001's client: invited to one project as Viewer by email, accepts with only the link's
// token, views that project and is not an org member.
TEST_F(HttpInvitationsTest, AClientInvitedToAProjectAcceptsWithTheLinksTokenAlone) {
  CreateWorkspace();
  auto sent = Call("POST", "/v1/orgs/smaq/projects/website/invitations",
                   R"({"email":"Client@Brand.example","role":"Viewer","ttlDays":3})");
  ASSERT_EQ(sent.status, 200u) << sent.body;
  const auto result = Json(sent);
  const std::string token = result["acceptToken"].get<std::string>();
  ASSERT_EQ(token.rfind("rinv_", 0), 0u) << sent.body;

  auto listed = Call("GET", "/v1/orgs/smaq/invitations?status=pending", {}, "alice",
                     {{"Roster-Consistency-Token", sent.Header("Roster-Consistency-Token")}});
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const auto page = Json(listed);
  ASSERT_EQ(page["invitations"].size(), 1u) << listed.body;
  EXPECT_EQ(page["invitations"][0]["projectId"], "website");
  EXPECT_EQ(page["invitations"][0]["projectRole"], "Viewer");
  EXPECT_EQ(page["invitations"][0]["validForUs"], "259200000000");

  // No org, no invitation id: the token says both. A malformed token is a 400.
  auto malformed =
      Call("POST", "/v1/invitations/accept",
           R"({"token":"rinv_***","verifiedEmail":"client@brand.example"})", "client-7");
  EXPECT_EQ(malformed.status, 400u) << malformed.body;
  EXPECT_EQ(Json(malformed)["code"], "INVALID_ARGUMENT");
  auto accepted =
      Call("POST", "/v1/invitations/accept",
           R"({"token":")" + token + R"(","verifiedEmail":"client@brand.example"})", "client-7");
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_EQ(Json(accepted)["accepted"], true);
  // Accepted once: the same token again is a conflict.
  auto again = Call("POST", "/v1/invitations/accept",
                    R"({"acceptToken":")" + token + R"(","verifiedEmail":"client@brand.example"})",
                    "client-7");
  EXPECT_EQ(again.status, 409u) << again.body;

  const std::string at = accepted.Header("Roster-Consistency-Token");
  auto view =
      Call("GET", "/v1/orgs/smaq/check?user=client-7&permission=projects.view&projectId=website",
           {}, "alice", {{"Roster-Consistency-Token", at}});
  ASSERT_EQ(view.status, 200u) << view.body;
  EXPECT_EQ(Json(view)["allowed"], true);
  EXPECT_EQ(Json(view)["source"], "direct");
  auto other =
      Call("GET", "/v1/orgs/smaq/check?user=client-7&permission=projects.view&projectId=internal");
  EXPECT_EQ(Json(other)["allowed"], false);
  auto access = Call("GET", "/v1/orgs/smaq/members/client-7/access", {}, "alice",
                     {{"Roster-Consistency-Token", at}});
  ASSERT_EQ(access.status, 200u) << access.body;
  EXPECT_FALSE(Json(access).contains("role") && Json(access)["role"] != "") << access.body;
}

TEST_F(HttpInvitationsTest, ALifetimeBeyondTheOrgsMaximumIsRefusedWithTheRange) {
  CreateOrg("acme");
  auto refused = Call("POST", "/v1/orgs/acme/invitations",
                      R"({"email":"bo@example.com","role":"Editor","ttlDays":9})");
  EXPECT_EQ(refused.status, 400u) << refused.body;
  EXPECT_NE(Json(refused)["detail"].get<std::string>().find("1 to 7 days"), std::string::npos);
  auto ok = Call("POST", "/v1/orgs/acme/invitations",
                 R"({"email":"bo@example.com","role":"Editor","ttlDays":1})");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  // The old accept form keeps working beside the token.
  const auto inv = Json(ok);
  auto accepted = Call(
      "POST", "/v1/orgs/acme/invitations/" + inv["invitationId"].get<std::string>() + "/accept",
      R"({"token":")" + inv["invitationToken"].get<std::string>() +
          R"(","verifiedEmail":"bo@example.com"})",
      "bo");
  EXPECT_EQ(accepted.status, 200u) << accepted.body;
}

TEST_F(HttpInvitationsTest, BulkInviteAnswersAnOutcomePerEmail) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  const std::string body = R"({"invitations":[
      {"email":"cy@example.com","role":"Editor"},
      {"email":"bob@example.com","role":"Editor"},
      {"email":"CY@example.com","role":"Billing"},
      {"email":"dee@example.com","role":"Billing","ttlDays":2}]})";
  auto first = Call("POST", "/v1/orgs/acme/invitations/bulk", body, "alice",
                    {{"Idempotency-Key", "bulk-http-1"}});
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto outcomes = Json(first)["invitationOutcomes"];
  ASSERT_EQ(outcomes.size(), 4u) << first.body;
  EXPECT_EQ(outcomes[0]["accepted"], true);
  EXPECT_EQ(outcomes[0]["acceptToken"].get<std::string>().rfind("rinv_", 0), 0u);
  EXPECT_EQ(outcomes[1]["rejection"]["code"], "ALREADY_MEMBER");
  EXPECT_EQ(outcomes[2]["rejection"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(outcomes[3]["accepted"], true);
  EXPECT_EQ(outcomes[3]["email"], "dee@example.com");

  auto retry = Call("POST", "/v1/orgs/acme/invitations/bulk", body, "alice",
                    {{"Idempotency-Key", "bulk-http-1"}});
  ASSERT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  const auto replayed = Json(retry)["invitationOutcomes"];
  ASSERT_EQ(replayed.size(), 4u);
  EXPECT_EQ(replayed[3]["invitationId"], outcomes[3]["invitationId"]);
  EXPECT_FALSE(replayed[3].contains("acceptToken"));
  EXPECT_EQ(replayed[1]["rejection"]["code"], "ALREADY_MEMBER");

  // Dee accepts with her entry's token.
  auto accepted = Call("POST", "/v1/invitations/accept",
                       R"({"token":")" + outcomes[3]["acceptToken"].get<std::string>() +
                           R"(","verifiedEmail":"dee@example.com"})",
                       "dee");
  EXPECT_EQ(accepted.status, 200u) << accepted.body;

  auto not_a_list = Call("POST", "/v1/orgs/acme/invitations/bulk", R"({"invitations":"x"})");
  EXPECT_EQ(not_a_list.status, 400u) << not_a_list.body;
  auto too_many = std::string(R"({"invitations":[)");
  for (int i = 0; i < 101; ++i) {
    too_many += (i ? "," : "") + std::string(R"({"email":"u)") + std::to_string(i) +
                R"(@example.com","role":"Editor"})";
  }
  auto refused = Call("POST", "/v1/orgs/acme/invitations/bulk", too_many + "]}");
  EXPECT_EQ(refused.status, 400u) << refused.body;
}

}  // namespace
}  // namespace roster::tests
