#include "api/service/node.h"

#include <spdlog/spdlog.h>

#include "projections/access_projection.h"
#include "projections/activity_log_projection.h"
#include "projections/invitations_projection.h"
#include "projections/logins_projection.h"
#include "projections/members_projection.h"

namespace roster::api::service {

std::vector<projections::ProjectionFactory> Node::ProjectionFactories(
    eventstore::EventLog& log, const eventstore::codec::EventCodec& codec) {
  using namespace projections;
  return {
      [] { return std::make_unique<MembersProjection>(); },
      [] { return std::make_unique<InvitationsProjection>(); },
      [] { return std::make_unique<AccessProjection>(); },
      [&log, &codec] { return std::make_unique<ActivityLogProjection>(log, codec); },
      [&log, &codec] { return std::make_unique<LoginsProjection>(log, codec); },
  };
}

Result<std::unique_ptr<Node>> Node::Open(const std::filesystem::path& dir,
                                         const domain::Clock& clock,
                                         std::shared_ptr<spdlog::logger> logger,
                                         NodeOptions options) {
  std::unique_ptr<Node> node(new Node());
  if (options.log_url.empty()) {
    auto log = eventstore::OpenRocksEventStore(dir / "log", options.store);
    if (!log) return std::unexpected(FromStoreError(log.error()));
    node->rocks_ = log->get();
    node->log_ = std::move(*log);
  } else {
    eventstore::postgres::PgLogOptions pg = options.pg;
    // A read-only tool must not create a log where there is none.
    if (options.store.read_only) pg.create_if_missing = false;
    auto log = eventstore::postgres::OpenPgEventLog(options.log_url, pg);
    if (!log) return std::unexpected(FromStoreError(log.error()));
    node->pg_ = log->get();
    node->log_ = std::move(*log);
    // Other nodes append to this log: a rejection decided on a cached aggregate is checked
    // against the stream's head before it is answered.
    options.commands.shared_log = true;
  }
  projections::ViewStoreOptions view_options = options.views;
  view_options.read_only = options.store.read_only;
  auto views = projections::ViewStore::Open(dir / "views", view_options);
  if (!views) return std::unexpected(FromStoreError(views.error()));
  node->views_ = std::move(*views);
  if (!options.engine.logger) options.engine.logger = logger;
  node->engine_ = std::make_unique<projections::ProjectionEngine>(
      *node->log_, *node->views_, node->codec_, ProjectionFactories(*node->log_, node->codec_),
      options.engine);
  if (auto started = node->engine_->Start(); !started) {
    return std::unexpected(FromStoreError(started.error()));
  }
  if (!options.commands.logger) options.commands.logger = logger;
  auto commands =
      CommandService::Create(*node->log_, *node->views_, node->codec_, clock, options.commands);
  if (!commands) return std::unexpected(commands.error());
  node->commands_ = std::move(*commands);
  node->queries_ = std::make_unique<QueryService>(*node->engine_, *node->log_, node->codec_, clock,
                                                  options.queries);
  SweepHold hold;
  if (node->pg_ != nullptr) {
    // One node at a time sweeps the shared log, the one whose session holds this lock.
    node->sweep_lock_ = std::make_unique<eventstore::postgres::PgAdvisoryLock>(
        options.log_url, "roster:" + node->pg_->schema() + ":invitation-expiry-sweep",
        options.pg.connect_timeout);
    hold = [lock = node->sweep_lock_.get()]() -> Result<bool> {
      auto held = lock->TryHold();
      if (!held) return std::unexpected(FromStoreError(held.error()));
      return *held;
    };
  }
  node->sweeper_ = std::make_unique<ExpirySweeper>(*node->commands_, *node->engine_, clock,
                                                   options.sweep_interval, logger, std::move(hold));
  if (options.run_sweeper) node->sweeper_->Start();
  return node;
}

Node::~Node() {
  if (sweeper_) sweeper_->Stop();
  if (engine_) engine_->Stop();
  commands_.reset();
  queries_.reset();
  engine_.reset();
  views_.reset();
  log_.reset();
  sweep_lock_.reset();
}

}  // namespace roster::api::service
