// Projection: one read model fed from the event log.
//
// A projection folds decoded events into its model and stages the rows that changed into a
// RowSink; the engine (projection_engine.h) writes those rows together with the projection's
// checkpoint in one atomic batch, so after a crash nothing is applied twice or skipped. Models
// that answer queries from memory load their rows once at start (LoadRow) and write rows only
// for what changed (Flush); append-only models write straight to their table from Apply.
//
// Thread-safety: the engine calls LoadRow/Apply/Flush from one thread at a time while holding
// mutex() exclusively; query methods of a projection take mutex() shared.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
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
  const domain::OrgId& org;          // from the stream the record is on
};

class RowSink {
 public:
  RowSink(ViewBatch& batch, const Table& table) : batch_(batch), table_(table) {}
  void Put(std::string_view key, std::string_view value) { batch_.Put(table_, key, value); }
  void Delete(std::string_view key) { batch_.Delete(table_, key); }

 private:
  ViewBatch& batch_;
  const Table& table_;
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
  // Called once per stored row, in key order, before the first Apply. False means the row
  // cannot be read (the engine then rebuilds the projection).
  virtual bool LoadRow(std::string_view key, std::string_view value) = 0;
  // Called once after the last LoadRow (rebuild derived indexes here). False as for LoadRow.
  virtual bool FinishLoad() { return true; }
  virtual void Apply(const EventContext& event, RowSink& sink) = 0;
  // Stages the rows changed since the last Flush.
  virtual void Flush(RowSink& sink) = 0;

  // The table this generation of the projection lives in; set once by the engine before
  // LoadRow. Append-only projections read their queries from it.
  void Attach(std::shared_ptr<Table> table) { table_ = std::move(table); }
  const Table& table() const { return *table_; }
  std::shared_mutex& mutex() const { return mu_; }

 private:
  std::shared_ptr<Table> table_;
  mutable std::shared_mutex mu_;
};

}  // namespace roster::projections
