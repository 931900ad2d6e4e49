// PgTestServer: a private PostgreSQL 15 server for one test binary (or benchmark), started from
// Debian's package by tests/support/pg_test_server.sh on 127.0.0.1 and a free port, with its
// data in a temporary directory removed afterwards. As root, the server runs as the unprivileged
// `postgres` user (initdb refuses root).
//
// The server is stopped when the object goes; a watchdog stops it too should this process die
// first. Resource type: not copyable. One thread at a time.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace roster::tests {

struct PgTestServerOptions {
  // fsync on: for benchmarks measuring durable commits. Tests check semantics, and run faster
  // with it off.
  bool durable = false;
};

class PgTestServer {
 public:
  // initdb + start; an error carries what the server or script printed.
  static std::expected<std::unique_ptr<PgTestServer>, std::string> Start(
      const PgTestServerOptions& options = {});
  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  // A libpq key=value connection string for `dbname` as the trusted user "roster".
  std::string conninfo(std::string_view dbname = "postgres") const;
  int port() const { return port_; }

  // The server goes away: "immediate" is a crash (no shutdown checkpoint, connections cut),
  // "fast" a clean shutdown.
  std::expected<void, std::string> Stop(std::string_view mode = "fast");
  // Starts it again on the same data and port.
  std::expected<void, std::string> Restart();

  // A streaming standby of `primary` (pg_basebackup -R), on a port and directory of its own;
  // returns once it streams. synchronous: `primary` then waits for the standby on every commit.
  static std::expected<std::unique_ptr<PgTestServer>, std::string> StartStandby(
      const PgTestServer& primary, bool synchronous);
  // The standby becomes a primary (pg_ctl promote); returns once it accepts writes.
  std::expected<void, std::string> Promote();
  // kill -9 of the postmaster and every process of the server: a machine that died.
  std::expected<void, std::string> Kill();
  // SIGSTOP / SIGCONT of this primary's WAL senders: while paused, nothing more reaches the
  // standby, so a synchronous commit waits and an asynchronous one is acknowledged anyway.
  std::expected<void, std::string> PauseWalSenders();
  std::expected<void, std::string> ResumeWalSenders();

 private:
  PgTestServer(std::filesystem::path dir, int port, PgTestServerOptions options)
      : dir_(std::move(dir)), port_(port), options_(options) {}
  std::expected<void, std::string> Run(const std::string& args) const;

  std::filesystem::path dir_;
  int port_;
  PgTestServerOptions options_;
};

}  // namespace roster::tests
