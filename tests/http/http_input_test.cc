// Bad input over HTTP: malformed JSON, bodies of the wrong shape or type, huge bodies, unknown
// routes and methods, slow headers, too many connections. Each gets its status and problem
// document (or the connection closed), and the server keeps serving the next client.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

// A loopback socket for bytes no HTTP client library sends.
class RawSocket {
 public:
  RawSocket(uint16_t port, int timeout_ms) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() { close(fd_); }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool Send(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  // Everything until the server closes; nullopt when the receive timeout passes first.
  std::optional<std::string> ReadToClose() {
    std::string out;
    char chunk[4096];
    while (true) {
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return out;
      if (n < 0) return std::nullopt;
      out.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HttpInputTest : public HttpFixture {
 protected:
  void SetUp() override {
    options_.header_deadline = std::chrono::milliseconds(300);
    options_.max_body_bytes = 64u << 10;
    HttpFixture::SetUp();
  }
  void ExpectStillServing() {
    HttpClient other(port());
    auto r = other.Send("GET", "/healthz");
    ASSERT_TRUE(r.has_value()) << other.error();
    EXPECT_EQ(r->status, 200u);
  }
};

TEST_F(HttpInputTest, MalformedJsonIsABadRequest) {
  CreateOrg("acme");
  for (const std::string body :
       {"{not json", R"({"role": )", R"([1,2])", R"({"role": {"nested": true}})", "\"x\""}) {
    auto r = Call("POST", "/v1/orgs/acme/invitations", body, "alice");
    EXPECT_EQ(r.status, 400u) << body << " -> " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(Json(r)["code"], "BAD_REQUEST") << body;
  }
  // A Text payload read from the body needs its member, as a string.
  EXPECT_EQ(Call("PATCH", "/v1/orgs/acme", R"({"title":"x"})").status, 400u);
  EXPECT_EQ(Call("PATCH", "/v1/orgs/acme", R"({"name":7})").status, 400u);
  ExpectStillServing();
}

TEST_F(HttpInputTest, QueryParametersAreTyped) {
  CreateOrg("acme");
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members?limit=many").status, 400u);
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members?limit=-1").status, 400u);
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members?includeFormer=maybe").status, 400u);
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/invitations?status=lost").status, 400u);
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/invitations?status=pending").status, 200u);
  auto unknown = Call("GET", "/v1/orgs/acme/members?colour=red");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_NE(Json(unknown)["detail"].get<std::string>().find("colour"), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members?x=%zz").status, 400u);
  // Commands take their arguments in the body only.
  EXPECT_EQ(
      Call("POST", "/v1/orgs/acme/members/bob/role?role=Owner", R"({"role":"Editor"})").status,
      400u);
}

TEST_F(HttpInputTest, ABodyMustBeJson) {
  CreateOrg("acme");
  auto r = Call("POST", "/v1/orgs/acme/invitations", "email=bob@example.com", "alice",
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415u) << r.body;
  EXPECT_EQ(Json(r)["code"], "UNSUPPORTED_MEDIA_TYPE");
}

TEST_F(HttpInputTest, UnknownRoutesAndWrongMethods) {
  auto missing = Call("GET", "/v1/orgs/acme/nothing-here");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(Json(missing)["code"], "NO_ROUTE");
  EXPECT_EQ(Call("GET", "/index.html").status, 404u);
  // "/" is the console's page (docs/console.md), served without a token and confined by its
  // Content-Security-Policy.
  auto page = Call("GET", "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.Header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(Call("POST", "/").status, 404u);
  EXPECT_EQ(Call("GET", "/v1/orgs/").status, 404u);  // an empty {org}

  auto wrong = Call("POST", "/v1/orgs/acme/members");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.Header("Allow"), "GET");
  EXPECT_EQ(Json(wrong)["code"], "METHOD_NOT_ALLOWED");
  auto org = Call("GET", "/v1/orgs/acme");
  EXPECT_EQ(org.status, 405u);
  EXPECT_EQ(org.Header("Allow"), "PUT, PATCH, DELETE");
  EXPECT_EQ(Call("POST", "/healthz").status, 405u);
}

TEST_F(HttpInputTest, AHugeBodyIsRefusedAndTheConnectionClosed) {
  CreateOrg("acme");
  const std::string huge = R"({"email":")" + std::string(100u << 10, 'x') + R"("})";
  auto r = Call("POST", "/v1/orgs/acme/invitations", huge, "alice");
  EXPECT_EQ(r.status, 413u);
  EXPECT_EQ(Json(r)["code"], "TOO_LARGE");

  // Chunked, so the size is only known while reading it.
  RawSocket raw(port(), 5000);
  ASSERT_TRUE(raw.connected());
  std::string chunked =
      "POST /v1/orgs/acme/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Authorization: Bearer " +
      service_token_ + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
  raw.Send(chunked);
  auto answer = raw.ReadToClose();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->substr(0, 12), "HTTP/1.1 413") << *answer;
  ExpectStillServing();
}

TEST_F(HttpInputTest, HugeHeadersAreRefused) {
  RawSocket raw(port(), 5000);
  ASSERT_TRUE(raw.connected());
  raw.Send("GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20u << 10, 'p') +
           "\r\n\r\n");
  auto answer = raw.ReadToClose();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->substr(0, 12), "HTTP/1.1 431") << answer->substr(0, 200);
  EXPECT_NE(answer->find("HEADERS_TOO_LARGE"), std::string::npos);
  ExpectStillServing();
}

// curl sends larger bodies only after a 100 Continue (or a second's wait without one).
TEST_F(HttpInputTest, ExpectContinueGetsAnInterimAnswer) {
  CreateOrg("acme");
  RawSocket raw(port(), 5000);
  ASSERT_TRUE(raw.connected());
  const std::string body = R"({"email":"bob@example.com","role":"Editor"})";
  ASSERT_TRUE(
      raw.Send("POST /v1/orgs/acme/invitations HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer " +
               service_token_ +
               "\r\nRoster-Actor: alice\r\nContent-Type: application/json\r\n"
               "Connection: close\r\nExpect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n"));
  char interim[64] = {};
  ASSERT_GT(recv(raw.fd(), interim, sizeof interim - 1, 0), 0);
  EXPECT_EQ(std::string(interim).substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(raw.Send(body));
  auto answer = raw.ReadToClose();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->substr(0, 15), "HTTP/1.1 200 OK") << *answer;
  EXPECT_NE(answer->find("\"invitationId\""), std::string::npos) << *answer;
}

TEST_F(HttpInputTest, SlowHeadersAreCutOff) {
  RawSocket slow(port(), 5000);
  ASSERT_TRUE(slow.connected());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.Send("GET /v1/status HTTP/1.1\r\nHost: x\r\n"));
  // Keeps sending a header byte now and then, which must not extend the header deadline.
  std::thread trickle([&] {
    for (int i = 0; i < 5; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!slow.Send("X")) return;
    }
  });
  auto answer = slow.ReadToClose();
  trickle.join();
  ASSERT_TRUE(answer.has_value()) << "the server kept a slow client's connection open";
  EXPECT_EQ(*answer, "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ExpectStillServing();
}

TEST_F(HttpInputTest, MalformedHttpIsABadRequest) {
  RawSocket raw(port(), 5000);
  ASSERT_TRUE(raw.connected());
  raw.Send("THIS IS NOT HTTP\r\n\r\n");
  auto answer = raw.ReadToClose();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->substr(0, 12), "HTTP/1.1 400") << *answer;
  ExpectStillServing();
}

TEST_F(HttpInputTest, ConnectionsBeyondTheLimitAreRefused) {
  StopServer();
  options_.max_connections = 1;
  StartServer();
  HttpClient first(port());
  ASSERT_TRUE(first.Send("GET", "/healthz").has_value());  // holds the one connection
  HttpClient second(port());
  auto refused = second.Send("GET", "/healthz");
  ASSERT_TRUE(refused.has_value()) << second.error();
  EXPECT_EQ(refused->status, 503u);
  EXPECT_EQ(refused->Header("Content-Type"), "application/problem+json");
  first.Disconnect();
  // The count drops once the server has seen the close.
  for (int i = 0; i < 100 && server_->connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  HttpClient third(port());
  auto served = third.Send("GET", "/healthz");
  ASSERT_TRUE(served.has_value()) << third.error();
  EXPECT_EQ(served->status, 200u);
}

}  // namespace
}  // namespace roster::tests
