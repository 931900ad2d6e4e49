// rosterd: opens a data directory and serves it over TCP (optionally TLS), and over HTTP/JSON
// when --http is given.
//
// Settings come from flags and an optional TOML file (--config); a flag given on the command
// line wins over the file. SIGTERM or SIGINT stop it gracefully (exit 0): no new connections,
// requests in flight finish and their answers are flushed, then the stores close.
#include <malloc.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/test_clock_file.h"
#include "api/dispatch/token_store.h"
#include "api/http/server.h"
#include "api/server/server.h"
#include "api/service/node.h"
#include "api/webhooks/webhooks.h"
#include "tools/cli_checks.h"
#include "tools/rosterd/config.h"

namespace {

using namespace roster;
using tools::rosterd::FlagOf;
using tools::rosterd::kNumberSettings;
using tools::rosterd::NumberSetting;
using tools::rosterd::Settings;

class SystemClock final : public domain::Clock {
 public:
  domain::Time Now() const override {
    return std::chrono::time_point_cast<domain::Duration>(std::chrono::system_clock::now());
  }
};

// The bound port for whoever started rosterd on port 0: written under a temporary name and
// renamed, so that a reader never sees a partly written file.
std::expected<void, std::string> WritePortFile(const std::filesystem::path& path, uint16_t port) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) return std::unexpected("cannot write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return std::unexpected("cannot rename " + temporary.string() + ": " + ec.message());
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  std::string config;
  CLI::App app{"rosterd: the Roster membership and access server"};
  app.add_option("--config", config, "TOML file with the settings below (flags win)");
  app.add_option("--data-dir", s.data_dir, "data directory (created when missing)");
  app.add_option("--log", s.log,
                 "the event log on PostgreSQL, shared by several nodes: a postgresql:// URI "
                 "(default: the embedded log in the data directory)");
  app.add_option("--listen", s.server.listen, "host:port to listen on (port 0: any free port)");
  app.add_option("--tls-cert", s.server.tls_cert_file,
                 "PEM certificate chain: enables TLS with --tls-key");
  app.add_option("--tls-key", s.server.tls_key_file, "PEM private key");
  app.add_option("--http", s.http,
                 "host:port of the HTTP/JSON API, metrics and health (off unless given)");
  app.add_option("--http-port-file", s.http_port_file,
                 "write the HTTP port here once listening (for port 0)");
  app.add_option("--log-level", s.log_level, "trace, debug, info, warn, error");
  app.add_option("--port-file", s.port_file,
                 "write the bound port here once listening (for port 0)");
  for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
    const NumberSetting& n = kNumberSettings[i];
    app.add_option(FlagOf(n.key), s.numbers[i], n.help)->check(CLI::Range(int64_t{1}, n.max));
  }
  app.add_flag("--sync,!--no-sync", s.sync, "fsync each commit (default on)");
  app.add_flag("--test-clock", s.test_clock,
               "test environments only: let an admin request move the server's time forward");
  for (const tools::rosterd::MibSetting& m : tools::rosterd::kMibSettings) {
    app.add_option(FlagOf(m.key), s.*(m.field), m.help)
        ->check(CLI::Range(int64_t{1}, Settings::kMaxCacheMb));
  }
  for (const tools::rosterd::WebhookSetting& w : tools::rosterd::kWebhookSettings) {
    app.add_option(FlagOf(w.key), s.*(w.field), w.help)->check(CLI::Range(int64_t{1}, w.max));
  }
  app.add_option("--webhook-ca-file", s.webhook_ca_file,
                 "PEM CA certificates trusted for https webhook endpoints, besides the system's");
  // Exit 2 on a usage error, as for a bad config file.
  if (auto stop = roster::tools::ParseCommandLine(app, argc, argv)) return *stop;
  if (!config.empty()) {
    auto given = [&app](const std::string& flag) {
      return app.get_option_no_throw(flag) && app.get_option(flag)->count() > 0;
    };
    if (auto applied = tools::rosterd::ApplyConfigFile(config, given, s); !applied) {
      std::fprintf(stderr, "rosterd: %s\n", applied.error().c_str());
      return 2;
    }
  }
  if (s.log_level != "off" && spdlog::level::from_str(s.log_level) == spdlog::level::off) {
    std::fprintf(stderr, "rosterd: log level '%s' is not one of trace, debug, info, warn, error\n",
                 s.log_level.c_str());
    return 2;
  }
  if (std::string bad = tools::rosterd::CheckLogUrl(s.log); !bad.empty()) {
    std::fprintf(stderr, "rosterd: %s\n", bad.c_str());
    return 2;
  }
  s.ApplyNumbers();

  auto logger = spdlog::stderr_color_mt("rosterd");
  logger->set_level(spdlog::level::from_str(s.log_level));
  logger->flush_on(spdlog::level::warn);

  // glibc raises its mmap threshold after each large block is freed, up to 32 MiB, so that
  // RocksDB's memtable and compaction blocks end up inside heaps it cannot shrink; fixed,
  // blocks from 128 KiB up are mapped alone and unmapped when freed.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);

  // Signals are taken by sigtimedwait on the main thread only: block them before any thread
  // starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code ec;
  // A port file left by an earlier run names a port nobody listens on: whoever waits for the
  // file must find only this run's.
  for (const std::string& file : {s.port_file, s.http_port_file}) {
    if (file.empty()) continue;
    std::filesystem::remove(file, ec);
    if (ec) {
      logger->error("cannot remove the old port file {}: {}", file, ec.message());
      return 1;
    }
  }
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) {
    logger->error("cannot create {}: {}", s.data_dir, ec.message());
    return 1;
  }
  std::filesystem::path created;
  auto tokens = api::dispatch::TokenStore::Open(s.data_dir, &created);
  if (!tokens) {
    logger->error("cannot open the tokens of {}: {}", s.data_dir, tokens.error());
    return 1;
  }
  if (!created.empty()) {
    std::printf("rosterd: first start: the admin token is in %s (readable by this user only)\n",
                created.c_str());
    std::fflush(stdout);
  }
  // A data directory whose test clock was moved holds events from its future: opened on the
  // system clock, new events would be older than those. Refused rather than guessed at.
  const std::filesystem::path test_clock_file = api::dispatch::TestClockFile(s.data_dir);
  auto kept_offset = api::dispatch::ReadTestClockOffset(test_clock_file);
  if (!kept_offset) {
    logger->error("{}", kept_offset.error());
    return 1;
  }
  if (*kept_offset && !s.test_clock) {
    logger->error(
        "{} ran with --test-clock, {} s ahead of the system clock: without the flag, the times "
        "of new events would go back. Start rosterd with --test-clock, or use a fresh data "
        "directory",
        s.data_dir, (*kept_offset)->count() / 1'000'000);
    return 1;
  }
  SystemClock system_clock;
  // Everything reads the time through `clock`: the test clock when asked for, so that expiry,
  // the sweep and last-active follow it, and events record its times. It resumes from the
  // offset the last run reached.
  domain::OffsetClock test_clock(system_clock, kept_offset->value_or(domain::Duration::zero()));
  const domain::Clock& clock =
      s.test_clock ? static_cast<const domain::Clock&>(test_clock) : system_clock;
  api::service::NodeOptions node_options;
  node_options.log_url = s.log;
  node_options.store.sync = s.sync;
  node_options.engine.model_cache_bytes = static_cast<size_t>(s.model_cache_mb) << 20;
  node_options.store.block_cache_bytes = static_cast<size_t>(s.storage_cache_mb) << 20;
  node_options.views.block_cache_bytes = static_cast<size_t>(s.storage_cache_mb) << 20;
  auto node = api::service::Node::Open(s.data_dir, clock, logger, node_options);
  if (!node) {
    logger->error("cannot open {}: {}", s.log.empty() ? s.data_dir : "the log on PostgreSQL",
                  node.error().message);
    return 1;
  }
  if (!s.log.empty()) {
    logger->info("the event log is on PostgreSQL (schema {}); read models in {}",
                 (*node)->pg_log()->schema(), s.data_dir);
  }
  const std::string version = "rosterd " ROSTER_VERSION;
  api::dispatch::Dispatcher dispatcher(**node, **tokens, version);
  if (s.test_clock) {
    dispatcher.SetTestClock(&test_clock, test_clock_file);
    logger->warn(
        "--test-clock: an admin may move this server's time forward (tests only); {} s ahead now",
        test_clock.offset().count() / 1'000'000);
  }

  // Webhooks read the log on their own threads, after the node is open; they stop before it
  // closes. Their store sits beside the views but apart: a rebuild of the views keeps it.
  api::webhooks::WebhookOptions hook_options;
  hook_options.retry_base = std::chrono::milliseconds(s.webhook_retry_base_ms);
  hook_options.retry_max = std::chrono::milliseconds(s.webhook_retry_max_ms);
  hook_options.timeout = std::chrono::milliseconds(s.webhook_timeout_ms);
  hook_options.ca_file = s.webhook_ca_file;
  auto hooks =
      api::webhooks::Webhooks::Open(std::filesystem::path(s.data_dir) / "webhooks", (*node)->log(),
                                    (*node)->codec(), logger->clone("webhooks"), hook_options);
  if (!hooks) {
    logger->error("cannot open the webhooks of {}: {}", s.data_dir, hooks.error().message);
    return 1;
  }
  dispatcher.SetWebhooks(hooks->get());
  (*hooks)->Start();

  api::server::ServerOptions& options = s.server;
  options.server_version = version;
  auto server = api::server::Server::Start(dispatcher, **tokens, (*node)->log(), logger, options);
  if (!server) {
    logger->error("{}", server.error());
    return 1;
  }
  // The bound port on stdout for a person reading along; programs that start rosterd on port 0
  // wait for --port-file instead of parsing this line.
  std::printf("rosterd: listening on port %u, data in %s\n", (*server)->port(), s.data_dir.c_str());
  std::fflush(stdout);
  if (!s.port_file.empty()) {
    if (auto written = WritePortFile(s.port_file, (*server)->port()); !written) {
      logger->error("{}", written.error());
      return 1;
    }
  }

  std::unique_ptr<api::http::HttpServer> http;
  if (!s.http.empty()) {
    auto started = api::http::HttpServer::Start(dispatcher, **tokens, logger->clone("http"),
                                                api::http::HttpOptions::From(options, s.http));
    if (!started) {
      logger->error("http: {}", started.error());
      return 1;
    }
    http = std::move(*started);
    std::printf("rosterd: HTTP on port %u\n", http->port());
    std::fflush(stdout);
    if (!s.http_port_file.empty()) {
      if (auto written = WritePortFile(s.http_port_file, http->port()); !written) {
        logger->error("{}", written.error());
        return 1;
      }
    }
  }

  // Memory freed by one of RocksDB's or the server's threads often sits in the middle of a
  // glibc heap, where glibc keeps it: RSS would then stay at the high-water mark of everything
  // ever freed (memtables, compactions, large answers). Every few seconds free pages go back.
  int signal = -1;
  while (signal < 0) {
    const timespec every{.tv_sec = 10, .tv_nsec = 0};
    signal = sigtimedwait(&signals, nullptr, &every);
    if (signal < 0) malloc_trim(0);
  }
  logger->info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  if (http) http->Stop();
  http.reset();
  (*server)->Stop();
  server->reset();
  hooks->reset();  // before the log closes: its workers read it
  node->reset();   // closes the log and the view store
  logger->info("stopped");
  return 0;
}
