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
#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/server/server.h"
#include "api/service/node.h"
#include "tools/cli_checks.h"

namespace {

using namespace roster;

class SystemClock final : public domain::Clock {
 public:
  domain::Time Now() const override {
    return std::chrono::time_point_cast<domain::Duration>(std::chrono::system_clock::now());
  }
};

using api::server::ServerOptions;

// Every integer setting: its TOML key (the flag is --key with dashes), the largest value
// accepted (the smallest is 1), its help, and the ServerOptions field it reads its default from
// and is written to. Out of range, in the file or on the command line, rosterd refuses to start
// (exit 2) rather than, say, try to start 2^32 threads.
struct NumberSetting {
  const char* key;
  int64_t max;
  const char* help;
  int64_t (*get)(const ServerOptions&);
  void (*set)(ServerOptions&, int64_t);
};

// A field as the int64_t a flag or a TOML key carries: a count, or a duration in milliseconds.
template <auto kField>
int64_t GetField(const ServerOptions& options) {
  const auto& value = options.*kField;
  if constexpr (requires { value.count(); }) {
    return static_cast<int64_t>(value.count());
  } else {
    return static_cast<int64_t>(value);
  }
}
// Only called with values checked against the setting's range, which every field's type holds.
template <auto kField>
void SetField(ServerOptions& options, int64_t value) {
  auto& field = options.*kField;
  field = std::remove_reference_t<decltype(field)>(value);
}
template <auto kField>
constexpr NumberSetting Number(const char* key, int64_t max, const char* help) {
  return {key, max, help, &GetField<kField>, &SetField<kField>};
}

int64_t GetMessageBytes(const ServerOptions& options) {
  return static_cast<int64_t>(options.limits.max_message_bytes);
}
// The Cap'n Proto traversal limit follows the largest message, with room for its pointers.
void SetMessageBytes(ServerOptions& options, int64_t value) {
  options.limits.max_message_bytes = static_cast<size_t>(value);
  options.limits.traversal_limit_words = static_cast<uint64_t>(value) / 8 + 1024;
}

constexpr int64_t kDay = 24 * 3600 * 1000;  // ms
constexpr NumberSetting kNumberSettings[] = {
    {"max_message_bytes", 1 << 30, "largest request accepted", &GetMessageBytes, &SetMessageBytes},
    Number<&ServerOptions::max_connections>("max_connections", 1 << 20,
                                            "connections beyond are refused"),
    Number<&ServerOptions::max_in_flight>("max_in_flight", 1 << 16,
                                          "requests in progress per connection"),
    Number<&ServerOptions::frame_deadline>("frame_deadline_ms", kDay,
                                           "a started request must arrive within"),
    Number<&ServerOptions::idle_timeout>("idle_timeout_ms", 7 * kDay,
                                         "an idle connection is closed after"),
    Number<&ServerOptions::io_threads>("io_threads", 256,
                                       "network threads (default: half the cores)"),
    Number<&ServerOptions::worker_threads>("worker_threads", 4096,
                                           "threads for commands and queries"),
    Number<&ServerOptions::max_outbound_bytes>(
        "max_outbound_bytes", int64_t{1} << 32,
        "answers queued per connection before it stops being read"),
    Number<&ServerOptions::max_subscriptions>("max_subscriptions", 1 << 16,
                                              "subscriptions per connection"),
    Number<&ServerOptions::max_credits>("max_credits", UINT32_MAX,
                                        "records a subscriber may have outstanding"),
    Number<&ServerOptions::max_streams_per_connection>(
        "max_streams_per_connection", 1 << 16, "streamed answers in progress per connection"),
    Number<&ServerOptions::max_streams>(
        "max_streams", 1 << 16,
        "streamed answers in progress in all (at most half the worker threads)"),
    Number<&ServerOptions::hello_deadline>("hello_deadline_ms", kDay,
                                           "connect (and TLS) to hello within"),
    Number<&ServerOptions::write_timeout>(
        "write_timeout_ms", kDay,
        "a client that does not take an answer for this long is disconnected"),
};

// What rosterd is told. The server's settings live in `server`, so their defaults are
// ServerOptions' own; the integers are parsed into `numbers` first (flags and TOML carry
// int64_t) and written into `server` once both have been read.
struct Settings {
  ServerOptions server;
  std::array<int64_t, std::size(kNumberSettings)> numbers;
  std::string data_dir = "./var/roster";
  std::string log_level = "info";
  std::string port_file;
  bool sync = api::service::NodeOptions{}.store.sync;

