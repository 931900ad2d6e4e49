// PgEventLog: the EventLog on PostgreSQL (15 or later), for several Roster processes sharing
// one log. The embedded RocksEventStore stays the default; this backend keeps the same
// semantics, proven by running the event log's test suite against both.
//
// - Records are stored byte for byte as the RocksDB log stores them, so the hash chain is the
//   same and a log copied between the backends verifies unchanged.
// - Appends from every process on the log serialise on one head row that each appending
//   transaction locks first and updates last, so positions are gap-free and commit in position
//   order: a reader by position never skips a record that committed late.
// - Group commit: one writer thread per PgEventLog folds concurrent appends into one
//   transaction, so durable appends per second do not stop at one commit per WAL flush.
// - Durable means committed, with the server's synchronous_commit (and, with a synchronous
//   standby, replicated as the server is configured): an acknowledged append survives what
//   the server's settings promise.
// - WaitForPosition, subscriptions and commit listeners wake on this process's commits at once
//   and on other processes' commits through LISTEN/NOTIFY, on a connection of their own; no
//   polling. Listeners run on the writer thread or on the notifier thread, in position order.
// - When the server cannot be reached, calls fail with kUnavailable after the connect timeout
//   rather than hang; an append cut off during COMMIT says its outcome is unknown (look the
//   command id up with FindCommand). Each later call connects again.
//
// Thread-safe. Lifetimes: subscriptions and commit listeners must not outlive the log. Close()
// may be called while other threads use the log: it answers the appends already queued, then
// makes every later call fail with kClosed and wakes blocked waiters.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "eventstore/event_log.h"

namespace roster::eventstore::postgres {

struct PgLogOptions {
  // The PostgreSQL schema holding the log's tables (several logs can share a database). Lower-
  // case letters, digits and '_'.
  std::string schema = "roster";
  // Create the schema and tables when missing.
  bool create_if_missing = true;
  // Upper bound on the appends folded into one transaction; 1 turns group commit off (for
  // benchmarks that measure what it brings).
  size_t max_group_appends = 1024;
  // How long a connection attempt may take before the call fails with kUnavailable (libpq's
  // connect_timeout, per host of a multi-host connection string).
  std::chrono::seconds connect_timeout{5};
};

namespace internal {
class PgWriter;
class PgNotifier;
class ConnPool;
class CommitFeed;
struct Statements;
}  // namespace internal

class PgEventLog;

// Connects to `conninfo` (a postgresql:// URI or a key=value string, multi-host forms included)
// and opens the log in options.schema, creating it when missing and allowed. kUnavailable when
// the server cannot be reached; kNotARosterStore when the schema holds something else;
// kNewerFormat when a newer binary made it.
Result<std::unique_ptr<PgEventLog>> OpenPgEventLog(const std::string& conninfo,
                                                   const PgLogOptions& options = {});

class PgEventLog final : public EventLog {
 public:
  // Counters since open; for benchmarks, tests and operations.
  struct Stats {
    uint64_t appends = 0;            // appends that wrote records
    uint64_t duplicates = 0;         // retries answered with a command id's first outcome
    uint64_t rejected = 0;           // wrong expected version or reused command id
    uint64_t commits = 0;            // group commits: transactions that wrote records
    uint64_t records = 0;            // records written
    uint64_t failed_groups = 0;      // transactions that failed or whose outcome is unknown
    uint64_t notifier_connects = 0;  // LISTEN connections made (1 + reconnects)
    // Since when (UTC microseconds) the server cannot be reached (the LISTEN connection is
    // lost and not yet back); 0 while it is reachable.
    int64_t unreachable_since_us = 0;
  };

  ~PgEventLog() override;
  PgEventLog(const PgEventLog&) = delete;
  PgEventLog& operator=(const PgEventLog&) = delete;

  Result<AppendResult> Append(AppendRequest request) override;
  std::vector<Result<AppendResult>> AppendMany(std::vector<AppendRequest> requests) override;
  Result<std::vector<Record>> ReadStream(std::string_view stream, StreamVersion from_version,
                                         size_t max_count) override;
  Result<std::vector<Record>> ReadAll(Position from_position, size_t max_count) override;
  Result<size_t> VisitAll(Position from_position, size_t max_count,
                          const RecordVisitor& visit) override;
  Result<StreamVersion> StreamHead(std::string_view stream) override;
  Result<std::optional<CommandOutcomeRecord>> FindCommand(std::string_view command_id) override;
  // The last position this process knows committed: its own commits at once, other processes'
  // once their NOTIFY arrives.
  Position LastPosition() const override;
  Result<std::unique_ptr<Subscription>> Subscribe(Position after_position) override;
  Result<Position> WaitForPosition(Position position, std::chrono::milliseconds timeout) override;
  uint64_t AddCommitListener(std::function<void(Position)> listener) override;
  void RemoveCommitListener(uint64_t id) override;
  const LogTimings* timings() const override;
  Result<VerifyReport> Verify(Position from, Position to,
                              std::function<void(Position)> progress = {}) override;

  // Answers the appends already queued, then fails every later call with kClosed and wakes
  // WaitForPosition and subscriptions. Idempotent.
  void Close();
  Stats stats() const;
  const std::string& schema() const;

 private:
  friend Result<std::unique_ptr<PgEventLog>> OpenPgEventLog(const std::string& conninfo,
                                                            const PgLogOptions& options);
  struct Parts;
  explicit PgEventLog(std::unique_ptr<Parts> parts);
  Result<void> CheckOpen() const;

  std::unique_ptr<Parts> parts_;
};

}  // namespace roster::eventstore::postgres
