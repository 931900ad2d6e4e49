// The rebuild half of ProjectionEngine: the builder thread that folds the log into fresh
// generations of the projections, the checkpoints it writes, and the swap that makes the new
// generations serve (see projection_engine.h and docs/projections.md).
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "projections/internal/engine.h"
#include "projections/internal/parallel_for.h"
#include "projections/projection_engine.h"

namespace roster::projections {

using namespace internal;
using eventstore::Position;

bool ProjectionEngine::BuildCheckpoint(std::vector<Slot*>& slots, bool final) {
  const auto collect_begin = Clock::now();
  std::vector<Slot*> chosen;
  for (Slot* s : slots) {
    // In-memory models are written once, whole, at the end; until then an interrupted
    // rebuild of them starts over. Append-only indexes checkpoint as they go.
    if (final || !s->building->LoadsRows()) chosen.push_back(s);
  }
  // Each model stages its rows under its own lock, two at a time: the models that took
  // longest to apply (the largest, as a rule) first.
  std::sort(chosen.begin(), chosen.end(), [](const Slot* a, const Slot* b) {
    return a->build_apply_seconds > b->build_apply_seconds;
  });
  std::vector<std::pair<const Table*, RowBuffer>> rows(chosen.size());
  internal::ParallelFor(chosen.size(), [&](size_t i) {
    Projection& p = *chosen[i]->building;
    std::unique_lock lock(p.mutex());
    rows[i].first = &p.table();
    CollectSink sink(rows[i].second);
    if (final && p.bulk()) {
      p.EndBulk();
      p.FlushAll(sink);
    } else {
      p.Flush(sink);
    }
    sink.Put(kCheckpointKey, EncodePosition(chosen[i]->build_position));
  });
  const auto begin = Clock::now();
  build_stats_.collect_seconds += Seconds(begin - collect_begin);
  for (const auto& [table, list] : rows) build_stats_.rows += list.size();
  if (auto w = views_.Ingest(rows); !w) {
    Fail("writing a rebuild: " + w.error().message);
    return false;
  }
  for (Slot* s : chosen) {
    std::unique_lock lock(s->building->mutex());
    s->building->Flushed();
  }
  build_stats_.write_seconds += Seconds(Clock::now() - begin);
  return true;
}

void ProjectionEngine::BuildLoop() {
  pthread_setname_np(pthread_self(), "roster-rebuild");
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
  std::vector<std::shared_ptr<Projection>> retired;  // old generations, freed at the end

  // The log is read and decoded on a reader thread, up to two batches ahead of the appliers.
  internal::BoundedQueue<Batch> queue(2);
  BuildStats reader_stats;
  bool read_failed = false;
  std::thread reader;
  auto join_reader = [&] {
    if (!reader.joinable()) return;
    queue.Close();
    reader.join();
    build_stats_.read_seconds += reader_stats.read_seconds;
    build_stats_.decode_seconds += reader_stats.decode_seconds;
  };
  if (!slots.empty()) {
    reader = std::thread([&, from = position] {
      pthread_setname_np(pthread_self(), "roster-readlog");
      read_failed = !ReadAhead(from, queue, reader_stats);
    });
  }

  while (!slots.empty()) {
    if (stopping_) {
      join_reader();
      BuildCheckpoint(slots, /*final=*/false);
      options_.logger->info("rebuild of {} interrupted at position {}", names(), position);
      break;
    }
    const auto wait_begin = Clock::now();
    std::optional<Batch> batch = queue.Pop();
    build_stats_.wait_seconds += Seconds(Clock::now() - wait_begin);
    if (!batch) {  // the end of the log, or the reader failed or was stopped
      join_reader();
      if (read_failed) break;
      if (stopping_) continue;
      if (!Handoff(slots, position, retired)) break;
      const double secs = Seconds(Clock::now() - started);
      options_.logger->info("rebuilt {} up to position {} in {:.2f} s ({:.0f} events/s)", names(),
                            position, secs, secs > 0 ? (position - first) / secs : 0.0);
      std::string apply;
      for (Slot* s : slots) apply += fmt::format(" {} {:.2f} s", s->name, s->build_apply_seconds);
      options_.logger->info(
          "rebuild time: reading the log {:.2f} s and decoding {:.2f} s (on a reader thread), "
          "waiting for it {:.2f} s, collecting rows {:.2f} s, writing {} rows {:.2f} s, swapping "
          "{:.2f} s, dropping old tables {:.2f} s, applying (two threads):{}",
          build_stats_.read_seconds, build_stats_.decode_seconds, build_stats_.wait_seconds,
          build_stats_.collect_seconds, build_stats_.rows, build_stats_.write_seconds,
          build_stats_.swap_seconds, build_stats_.drop_seconds, apply);
      slots.clear();
      break;
    }
    if (!ApplyDecoded(batch->decoded, slots, /*building=*/true)) {
      join_reader();
      break;
    }
    position = batch->records.back().position;
    {
      std::lock_guard lock(mu_);
      for (Slot* s : slots) s->build_position = std::max(s->build_position, position);
    }
    since_checkpoint += batch->records.size();
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
  join_reader();
  {
    std::lock_guard lock(mu_);
    // A rebuild that failed or was stopped keeps its tables and building/ entries, from which
    // the next start resumes it; until then nothing is being built here, and Describe must
    // say so: `roster-admin rebuild` waits for it to.
    for (Slot* s : slots) retired.push_back(std::move(s->building));
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

bool ProjectionEngine::ReadAhead(Position position, internal::BoundedQueue<Batch>& queue,
                                 BuildStats& stats) {
  while (!stopping_) {
    const auto read_begin = Clock::now();
    auto records = log_.ReadAll(position + 1, options_.rebuild_batch);
    const auto decode_begin = Clock::now();
    stats.read_seconds += Seconds(decode_begin - read_begin);
    if (!records) {
      Fail("reading the log for a rebuild: " + records.error().message);
      queue.Finish();
      return false;
    }
    if (records->empty()) break;
    Batch batch;
    batch.records = std::move(*records);
    // One thread: the appliers keep both cores busy meanwhile.
    if (!Decode(batch.records, batch.decoded, /*parallel=*/false)) {
      queue.Finish();
      return false;
    }
    stats.decode_seconds += Seconds(Clock::now() - decode_begin);
    position = batch.records.back().position;
    if (!queue.Push(std::move(batch))) break;  // closed: the builder is done with it
  }
  queue.Finish();
  return true;
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
    if (!ApplyDecoded(decoded, slots, /*building=*/true)) return false;
    position = records->back().position;
    std::lock_guard lock(mu_);  // Describe() and WaitFor() read it meanwhile
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
