// Test support: a Roster node served by the in-process HTTP server on an ephemeral loopback
// port, with tokens of every scope and a Beast client (tests/support/http_client.h).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "api/dispatch/dispatcher.h"
#include "api/http/server.h"
#include "tests/service/node_fixture.h"
#include "tests/support/http_client.h"

namespace roster::tests {

class HttpFixture : public NodeFixture {
 protected:
  HttpFixture() {
    options_.listen = "127.0.0.1:0";
    options_.io_threads = 1;
    options_.worker_threads = 4;
    options_.server_version = "test";
  }
  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  void StartServer() {
    Open();
    std::filesystem::path created;
    auto tokens = api::dispatch::TokenStore::Open(dir_.path(), &created);
    ASSERT_TRUE(tokens.has_value()) << tokens.error();
    tokens_ = std::move(*tokens);
    if (!created.empty()) {  // the first start; a restart keeps the admin token
      std::ifstream in(created);
      std::getline(in, admin_token_);
    }
    ASSERT_FALSE(admin_token_.empty());
    service_token_ = *tokens_->Issue("billing-service", api::dispatch::Scope::kService);
    auditor_token_ = *tokens_->Issue("auditor", api::dispatch::Scope::kAuditor);
    dispatcher_ = std::make_unique<api::dispatch::Dispatcher>(*node_, *tokens_, "test");
    auto server = api::http::HttpServer::Start(*dispatcher_, *tokens_, logger_, options_);
    ASSERT_TRUE(server.has_value()) << server.error();
    server_ = std::move(*server);
  }
  void StopServer() {
    client_storage_.reset();  // a restarted server listens on another port
    if (server_) server_->Stop();
    server_.reset();
    dispatcher_.reset();
    tokens_.reset();
    Close();
  }

  uint16_t port() const { return server_->port(); }

  // A request as `token` (empty: no Authorization header) acting as `actor`.
  HttpReply Call(const std::string& method, const std::string& target, const std::string& body = {},
                 const std::string& actor = "alice", HttpHeaders headers = {},
                 const std::string* token = nullptr) {
    const std::string& t = token ? *token : service_token_;
    if (!t.empty()) headers.emplace_back("Authorization", "Bearer " + t);
    if (!actor.empty()) headers.emplace_back("Roster-Actor", actor);
    auto reply = client_().Send(method, target, body, headers);
    EXPECT_TRUE(reply.has_value()) << method << " " << target << ": " << client_().error();
    return reply ? *reply : HttpReply{};
  }

  static nlohmann::json Json(const HttpReply& reply) {
    auto parsed = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << reply.body;
    return parsed;
  }

  // Creates org `org` owned by `owner` (commerce preset: Owner, Manager, Editor, Billing).
  void CreateOrg(const std::string& org, const std::string& owner = "alice") {
    auto r =
        Call("PUT", "/v1/orgs/" + org,
             R"({"name":"Acme","preset":"commerce","ownerEmail":")" + owner + R"(@example.com"})",
             owner);
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  // Invites `user` to `org` with `role` and accepts; returns the accept's consistency token.
  std::string Join(const std::string& org, const std::string& user, const std::string& role,
                   const std::string& inviter = "alice") {
    auto invited =
        Call("POST", "/v1/orgs/" + org + "/invitations",
             R"({"email":")" + user + R"(@example.com","role":")" + role + R"("})", inviter);
    EXPECT_EQ(invited.status, 200u) << invited.body;
    auto inv = Json(invited);
    auto accepted = Call(
        "POST",
        "/v1/orgs/" + org + "/invitations/" + inv["invitationId"].get<std::string>() + "/accept",
        R"({"token":")" + inv["invitationToken"].get<std::string>() + R"(","verifiedEmail":")" +
            user + R"(@example.com"})",
        user);
    EXPECT_EQ(accepted.status, 200u) << accepted.body;
    return accepted.Header("Roster-Consistency-Token");
  }

  api::http::HttpOptions options_;
  std::unique_ptr<api::dispatch::TokenStore> tokens_;
  std::unique_ptr<api::dispatch::Dispatcher> dispatcher_;
  std::unique_ptr<api::http::HttpServer> server_;
  std::string admin_token_, service_token_, auditor_token_;

 private:
  HttpClient& client_() {
    if (!client_storage_) client_storage_ = std::make_unique<HttpClient>(server_->port());
    return *client_storage_;
  }
  std::unique_ptr<HttpClient> client_storage_;
};

}  // namespace roster::tests
