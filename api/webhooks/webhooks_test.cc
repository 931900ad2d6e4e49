#include "api/webhooks/webhooks.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/webhooks/endpoint.h"
#include "api/webhooks/http_post.h"
#include "api/webhooks/payload.h"
#include "api/webhooks/signature.h"
#include "api/webhooks/webhook_store.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::api::webhooks {
namespace {

using eventstore::testing::TempDir;

TEST(SignatureTest, HmacMatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, HeaderSignsTimestampDotBody) {
  const std::string body = R"({"type":"member.joined"})";
  auto header = SignatureHeader("whsec_abc", 1700000000, body);
  ASSERT_TRUE(header);
  EXPECT_EQ(*header, "t=1700000000,v1=" + *HmacSha256Hex("whsec_abc", "1700000000." + body));
  EXPECT_TRUE(VerifySignature("whsec_abc", *header, body));
  EXPECT_FALSE(VerifySignature("whsec_abd", *header, body));
  EXPECT_FALSE(VerifySignature("whsec_abc", *header, body + " "));
  // Another timestamp with the same MAC: a replay under a fresh t does not verify.
  std::string moved = *header;
  moved[3] = '1';
  EXPECT_FALSE(VerifySignature("whsec_abc", moved, body));
  EXPECT_FALSE(VerifySignature("whsec_abc", "v1=00", body));
}

TEST(UrlTest, AcceptsHttpAndHttps) {
  auto a = ParseUrl("http://127.0.0.1:8080/hooks/roster?x=1");
  ASSERT_TRUE(a) << a.error();
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->target, "/hooks/roster?x=1");
  EXPECT_EQ(a->HostHeader(), "127.0.0.1:8080");
  auto b = ParseUrl("https://hooks.example.com");
  ASSERT_TRUE(b) << b.error();
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->target, "/");
  EXPECT_EQ(b->HostHeader(), "hooks.example.com");
  auto c = ParseUrl("http://[::1]:9/x");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->HostHeader(), "[::1]:9");
}

TEST(UrlTest, RefusesOtherSchemesAndMalformedUrls) {
  for (const char* bad :
       {"", "ftp://x/", "localhost:80", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
        "http://h:8x/", "http://u:p@h/", "http://h/a b", "http://h/#frag", "http://[::1/"}) {
    auto url = ParseUrl(bad);
    EXPECT_FALSE(url) << bad;
  }
  EXPECT_NE(ParseUrl("ftp://x/").error().find("http:// or https://"), std::string::npos);
}

TEST(FilterTest, OrgAndEventTypes) {
  Endpoint e;
  EXPECT_TRUE(Matches(e, "acme", "member.joined"));
  e.org = "acme";
  EXPECT_TRUE(Matches(e, "acme", "member.joined"));
  EXPECT_FALSE(Matches(e, "globex", "member.joined"));
  e.event_types = {"member.joined", "member.removed"};
  EXPECT_TRUE(Matches(e, "acme", "member.removed"));
  EXPECT_FALSE(Matches(e, "acme", "invitation.sent"));
  EXPECT_EQ(CheckEventTypes({"member.joined", "invitation.sent"}), "");
  const std::string bad = CheckEventTypes({"member.joined", "member.join"});
  EXPECT_NE(bad.find("unknown event type 'member.join'"), std::string::npos) << bad;
}

TEST(PayloadTest, CarriesTheWholeEvent) {
  eventstore::codec::EventCodec codec;
  domain::MemberJoined joined;
  joined.membership_id = domain::MembershipId("m-1");
  joined.user_id = domain::UserId("u-7");
  joined.email = *domain::Email::Parse("u7@example.com");
  joined.role = "admin";
  joined.invitation_id = domain::InvitationId("inv-3");
  eventstore::NewEvent encoded = codec.Encode(joined);
  eventstore::Record r;
  r.position = 42;
  r.stream = "org-acme";
  r.stream_version = 5;
  r.type = encoded.type;
  r.revision = encoded.revision;
  r.payload = encoded.payload;
  r.metadata.actor = "alice";
  r.metadata.time_us = 1'700'000'000'000'000;
  auto body = nlohmann::json::parse(PayloadJson(r, codec));
  EXPECT_EQ(body["id"], "42");
  EXPECT_EQ(body["type"], "member.joined");
  EXPECT_EQ(body["position"], 42);
  EXPECT_EQ(body["streamVersion"], 5);
  EXPECT_EQ(body["actor"], "alice");
  EXPECT_EQ(body["data"]["userId"], "u-7");
  EXPECT_EQ(body["data"]["invitationId"], "inv-3");
  EXPECT_EQ(body["data"]["role"], "admin");
  EXPECT_EQ(body["data"]["email"], "u7@example.com");
}

