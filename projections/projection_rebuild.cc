// The rebuild half of ProjectionEngine: the builder thread that folds the log into fresh
// generations of the projections, the checkpoints it writes, and the swap that makes the new
// generations serve (see projection_engine.h and docs/projections.md).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "projections/projection_engine.h"
#include "projections/projection_engine_internal.h"

namespace roster::projections {

using namespace engine_internal;
using eventstore::Position;

bool ProjectionEngine::BuildCheckpoint(std::vector<Slot*>& slots, bool final) {
  const auto collect_begin = Clock::now();
  std::vector<std::pair<const Table*, RowBuffer>> rows;
  for (Slot* s : slots) {
    Projection& p = *s->building;
    // In-memory models are written once, whole, at the end; until then an interrupted
    // rebuild of them starts over. Append-only indexes checkpoint as they go.
    if (!final && p.LoadsRows()) continue;
    std::unique_lock lock(p.mutex());
    rows.emplace_back(&p.table(), RowBuffer());
    CollectSink sink(rows.back().second);
    if (final && p.bulk()) {
      p.EndBulk();
      p.FlushAll(sink);
    } else {
      p.Flush(sink);
    }
    sink.Put(kCheckpointKey, EncodePosition(s->build_position));
  }
  const auto begin = Clock::now();
  build_stats_.collect_seconds += Seconds(begin - collect_begin);
  for (const auto& [table, list] : rows) build_stats_.rows += list.size();
  if (auto w = views_.Ingest(rows); !w) {
    Fail("writing a rebuild: " + w.error().message);
    return false;
  }
  build_stats_.write_seconds += Seconds(Clock::now() - begin);
  return true;
}

void ProjectionEngine::BuildLoop() {
  std::vector<Slot*> slots;
  {
    std::lock_guard lock(mu_);
    for (auto& s : slots_) {
      if (s->building) slots.push_back(s.get());
    }
  }
  auto names = [&] {
    std::string out;
    for (Slot* s : slots) out += (out.empty() ? "" : ", ") + s->name;
    return out;
  };
  Position position = slots.empty() ? 0 : slots.front()->build_position;
  for (Slot* s : slots) position = std::min(position, s->build_position);
  const Position target = log_.LastPosition();
  options_.logger->info("rebuilding {} from position {} (log at {})", names(), position, target);

  build_stats_ = BuildStats{};
  for (Slot* s : slots) s->build_apply_seconds = 0;
  size_t since_checkpoint = 0;
  const auto started = Clock::now();
  auto last_report = started;
  const Position first = position;
  std::vector<Decoded> decoded;
  std::vector<std::shared_ptr<Projection>> retired;  // old generations, freed at the end

  while (!slots.empty()) {
    if (stopping_) {
      BuildCheckpoint(slots, /*final=*/false);
      options_.logger->info("rebuild of {} interrupted at position {}", names(), position);
      break;
    }
    const auto read_begin = Clock::now();
    auto records = log_.ReadAll(position + 1, options_.rebuild_batch);
    build_stats_.read_seconds += Seconds(Clock::now() - read_begin);
    if (!records) {
      Fail("reading the log for a rebuild: " + records.error().message);
      break;
    }
    if (records->empty()) {
      if (!Handoff(slots, position, retired)) break;
      const double secs = Seconds(Clock::now() - started);
      options_.logger->info("rebuilt {} up to position {} in {:.2f} s ({:.0f} events/s)", names(),
                            position, secs, secs > 0 ? (position - first) / secs : 0.0);
      std::string apply;
      for (Slot* s : slots) apply += fmt::format(" {} {:.2f} s", s->name, s->build_apply_seconds);
      options_.logger->info(
          "rebuild time: reading the log {:.2f} s, decoding {:.2f} s, collecting rows {:.2f} s, "
          "writing {} rows {:.2f} s, swapping {:.2f} s, dropping old tables {:.2f} s, applying (two "
          "threads):{}",
          build_stats_.read_seconds, build_stats_.decode_seconds, build_stats_.collect_seconds,
          build_stats_.rows, build_stats_.write_seconds, build_stats_.swap_seconds,
          build_stats_.drop_seconds, apply);
      slots.clear();
      break;
    }
    const auto decode_begin = Clock::now();
    if (!Decode(*records, decoded)) break;
    build_stats_.decode_seconds += Seconds(Clock::now() - decode_begin);
    ApplyDecoded(decoded, slots, /*building=*/true);
    position = records->back().position;
    {
      std::lock_guard lock(mu_);
      for (Slot* s : slots) s->build_position = std::max(s->build_position, position);
    }
    since_checkpoint += records->size();
    if (since_checkpoint >= options_.rebuild_checkpoint_every) {
      if (!BuildCheckpoint(slots, /*final=*/false)) break;
      since_checkpoint = 0;
    }
    if (Clock::now() - last_report > std::chrono::seconds(2)) {
      last_report = Clock::now();
      const double secs = Seconds(last_report - started);
      options_.logger->info("rebuilding {}: position {} of {} ({:.0f}%), {:.0f} events/s", names(),
                            position, target, target ? 100.0 * position / target : 100.0,
                            (position - first) / secs);
    }
  }
  {
    std::lock_guard lock(mu_);
    building_ = false;
    cv_.notify_all();
  }
  // The new generations serve already: freeing the old models (hundreds of MiB of small
  // allocations after a long log) need not hold up the end of the rebuild.
  const auto retire_begin = Clock::now();
  const size_t models = retired.size();
  retired.clear();
  if (models > 0) {
    options_.logger->info("freed {} old models in {:.2f} s", models,
                          Seconds(Clock::now() - retire_begin));
  }
}

bool ProjectionEngine::Handoff(std::vector<Slot*>& slots, Position& position,
                               std::vector<std::shared_ptr<Projection>>& retired) {
  std::lock_guard apply(apply_mu_);
  // The live loop is paused: whatever was appended since the last read is applied here.
  std::vector<Decoded> decoded;
  for (;;) {
    auto records = log_.ReadAll(position + 1, options_.rebuild_batch);
    if (!records) {
      Fail("reading the log for a rebuild: " + records.error().message);
      return false;
    }
    if (records->empty()) break;
    if (!Decode(*records, decoded)) return false;
    ApplyDecoded(decoded, slots, /*building=*/true);
    position = records->back().position;
    for (Slot* s : slots) s->build_position = std::max(s->build_position, position);
  }
  // Ingested rows are durable before the meta write that makes them live.
  if (!BuildCheckpoint(slots, /*final=*/true)) return false;
  const auto swap_begin = Clock::now();
  ViewBatch meta;
  for (Slot* s : slots) {
    meta.PutMeta(MetaKey("projection/", s->name), EncodeMeta({s->version, s->build_generation}));
    meta.DeleteMeta(MetaKey("building/", s->name));
  }
  if (auto w = views_.Write(meta); !w) {
    Fail("switching to rebuilt projections: " + w.error().message);
    return false;
  }
  std::vector<std::string> keep;
  {
    std::lock_guard lock(mu_);
    for (Slot* s : slots) {
      s->building->SetBulk(false);
      // The old model is freed by the caller, outside this lock.
      if (s->active) retired.push_back(std::move(s->active));
      s->active = std::move(s->building);
      s->generation = s->build_generation;
      s->position = s->build_position;
      keep.push_back(TableName(s->name, s->generation));
    }
    cv_.notify_all();
  }
  build_stats_.swap_seconds += Seconds(Clock::now() - swap_begin);
  // Drop every other generation of the swapped projections; readers holding one may finish.
  const auto drop_begin = Clock::now();
  for (const std::string& table_name : views_.TableNames()) {
    if (std::find(keep.begin(), keep.end(), table_name) != keep.end()) continue;
    for (Slot* s : slots) {
      if (!table_name.starts_with(s->name + "@")) continue;
      if (auto stale = views_.OpenTable(table_name)) {
        if (auto dropped = views_.DropTable(*stale); !dropped) {
          options_.logger->warn("could not drop {}: {}", table_name, dropped.error().message);
        }
      }
    }
  }
  build_stats_.drop_seconds += Seconds(Clock::now() - drop_begin);
  return true;
}

}  // namespace roster::projections
