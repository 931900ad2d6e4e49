#include "eventstore/postgres/pg_advisory_lock.h"

#include "eventstore/postgres/internal/pg_conn.h"

namespace roster::eventstore::postgres {

struct PgAdvisoryLock::Session {
  internal::Conn conn;
  bool held = false;
};

PgAdvisoryLock::PgAdvisoryLock(std::string conninfo, std::string name,
                               std::chrono::seconds connect_timeout)
    : conninfo_(std::move(conninfo)), name_(std::move(name)), connect_timeout_(connect_timeout) {}

PgAdvisoryLock::~PgAdvisoryLock() = default;

Result<bool> PgAdvisoryLock::TryHold() {
  std::lock_guard lock(mu_);
  if (session_ && session_->held) {
    // Still ours while the session lives; a round trip tells whether it does.
    if (internal::ExecText(session_->conn.get(), "SELECT 1", "checking the advisory lock")) {
      return true;
    }
    session_.reset();  // gone: the server has released the lock (or will, as it notices)
  }
  if (!session_) {
    auto conn = internal::Connect(conninfo_, connect_timeout_);
    if (!conn) return std::unexpected(std::move(conn.error()));
    session_ = std::make_unique<Session>(Session{std::move(*conn), false});
  }
  internal::Params params;
  params.Text(name_);
  // hashtextextended: the name's 64-bit hash, PostgreSQL's own, so every node computes the
  // same key. pg_try_advisory_lock never waits.
  auto taken =
      internal::Exec(session_->conn.get(), "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                     params, "taking the advisory lock");
  if (!taken) {
    session_.reset();
    return std::unexpected(std::move(taken.error()));
  }
  // A binary bool is one byte.
  const std::string_view value = internal::Bytes(taken->get(), 0, 0);
  session_->held = !value.empty() && value[0] != 0;
  return session_->held;
}

void PgAdvisoryLock::Release() {
  std::lock_guard lock(mu_);
  session_.reset();
}

}  // namespace roster::eventstore::postgres