TEST(WebhookStoreTest, CursorAndAttemptsSurviveReopen) {
  TempDir dir;
  Endpoint e;
  e.id = "wh_1";
  e.url = "http://127.0.0.1:1/";
  e.org = "acme";
  e.event_types = {"member.joined"};
  e.secret = "whsec_s";
  e.start_after = 7;
  {
    auto store = WebhookStore::Open(dir.Sub("webhooks"));
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Add(e));
    ASSERT_TRUE((*store)->SetCursor("wh_1", 12, true));
    for (uint32_t i = 1; i <= WebhookStore::kKeptAttempts + 5; ++i) {
      Attempt a;
      a.position = 13;
      a.attempt = i;
      a.status = 500;
      ASSERT_TRUE((*store)->AddAttempt("wh_1", a));
    }
  }
  auto store = WebhookStore::Open(dir.Sub("webhooks"));
  ASSERT_TRUE(store);
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].first.org, "acme");
  EXPECT_EQ((*loaded)[0].first.event_types, e.event_types);
  EXPECT_EQ((*loaded)[0].first.secret, "whsec_s");
  EXPECT_EQ((*loaded)[0].second, 12u);
  // One more after reopening continues the sequence: still the newest first, bounded.
  Attempt last;
  last.position = 13;
  last.attempt = 999;
  ASSERT_TRUE((*store)->AddAttempt("wh_1", last));
  auto attempts = (*store)->Attempts("wh_1");
  ASSERT_TRUE(attempts);
  ASSERT_EQ(attempts->size(), WebhookStore::kKeptAttempts);
  EXPECT_EQ(attempts->front().attempt, 999u);
  EXPECT_EQ(attempts->back().attempt, 7u);
  ASSERT_TRUE((*store)->Remove("wh_1"));
  EXPECT_TRUE((*store)->Load()->empty());
  EXPECT_TRUE((*store)->Attempts("wh_1")->empty());
}

// A failed request says which step failed and never hangs past its timeout.
TEST(PosterTest, FailuresNameTheStep) {
  auto tls = MakeClientTlsContext("");
  ASSERT_TRUE(tls) << tls.error();
  Poster poster(*tls);
  net::asio::io_context io;
  // Bound and closed again: nobody listens on the port.
  uint16_t closed_port = 0;
  {
    net::tcp::acceptor probe(io, net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  auto refused = poster.Post(*ParseUrl("http://127.0.0.1:" + std::to_string(closed_port) + "/"), {},
                             "{}", std::chrono::milliseconds(2000));
  EXPECT_EQ(refused.status, 0u);
  EXPECT_NE(refused.error.find("connecting"), std::string::npos) << refused.error;
  // Listening, never accepting nor answering: https waits out its handshake, http its answer.
  net::tcp::acceptor silent(io, net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0));
  const std::string port = std::to_string(silent.local_endpoint().port());
  auto handshake = poster.Post(*ParseUrl("https://127.0.0.1:" + port + "/"), {}, "{}",
                               std::chrono::milliseconds(300));
  EXPECT_EQ(handshake.status, 0u);
  EXPECT_NE(handshake.error.find("TLS handshake: timed out"), std::string::npos) << handshake.error;
  auto answer = poster.Post(*ParseUrl("http://127.0.0.1:" + port + "/"), {}, "{}",
                            std::chrono::milliseconds(300));
  EXPECT_NE(answer.error.find("reading the answer: timed out"), std::string::npos) << answer.error;
  EXPECT_LT(answer.duration, std::chrono::seconds(5));
  // Cancelled: at once, and for good.
  poster.Cancel();
  auto cancelled = poster.Post(*ParseUrl("http://127.0.0.1:" + port + "/"), {}, "{}",
                               std::chrono::milliseconds(300));
  EXPECT_EQ(cancelled.error, "stopped");
}

// HTTPS: the server's certificate must chain to a trusted CA (here the CA file) and name the
// host; then the request goes through and the answer's status comes back.
TEST(PosterTest, HttpsVerifiesTheServer) {
  TempDir dir;
  const std::string cert = (dir.path() / "cert.pem").string();
  const std::string key = (dir.path() / "key.pem").string();
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
      " -addext subjectAltName=DNS:localhost -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl could not make a test certificate";
  namespace beast = boost::beast;
  net::asio::ssl::context server_tls(net::asio::ssl::context::tls_server);
  server_tls.use_certificate_chain_file(cert);
  server_tls.use_private_key_file(key, net::asio::ssl::context::pem);
  net::asio::io_context io;
  net::tcp::acceptor acceptor(io, net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0));
  const std::string url = "https://localhost:" + std::to_string(acceptor.local_endpoint().port());
  std::string got_signature;
  // Serves two connections: the first handshake fails (the client does not trust the
  // certificate), the second answers 204.
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      net::tcp::socket socket(io);
      acceptor.accept(socket);
      beast::ssl_stream<net::tcp::socket> stream(std::move(socket), server_tls);
      net::error_code ec;
      stream.handshake(net::asio::ssl::stream_base::server, ec);
      if (ec) continue;
      beast::flat_buffer buffer;
      beast::http::request<beast::http::string_body> request;
      beast::http::read(stream, buffer, request, ec);
      if (ec) continue;
      got_signature = std::string(request["Roster-Signature"]);
      beast::http::response<beast::http::empty_body> response(beast::http::status::no_content, 11);
      beast::http::write(stream, response, ec);
    }
  });
  auto system_only = MakeClientTlsContext("");
  ASSERT_TRUE(system_only) << system_only.error();
  Poster untrusting(*system_only);
  auto refused = untrusting.Post(*ParseUrl(url + "/"), {}, "{}", std::chrono::seconds(10));
  EXPECT_EQ(refused.status, 0u);
  EXPECT_NE(refused.error.find("TLS handshake"), std::string::npos) << refused.error;
  auto with_ca = MakeClientTlsContext(cert);
  ASSERT_TRUE(with_ca) << with_ca.error();
  Poster trusting(*with_ca);
  auto sent = trusting.Post(*ParseUrl(url + "/hook"), {{"Roster-Signature", "t=1,v1=ab"}}, "{}",
                            std::chrono::seconds(10));
  server.join();
  EXPECT_EQ(sent.status, 204u) << sent.error;
  EXPECT_TRUE(sent.ok());
  EXPECT_EQ(got_signature, "t=1,v1=ab");
  EXPECT_FALSE(MakeClientTlsContext((dir.path() / "missing.pem").string()));
}

