#include "domain/decide.h"

#include "domain/internal/decide_support.h"

namespace roster::domain {

Decision Decide(const OrganizationState& state, const UserId& actor, const Command& command,
                Time now) {
  return std::visit([&](const auto& c) { return internal::Handle(state, actor, c, now); }, command);
}

}  // namespace roster::domain
