// PgAdvisoryLock: a PostgreSQL session-level advisory lock, held on a connection of its own, for
// work that must run on one node at a time among the nodes sharing a log (the invitation expiry
// sweep). PostgreSQL itself says who holds it: no election of our own. The server releases
// the lock when the holding session ends (the node stops, crashes or loses its connection), and
// the next TryHold of another node takes it.
//
// A node may briefly believe it holds the lock after its session died unnoticed; the work it
// guards must therefore stay correct when run twice (the sweep is: the aggregate decides), the
// lock only keeps the nodes from doing it all twice. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "eventstore/error.h"

namespace roster::eventstore::postgres {

class PgAdvisoryLock {
 public:
  // The lock named `name` (hashed into PostgreSQL's 64-bit advisory lock key space) on the
  // server of `conninfo`. Connects lazily, on the first TryHold.
  PgAdvisoryLock(std::string conninfo, std::string name, std::chrono::seconds connect_timeout);
  ~PgAdvisoryLock();  // closes the session: the lock is released
  PgAdvisoryLock(const PgAdvisoryLock&) = delete;
  PgAdvisoryLock& operator=(const PgAdvisoryLock&) = delete;

  // Whether this process holds the lock now, taking it when it is free (never waits for it).
  // When the session that held it is gone, a new one tries again. kUnavailable when the server
  // cannot be reached.
  Result<bool> TryHold();
  // Gives the lock up (closes the session).
  void Release();

 private:
  struct Session;
  std::string conninfo_;
  std::string name_;
  std::chrono::seconds connect_timeout_;
  std::mutex mu_;
  std::unique_ptr<Session> session_;  // under mu_
};

}  // namespace roster::eventstore::postgres
