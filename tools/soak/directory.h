// Directory: what the readers of the soak may ask about. Each writer publishes its live
// organizations (members, projects, the position of its last command there) after every
// answer; checkers and queriers pick from it. Thread-safe; views are copies.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace roster::tools::soak {

struct OrgView {
  std::string org;
  std::string owner;
  std::vector<std::string> members;  // active, the owner first
  std::vector<std::string> projects;
  uint64_t last_position = 0;  // a consistency token for read-your-writes queries
};

class Directory {
 public:
  explicit Directory(size_t slots) : slots_(slots) {}
  void Publish(size_t slot, OrgView view) {
    std::lock_guard lock(mu_);
    slots_[slot] = std::move(view);
  }
  std::optional<OrgView> Pick(std::mt19937_64& rng) const {
    std::lock_guard lock(mu_);
    if (slots_.empty()) return std::nullopt;
    const auto& s = slots_[std::uniform_int_distribution<size_t>(0, slots_.size() - 1)(rng)];
    if (!s || s->members.empty()) return std::nullopt;
    return s;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::optional<OrgView>> slots_;
};

}  // namespace roster::tools::soak