RegisterRequest To(std::string url, std::vector<std::string> types = {},
                   eventstore::Position from = 0) {
  RegisterRequest r;
  r.url = std::move(url);
  r.event_types = std::move(types);
  r.from_position = from;
  return r;
}

TEST(WebhooksTest, RegistrationChecksItsInput) {
  TempDir dir;
  auto log = eventstore::OpenRocksEventStore(dir.Sub("log"), {});
  ASSERT_TRUE(log);
  eventstore::codec::EventCodec codec;
  auto logger = std::make_shared<spdlog::logger>("webhooks-test",
                                                 std::make_shared<spdlog::sinks::null_sink_mt>());
  WebhookOptions options;
  options.max_endpoints = 2;
  auto hooks = Webhooks::Open(dir.Sub("webhooks"), **log, codec, logger, options);
  ASSERT_TRUE(hooks) << hooks.error().message;
  EXPECT_EQ((*hooks)->Register(To("gopher://x/")).error().code, "INVALID_ARGUMENT");
  auto unknown = (*hooks)->Register(To("http://127.0.0.1:9/", {"nope"}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "INVALID_ARGUMENT");
  EXPECT_EQ((*hooks)->Register(To("http://127.0.0.1:9/", {}, 5)).error().code, "INVALID_ARGUMENT");
  auto first = (*hooks)->Register(To("http://127.0.0.1:9/"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->endpoint.secret.starts_with("whsec_"));
  EXPECT_TRUE(first->endpoint.id.starts_with("wh_"));
  ASSERT_TRUE((*hooks)->Register(To("https://example.com/")));
  EXPECT_EQ((*hooks)->Register(To("http://127.0.0.1:9/")).error().code, "FAILED_PRECONDITION");
  // The secret is never listed again.
  for (const EndpointView& v : (*hooks)->List()) EXPECT_EQ(v.endpoint.secret, "");
  EXPECT_EQ((*hooks)->Remove("wh_nope").error().code, "NOT_FOUND");
  EXPECT_EQ((*hooks)->Deliveries("wh_nope").error().code, "NOT_FOUND");
  ASSERT_TRUE((*hooks)->Remove(first->endpoint.id));
  EXPECT_EQ((*hooks)->List().size(), 1u);
}

}  // namespace
}  // namespace roster::api::webhooks
