// Webhooks end to end: rosterd as a child process delivers to a receiver in this process
// (docs/webhooks.md). The receiver fails, then stalls mid-delivery while rosterd is killed with
// SIGKILL; after a restart on the same data directory every matching event arrives at least
// once, in log order per organization, signed, and the filters hold. A dead endpoint does not
// slow commands down.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "api/net/asio.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/support/http_client.h"
#include "tests/support/rosterd_process.h"
#include "tests/support/waiting.h"

namespace roster::tests {
namespace {

namespace asio = api::net::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using api::net::tcp;
using nlohmann::json;

// What the receiver got: one request.
struct Received {
  std::string path;
  std::string webhook_id, event_id, timestamp, signature;
  std::string body;
  json payload;
};

// A webhook receiver on a loopback port: answers 200, or 500, or stalls (reads the request and
// never answers), as the test says. One connection at a time (rosterd closes each).
class Receiver {
 public:
  enum class Mode { kOk, kFail, kStall };

  Receiver() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    // Wakes the blocked accept.
    asio::io_context io;
    tcp::socket poke(io);
    api::net::error_code ec;
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void SetMode(Mode mode, size_t ok_before_stall = 0) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
    ok_before_stall_ = ok_before_stall;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  size_t stalled() {
    std::lock_guard lock(mutex_);
    return stalled_.size();
  }
  size_t answered_500() {
    std::lock_guard lock(mutex_);
    return failed_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      api::net::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      std::unique_lock lock(mutex_);
      Mode mode = mode_;
      if (mode == Mode::kStall && ok_before_stall_ > 0) {
        --ok_before_stall_;
        mode = Mode::kOk;
      }
      if (mode == Mode::kStall) {
        stalled_.push_back(std::move(socket));  // held open, never answered
        continue;
      }
      http::response<http::string_body> response;
      response.version(11);
      response.keep_alive(false);
      if (mode == Mode::kOk) {
        Received r;
        r.path = std::string(request.target());
        r.webhook_id = std::string(request["Roster-Webhook-Id"]);
        r.event_id = std::string(request["Roster-Event-Id"]);
        r.timestamp = std::string(request["Roster-Timestamp"]);
        r.signature = std::string(request["Roster-Signature"]);
        r.body = request.body();
        r.payload = json::parse(r.body, nullptr, false);
        received_.push_back(std::move(r));
        response.result(http::status::ok);
      } else {
        ++failed_;
        response.result(http::status::internal_server_error);
      }
      lock.unlock();
      response.prepare_payload();
      http::write(socket, response, ec);
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  Mode mode_ = Mode::kOk;
  size_t ok_before_stall_ = 0;
  size_t failed_ = 0;
  std::vector<Received> received_;
  std::vector<tcp::socket> stalled_;
};

std::string Hmac(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  std::string hex;
  char two[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

// The API's JSON writes 64-bit integers as strings (Cap'n Proto's JSON codec).
uint64_t U64(const json& j) {
  return j.is_string() ? std::stoull(j.get<std::string>()) : j.get<uint64_t>();
}

uint16_t ReadPort(const std::filesystem::path& file) {
  std::ifstream in(file);
  unsigned port = 0;
  in >> port;
  return static_cast<uint16_t>(port);
}

class RosterdWebhooksTest : public ::testing::Test {
 protected:
  void Start() {
    rosterd_.reset();
    std::filesystem::remove(http_port_file_);
    rosterd_ = std::make_unique<Rosterd>(
        data_,
        std::vector<std::string>{"--http", "127.0.0.1:0", "--http-port-file",
                                 http_port_file_.string(), "--webhook-retry-base-ms", "100",
                                 "--webhook-retry-max-ms", "400", "--webhook-timeout-ms", "1000"});
    ASSERT_NE(rosterd_->port(), 0) << rosterd_->error() << rosterd_->StderrTail();
    ASSERT_TRUE(Eventually([&] { return ReadPort(http_port_file_) != 0; }))
        << rosterd_->StderrTail();
    client_ = std::make_unique<HttpClient>(ReadPort(http_port_file_));
    token_ = ReadToken(data_);
  }
  HttpReply Call(const std::string& method, const std::string& target, const std::string& body = {},
                 const std::string& actor = "alice") {
    HttpHeaders headers{{"Authorization", "Bearer " + token_}};
    if (!actor.empty()) headers.emplace_back("Roster-Actor", actor);
    auto reply = client_->Send(method, target, body, headers);
    EXPECT_TRUE(reply.has_value()) << method << " " << target << ": " << client_->error();
    return reply ? *reply : HttpReply{};
  }
  json Register(const json& request) {
    auto r = Call("POST", "/v1/webhooks", request.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  void CreateOrg(const std::string& org) {
    auto r = Call("PUT", "/v1/orgs/" + org,
                  R"({"name":"N","preset":"commerce","ownerEmail":"alice@example.com"})");
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  void Join(const std::string& org, const std::string& user) {
    auto invited = Call("POST", "/v1/orgs/" + org + "/invitations",
                        R"({"email":")" + user + R"(@example.com","role":"Editor"})");
    ASSERT_EQ(invited.status, 200u) << invited.body;
    auto inv = json::parse(invited.body);
    auto accepted = Call(
        "POST",
        "/v1/orgs/" + org + "/invitations/" + inv["invitationId"].get<std::string>() + "/accept",
        R"({"token":")" + inv["invitationToken"].get<std::string>() + R"(","verifiedEmail":")" +
            user + R"(@example.com"})",
        user);
    ASSERT_EQ(accepted.status, 200u) << accepted.body;
  }
  void ChangeRole(const std::string& org, const std::string& user, const std::string& role) {
    auto r = Call("POST", "/v1/orgs/" + org + "/members/" + user + "/role",
                  R"({"role":")" + role + R"("})");
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  // Every entry of the audit export: position, org and type, in log order.
  std::vector<json> LogEntries() {
    auto r = Call("GET", "/v1/audit/export");
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<json> out;
    std::istringstream lines(r.body);
    for (std::string line; std::getline(lines, line);) {
      auto j = json::parse(line, nullptr, false);
      if (j.is_object() && j["kind"] == "entry") out.push_back(j);
    }
    return out;
  }

  eventstore::testing::TempDir dir_{"roster-webhooks"};
  std::filesystem::path data_ = dir_.path() / "data";
  std::filesystem::path http_port_file_ = dir_.path() / "http.port";
  std::unique_ptr<Rosterd> rosterd_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(RosterdWebhooksTest, BadInputGetsClearErrors) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto bad_url = Call("POST", "/v1/webhooks", R"({"url":"ftp://example.com/x"})");
  EXPECT_EQ(bad_url.status, 400u) << bad_url.body;
  EXPECT_NE(bad_url.body.find("http:// or https://"), std::string::npos) << bad_url.body;
  auto bad_type = Call("POST", "/v1/webhooks",
                       R"({"url":"http://127.0.0.1:9/","eventTypes":["member.jioned"]})");
  EXPECT_EQ(bad_type.status, 400u) << bad_type.body;
  EXPECT_NE(bad_type.body.find("unknown event type 'member.jioned'"), std::string::npos)
      << bad_type.body;
  auto gone = Call("DELETE", "/v1/webhooks/wh_nothing");
  EXPECT_EQ(gone.status, 404u) << gone.body;
  auto no_log = Call("GET", "/v1/webhooks/wh_nothing/deliveries");
  EXPECT_EQ(no_log.status, 404u) << no_log.body;
  EXPECT_NE(no_log.body.find("wh_nothing"), std::string::npos) << no_log.body;
}

TEST_F(RosterdWebhooksTest, DeliveredAtLeastOnceInOrderAcrossKill9) {
  Receiver receiver;
  receiver.SetMode(Receiver::Mode::kFail);
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver.port());
  // A: every organization, membership events only. B: acme only, every type.
  const json a =
      Register({{"url", base + "/a"}, {"eventTypes", {"member.joined", "member.role_changed"}}});
  const json b = Register({{"url", base + "/b"}, {"org", "acme"}});
  ASSERT_TRUE(a.contains("secret") && b.contains("secret"));
  const std::map<std::string, std::string> secrets = {
      {a["id"].get<std::string>(), a["secret"].get<std::string>()},
      {b["id"].get<std::string>(), b["secret"].get<std::string>()}};
  // The secret is shown once: not in the listing.
  auto listed = Call("GET", "/v1/webhooks");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(listed.body.find(a["secret"].get<std::string>()), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(CreateOrg("acme"));
  ASSERT_NO_FATAL_FAILURE(CreateOrg("globex"));
  for (const char* user : {"bob", "carol"}) {
    ASSERT_NO_FATAL_FAILURE(Join("acme", user));
    ASSERT_NO_FATAL_FAILURE(Join("globex", user));
  }
  // The receiver fails: the delivery log shows the failures and the retry to come.
  const std::string deliveries_a = "/v1/webhooks/" + a["id"].get<std::string>() + "/deliveries";
  ASSERT_TRUE(Eventually([&] {
    auto r = Call("GET", deliveries_a);
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j["webhook"]["failedAttempts"].get<uint32_t>() >= 2;
  })) << Call("GET", deliveries_a).body;
  {
    auto j = json::parse(Call("GET", deliveries_a).body);
    // Between two attempts (retrying) or in one (delivering): never idle while an event fails.
    EXPECT_TRUE(j["webhook"]["state"] == "retrying" || j["webhook"]["state"] == "delivering")
        << j.dump();
    EXPECT_NE(j["webhook"]["nextRetryUs"], "0") << j.dump();
    EXPECT_NE(j["webhook"]["lastError"].get<std::string>().find("500"), std::string::npos);
    ASSERT_FALSE(j["attempts"].empty());
    EXPECT_EQ(j["attempts"][0]["status"], 500);
    EXPECT_FALSE(j["attempts"][0]["delivered"].get<bool>());
  }
  // Then it takes a few and stalls on the next: rosterd dies mid-delivery.
  receiver.SetMode(Receiver::Mode::kStall, 4);
  ASSERT_TRUE(Eventually([&] { return receiver.stalled() >= 1; })) << rosterd_->StderrTail();
  rosterd_->Signal(SIGKILL);
  rosterd_->Wait(std::chrono::seconds(30));
  const size_t before_restart = receiver.received().size();
  EXPECT_GE(before_restart, 4u);

  receiver.SetMode(Receiver::Mode::kOk);
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(Join("acme", "dave"));
  ASSERT_NO_FATAL_FAILURE(ChangeRole("globex", "bob", "Manager"));
  ASSERT_NO_FATAL_FAILURE(ChangeRole("acme", "carol", "Manager"));

  // What each endpoint must get: the log's records after its start that its filters keep.
  const std::vector<json> entries = LogEntries();
  std::map<std::string, std::vector<uint64_t>> expected;  // endpoint id -> positions
  std::map<uint64_t, std::string> org_of;
  for (const json& e : entries) {
    const uint64_t position = e["position"].get<uint64_t>();
    const std::string org = e["org"], type = e["action"];
    org_of[position] = org;
    if (position > U64(a["startAfter"]) &&
        (type == "member.joined" || type == "member.role_changed")) {
      expected[a["id"]].push_back(position);
    }
    if (position > U64(b["startAfter"]) && org == "acme") {
      expected[b["id"]].push_back(position);
    }
  }
  ASSERT_GE(expected[a["id"]].size(), 8u);
  ASSERT_GE(expected[b["id"]].size(), 8u);
  auto all_arrived = [&] {
    std::map<std::string, std::set<uint64_t>> got;
    for (const Received& r : receiver.received()) got[r.webhook_id].insert(std::stoull(r.event_id));
    for (const auto& [id, positions] : expected) {
      for (uint64_t p : positions) {
        if (!got[id].contains(p)) return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(Eventually(all_arrived, std::chrono::seconds(20))) << rosterd_->StderrTail();

  size_t duplicates = 0;
  std::map<std::string, std::set<uint64_t>> seen;
  std::map<std::pair<std::string, std::string>, uint64_t> last_per_org;
  bool invited_join_seen = false;
  for (const Received& r : receiver.received()) {
    SCOPED_TRACE(r.body);
    ASSERT_TRUE(secrets.contains(r.webhook_id)) << r.webhook_id;
    // The signature verifies with the secret, over "<t>.<body>".
    EXPECT_EQ(r.signature, "t=" + r.timestamp +
                               ",v1=" + Hmac(secrets.at(r.webhook_id), r.timestamp + "." + r.body));
    ASSERT_TRUE(r.payload.is_object());
    const uint64_t position = std::stoull(r.event_id);
    EXPECT_EQ(r.payload["position"].get<uint64_t>(), position);
    EXPECT_EQ(r.payload["org"], org_of[position]);
    // The filters hold.
    const auto& want = expected[r.webhook_id];
    EXPECT_TRUE(std::find(want.begin(), want.end(), position) != want.end()) << position;
    EXPECT_EQ(r.path, r.webhook_id == a["id"] ? "/a" : "/b");
    if (!seen[r.webhook_id].insert(position).second) {
      ++duplicates;
      continue;
    }
    // In log order per organization, once repeats are dropped.
    uint64_t& last = last_per_org[{r.webhook_id, r.payload["org"].get<std::string>()}];
    EXPECT_GT(position, last);
    last = position;
    if (r.payload["type"] == "member.joined" &&
        !r.payload["data"]["invitationId"].get<std::string>().empty()) {
      invited_join_seen = true;
      EXPECT_FALSE(r.payload["data"]["userId"].get<std::string>().empty());
      EXPECT_FALSE(r.payload["data"].contains("tokenHash"));
    }
  }
  EXPECT_TRUE(invited_join_seen);
  // The cursors survived the kill: at most the requests in flight then (one per endpoint, or a
  // few more if a slow answer outlived its timeout) came again. Had a cursor been lost, every
  // event its endpoint had received before the kill would have.
  EXPECT_LT(duplicates, before_restart) << "repeats after the restart";
  std::printf("[ webhooks ] %zu requests received, %zu repeats after the kill, %zu answered 500\n",
              receiver.received().size(), duplicates, receiver.answered_500());

  // The delivery log kept the failures, the stalled attempt, and the retries that succeeded.
  auto log_a = json::parse(Call("GET", deliveries_a).body);
  bool failed = false, retried_ok = false;
  for (const json& attempt : log_a["attempts"]) {
    if (attempt["status"] == 500) failed = true;
    if (attempt["delivered"].get<bool>() && attempt["attempt"].get<uint32_t>() > 1) {
      retried_ok = true;
    }
  }
  EXPECT_TRUE(failed) << log_a.dump();
  EXPECT_TRUE(retried_ok) << log_a.dump();
  EXPECT_EQ(rosterd_->Stop(std::chrono::seconds(30)), 0) << rosterd_->StderrTail();
}

TEST_F(RosterdWebhooksTest, ADeadEndpointDoesNotSlowCommands) {
  // A port that accepts connections (the kernel completes them into the backlog) and never
  // answers: every delivery waits out its timeout.
  asio::io_context io;
  tcp::acceptor dead(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(CreateOrg("acme"));
  int renames = 0;
  auto rate = [&](int commands) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < commands; ++i) {
      // A rename appends an event each time (activity marks are throttled): every command
      // gives the webhook something to deliver.
      auto r =
          Call("PATCH", "/v1/orgs/acme", R"({"name":"Acme )" + std::to_string(++renames) + R"("})");
      EXPECT_EQ(r.status, 200u) << r.body;
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return commands / took.count();
  };
  constexpr int kCommands = 200;
  constexpr int kRounds = 3;
  rate(20);  // warm up
  // Rounds alternate without and with the dead endpoint registered, so that drift in the
  // machine's load falls on both; each side's median is compared.
  const std::string dead_url =
      "http://127.0.0.1:" + std::to_string(dead.local_endpoint().port()) + "/";
  std::vector<double> without, with;
  json log;
  for (int round = 0; round < kRounds; ++round) {
    without.push_back(rate(kCommands));
    const json hook = Register({{"url", dead_url}});
    with.push_back(rate(kCommands));
    // The dead endpoint was being tried: its first attempt times out.
    const std::string deliveries = "/v1/webhooks/" + hook["id"].get<std::string>() + "/deliveries";
    EXPECT_TRUE(Eventually([&] {
      log = json::parse(Call("GET", deliveries).body, nullptr, false);
      return log.is_object() && !log["attempts"].empty();
    })) << log.dump();
    EXPECT_NE(log["attempts"][0]["error"].get<std::string>().find("timed out"), std::string::npos)
        << log.dump();
    EXPECT_EQ(Call("DELETE", "/v1/webhooks/" + hook["id"].get<std::string>()).status, 204u);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "[ webhooks ] commands/s (median of %d rounds of %d renames) without a webhook: "
      "%.0f, with a dead endpoint: %.0f\n",
      kRounds, kCommands, median(without), median(with));
  // Only what cannot flake on a loaded machine: commands that waited on the endpoint would run
  // at about one per timeout (1 s), far below this.
  EXPECT_GT(median(with), median(without) * 0.05);
}

}  // namespace
}  // namespace roster::tests
