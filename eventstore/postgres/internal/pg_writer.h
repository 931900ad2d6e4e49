// PgWriter: decides appends and group-commits them, one PostgreSQL transaction per group, on one
// writer thread with its own connection.
//
// A caller (any thread) checks its request, queues it and blocks. The writer takes everything
// queued (up to max_group_appends), and in one transaction: locks the head row (which holds the
// last position and hash, and so serialises appenders of every process on this log), looks up
// the group's command ids and stream heads, decides each request against them as the earlier
// requests of the group leave them, assigns positions, chains hashes, writes every accepted
// record with one statement that also moves the head and queues a NOTIFY, and commits. Only
// after COMMIT returns does it advance the CommitFeed and wake the callers.
//
// Stream heads are cached between groups only while nobody else appends: a group whose locked
// head is not the one this writer left drops the cache.
//
// Errors: a statement failing or the connection breaking before COMMIT fails the group's
// accepted requests (nothing was written), with kUnavailable when the server cannot be reached
// and kIoError otherwise; the connection breaking during COMMIT gives kUnavailable saying the
// outcome is unknown. The next group reconnects: unlike the RocksDB log the writer does not
// stop for good, since a transaction leaves the log in a known state either way.
//
// Thread-safe. Borrows the CommitFeed and the Statements, which must outlive it; Stop() (or the
// destructor) returns once every queued request has been answered.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "eventstore/error.h"
#include "eventstore/log_timings.h"
#include "eventstore/postgres/internal/commit_feed.h"
#include "eventstore/postgres/internal/pg_conn.h"
#include "eventstore/postgres/internal/pg_schema.h"
#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/record.h"

namespace roster::eventstore::postgres::internal {

class PgWriter {
 public:
  // `conn`: an open connection to use first (may be null: the writer connects when needed).
  PgWriter(std::string conninfo, const PgLogOptions& options, const Statements& sql,
           CommitFeed& feed, Conn conn);
  ~PgWriter();
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;

  Result<AppendResult> Append(AppendRequest request);
  std::vector<Result<AppendResult>> AppendMany(std::vector<AppendRequest> requests);
  // Answers what is queued, then ends the writer thread; later appends fail with kClosed.
  void Stop();
  // The server process id of the writer's connection (0 while it has none): NOTIFYs from it
  // are this writer's own commits, already in the feed.
  int backend_pid() const { return backend_pid_.load(std::memory_order_acquire); }
  void AddStats(PgEventLog::Stats& stats) const;
  const LogTimings& timings() const { return timings_; }

 private:
  struct Pending;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using HeadMap = std::unordered_map<std::string, StreamVersion, StringHash, std::equal_to<>>;

  void Run();
  bool TakeGroup(std::vector<Pending*>& group);
  void CommitGroup(const std::vector<Pending*>& group);
  // The group's transaction. Sets each request's outcome; an error means the transaction did
  // not commit (or may not have), and is then the outcome of every request riding on it.
  Result<Position> Transact(const std::vector<Pending*>& group);
  Result<void> LoadLookups(const std::vector<Pending*>& group);
  void Decide(Pending& pending);
  bool DecideDuplicate(Pending& pending);
  Result<void> Accept(Pending& pending, StreamVersion head);
  Result<void> EnsureConnected();

  const std::string conninfo_;
  const PgLogOptions options_;
  const Statements& sql_;
  CommitFeed& feed_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending*> queue_;  // borrowed: each Pending lives on its caller's stack
  bool stopping_ = false;

  // Writer-thread state.
  Conn conn_;
  std::atomic<int> backend_pid_{0};
  Position next_position_ = 0;
  Hash last_hash_{};
  int64_t last_time_us_ = 0;
  // The head this writer's last commit left; its stream-head cache is valid while the locked
  // head still says so.
  Position cache_valid_at_ = UINT64_MAX;
  HeadMap heads_;
  // This group's lookups: command outcomes found in the table, and its accepted command ids.
  std::unordered_map<std::string, CommandOutcomeRecord, StringHash, std::equal_to<>> known_;
  std::unordered_map<std::string_view, const Pending*> group_commands_;
  // This group's rows, as statement parameters.
  std::vector<int64_t> positions_, versions_;
  std::vector<std::string_view> streams_;
  std::vector<std::string> records_;
  std::vector<std::string_view> command_ids_, command_streams_;
  std::vector<int64_t> first_positions_, last_positions_, first_versions_, last_versions_;

  std::atomic<uint64_t> appends_{0}, duplicates_{0}, rejected_{0}, commits_{0}, records_count_{0},
      failed_groups_{0};
  LogTimings timings_;

  std::mutex join_mu_;
  std::thread thread_;  // last: starts once everything above is initialized
};

}  // namespace roster::eventstore::postgres::internal
