// Option checks shared by the command-line tools (roster, roster-admin).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace roster::tools {

// For unsigned options (positions, cursors, counts): CLI11 would read "-1" as 2^64 - 1.
inline CLI::Validator NotNegative() {
  return CLI::Validator(
      [](const std::string& text) {
        return text.starts_with('-') ? "'" + text + "' is negative" : std::string();
      },
      "NOT NEGATIVE");
}

}  // namespace roster::tools
