// Node: one Roster data directory opened and wired: the event log (<dir>/log), the view store
// (<dir>/views), the codec, the projection engine with every read model, the command and
// query services and the invitation expiry sweeper. rosterd, the admin tools, benchmarks and
// tests all start Roster through this, so they run the same wiring. It owns what it opens;
// the clock and logger are borrowed/shared. Thread-safe once open.
#pragma once

#include <filesystem>
#include <memory>

#include "api/service/command_service.h"
#include "api/service/expiry_sweeper.h"
#include "api/service/query_service.h"
#include "eventstore/codec/codec.h"
#include "eventstore/rocks_event_store.h"
#include "projections/projection_engine.h"
#include "projections/view_store.h"

namespace roster::api::service {

struct NodeOptions {
  eventstore::StoreOptions store;
  projections::ViewStoreOptions views;  // its read_only follows store.read_only
  projections::EngineOptions engine;    // logger filled from Open's logger when empty
  CommandServiceOptions commands;       // logger filled from Open's logger when empty
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
  eventstore::RocksEventStore& store() { return *log_; }
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
  std::unique_ptr<eventstore::RocksEventStore> log_;
  std::unique_ptr<projections::ViewStore> views_;
  std::unique_ptr<projections::ProjectionEngine> engine_;
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<QueryService> queries_;
  std::unique_ptr<ExpirySweeper> sweeper_;
};

}  // namespace roster::api::service
