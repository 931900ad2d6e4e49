// Small builders shared by the eventstore tests, the crash test and the benchmarks.
// Header-only; no state.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventstore/rocks_event_store.h"

namespace roster::eventstore::testing {

// prefix + n. Spelled out because g++ 12 warns falsely (-Wrestrict) on "x" + std::to_string(n).
inline std::string Numbered(std::string_view prefix, uint64_t n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

inline NewEvent Event(std::string type, std::string payload = {}, uint16_t revision = 1) {
  return NewEvent{std::move(type), revision, std::move(payload)};
}

inline AppendRequest Request(std::string stream, ExpectedVersion expected,
                             std::vector<NewEvent> events, std::string command_id = {}) {
  AppendRequest r;
  r.stream = std::move(stream);
  r.expected = expected;
  r.events = std::move(events);
  r.metadata.actor = "user-1";
  r.metadata.command_id = std::move(command_id);
  r.metadata.correlation_id = "corr-1";
  r.metadata.source = "test";
  r.metadata.time_us = 1'700'000'000'000'000;
  return r;
}

// Durability is not what most tests check; syncing would only make them slow.
inline StoreOptions FastOptions() {
  StoreOptions options;
  options.sync = false;
  return options;
}

inline std::unique_ptr<RocksEventStore> OpenOrDie(const std::filesystem::path& dir,
                                                  const StoreOptions& options = FastOptions()) {
  auto store = OpenRocksEventStore(dir, options);
  if (!store) {
    std::fprintf(stderr, "opening %s: %s\n", dir.c_str(), store.error().message.c_str());
    std::abort();
  }
  return std::move(*store);
}

}  // namespace roster::eventstore::testing
