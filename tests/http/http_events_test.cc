// The log's event stream over HTTP (GET /v1/events, Server-Sent Events): records from a
// position, live ones as commands commit, resuming with Last-Event-ID, heartbeats, the TCP
// subscription's scopes, revocation and the server's stop.
// clang-format off
#include "api/net/asio.h"  // before Beast: it includes Asio, which needs <utility> first
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <gtest/gtest.h>

#include <limits>

#include "api/http/handler.h"
#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

namespace asio = api::net::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Event {
  std::string id, event, data;
};

// An EventSource in miniature: one GET, then the body read as it arrives (Beast undoes the
// chunking) and cut into events.
class EventReader {
 public:
  EventReader(uint16_t port, const std::string& target, const HttpHeaders& headers) : stream_(io_) {
    stream_.expires_after(std::chrono::seconds(10));
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::accept, "text/event-stream");
    for (const auto& [name, value] : headers) req.set(name, value);
    bhttp::write(stream_, req);
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // a stream has no end
    bhttp::read_header(stream_, buffer_, parser_);
  }
  unsigned status() const { return parser_.get().result_int(); }
  std::string header(std::string_view name) const {
    auto v = parser_.get()[beast::string_view(name.data(), name.size())];
    return std::string(v.data(), v.size());
  }
  // The next event (comments included, as event ":"), or nullopt when the stream ended or
  // nothing came within `timeout`.
  std::optional<Event> Next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    for (;;) {
      if (auto e = Parse()) return e;
      if (ended_) return std::nullopt;
      stream_.expires_after(timeout);
      beast::error_code ec;
      bhttp::read_some(stream_, buffer_, parser_, ec);
      if (ec || parser_.is_done()) ended_ = true;
    }
  }
  // Records only, skipping other events, until `count` arrived.
  std::vector<Event> Records(size_t count) {
    std::vector<Event> out;
    while (out.size() < count) {
      auto e = Next();
      if (!e) break;
      if (e->event == "record") out.push_back(*e);
    }
    return out;
  }
  const std::string& body() { return parser_.get().body(); }

 private:
  std::optional<Event> Parse() {
    std::string& body = parser_.get().body();
    const size_t end = body.find("\n\n", consumed_);
    if (end == std::string::npos) return std::nullopt;
    Event e;
    std::string_view block(body.data() + consumed_, end - consumed_);
    consumed_ = end + 2;
    while (!block.empty()) {
      const size_t nl = block.find('\n');
      std::string_view line = block.substr(0, nl);
      block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
      if (line.starts_with(":")) {
        e.event = ":";
        e.data = std::string(line.substr(1));
      } else if (line.starts_with("id: ")) {
        e.id = std::string(line.substr(4));
      } else if (line.starts_with("event: ")) {
        e.event = std::string(line.substr(7));
      } else if (line.starts_with("data: ")) {
        if (!e.data.empty()) e.data += "\n";
        e.data += line.substr(6);
      }
    }
    if (e.event.empty() && e.data.empty()) return Parse();  // the retry: field alone
    return e;
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  size_t consumed_ = 0;
  bool ended_ = false;
};

class HttpEventsTest : public HttpFixture {
 protected:
  HttpHeaders Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
};

TEST_F(HttpEventsTest, StreamsTheLogThenLiveRecordsAndResumesFromLastEventId) {
  CreateOrg("acme");
  const std::string joined = Join("acme", "bob", "Editor");
  const uint64_t head = std::stoull(joined);
  ASSERT_GE(head, 3u);

  EventReader reader(port(), "/v1/events", Auth(auditor_token_));
  ASSERT_EQ(reader.status(), 200u) << reader.body();
  EXPECT_EQ(reader.header("Content-Type"), "text/event-stream; charset=utf-8");
  auto subscribed = reader.Next();
  ASSERT_TRUE(subscribed.has_value());
  EXPECT_EQ(subscribed->event, "subscribed");
  EXPECT_EQ(nlohmann::json::parse(subscribed->data)["lastPosition"], std::to_string(head));
  // The whole log, in order, each record as the TCP subscription's Record in JSON.
  auto past = reader.Records(head);
  ASSERT_EQ(past.size(), head);
  for (size_t i = 0; i < past.size(); ++i) {
    EXPECT_EQ(past[i].id, std::to_string(i + 1));
    auto record = nlohmann::json::parse(past[i].data);
    EXPECT_EQ(record["position"], std::to_string(i + 1));
    EXPECT_EQ(record["hash"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(nlohmann::json::parse(past[0].data)["type"], "organization.created");
  EXPECT_EQ(nlohmann::json::parse(past[0].data)["stream"], "org:acme");

  // A command made while the stream is open arrives as it commits.
  auto changed = Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})");
  ASSERT_EQ(changed.status, 200u) << changed.body;
  const uint64_t changed_at = std::stoull(changed.Header("Roster-Consistency-Token"));
  auto live = reader.Records(changed_at - head);
  ASSERT_EQ(live.size(), changed_at - head);
  EXPECT_EQ(live.back().id, std::to_string(changed_at));
  auto record = nlohmann::json::parse(live.back().data);
  EXPECT_EQ(record["type"], "member.role_changed");
  EXPECT_EQ(record["actor"], "alice");
  EXPECT_EQ(record["source"], "billing-service");

  // Reconnecting with the id of the last event read gets only the later ones, even though the
  // URL still says where the first connection started.
  auto more = Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Billing"})");
  ASSERT_EQ(more.status, 200u) << more.body;
  const uint64_t more_at = std::stoull(more.Header("Roster-Consistency-Token"));
  HttpHeaders resume = Auth(auditor_token_);
  resume.emplace_back("Last-Event-ID", std::to_string(changed_at));
  EventReader resumed(port(), "/v1/events?after=0", resume);
  ASSERT_EQ(resumed.status(), 200u) << resumed.body();
  auto later = resumed.Records(more_at - changed_at);
  ASSERT_EQ(later.size(), more_at - changed_at);
  EXPECT_EQ(later.front().id, std::to_string(changed_at + 1));
  EXPECT_EQ(later.back().id, std::to_string(more_at));

  // ?after= starts a fresh stream from a position.
  EventReader after(port(), "/v1/events?after=" + std::to_string(more_at - 1), Auth(admin_token_));
  ASSERT_EQ(after.status(), 200u);
  auto last = after.Records(1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, std::to_string(more_at));
}

