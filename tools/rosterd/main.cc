// rosterd: opens a data directory and serves it over TCP (optionally TLS).
//
// Settings come from flags and an optional TOML file (--config); a flag given on the command
// line wins over the file. SIGTERM or SIGINT stop it gracefully (exit 0): no new connections,
// requests in flight finish and their answers are flushed, then the stores close.
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>

#include "api/dispatcher.h"
#include "api/server/server.h"
#include "api/service/node.h"
#include "api/token_store.h"

namespace {

using namespace roster;

class SystemClock final : public domain::Clock {
 public:
  domain::Time Now() const override {
    return std::chrono::time_point_cast<domain::Duration>(std::chrono::system_clock::now());
  }
};

struct Settings {
  std::string data_dir = "./var/roster";
  std::string listen = "127.0.0.1:7400";
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  int64_t max_message_bytes = 1 << 20;
  int64_t max_connections = 1024;
  int64_t max_in_flight = 64;
  int64_t frame_deadline_ms = 10000;
  int64_t idle_timeout_ms = 300000;
  int64_t io_threads = 2;
  int64_t worker_threads = 64;
  int64_t max_outbound_bytes = 8 << 20;
  int64_t max_subscriptions = 16;
  int64_t max_credits = 10000;
  int64_t max_streams_per_connection = 4;
  int64_t max_streams = 16;
  int64_t hello_deadline_ms = 10000;
  int64_t write_timeout_ms = 30000;
  bool sync = true;
};

// Applies the TOML file to every setting whose flag was not given.
std::expected<void, std::string> ApplyConfig(const std::string& file, CLI::App& app, Settings& s) {
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return std::unexpected(file + ": " + std::string(e.description()));
  }
  std::map<std::string, std::string*> texts = {{"data_dir", &s.data_dir},
                                               {"listen", &s.listen},
                                               {"tls_cert", &s.tls_cert},
                                               {"tls_key", &s.tls_key},
                                               {"log_level", &s.log_level}};
  std::map<std::string, int64_t*> numbers = {
      {"max_message_bytes", &s.max_message_bytes},
      {"max_connections", &s.max_connections},
      {"max_in_flight", &s.max_in_flight},
      {"frame_deadline_ms", &s.frame_deadline_ms},
      {"idle_timeout_ms", &s.idle_timeout_ms},
      {"io_threads", &s.io_threads},
      {"worker_threads", &s.worker_threads},
      {"max_outbound_bytes", &s.max_outbound_bytes},
      {"max_subscriptions", &s.max_subscriptions},
      {"max_credits", &s.max_credits},
      {"max_streams_per_connection", &s.max_streams_per_connection},
      {"max_streams", &s.max_streams},
      {"hello_deadline_ms", &s.hello_deadline_ms},
      {"write_timeout_ms", &s.write_timeout_ms}};
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    std::string flag = "--" + name;
    for (char& c : flag) c = c == '_' ? '-' : c;
    const bool given = app.get_option_no_throw(flag) && app.get_option(flag)->count() > 0;
    if (auto t = texts.find(name); t != texts.end()) {
      auto v = node.value<std::string>();
      if (!v) return std::unexpected(file + ": " + name + " must be a string");
      if (!given) *t->second = *v;
    } else if (auto n = numbers.find(name); n != numbers.end()) {
      auto v = node.value<int64_t>();
      if (!v || *v <= 0) return std::unexpected(file + ": " + name + " must be a positive integer");
      if (!given) *n->second = *v;
    } else if (name == "sync") {
      auto v = node.value<bool>();
      if (!v) return std::unexpected(file + ": sync must be true or false");
      if (!given) s.sync = *v;
    } else {
      return std::unexpected(file + ": unknown setting '" + name + "'");
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  std::string config;
  CLI::App app{"rosterd: the Roster membership and access server"};
  app.add_option("--config", config, "TOML file with the settings below (flags win)");
  app.add_option("--data-dir", s.data_dir, "data directory (created when missing)");
  app.add_option("--listen", s.listen, "host:port to listen on (port 0: any free port)");
  app.add_option("--tls-cert", s.tls_cert, "PEM certificate chain: enables TLS with --tls-key");
  app.add_option("--tls-key", s.tls_key, "PEM private key");
  app.add_option("--log-level", s.log_level, "trace, debug, info, warn, error");
  app.add_option("--max-message-bytes", s.max_message_bytes, "largest request accepted");
  app.add_option("--max-connections", s.max_connections, "connections beyond are refused");
  app.add_option("--max-in-flight", s.max_in_flight, "requests in progress per connection");
  app.add_option("--frame-deadline-ms", s.frame_deadline_ms,
                 "a started request must arrive within");
  app.add_option("--idle-timeout-ms", s.idle_timeout_ms, "an idle connection is closed after");
  app.add_option("--io-threads", s.io_threads, "network threads");
  app.add_option("--worker-threads", s.worker_threads, "threads for commands and queries");
  app.add_option("--max-outbound-bytes", s.max_outbound_bytes,
                 "answers queued per connection before it stops being read");
  app.add_option("--max-subscriptions", s.max_subscriptions, "subscriptions per connection");
  app.add_option("--max-credits", s.max_credits, "records a subscriber may have outstanding")
      ->check(CLI::Range(int64_t{1}, int64_t{UINT32_MAX}));
  app.add_option("--max-streams-per-connection", s.max_streams_per_connection,
                 "streamed answers in progress per connection");
  app.add_option("--max-streams", s.max_streams,
                 "streamed answers in progress in all (at most half the worker threads)");
  app.add_option("--hello-deadline-ms", s.hello_deadline_ms, "connect (and TLS) to hello within");
  app.add_option("--write-timeout-ms", s.write_timeout_ms,
                 "a client that does not take an answer for this long is disconnected");
  app.add_flag("--sync,!--no-sync", s.sync, "fsync each commit (default on)");
  CLI11_PARSE(app, argc, argv);
  if (!config.empty()) {
    if (auto applied = ApplyConfig(config, app, s); !applied) {
      std::fprintf(stderr, "rosterd: %s\n", applied.error().c_str());
      return 2;
    }
  }

  auto logger = spdlog::stderr_color_mt("rosterd");
  logger->set_level(spdlog::level::from_str(s.log_level));
  logger->flush_on(spdlog::level::warn);

  // Signals are taken by sigwait on the main thread only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code ec;
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) {
    logger->error("cannot create {}: {}", s.data_dir, ec.message());
    return 1;
  }
  std::filesystem::path created;
  auto tokens = api::TokenStore::Open(s.data_dir, &created);
  if (!tokens) {
    logger->error("cannot open the tokens of {}: {}", s.data_dir, tokens.error());
    return 1;
  }
  if (!created.empty()) {
    std::printf("rosterd: first start: the admin token is in %s (readable by this user only)\n",
                created.c_str());
    std::fflush(stdout);
  }
  SystemClock clock;
  service::NodeOptions node_options;
  node_options.store.sync = s.sync;
  auto node = service::Node::Open(s.data_dir, clock, logger, node_options);
  if (!node) {
    logger->error("cannot open {}: {}", s.data_dir, node.error().message);
    return 1;
  }
  const std::string version = "rosterd " ROSTER_VERSION;
  api::Dispatcher dispatcher(**node, **tokens, version);

