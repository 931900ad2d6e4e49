// CommandService: from a command to durable events.
//
// Execute loads the organization's aggregate (from the cache, or a snapshot plus the events
// after it), decides, and appends the events with the expected version; on a version conflict
// it reloads and decides again (bounded). A rejected command appends nothing. Every command
// carries a client-chosen command id: a retry with the same id returns the first outcome (an
// accepted command's events, or its rejection) and appends nothing; the same id with a
// different request (CommandContext.request_digest) is CONFLICT. An accepted command
// returns the log position it produced: the consistency token for read-your-writes queries.
// Logins and last-active marks go to the organization's activity stream (ExecuteActivity).
//
// Thread-safety: thread-safe; commands on different organizations run in parallel and share
// group commits. Borrows the log, view store, codec and clock: they must outlive the service.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/service/aggregate_cache.h"
#include "api/service/failure.h"
#include "domain/activity.h"
#include "domain/commands.h"
#include "domain/time.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "projections/view_store.h"

namespace spdlog {
class logger;
}

namespace roster::api::service {

struct CommandContext {
  domain::UserId actor;        // on whose behalf; checked by the domain's rules
  std::string command_id;      // client-chosen; empty disables idempotency
  std::string correlation_id;  // defaults to the command id
  std::string source;          // the API client's principal
  // What the command asks, apart from its ids (the API layer's digest of the request). A
  // command id seen before with another digest is CONFLICT instead of the first outcome, so
  // that a key reused for a different request is surfaced, not silently answered with the
  // first one. Empty: not compared (the first outcome comes back, as before).
  std::string request_digest;
};

// One entry of an InviteMembers command: refused, or the invitation it sent.
struct EntryOutcome {
  std::optional<domain::Rejection> rejection;
  std::string invitation_id;     // accepted
  std::string invitation_token;  // accepted, the first time only (a retry does not repeat it)
};

struct CommandOutcome {
  std::optional<domain::Rejection> rejection;
  eventstore::Position position = 0;  // consistency token (the org's head for a no-op)
  eventstore::StreamVersion version = eventstore::kNoStreamVersion;
  std::vector<domain::Event> events;  // recorded by this command (also on a duplicate)
  bool duplicate = false;             // a retry: this is the first outcome
  std::string invitation_token;       // the secret of a new or resent invitation, once
  // InviteMembers: one per entry, in order (also on a retry, from the first outcome: the ids
  // from the log, the refusals from the outcome row, but no secrets).
  std::vector<EntryOutcome> entries;
  bool accepted() const { return !rejection.has_value(); }
};

struct CommandServiceOptions {
  size_t cache_capacity = 50000;  // organizations kept in memory
  uint64_t snapshot_every = 200;  // events between aggregate snapshots
  int max_conflict_retries = 5;
  // Other processes append to the log too (a log on PostgreSQL shared by several nodes). A
  // cached aggregate may then be behind: an accepted command still finds out through the
  // expected version, but a rejection or a no-op decided on it would never reach the log, so
  // those are first checked against the stream's newer events and decided again on them.
  bool shared_log = false;
  domain::ActivityPolicy activity;
  // Told, once, when the log stops accepting writes. Null: nobody is (Node::Open fills it).
  std::shared_ptr<spdlog::logger> logger;
};

class CommandService {
 public:
  static Result<std::unique_ptr<CommandService>> Create(eventstore::EventLog& log,
                                                        projections::ViewStore& views,
                                                        const eventstore::codec::EventCodec& codec,
                                                        const domain::Clock& clock,
                                                        CommandServiceOptions options = {});

  Result<CommandOutcome> Execute(const domain::OrgId& org, domain::Command command,
                                 const CommandContext& context);
  Result<CommandOutcome> ExecuteActivity(const domain::OrgId& org, domain::ActivityCommand command,
                                         const CommandContext& context);

  // The organization's current state (loaded if needed; on a shared log, with what other nodes
  // appended): for the listings (listings.h), as-of checks and tests.
  Result<domain::OrganizationState> State(const domain::OrgId& org);
  // Drops every cached aggregate (benchmarks measure cold loads with it).
  void DropCache() { cache_.Clear(); }

 private:
  CommandService(eventstore::EventLog& log, projections::ViewStore& views,
                 const eventstore::codec::EventCodec& codec, const domain::Clock& clock,
                 CommandServiceOptions options, std::shared_ptr<projections::Table> snapshots,
                 std::shared_ptr<projections::Table> outcomes);

  Result<void> Load(const domain::OrgId& org, Aggregate& a);
  // Load, unless another command loaded it first. Caller holds a.command_mu.
  Result<void> EnsureLoaded(const domain::OrgId& org, Aggregate& a);
  // Applies the organization's events after `version` to `state`, advancing `version` and
  // `last_position`.
  Result<void> ApplyStream(const domain::OrgId& org, domain::OrganizationState& state,
                           eventstore::StreamVersion& version, eventstore::Position& last_position);
  // Applies the stream's events after a.version (appended by other nodes); whether there were
  // any. Caller holds a.command_mu.
  Result<bool> CatchUp(const domain::OrgId& org, Aggregate& a);
  // A log failure as the command's answer; an unreachable log says so.
  Failure LogFailed(const eventstore::Error& error);
  // `bulk`: the command, when it is an InviteMembers (to answer its entries if the first
  // attempt's outcome row was lost).
  Result<std::optional<CommandOutcome>> FindOutcome(const domain::OrgId& org,
                                                    const CommandContext& ctx,
                                                    const domain::InviteMembers* bulk = nullptr);
  void RecordOutcome(const domain::OrgId& org, const CommandContext& ctx,
                     const CommandOutcome& outcome);
  Result<std::vector<domain::Event>> ReadEvents(eventstore::Position first,
                                                eventstore::Position last);
  void MaybeSnapshot(const domain::OrgId& org, Aggregate& a);
  // The answer to an append that failed for a reason of the store's, logged the first time.
  Failure AppendFailed(const eventstore::Error& error);

  eventstore::EventLog& log_;
  projections::ViewStore& views_;
  const eventstore::codec::EventCodec& codec_;
  const domain::Clock& clock_;
  CommandServiceOptions options_;
  std::shared_ptr<projections::Table> snapshots_;
  std::shared_ptr<projections::Table> outcomes_;
  AggregateCache cache_;
  std::atomic<bool> log_failure_reported_{false};
};

}  // namespace roster::api::service
