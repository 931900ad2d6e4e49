// The roster CLI's shared plumbing: global options, the connection, running one request and
// turning its outcome into output and an exit code.
//
// Exit codes (docs/cli.md): 0 ok; 1 the domain rejected the command or the query answered an
// error (NOT_FOUND, PERMISSION_DENIED, ...), or `roster check` said denied; 2 usage; 3 the
// server could not be reached or refused the token (UNAUTHENTICATED, FORBIDDEN).
//
// Each subcommand's callback stores its exit code in Cli::exit_code; main returns it.
// Not thread-safe (one CLI run, one thread).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/client/client.h"
#include "tools/cli_checks.h"

namespace roster::tools::cli {

enum ExitCode : int { kOk = 0, kRejected = 1, kUsage = 2, kUnreachable = 3 };

struct Cli {
  // Global options (flags win over ROSTER_SERVER / ROSTER_TOKEN / ROSTER_TOKEN_FILE).
  std::string server;
  std::string token;
  std::string token_file;
  bool json = false;
  int timeout_ms = 30000;
  int exit_code = kOk;

  // Connects on first use; prints the failure and returns null when it cannot.
  api::client::Client* Connection();
  // Sends one request and waits. On a connection failure or an error response prints it and
  // returns the exit code to use instead.
  std::expected<api::client::Reply, int> Call(const api::client::RequestFiller& fill);
  // Sends a request answered in parts and calls `on_part` with each as it arrives (false from
  // it stops reading: the caller reports why). Returns kOk when the last part came or on_part
  // stopped; on a connection failure or an error answer (which ends the answer) prints it as
  // Call does and returns the exit code.
  int CallStreamed(const api::client::RequestFiller& fill,
                   const std::function<bool(api::client::Reply& part)>& on_part);

 private:
  std::unique_ptr<api::client::Client> client_;
};

// Options shared by every command: who acts, and the idempotency key.
struct CommandOptions {
  std::string org;
  std::string actor;
  std::string command_id;  // empty: a random one
  std::string correlation_id;
};

// Adds --actor (required unless `actor_required` is false), --command-id and --correlation-id.
void AddCommandOptions(CLI::App& sub, CommandOptions& options, bool actor_required = true);
// Sends a command, prints its outcome (table or JSON) and returns the exit code.
int RunCommand(Cli& cli, const CommandOptions& options,
               const std::function<void(api::wire::Command::Builder)>& fill);
// A random command id: 16 bytes as hex.
std::string RandomCommandId();

// Adds --consistency-token to a query subcommand.
void AddConsistencyOption(CLI::App& sub, uint64_t& token);
using tools::NotNegative;

// A point in time in any form api::wire::ParseTime reads (microseconds since the epoch, or a UTC
// date/time such as 2026-01-31, 2026-01-31T12:00:00Z). Throws CLI::ValidationError otherwise.
int64_t ParseTimeUs(const std::string& text);

// Registration of the subcommand groups (one file each).
void RegisterOrgCommands(CLI::App& app, Cli& cli);
void RegisterProjectCommands(CLI::App& app, Cli& cli);
void RegisterQueries(CLI::App& app, Cli& cli);
void RegisterListings(CLI::App& app, Cli& cli);
void RegisterHistoryQueries(CLI::App& app, Cli& cli);
// as-of org|user and history, printed as their parts arrive (as_of_queries.cc).
void RegisterAsOfQueries(CLI::App& app, Cli& cli);
// export: the audit export over the API, written as it arrives (export_command.cc).
void RegisterExport(CLI::App& app, Cli& cli);
void RegisterStreamAndAdmin(CLI::App& app, Cli& cli);
// webhook add|list|remove|deliveries (webhook_commands.cc).
void RegisterWebhookCommands(CLI::App& app, Cli& cli);
// role define|update|delete, under the `role` subcommand (commands_projects.cc).
void RegisterRoleCatalogCommands(CLI::App& role, Cli& cli);

}  // namespace roster::tools::cli
