// ProjectionEngine: keeps every projection fed from the event log, exactly once.
//
// On Start, each projection whose stored version matches the code's is loaded from its table
// and resumes from its checkpoint; one whose version changed (or that was never built) is
// rebuilt from the start of the log into a new table beside the old one, by a builder thread,
// and swapped in when it has caught up. A live thread follows the log's subscription and
// applies each batch of records to every active projection, writing their rows and checkpoints
// in one atomic batch. Rebuild() rebuilds projections on demand the same way while the old
// generations keep serving.
//
// Thread-safety: all public methods are thread-safe. The engine borrows the log, the view
// store and the codec: they must outlive it. Stop() (or the destructor) joins its threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "projections/internal/bounded_queue.h"
#include "projections/projection.h"
#include "projections/view_store.h"

namespace spdlog {
class logger;
}

namespace roster::projections {

using ProjectionFactory = std::function<std::unique_ptr<Projection>()>;

struct EngineOptions {
  size_t live_batch = 1024;     // records per live apply/write
  size_t rebuild_batch = 8192;  // records per read while rebuilding
  // Events between checkpoints of the append-only models while rebuilding (in-memory models
  // are written once, at the end).
  size_t rebuild_checkpoint_every = 1000000;
  // What each in-memory model (members, invitations, access) keeps of its organizations; the
  // rest is read from its rows when used (docs/projections.md, "Memory").
  size_t model_cache_bytes = 64u << 20;
  std::shared_ptr<spdlog::logger> logger;  // required
};

struct ProjectionStatus {
  std::string name;
  uint32_t version = 0;
  uint64_t generation = 0;
  bool ready = false;  // a generation is serving queries
  eventstore::Position position = 0;
  bool building = false;
  eventstore::Position build_position = 0;
  std::optional<CacheStats> cache;  // of the serving generation, for models that cache
};

class ProjectionEngine {
 public:
  ProjectionEngine(eventstore::EventLog& log, ViewStore& views,
                   const eventstore::codec::EventCodec& codec,
                   std::vector<ProjectionFactory> factories, EngineOptions options);
  ~ProjectionEngine();
  ProjectionEngine(const ProjectionEngine&) = delete;
  ProjectionEngine& operator=(const ProjectionEngine&) = delete;

  Result<void> Start();
  void Stop();

  // The serving generation of a projection, or null while its first build is running.
  std::shared_ptr<Projection> Active(std::string_view name) const;
  template <class P>
  std::shared_ptr<P> Active(std::string_view name) const {
    return std::static_pointer_cast<P>(Active(name));
  }

  // Waits (bounded) until the projection has applied and persisted `position`: read-your-writes
  // for a query carrying the consistency token of a command.
  Result<void> WaitFor(std::string_view name, eventstore::Position position,
                       std::chrono::milliseconds timeout) const;
  // Waits until every projection has reached the log's last position.
  Result<void> CatchUp(std::chrono::milliseconds timeout) const;

  // Rebuilds the named projections (all when empty) from the log beside the serving ones.
  Result<void> Rebuild(const std::vector<std::string>& names);
  // Blocks until no rebuild is running.
  void WaitForRebuilds() const;

  std::vector<ProjectionStatus> Describe() const;
  // The position the serving generation of a projection has applied and persisted.
  eventstore::Position PositionOf(std::string_view name) const;
  // Why the engine stopped applying events, if it did (empty otherwise).
  std::string failure() const;

 private:
  struct Slot;
  Result<void> LoadOrScheduleBuild(Slot& slot);
  Result<void> BeginBuild(Slot& slot, uint64_t generation, bool fresh);
  void LiveLoop();
  void BuildLoop();
  struct Decoded;
  struct Batch;
  struct BuildStats {
    double read_seconds = 0, decode_seconds = 0, wait_seconds = 0, collect_seconds = 0;
    double write_seconds = 0, swap_seconds = 0, drop_seconds = 0;
    uint64_t rows = 0;
  };
  // The rebuild's reader thread: reads and decodes batches after `position` into `queue`
  // until the log's end, a stop or the queue's close, then finishes the queue. False (after
  // Fail) when the log cannot be read or decoded.
  bool ReadAhead(eventstore::Position position, internal::BoundedQueue<Batch>& queue,
                 BuildStats& stats);
  // Applies the tail of the log, writes the final rows and swaps the new generations in; the
  // old models are moved to `retired` for the caller to free.
  bool Handoff(std::vector<Slot*>& slots, eventstore::Position& position,
               std::vector<std::shared_ptr<Projection>>& retired);
  // Decodes the records of Roster streams into `out`; large batches on two threads unless
  // `parallel` is false. False (after Fail) when a record cannot be decoded.
  bool Decode(const std::vector<eventstore::Record>& records, std::vector<Decoded>& out,
              bool parallel = true);
  // False (after Fail) when a projection could not apply an event (see Projection::failure).
  bool ApplyDecoded(const std::vector<Decoded>& decoded, std::vector<Slot*>& slots, bool building);
  void ApplyEach(const std::vector<Decoded>& decoded, std::vector<Slot*>& slots, bool building);
  bool BuildCheckpoint(std::vector<Slot*>& slots, bool final);
  void Fail(const std::string& why);
  void StartBuilder();

  eventstore::EventLog& log_;
  ViewStore& views_;
  const eventstore::codec::EventCodec& codec_;
  EngineOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;

  mutable std::mutex mu_;  // guards slot fields, failure_, building_
  mutable std::condition_variable cv_;
  std::mutex apply_mu_;  // one writer of projection rows at a time: the live loop or a handoff
  std::string failure_;
  bool building_ = false;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<eventstore::Subscription> subscription_;
  std::thread live_;
  std::thread builder_;
  BuildStats build_stats_;  // builder thread only
};

}  // namespace roster::projections
