// ConnPool: connections for the read calls, which may come from many threads at once. A call
// borrows an idle connection (or opens one) and gives it back when done, unless it broke.
// At most kMaxOpen are open: beyond that a call waits for one to come back. Opening one per
// call instead (and closing it after, above a few idle ones) made every command that looked up
// its command id pay a PostgreSQL connection (a server process forked and authenticated), far
// below what the log itself takes (figures in docs/testing.md, "PostgreSQL side by side").
// A call that waited kMaxWait (every connection held by long reads: exports, rebuilds) opens
// one more rather than wait on.
//
// Thread-safe. Internal to eventstore/postgres/.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "eventstore/postgres/internal/pg_conn.h"

namespace roster::eventstore::postgres::internal {

class ConnPool {
 public:
  // Connections open at once (leased and idle), unless a call waited kMaxWait for one.
  static constexpr size_t kMaxOpen = 16;
  static constexpr std::chrono::milliseconds kMaxWait{1000};

  ConnPool(std::string conninfo, std::chrono::seconds connect_timeout)
      : conninfo_(std::move(conninfo)), connect_timeout_(connect_timeout) {}

  // A borrowed connection; returned to the pool when it goes, unless it broke.
  class Lease {
   public:
    Lease(ConnPool& pool, Conn conn) : pool_(&pool), conn_(std::move(conn)) {}
    ~Lease() {
      if (!conn_) return;  // moved from
      if (!Broken(conn_.get())) {
        pool_->GiveBack(std::move(conn_));
      } else {
        pool_->Dropped();
      }
    }
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    PGconn* get() const { return conn_.get(); }

   private:
    ConnPool* pool_;
    Conn conn_;
  };

  Result<Lease> Borrow() {
    {
      std::unique_lock lock(mu_);
      // After kMaxWait with none free, one more is opened all the same.
      cv_.wait_for(lock, kMaxWait, [this] { return !idle_.empty() || open_ < kMaxOpen; });
      if (!idle_.empty()) {
        Conn conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(conn));
      }
      ++open_;  // counted now, so that others waiting do not open it too
    }
    auto conn = Connect(conninfo_, connect_timeout_);
    if (!conn) {
      Dropped();
      return std::unexpected(std::move(conn.error()));
    }
    return Lease(*this, std::move(*conn));
  }

 private:
  void GiveBack(Conn conn) {
    {
      std::lock_guard lock(mu_);
      if (open_ <= kMaxOpen) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;  // one opened past the cap: closed when `conn` goes
      }
    }
    cv_.notify_one();
  }
  void Dropped() {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
  }

  const std::string conninfo_;
  const std::chrono::seconds connect_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Conn> idle_;
  size_t open_ = 0;  // leased and idle
};

}  // namespace roster::eventstore::postgres::internal
