// Node: one Roster data directory opened and wired: the event log (<dir>/log, or a shared log on
// PostgreSQL when NodeOptions::log_url names one), the view store (<dir>/views, always local), the
// codec, the projection engine with every read model, the command and query services and the
// invitation expiry sweeper. rosterd, the admin tools, benchmarks and tests all start Roster
// through this, so they run the same wiring. It owns what it opens; the clock and logger are
// borrowed/shared. Thread-safe once open.
#pragma once

#include <filesystem>
#include <memory>

#include "api/service/command_service.h"
#include "api/service/expiry_sweeper.h"
#include "api/service/query_service.h"
#include "eventstore/codec/codec.h"
#include "eventstore/postgres/pg_advisory_lock.h"
#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/rocks_event_store.h"
#include "projections/projection_engine.h"
#include "projections/view_store.h"

namespace roster::api::service {

struct NodeOptions {
  // Empty: the embedded RocksDB log in <dir>/log (the default). A postgresql:// URI: the log on
  // PostgreSQL (PgEventLog), which several nodes may share; the read models stay in <dir>.
  std::string log_url;
  eventstore::postgres::PgLogOptions pg;  // for a log_url
  eventstore::StoreOptions store;         // for the RocksDB log (read_only applies to both)
  projections::ViewStoreOptions views;    // its read_only follows store.read_only
  projections::EngineOptions engine;      // logger filled from Open's logger when empty
  CommandServiceOptions commands;         // logger filled from Open's logger when empty
  QueryOptions queries;
  bool run_sweeper = true;
  std::chrono::milliseconds sweep_interval{60000};
};

class Node {
 public:
  static Result<std::unique_ptr<Node>> Open(const std::filesystem::path& dir,
                                            const domain::Clock& clock,
                                            std::shared_ptr<spdlog::logger> logger,
                                            NodeOptions options = {});
  ~Node();  // stops the sweeper and projections, then closes the stores

  eventstore::EventLog& log() { return *log_; }
  // The embedded log, or null when the log is on PostgreSQL: for what only RocksDB has (its
  // memory, its files).
  eventstore::RocksEventStore* rocks_store() { return rocks_; }
  // The PostgreSQL log, or null when the log is embedded.
  eventstore::postgres::PgEventLog* pg_log() { return pg_; }
  projections::ViewStore& views() { return *views_; }
  const eventstore::codec::EventCodec& codec() const { return codec_; }
  projections::ProjectionEngine& engine() { return *engine_; }
  CommandService& commands() { return *commands_; }
  QueryService& queries() { return *queries_; }
  ExpirySweeper* sweeper() { return sweeper_.get(); }

  // The factories of every read model, for tools that build them elsewhere. The log and codec
  // are borrowed by the append-only models to answer queries.
  static std::vector<projections::ProjectionFactory> ProjectionFactories(
      eventstore::EventLog& log, const eventstore::codec::EventCodec& codec);

 private:
  Node() = default;
  eventstore::codec::EventCodec codec_;
  std::unique_ptr<eventstore::EventLog> log_;
  eventstore::RocksEventStore* rocks_ = nullptr;    // log_, when embedded
  eventstore::postgres::PgEventLog* pg_ = nullptr;  // log_, when on PostgreSQL
  std::unique_ptr<projections::ViewStore> views_;
  std::unique_ptr<projections::ProjectionEngine> engine_;
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<QueryService> queries_;
  std::unique_ptr<ExpirySweeper> sweeper_;
  // Which node sweeps, when the log is shared; released after the sweeper stops (~Node).
  std::unique_ptr<eventstore::postgres::PgAdvisoryLock> sweep_lock_;
};

}  // namespace roster::api::service