  Settings() {
    for (size_t i = 0; i < numbers.size(); ++i) numbers[i] = kNumberSettings[i].get(server);
  }
};

std::string FlagOf(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

// Applies the TOML file to every setting whose flag was not given.
std::expected<void, std::string> ApplyConfig(const std::string& file, CLI::App& app, Settings& s) {
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return std::unexpected(file + ": " + std::string(e.description()));
  }
  std::map<std::string, std::string*> texts = {{"data_dir", &s.data_dir},
                                               {"listen", &s.server.listen},
                                               {"tls_cert", &s.server.tls_cert_file},
                                               {"tls_key", &s.server.tls_key_file},
                                               {"log_level", &s.log_level},
                                               {"port_file", &s.port_file}};
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const std::string flag = FlagOf(name);
    const NumberSetting* number = nullptr;
    int64_t* number_value = nullptr;
    for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
      if (name == kNumberSettings[i].key) {
        number = &kNumberSettings[i];
        number_value = &s.numbers[i];
      }
    }
    const bool given = app.get_option_no_throw(flag) && app.get_option(flag)->count() > 0;
    if (auto t = texts.find(name); t != texts.end()) {
      auto v = node.value<std::string>();
      if (!v) return std::unexpected(file + ": " + name + " must be a string");
      if (!given) *t->second = *v;
    } else if (number != nullptr) {
      auto v = node.value<int64_t>();
      if (!v || *v < 1 || *v > number->max) {
        return std::unexpected(file + ": " + name + " must be an integer from 1 to " +
                               std::to_string(number->max));
      }
      if (!given) *number_value = *v;
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
  app.add_option("--listen", s.server.listen, "host:port to listen on (port 0: any free port)");
  app.add_option("--tls-cert", s.server.tls_cert_file,
                 "PEM certificate chain: enables TLS with --tls-key");
  app.add_option("--tls-key", s.server.tls_key_file, "PEM private key");
  app.add_option("--log-level", s.log_level, "trace, debug, info, warn, error");
  app.add_option("--port-file", s.port_file,
                 "write the bound port here once listening (for port 0)");
  for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
    const NumberSetting& n = kNumberSettings[i];
    app.add_option(FlagOf(n.key), s.numbers[i], n.help)->check(CLI::Range(int64_t{1}, n.max));
  }
  app.add_flag("--sync,!--no-sync", s.sync, "fsync each commit (default on)");
  // Exit 2 on a usage error, as for a bad config file.
  if (auto stop = roster::tools::ParseCommandLine(app, argc, argv)) return *stop;
  if (!config.empty()) {
    if (auto applied = ApplyConfig(config, app, s); !applied) {
      std::fprintf(stderr, "rosterd: %s\n", applied.error().c_str());
      return 2;
    }
  }
  if (s.log_level != "off" && spdlog::level::from_str(s.log_level) == spdlog::level::off) {
    std::fprintf(stderr, "rosterd: log level '%s' is not one of trace, debug, info, warn, error\n",
                 s.log_level.c_str());
    return 2;
  }
  for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
    kNumberSettings[i].set(s.server, s.numbers[i]);
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
  // A port file left by an earlier run names a port nobody listens on: whoever waits for the
  // file must find only this run's.
  if (!s.port_file.empty()) {
    std::filesystem::remove(s.port_file, ec);
    if (ec) {
      logger->error("cannot remove the old port file {}: {}", s.port_file, ec.message());
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
  SystemClock clock;
  api::service::NodeOptions node_options;
  node_options.store.sync = s.sync;
  auto node = api::service::Node::Open(s.data_dir, clock, logger, node_options);
  if (!node) {
    logger->error("cannot open {}: {}", s.data_dir, node.error().message);
    return 1;
  }
  const std::string version = "rosterd " ROSTER_VERSION;
  api::dispatch::Dispatcher dispatcher(**node, **tokens, version);

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

  int signal = 0;
  sigwait(&signals, &signal);
  logger->info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Stop();
  server->reset();
  node->reset();  // closes the log and the view store
  logger->info("stopped");
  return 0;
}
