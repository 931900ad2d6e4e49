// ConnPool: connections for the read calls, which may come from many threads at once. A call
// borrows an idle connection (or opens one) and gives it back when done, unless it broke.
//
// Thread-safe. Internal to eventstore/postgres/.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "eventstore/postgres/internal/pg_conn.h"

namespace roster::eventstore::postgres::internal {

class ConnPool {
 public:
  // Idle connections beyond this are closed rather than kept.
  static constexpr size_t kMaxIdle = 8;

  ConnPool(std::string conninfo, std::chrono::seconds connect_timeout)
      : conninfo_(std::move(conninfo)), connect_timeout_(connect_timeout) {}

  // A borrowed connection; returned to the pool when it goes, unless it broke.
  class Lease {
   public:
    Lease(ConnPool& pool, Conn conn) : pool_(&pool), conn_(std::move(conn)) {}
    ~Lease() {
      if (conn_ && !Broken(conn_.get())) pool_->GiveBack(std::move(conn_));
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
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        Conn conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(conn));
      }
    }
    auto conn = Connect(conninfo_, connect_timeout_);
    if (!conn) return std::unexpected(std::move(conn.error()));
    return Lease(*this, std::move(*conn));
  }

 private:
  void GiveBack(Conn conn) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
  }

  const std::string conninfo_;
  const std::chrono::seconds connect_timeout_;
  std::mutex mu_;
  std::vector<Conn> idle_;
};

}  // namespace roster::eventstore::postgres::internal
