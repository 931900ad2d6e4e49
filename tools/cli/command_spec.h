// Declaring a command subcommand in one call: the org positional, the command options, the
// subcommand's own options, and how they fill the protocol command. Used by the commands_*.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tools/cli/cli.h"

namespace roster::tools::cli {

// A subcommand whose first positional is the org and whose options live as long as the app.
template <typename Extra>
struct Spec {
  CommandOptions command;
  Extra extra{};
};

template <typename Extra>
std::shared_ptr<Spec<Extra>> NewCommand(
    CLI::App& parent, Cli& cli, const std::string& name, const std::string& help,
    std::function<void(api::wire::Command::Builder, const Extra&)> fill,
    std::function<void(CLI::App&, Extra&)> options, bool actor_required = true) {
  auto spec = std::make_shared<Spec<Extra>>();
  auto* sub = parent.add_subcommand(name, help);
  sub->add_option("org", spec->command.org, "organization id")->required();
  options(*sub, spec->extra);
  AddCommandOptions(*sub, spec->command, actor_required);
  sub->callback([spec, fill, &cli] {
    cli.exit_code = RunCommand(cli, spec->command,
                               [&](api::wire::Command::Builder c) { fill(c, spec->extra); });
  });
  return spec;
}

struct None {};
inline void NoOptions(CLI::App&, None&) {}

struct OneText {
  std::string value;
};

}  // namespace roster::tools::cli
