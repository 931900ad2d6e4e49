// Pieces of ProjectionEngine shared by its two source files: projection_engine.cc (start,
// live loop, queries) and projection_rebuild.cc (the builder thread and the swap). Not part of
// the engine's interface; include it from those two files only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection_engine.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace internal {

using Clock = std::chrono::steady_clock;

// Sorts after every data key (projection keys never start with 0xff).
inline constexpr std::string_view kCheckpointKey = "\xff\xff.checkpoint";

inline std::string MetaKey(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + std::string(name);
}

inline std::string TableName(std::string_view name, uint64_t generation) {
  return std::string(name) + "@" + std::to_string(generation);
}

struct Meta {
  uint32_t version = 0;
  uint64_t generation = 0;
};

inline std::string EncodeMeta(Meta m) {
  return RowWriter().U32(m.version).U64(m.generation).Take();
}

inline std::optional<Meta> DecodeMeta(const std::optional<std::string>& bytes) {
  if (!bytes) return std::nullopt;
  RowReader r(*bytes);
  Meta m{r.U32(), r.U64()};
  if (!r.done()) return std::nullopt;
  return m;
}

inline std::string EncodePosition(eventstore::Position p) { return RowWriter().U64(p).Take(); }

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace internal

struct ProjectionEngine::Decoded {
  const eventstore::Record* record = nullptr;
  domain::OrgId org;
  domain::Event event;
};

// A batch of the log read ahead by the rebuild's reader thread; `decoded` points into
// `records` (moving the batch keeps them valid).
struct ProjectionEngine::Batch {
  std::vector<eventstore::Record> records;
  std::vector<Decoded> decoded;
};

struct ProjectionEngine::Slot {
  ProjectionFactory make;
  std::string name;
  uint32_t version = 0;
  std::shared_ptr<Projection> active;
  uint64_t generation = 0;
  eventstore::Position position = 0;
  std::shared_ptr<Projection> building;
  uint64_t build_generation = 0;
  eventstore::Position build_position = 0;
  double build_apply_seconds = 0;  // time spent applying during the current build
};

}  // namespace roster::projections
