// roster: the command-line client of rosterd, for people (aligned tables) and scripts (--json,
// exit codes). See docs/cli.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  using namespace roster::tools::cli;
  Cli cli;
  CLI::App app{"roster: membership and access, from the command line (see docs/cli.md)", "roster"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.add_option("--server,-s", cli.server, "rosterd address host:port")
      ->envname("ROSTER_SERVER")
      ->default_val("127.0.0.1:7400");
  app.add_option("--token", cli.token, "API token")->envname("ROSTER_TOKEN");
  app.add_option("--token-file", cli.token_file, "file holding the API token")
      ->envname("ROSTER_TOKEN_FILE");
  app.add_flag("--json", cli.json, "machine-readable output: one JSON document per result");
  app.add_option("--timeout-ms", cli.timeout_ms, "connect and per-response timeout")
      ->default_val(30000);

  RegisterOrgCommands(app, cli);
  RegisterProjectCommands(app, cli);
  RegisterQueries(app, cli);
  RegisterListings(app, cli);
  RegisterHistoryQueries(app, cli);
  RegisterAsOfQueries(app, cli);
  RegisterExport(app, cli);
  RegisterStreamAndAdmin(app, cli);
  RegisterWebhookCommands(app, cli);

  static_assert(kUsage == 2, "ParseCommandLine's exit code for bad usage");
  if (auto stop = roster::tools::ParseCommandLine(app, argc, argv)) return *stop;
  return cli.exit_code;
}
