// Overloaded: one visitor made of several lambdas, for std::visit over the domain's variants
// (Event, Command): `std::visit(Overloaded{[](const MemberJoined& e) {...}, ...}, event)`.
#pragma once

namespace roster::domain {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// The guide C++20 makes implicit; clang before 17 (the fuzz build's clang 14) still needs it.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace roster::domain
