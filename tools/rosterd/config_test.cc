#include "tools/rosterd/config.h"

#include <gtest/gtest.h>

#include "api/http/options.h"
#include "api/service/node.h"
#include "api/webhooks/webhooks.h"

namespace roster::tools::rosterd {
namespace {

const FlagGiven kNoFlags = [](const std::string&) { return false; };

std::expected<Settings, std::string> Parse(std::string_view text,
                                           const FlagGiven& given = kNoFlags) {
  Settings s;
  if (auto applied = ApplyConfig(text, "roster.toml", given, s); !applied) {
    return std::unexpected(applied.error());
  }
  return s;
}

// The integer setting `key` as parsed (before it is written to the server's options).
int64_t Number(const Settings& s, std::string_view key) {
  for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
    if (key == kNumberSettings[i].key) return s.numbers[i];
  }
  ADD_FAILURE() << "no setting " << key;
  return -1;
}

// The error for `text`, or "accepted".
std::string ErrorOf(std::string_view text) {
  auto s = Parse(text);
  return s.has_value() ? "accepted" : s.error();
}

TEST(ConfigTest, TheDocumentedExampleSetsItsKeys) {
  auto s = Parse(
      "data_dir = \"/srv/roster\"\nlisten = \"0.0.0.0:7400\"\n"
      "tls_cert = \"/etc/roster/server.pem\"\ntls_key = \"/etc/roster/server.key\"\n"
      "max_connections = 2048\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->data_dir, "/srv/roster");
  EXPECT_EQ(s->server.listen, "0.0.0.0:7400");
  EXPECT_EQ(s->server.tls_key_file, "/etc/roster/server.key");
  EXPECT_EQ(Number(*s, "max_connections"), 2048);
  EXPECT_EQ(Number(*s, "max_credits"), Number(Settings{}, "max_credits"));
  EXPECT_TRUE(s->sync);
}

TEST(ConfigTest, HttpIsOffUnlessConfigured) {
  EXPECT_EQ(Settings{}.http, "");
  auto s = Parse("http = \"127.0.0.1:7480\"\nhttp_port_file = \"/run/roster/http.port\"\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->http, "127.0.0.1:7480");
  EXPECT_EQ(s->http_port_file, "/run/roster/http.port");
  EXPECT_EQ(ErrorOf("http = 7480\n"), "roster.toml: http must be a string");
}

TEST(ConfigTest, TheLogIsEmbeddedUnlessAPostgresUriIsGiven) {
  EXPECT_EQ(Settings{}.log, "");
  EXPECT_EQ(api::service::NodeOptions{}.log_url, "");
  auto s = Parse("log = \"postgresql://roster@db1:5432/roster?sslmode=verify-full\"\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->log, "postgresql://roster@db1:5432/roster?sslmode=verify-full");
  EXPECT_EQ(CheckLogUrl(s->log), "");
  EXPECT_EQ(CheckLogUrl("postgres://db1/roster"), "");
  EXPECT_EQ(CheckLogUrl(""), "");
  // A path (someone expecting the log's directory) or a key=value string is refused by name.
  EXPECT_NE(CheckLogUrl("/srv/roster/log").find("'/srv/roster/log' is not a PostgreSQL URI"),
            std::string::npos);
  EXPECT_NE(CheckLogUrl("host=db1 dbname=roster"), "");
  EXPECT_EQ(ErrorOf("log = 5432\n"), "roster.toml: log must be a string");
}

// The HTTP listener has the TCP one's limits where both have one.
TEST(ConfigTest, HttpTakesTheServersLimits) {
  auto s = Parse("max_message_bytes = 65536\nmax_connections = 7\nframe_deadline_ms = 1500\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  s->ApplyNumbers();
  const auto http = api::http::HttpOptions::From(s->server, "127.0.0.1:7480");
  EXPECT_EQ(http.listen, "127.0.0.1:7480");
  EXPECT_EQ(http.max_body_bytes, 65536u);
  EXPECT_EQ(http.max_connections, 7u);
  EXPECT_EQ(http.header_deadline, std::chrono::milliseconds(1500));
  EXPECT_EQ(http.tls_cert_file, "");
  s->server.tls_cert_file = "/etc/roster/server.pem";
  s->server.tls_key_file = "/etc/roster/server.key";
  const auto https = api::http::HttpOptions::From(s->server, "127.0.0.1:7480");
  EXPECT_EQ(https.tls_cert_file, "/etc/roster/server.pem");
  EXPECT_EQ(https.tls_key_file, "/etc/roster/server.key");
}

TEST(ConfigTest, NumbersAreWrittenToTheServersOptions) {
  auto s = Parse("max_connections = 2048\nmax_message_bytes = 65536\nidle_timeout_ms = 1500\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  s->ApplyNumbers();
  EXPECT_EQ(s->server.max_connections, 2048u);
  EXPECT_EQ(s->server.limits.max_message_bytes, 65536u);
  EXPECT_EQ(s->server.limits.traversal_limit_words, 65536u / 8 + 1024);
  EXPECT_EQ(s->server.idle_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(s->server.io_threads, api::server::ServerOptions{}.io_threads);
}

TEST(ConfigTest, SyncDefaultsToTheNodesDefault) {
  EXPECT_EQ(Settings{}.sync, api::service::NodeOptions{}.store.sync);
}

TEST(ConfigTest, TheCachesDefaultToTheNodesDefaults) {
  const api::service::NodeOptions node;
  EXPECT_EQ(static_cast<size_t>(Settings{}.model_cache_mb) << 20, node.engine.model_cache_bytes);
  EXPECT_EQ(static_cast<size_t>(Settings{}.storage_cache_mb) << 20, node.store.block_cache_bytes);
  EXPECT_EQ(static_cast<size_t>(Settings{}.storage_cache_mb) << 20, node.views.block_cache_bytes);
  auto s = Parse("model_cache_mb = 8\nstorage_cache_mb = 3\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->model_cache_mb, 8);
  EXPECT_EQ(s->storage_cache_mb, 3);
  EXPECT_EQ(ErrorOf("model_cache_mb = 0\n"),
            "roster.toml: model_cache_mb must be an integer from 1 to 1048576");
  EXPECT_EQ(ErrorOf("storage_cache_mb = 2.5\n"),
            "roster.toml: storage_cache_mb must be an integer from 1 to 1048576");
}

TEST(ConfigTest, TheWebhookSettingsDefaultToTheirOptionsAndParse) {
  const api::webhooks::WebhookOptions hooks;
  EXPECT_EQ(Settings{}.webhook_retry_base_ms, hooks.retry_base.count());
  EXPECT_EQ(Settings{}.webhook_retry_max_ms, hooks.retry_max.count());
  EXPECT_EQ(Settings{}.webhook_timeout_ms, hooks.timeout.count());
  auto s = Parse(
      "webhook_retry_base_ms = 50\nwebhook_retry_max_ms = 400\nwebhook_timeout_ms = 700\n"
      "webhook_ca_file = \"/etc/ca.pem\"\n");
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->webhook_retry_base_ms, 50);
  EXPECT_EQ(s->webhook_retry_max_ms, 400);
  EXPECT_EQ(s->webhook_timeout_ms, 700);
  EXPECT_EQ(s->webhook_ca_file, "/etc/ca.pem");
  EXPECT_EQ(ErrorOf("webhook_retry_base_ms = 0\n"),
            "roster.toml: webhook_retry_base_ms must be an integer from 1 to 86400000");
}

TEST(ConfigTest, AFlagGivenWinsOverTheFile) {
  auto s = Parse("max_credits = 50\nsync = false\n",
                 [](const std::string& flag) { return flag == "--max-credits"; });
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(Number(*s, "max_credits"), Number(Settings{}, "max_credits"));
  EXPECT_FALSE(s->sync);
}

TEST(ConfigTest, ErrorsNameTheFileAndTheSetting) {
  EXPECT_EQ(ErrorOf("max_subscription = 1\n"), "roster.toml: unknown setting 'max_subscription'");
  EXPECT_EQ(ErrorOf("io_threads = 0\n"),
            "roster.toml: io_threads must be an integer from 1 to 256");
  EXPECT_EQ(ErrorOf("listen = 7400\n"), "roster.toml: listen must be a string");
  EXPECT_EQ(ErrorOf("sync = \"yes\"\n"), "roster.toml: sync must be true or false");
  EXPECT_EQ(ErrorOf("max_credits = \n").rfind("roster.toml: ", 0), 0u);
}

// An integer setting takes a TOML integer: neither a float, even a whole one, nor a boolean.
TEST(ConfigTest, ANumberSettingTakesOnlyAnInteger) {
  const std::string range = "roster.toml: max_credits must be an integer from 1 to 4294967295";
  EXPECT_EQ(ErrorOf("max_credits = 1e300\n"), range);
  EXPECT_EQ(ErrorOf("max_credits = nan\n"), range);
  EXPECT_EQ(ErrorOf("max_credits = 50.0\n"), range);
  EXPECT_EQ(ErrorOf("max_credits = true\n"), range);
  EXPECT_EQ(Number(*Parse("max_credits = 0x32\n"), "max_credits"), 50);
}

// toml++ 3.3.0 has undefined behaviour on some non-ASCII characters (`x = 1\xC2\xA7` reaches
// __builtin_unreachable()), so the file is ASCII; strings take other characters as escapes.
TEST(ConfigTest, TheFileIsAscii) {
  EXPECT_EQ(
      ErrorOf("listen = \"a\"\nmax_credits = 1\xC2\xA7\n"),
      "roster.toml: line 2: a non-ASCII character (write it as a \\uXXXX escape in a string)");
  EXPECT_EQ(ErrorOf("data_dir = \"/srv/r\xC3\xB4ster\"\n").rfind("roster.toml: line 1: ", 0), 0u);
  auto escaped = Parse("\xEF\xBB\xBF# a byte order mark first\ndata_dir = \"/srv/r\\u00f4ster\"\n");
  ASSERT_TRUE(escaped.has_value()) << escaped.error();
  EXPECT_EQ(escaped->data_dir, "/srv/r\xC3\xB4ster");
}

// toml++ 3.3.0 asserts, in its debug builds, that a table header starts with a key; the one
// rosterd links is built without assertions and must reject such a header as an error.
TEST(ConfigTest, ATableHeaderThatIsNotAKeyIsAnError) {
  EXPECT_EQ(ErrorOf("[# every settinserv").rfind("roster.toml: ", 0), 0u);
  EXPECT_EQ(ErrorOf("[[[1]]]\n").rfind("roster.toml: ", 0), 0u);
}

}  // namespace
}  // namespace roster::tools::rosterd
