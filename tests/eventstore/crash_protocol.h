// What the crash child appends and how it reports acknowledgements to the parent test.
//
// Every append is a pure function of its command id (stream aside), so the parent can rebuild
// the exact bytes the child sent without shipping payloads through the pipe: the child reports
// only "A <command_id> <stream> <first_position> <last_position> <first_version>\n" per
// acknowledged append, in one write(2) each (shorter than PIPE_BUF, hence atomic).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/record.h"

namespace roster::eventstore::crash {

inline uint64_t Mix(uint64_t x) {  // splitmix64: stable across processes, unlike std::hash
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline uint64_t Seed(std::string_view command_id) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : command_id) h = (h ^ c) * 0x100000001b3ull;
  return Mix(h);
}

inline std::vector<NewEvent> EventsFor(std::string_view command_id) {
  uint64_t state = Seed(command_id);
  const size_t count = 1 + state % 4;
  std::vector<NewEvent> events;
  for (size_t i = 0; i < count; ++i) {
    state = Mix(state);
    // Mostly small events, now and then a large one so that some WAL writes span pages.
    const size_t size = state % 16 == 0 ? state % (64 << 10) : state % 300;
    NewEvent event;
    event.type = "crash.event." + std::to_string(i);
    event.revision = static_cast<uint16_t>(1 + state % 3);
    event.payload.resize(size);
    uint64_t fill = state;
    for (size_t b = 0; b < size; ++b) {
      if (b % 8 == 0) fill = Mix(fill);
      event.payload[b] = static_cast<char>(fill >> (8 * (b % 8)));
    }
    events.push_back(std::move(event));
  }
  return events;
}

inline EventMetadata MetadataFor(std::string_view command_id) {
  EventMetadata m;
  m.actor = "crash-child";
  m.command_id = std::string(command_id);
  m.correlation_id = "corr-" + std::string(command_id);
  m.source = "eventstore_crash_child";
  m.time_us = static_cast<int64_t>(Seed(command_id) >> 12);
  return m;
}

}  // namespace roster::eventstore::crash
