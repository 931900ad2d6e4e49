// Projection: one read model fed from the event log.
//
// A projection folds decoded events into its model; Flush stages the rows that changed since
// the last flush into a RowSink, and the engine (projection_engine.h) writes them together
// with the projection's checkpoint atomically, so after a crash nothing is applied twice or
// skipped. Models that answer queries from memory load their rows once at start (LoadRow).
// While a projection is being rebuilt it runs in bulk mode: it need not track what changed,
// because the engine asks for every row once at the end (FlushAll).
//
// Thread-safety: the engine calls LoadRow/Apply/Flush from one thread at a time while holding
// mutex() exclusively; query methods of a projection take mutex() shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/ids.h"
#include "eventstore/record.h"
#include "projections/view_store.h"

namespace roster::projections {

// One event as a projection sees it. Borrowed: valid only during the Apply call.
struct EventContext {
  const eventstore::Record& record;  // position, time and metadata
  const domain::Event& event;
  const domain::OrgId& org;  // from the stream the record is on
};

// Where a flush puts rows: a write batch (live) or a list of rows to ingest (rebuilds).
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
};

class BatchSink final : public RowSink {
 public:
  BatchSink(ViewBatch& batch, const Table& table) : batch_(batch), table_(table) {}
  void Put(std::string_view key, std::string_view value) override {
    batch_.Put(table_, key, value);
  }
  void Delete(std::string_view key) override { batch_.Delete(table_, key); }

 private:
  ViewBatch& batch_;
  const Table& table_;
};

// Collects rows for ViewStore::Ingest.
class CollectSink final : public RowSink {
 public:
  explicit CollectSink(RowBuffer& rows) : rows_(rows) {}
  void Put(std::string_view key, std::string_view value) override { rows_.Put(key, value); }
  void Delete(std::string_view key) override { rows_.Delete(key); }

 private:
  RowBuffer& rows_;
};

// An in-memory model's cache of organizations (internal/org_cache.h).
struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;  // loads from the model's table
  size_t orgs = 0;
  size_t bytes = 0;  // estimated
  size_t budget = 0;
};

class Projection {
 public:
  virtual ~Projection() = default;

  virtual std::string_view name() const = 0;
  // Bump when the model or its row layout changes: the projection is then rebuilt from the log.
  virtual uint32_t version() const = 0;

  // Whether the model lives in memory and must be loaded from its rows at start. Append-only
  // projections that answer from their table return false and are not scanned.
  virtual bool LoadsRows() const { return true; }
  // Whether the engine must pass every stored row to LoadRow at start. An in-memory model that
  // loads organizations from its table on demand (a cache) keeps only what spans them.
  virtual bool NeedsRowsAtStart() const { return LoadsRows(); }
  // Called once per stored row, in key order, before the first Apply. False means the row
  // cannot be read (the engine then rebuilds the projection).
  virtual bool LoadRow(std::string_view key, std::string_view value) = 0;
  // Called once after the last LoadRow (rebuild derived indexes here). False as for LoadRow.
  virtual bool FinishLoad() { return true; }
  virtual void Apply(const EventContext& event) = 0;
  // Stages the rows changed since the last Flush (nothing in bulk mode but what FlushAll adds).
  virtual void Flush(RowSink& sink) = 0;
  // Stages every row of the model; called once at the end of a rebuild.
  virtual void FlushAll(RowSink& sink) { Flush(sink); }
  // Called once at the end of a rebuild in bulk mode, before FlushAll: a model that skips,
  // while in bulk mode, indexes only its queries read (nobody queries a generation being
  // built) derives them here from its primary data, as FinishLoad does after LoadRow.
  virtual void EndBulk() {}
  // The rows staged by the last Flush or FlushAll are written (with the checkpoint): a cache
  // may now drop what they hold.
  virtual void Flushed() {}
  // Why the model could not apply an event (its rows could not be read), or empty. The engine
  // stops on it, as on a failed write: the model is then behind its log.
  virtual std::string failure() const { return {}; }

  // A model that caches organizations keeps about this many bytes of them.
  virtual void SetCacheBudget(size_t /*bytes*/) {}
  virtual std::optional<CacheStats> cache_stats() const { return std::nullopt; }

  // Bulk mode: set while the projection is rebuilt from the log, cleared when it is swapped in.
  void SetBulk(bool bulk) { bulk_ = bulk; }
  bool bulk() const { return bulk_; }

  // The table this generation of the projection lives in; set once by the engine before
  // LoadRow. Append-only projections read their queries from it.
  void Attach(std::shared_ptr<Table> table) { table_ = std::move(table); }
  const Table& table() const { return *table_; }
  // False for a model fed in a unit test without a table: it holds everything in memory.
  bool attached() const { return table_ != nullptr; }
  std::shared_mutex& mutex() const { return mu_; }

 private:
  std::shared_ptr<Table> table_;
  mutable std::shared_mutex mu_;
  bool bulk_ = false;
};

}  // namespace roster::projections