  api::ServerOptions options;
  options.listen = s.listen;
  options.tls_cert_file = s.tls_cert;
  options.tls_key_file = s.tls_key;
  options.limits.max_message_bytes = static_cast<size_t>(s.max_message_bytes);
  options.limits.traversal_limit_words = static_cast<uint64_t>(s.max_message_bytes) / 8 + 1024;
  options.max_connections = static_cast<size_t>(s.max_connections);
  options.max_in_flight = static_cast<size_t>(s.max_in_flight);
  options.frame_deadline = std::chrono::milliseconds(s.frame_deadline_ms);
  options.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  options.io_threads = static_cast<unsigned>(s.io_threads);
  options.worker_threads = static_cast<unsigned>(s.worker_threads);
  options.max_outbound_bytes = static_cast<size_t>(s.max_outbound_bytes);
  options.max_subscriptions = static_cast<size_t>(s.max_subscriptions);
  options.max_credits = static_cast<uint32_t>(std::min<int64_t>(s.max_credits, UINT32_MAX));
  options.max_streams_per_connection = static_cast<size_t>(s.max_streams_per_connection);
  options.max_streams = static_cast<size_t>(s.max_streams);
  options.hello_deadline = std::chrono::milliseconds(s.hello_deadline_ms);
  options.write_timeout = std::chrono::milliseconds(s.write_timeout_ms);
  options.server_version = version;
  auto server = api::Server::Start(dispatcher, **tokens, (*node)->log(), logger, options);
  if (!server) {
    logger->error("{}", server.error());
    return 1;
  }
  // The bound address on stdout, for scripts and tests that listen on port 0.
  std::printf("rosterd: listening on port %u, data in %s\n", (*server)->port(), s.data_dir.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  logger->info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Stop();
  server->reset();
  node->reset();  // closes the log and the view store
  logger->info("stopped");
  return 0;
}
