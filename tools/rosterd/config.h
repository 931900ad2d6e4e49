// rosterd's settings and its TOML config file: the file's text becomes settings or an error
// that names the file and the setting. A library apart from main.cc so that the parsing can be
// tested and fuzzed (tests/fuzz) without starting a server. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace roster::tools::rosterd {

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
  // Half the cores: the server's own default (ServerOptions, api/server/server.h), computed here
  // so that parsing a config file needs no server; config_test checks that they agree.
  int64_t io_threads = std::max(1u, std::thread::hardware_concurrency() / 2);
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

// Every integer setting: its TOML key (the flag is --key with dashes), where it goes, the
// largest value accepted (the smallest is 1) and its help. Out of range, in the file or on the
// command line, rosterd refuses to start (exit 2) rather than, say, try to start 2^32 threads.
struct NumberSetting {
  const char* key;
  int64_t Settings::*field;
  int64_t max;
  const char* help;
};
inline constexpr int64_t kDay = 24 * 3600 * 1000;  // ms
inline constexpr NumberSetting kNumberSettings[] = {
    {"max_message_bytes", &Settings::max_message_bytes, 1 << 30, "largest request accepted"},
    {"max_connections", &Settings::max_connections, 1 << 20, "connections beyond are refused"},
    {"max_in_flight", &Settings::max_in_flight, 1 << 16, "requests in progress per connection"},
    {"frame_deadline_ms", &Settings::frame_deadline_ms, kDay,
     "a started request must arrive within"},
    {"idle_timeout_ms", &Settings::idle_timeout_ms, 7 * kDay, "an idle connection is closed after"},
    {"io_threads", &Settings::io_threads, 256, "network threads (default: half the cores)"},
    {"worker_threads", &Settings::worker_threads, 4096, "threads for commands and queries"},
    {"max_outbound_bytes", &Settings::max_outbound_bytes, int64_t{1} << 32,
     "answers queued per connection before it stops being read"},
    {"max_subscriptions", &Settings::max_subscriptions, 1 << 16, "subscriptions per connection"},
    {"max_credits", &Settings::max_credits, UINT32_MAX,
     "records a subscriber may have outstanding"},
    {"max_streams_per_connection", &Settings::max_streams_per_connection, 1 << 16,
     "streamed answers in progress per connection"},
    {"max_streams", &Settings::max_streams, 1 << 16,
     "streamed answers in progress in all (at most half the worker threads)"},
    {"hello_deadline_ms", &Settings::hello_deadline_ms, kDay, "connect (and TLS) to hello within"},
    {"write_timeout_ms", &Settings::write_timeout_ms, kDay,
     "a client that does not take an answer for this long is disconnected"},
};

std::string FlagOf(std::string_view key);

// Whether the command line gave the flag (e.g. "--max-credits"): a flag wins over the file.
using FlagGiven = std::function<bool(const std::string& flag)>;

// Applies the TOML text to every setting whose flag was not given. `source` names the text in
// messages (the file's path).
std::expected<void, std::string> ApplyConfig(std::string_view text, const std::string& source,
                                             const FlagGiven& given, Settings& s);
// The same for the file at `file`.
std::expected<void, std::string> ApplyConfigFile(const std::string& file, const FlagGiven& given,
                                                 Settings& s);

}  // namespace roster::tools::rosterd
