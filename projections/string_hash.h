// Hashing for string-keyed maps that are looked up with std::string_view (heterogeneous
// lookup), so that finding a key built in a reused buffer, or a view into an event, allocates
// nothing. Use as std::unordered_map<std::string, V, StringHash, std::equal_to<>>.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace roster::projections {

struct StringHash {
  using is_transparent = void;
  // Deliberately not noexcept: libstdc++ caches the hash in each node only for hashes that may
  // throw or are marked slow (as std::hash<std::string> is). Without the cached hash, every
  // probe rehashes the strings of its bucket's chain, which made these maps several times
  // slower than std::hash<std::string> ones.
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  size_t operator()(const std::string& s) const { return (*this)(std::string_view(s)); }
};

template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace roster::projections
