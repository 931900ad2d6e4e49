// rosterd's settings and its TOML config file: the file's text becomes settings or an error
// that names the file and the setting. A library apart from main.cc so that the parsing can be
// tested and fuzzed (tests/fuzz) without starting a server. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

#include "api/server/options.h"

namespace roster::tools::rosterd {

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

inline int64_t GetMessageBytes(const ServerOptions& options) {
  return static_cast<int64_t>(options.limits.max_message_bytes);
}
// The Cap'n Proto traversal limit follows the largest message, with room for its pointers.
inline void SetMessageBytes(ServerOptions& options, int64_t value) {
  options.limits.max_message_bytes = static_cast<size_t>(value);
  options.limits.traversal_limit_words = static_cast<uint64_t>(value) / 8 + 1024;
}

inline constexpr int64_t kDay = 24 * 3600 * 1000;  // ms
inline constexpr NumberSetting kNumberSettings[] = {
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
// int64_t) and written into `server` by ApplyNumbers once both have been read.
struct Settings {
  ServerOptions server;
  std::array<int64_t, std::size(kNumberSettings)> numbers;
  std::string data_dir = "./var/roster";
  // Where the event log is: empty for the embedded RocksDB log in <data_dir>/log, or a
  // postgresql:// URI (libpq's, multi-host forms included) for a log on PostgreSQL that several
  // rosterd nodes share. The read models stay in data_dir either way.
  std::string log;
  std::string log_level = "info";
  std::string port_file;
  // The HTTP/JSON listener (api/http), host:port; empty: none. Its limits follow `server`'s
  // (HttpOptions::From).
  std::string http;
  std::string http_port_file;  // like port_file, for the HTTP listener's port
  bool test_clock = false;     // Admin.advanceClock may move the time (test environments only)
  bool sync = true;            // NodeOptions' default (config_test checks that they agree)
  // What each in-memory read model keeps of its organizations (EngineOptions'
  // model_cache_bytes; config_test checks that they agree).
  int64_t model_cache_mb = 64;
  // The block cache of each RocksDB database, the log's and the views' (StoreOptions' and
  // ViewStoreOptions' block_cache_bytes; config_test checks that they agree).
  int64_t storage_cache_mb = 64;
  static constexpr int64_t kMaxCacheMb = int64_t{1} << 20;
  // Webhooks (WebhookOptions' defaults; config_test checks that they agree): the first retry's
  // delay (doubled on each failure up to the max) and one request's deadline.
  int64_t webhook_retry_base_ms = 1000;
  int64_t webhook_retry_max_ms = 600000;
  int64_t webhook_timeout_ms = 10000;
  std::string webhook_ca_file;  // PEM CAs trusted for https endpoints besides the system's

  Settings() {
    for (size_t i = 0; i < numbers.size(); ++i) numbers[i] = kNumberSettings[i].get(server);
  }
  void ApplyNumbers() {
    for (size_t i = 0; i < numbers.size(); ++i) kNumberSettings[i].set(server, numbers[i]);
  }
};

// The memory settings, in MiB (1 to Settings::kMaxCacheMb), which size the node rather than
// the server.
struct MibSetting {
  const char* key;
  const char* help;
  int64_t Settings::*field;
};
inline constexpr MibSetting kMibSettings[] = {
    {"model_cache_mb",
     "memory each in-memory read model keeps of its organizations (the rest stays on disk)",
     &Settings::model_cache_mb},
    {"storage_cache_mb", "block cache of each of the two databases, the log and the views",
     &Settings::storage_cache_mb},
};

// The webhook durations, in milliseconds (1 to `max`).
struct WebhookSetting {
  const char* key;
  int64_t max;
  const char* help;
  int64_t Settings::*field;
};
inline constexpr WebhookSetting kWebhookSettings[] = {
    {"webhook_retry_base_ms", kDay, "a failed webhook delivery is retried after this, doubling",
     &Settings::webhook_retry_base_ms},
    {"webhook_retry_max_ms", 7 * kDay, "the longest wait between two webhook delivery attempts",
     &Settings::webhook_retry_max_ms},
    {"webhook_timeout_ms", kDay,
     "one webhook request (connect, TLS, send, answer) fails after this",
     &Settings::webhook_timeout_ms},
};

std::string FlagOf(std::string_view key);

// Why `log` is not a log rosterd can open (empty when it is): a postgresql:// or postgres://
// URI, or nothing.
std::string CheckLogUrl(std::string_view log);

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