TEST_F(HttpEventsTest, AnIdleStreamGetsHeartbeatsAndNoRecords) {
  StopServer();
  options_.event_heartbeat = std::chrono::milliseconds(100);
  StartServer();
  CreateOrg("acme");
  HttpHeaders resume = Auth(admin_token_);
  // Every record already seen.
  resume.emplace_back("Last-Event-ID", std::to_string(node_->log().LastPosition()));
  EventReader reader(port(), "/v1/events", resume);
  ASSERT_EQ(reader.status(), 200u);
  ASSERT_EQ(reader.Next()->event, "subscribed");
  for (int i = 0; i < 2; ++i) {
    auto e = reader.Next(std::chrono::seconds(5));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->event, ":") << e->data;  // a comment: the heartbeat
    EXPECT_EQ(e->data, " heartbeat");
  }
}

TEST_F(HttpEventsTest, TheTcpSubscriptionsScopesAndBadPositions) {
  CreateOrg("acme");
  // A service token may not read the log, as over TCP.
  EventReader service(port(), "/v1/events", Auth(service_token_));
  EXPECT_EQ(service.status(), 403u);
  EXPECT_EQ(service.header("Content-Type"), "application/problem+json");
  EventReader anonymous(port(), "/v1/events", {});
  EXPECT_EQ(anonymous.status(), 401u);
  HttpHeaders bad = Auth(admin_token_);
  bad.emplace_back("Last-Event-ID", "seven");
  EventReader bad_id(port(), "/v1/events", bad);
  EXPECT_EQ(bad_id.status(), 400u);
  EventReader bad_after(port(), "/v1/events?after=-1", Auth(admin_token_));
  EXPECT_EQ(bad_after.status(), 400u);
  EventReader unknown(port(), "/v1/events?from=1", Auth(admin_token_));
  EXPECT_EQ(unknown.status(), 400u);
  auto post = Call("POST", "/v1/events", "{}", "alice", {}, &admin_token_);
  EXPECT_EQ(post.status, 405u);
}

TEST_F(HttpEventsTest, StreamsCountAgainstTheConnectionLimit) {
  StopServer();
  options_.max_connections = 2;
  StartServer();
  EventReader first(port(), "/v1/events", Auth(admin_token_));
  EventReader second(port(), "/v1/events", Auth(auditor_token_));
  ASSERT_EQ(first.status(), 200u);
  ASSERT_EQ(second.status(), 200u);
  EventReader third(port(), "/v1/events", Auth(admin_token_));
  EXPECT_EQ(third.status(), 503u);
  EXPECT_EQ(third.header("Content-Type"), "application/problem+json");
}

TEST_F(HttpEventsTest, ARevokedTokenOrTheServersStopEndsTheStream) {
  CreateOrg("acme");
  const std::string reader_token = *tokens_->Issue("reader", api::dispatch::Scope::kAuditor);
  EventReader revoked(port(), "/v1/events", Auth(reader_token));
  ASSERT_EQ(revoked.status(), 200u);
  ASSERT_EQ(revoked.Records(1).size(), 1u);
  ASSERT_TRUE(tokens_->Revoke("reader").has_value());
  // The stream notices at its next look: a commit wakes it.
  Call("PATCH", "/v1/orgs/acme", R"({"name":"Acme 2"})");
  std::optional<Event> e;
  while ((e = revoked.Next()) && e->event == "record") {
  }
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->event, "error");
  EXPECT_EQ(nlohmann::json::parse(e->data)["code"], "UNAUTHENTICATED");
  EXPECT_FALSE(revoked.Next().has_value());  // and the stream ends

  EventReader open(port(), "/v1/events", Auth(admin_token_));
  ASSERT_EQ(open.status(), 200u);
  ASSERT_EQ(open.Records(2).size(), 2u);
  const auto started = std::chrono::steady_clock::now();
  server_->Stop();  // graceful: the stream ends at once, not at the stop timeout
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  while ((e = open.Next()) && e->event != "error") {
  }
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(nlohmann::json::parse(e->data)["code"], "SHUTTING_DOWN");
}

}  // namespace
}  // namespace roster::tests
