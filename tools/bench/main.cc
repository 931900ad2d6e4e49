// roster-bench: Roster's benchmark programs, one subcommand per area (see bench.h).
//   roster-bench eventstore [--json] [--seconds N] ...
#include "tools/bench/bench.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Roster benchmarks. Each subcommand prints a table, or one JSON object with --json."};
  app.require_subcommand(1);
  roster::tools::bench::RegisterAllBenches(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
