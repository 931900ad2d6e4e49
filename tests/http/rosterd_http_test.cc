// rosterd with --http as a child process: the HTTP listener comes up beside the TCP one, serves
// the API with the admin token rosterd wrote, and stops gracefully on SIGTERM.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eventstore/testing/temp_dir.h"
#include "tests/support/http_client.h"
#include "tests/support/rosterd_process.h"
#include "tests/support/waiting.h"

namespace roster::tests {
namespace {

uint16_t ReadPort(const std::filesystem::path& file) {
  std::ifstream in(file);
  unsigned port = 0;
  in >> port;
  return static_cast<uint16_t>(port);
}

TEST(RosterdHttpTest, ServesTheApiBesideTcp) {
  eventstore::testing::TempDir dir("roster-rosterd-http");
  const auto data = dir.path() / "data";
  const auto port_file = dir.path() / "http.port";
  Rosterd rosterd(data, {"--http", "127.0.0.1:0", "--http-port-file", port_file.string()});
  ASSERT_NE(rosterd.port(), 0) << rosterd.error() << rosterd.StderrTail();
  // The HTTP listener starts after the TCP one has written its port file.
  ASSERT_TRUE(Eventually([&] { return ReadPort(port_file) != 0; })) << rosterd.StderrTail();
  const uint16_t port = ReadPort(port_file);
  ASSERT_NE(port, rosterd.port());

  HttpClient client(port);
  auto health = client.Send("GET", "/healthz");
  ASSERT_TRUE(health.has_value()) << client.error();
  EXPECT_EQ(health->status, 200u);
  EXPECT_TRUE(Eventually([&] {
    auto ready = client.Send("GET", "/readyz");
    return ready && ready->status == 200;
  }));

  const HttpHeaders auth{{"Authorization", "Bearer " + ReadToken(data)}, {"Roster-Actor", "alice"}};
  auto created =
      client.Send("PUT", "/v1/orgs/acme",
                  R"({"name":"Acme","preset":"commerce","ownerEmail":"a@example.com"})", auth);
  ASSERT_TRUE(created.has_value()) << client.error();
  ASSERT_EQ(created->status, 200u) << created->body;
  auto members =
      client.Send("GET", "/v1/orgs/acme/members", {},
                  {auth[0],
                   auth[1],
                   {"Roster-Consistency-Token", created->Header("Roster-Consistency-Token")}});
  ASSERT_TRUE(members.has_value()) << client.error();
  ASSERT_EQ(members->status, 200u) << members->body;
  EXPECT_EQ(nlohmann::json::parse(members->body)["members"][0]["userId"], "alice");

  auto metrics = client.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << client.error();
  EXPECT_NE(metrics->body.find("roster_http_requests_total{kind=\"createOrganization\","
                               "status=\"200\",code=\"OK\"} 1"),
            std::string::npos)
      << metrics->body;

  client.Disconnect();
  EXPECT_EQ(rosterd.Stop(std::chrono::seconds(30)), 0) << rosterd.StderrTail();
}

TEST(RosterdHttpTest, AnAddressInUseStopsTheStart) {
  eventstore::testing::TempDir dir("roster-rosterd-http");
  const auto port_file = dir.path() / "http.port";
  Rosterd first(dir.path() / "a",
                {"--http", "127.0.0.1:0", "--http-port-file", port_file.string()});
  ASSERT_NE(first.port(), 0) << first.error();
  ASSERT_TRUE(Eventually([&] { return ReadPort(port_file) != 0; }));
  const std::string taken = "127.0.0.1:" + std::to_string(ReadPort(port_file));
  RosterdOptions options;
  options.data_dir = dir.path() / "b";
  options.extra_args = {"--http", taken};
  options.start_timeout = std::chrono::milliseconds(30000);
  Rosterd second(options);
  // It listened on TCP, then failed to bind HTTP and exited 1.
  EXPECT_EQ(second.Wait(std::chrono::seconds(30)), 1);
  EXPECT_NE(second.StderrTail().find("http: cannot listen"), std::string::npos)
      << second.StderrTail();
}

}  // namespace
}  // namespace roster::tests
