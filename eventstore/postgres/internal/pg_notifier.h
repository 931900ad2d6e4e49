// PgNotifier: hears of commits made by other processes on the same log, through LISTEN on a
// connection of its own, and advances the CommitFeed with them (this process's own commits are
// advanced by the writer and skipped here by the sending backend's pid).
//
// One thread sleeps in poll() on the connection's socket and an eventfd that Stop() signals:
// no polling loop. When the connection breaks it reconnects with a growing pause (up to 2 s),
// then reads the head once, since NOTIFYs sent meanwhile are lost to it.
//
// Thread-safe. Borrows the feed, the statements and the pid source, which must outlive it.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "eventstore/postgres/internal/commit_feed.h"
#include "eventstore/postgres/internal/pg_conn.h"
#include "eventstore/postgres/internal/pg_schema.h"
#include "eventstore/postgres/pg_event_log.h"

namespace roster::eventstore::postgres::internal {

class PgNotifier {
 public:
  // `own_pid`: the server pid of this process's writer connection, read at each notification.
  PgNotifier(std::string conninfo, const PgLogOptions& options, const Statements& sql,
             CommitFeed& feed, std::function<int()> own_pid);
  ~PgNotifier();
  PgNotifier(const PgNotifier&) = delete;
  PgNotifier& operator=(const PgNotifier&) = delete;

  void Stop();
  uint64_t connects() const { return connects_.load(std::memory_order_relaxed); }
  // Since when (UTC, microseconds) the server cannot be reached, as this thread last found;
  // 0 while it listens. What other processes commit meanwhile is not heard of.
  int64_t away_since_us() const { return away_since_us_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Connects, LISTENs, then reads the head (so nothing committed before LISTEN is missed).
  Result<void> Listen();
  // Hands every queued notification to the feed.
  void Drain();
  // Sleeps for `pause` unless Stop() comes first; false once stopping.
  bool Pause(std::chrono::milliseconds pause);
  // Notes the first moment the server was found away.
  void Away();

  const std::string conninfo_;
  const PgLogOptions options_;
  const Statements& sql_;
  CommitFeed& feed_;
  const std::function<int()> own_pid_;
  const int wake_fd_;  // an eventfd; Stop() writes to it
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<int64_t> away_since_us_{0};
  Conn conn_;  // notifier thread only
  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace roster::eventstore::postgres::internal
