// Option checks and command-line parsing shared by the programs (roster, roster-admin, rosterd).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace roster::tools {

// For unsigned options (positions, cursors, counts): CLI11 would read "-1" as 2^64 - 1.
inline CLI::Validator NotNegative() {
  return CLI::Validator(
      [](const std::string& text) {
        const auto first = text.find_first_not_of(" \t");  // strtoull skips leading blanks
        return first != std::string::npos && text[first] == '-' ? "'" + text + "' is negative"
                                                                : std::string();
      },
      "NOT NEGATIVE");
}

// Parses the command line (running the chosen subcommand's callback). Returns the exit code
// when the program should stop there: 0 after --help, 2 after bad usage, whose message CLI11
// has printed; nullopt to go on.
inline std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return std::nullopt;
}

}  // namespace roster::tools
