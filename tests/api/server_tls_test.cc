// TLS: with a certificate and key configured the same protocol runs inside TLS, and the client
// verifies the server against the CA it is given.
#include <cstdlib>

#include "tests/api/server_fixture.h"

namespace roster::tests {
namespace {

class ServerTlsTest : public ServerFixture {
 protected:
  ServerTlsTest() {
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    generated_ = std::system(command.c_str()) == 0;
    options_.tls_cert_file = cert_;
    options_.tls_key_file = key_;
  }
  void SetUp() override {
    ASSERT_TRUE(generated_) << "openssl could not make a test certificate";
    ServerFixture::SetUp();
  }
  std::string cert_, key_;
  bool generated_ = false;
};

TEST_F(ServerTlsTest, ClientTrustingTheCaTalksOverTls) {
  auto options = ClientFor(admin_token_);
  options.tls = true;
  options.tls_ca_file = cert_;
  auto c = api::client::Client::Connect(options);
  ASSERT_TRUE(c.has_value()) << c.error().code << ": " << c.error().message;
  EXPECT_EQ((*c)->principal(), "admin");
  auto reply = (*c)->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(reply.has_value());
  EXPECT_TRUE(reply->get().isStatus());
}

TEST_F(ServerTlsTest, UntrustedCertificateAndPlainClientsAreRefused) {
  auto untrusted = ClientFor(admin_token_);
  untrusted.tls = true;  // system CAs only: the self-signed certificate is not among them
  auto c = api::client::Client::Connect(untrusted);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, "CONNECTION") << c.error().message;

  auto plain = ClientFor(admin_token_);
  plain.timeout = std::chrono::milliseconds(1500);
  auto p = api::client::Client::Connect(plain);
  ASSERT_FALSE(p.has_value());
  EXPECT_TRUE(p.error().code == "CONNECTION" || p.error().code == "TIMEOUT") << p.error().code;
}

}  // namespace
}  // namespace roster::tests
