// HTTPS: with a certificate and key configured the HTTP API runs inside TLS; a client that
// trusts the certificate gets answers, one that does not (or speaks plain HTTP) gets none.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpTlsTest : public HttpFixture {
 protected:
  HttpTlsTest() {
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    generated_ = std::system(command.c_str()) == 0;
    options_.tls_cert_file = cert_;
    options_.tls_key_file = key_;
  }
  void SetUp() override {
    ASSERT_TRUE(generated_) << "openssl could not make a test certificate";
    HttpFixture::SetUp();
  }
  std::string cert_, key_;
  bool generated_ = false;
};

TEST_F(HttpTlsTest, AClientTrustingTheCertificateUsesTheApi) {
  HttpClient client(port(), cert_);
  const HttpHeaders auth{{"Authorization", "Bearer " + service_token_}, {"Roster-Actor", "alice"}};
  auto created = client.Send("PUT", "/v1/orgs/acme",
                             R"({"name":"Acme","preset":"commerce","ownerEmail":"a@x.com"})", auth);
  ASSERT_TRUE(created.has_value()) << client.error();
  EXPECT_EQ(created->status, 200u) << created->body;
  // The same connection carries the next request.
  auto members =
      client.Send("GET", "/v1/orgs/acme/members", {},
                  {auth[0],
                   auth[1],
                   {"Roster-Consistency-Token", created->Header("Roster-Consistency-Token")}});
  ASSERT_TRUE(members.has_value()) << client.error();
  EXPECT_EQ(members->status, 200u) << members->body;
}

TEST_F(HttpTlsTest, UntrustedAndPlainClientsGetNoAnswer) {
  // A certificate of its own, not the server's: the handshake fails.
  const std::string other = (dir_.path() / "other.pem").string();
  ASSERT_EQ(
      std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                   "-keyout " +
                   (dir_.path() / "other.key").string() + " -out " + other + " >/dev/null 2>&1")
                      .c_str()),
      0);
  HttpClient untrusted(port(), other);
  EXPECT_FALSE(untrusted.Send("GET", "/healthz").has_value());
  EXPECT_NE(untrusted.error().find("TLS handshake"), std::string::npos) << untrusted.error();

  HttpClient plain(port(), std::chrono::milliseconds(3000));
  EXPECT_FALSE(plain.Send("GET", "/healthz").has_value());

  HttpClient trusted(port(), cert_);
  auto served = trusted.Send("GET", "/healthz");
  ASSERT_TRUE(served.has_value()) << trusted.error();
  EXPECT_EQ(served->status, 200u);
}

}  // namespace
}  // namespace roster::tests
