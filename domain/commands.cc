#include "domain/commands.h"

namespace roster::domain {

std::string_view CommandName(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

std::string_view CommandName(const ActivityCommand& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

}  // namespace roster::domain
