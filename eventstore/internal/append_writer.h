// AppendWriter: decides appends and group-commits them on one writer thread.
//
// A caller (any thread) checks and encodes its events on its own thread, queues the request and
// blocks. The writer takes everything queued (up to max_group_appends; after lingering briefly
// for callers it expects back, see commit_linger.h), decides each request
// against the stream heads and command ids as the earlier requests of the same group leave
// them, assigns positions, chains hashes, and commits every accepted request with one
// WriteBatch and one synced write. Only after that write returns does it publish the new end of
// the log and wake the callers, so no reader sees a record before it is durable. A request
// rejected inside a group (wrong expected version, reused command id) affects no other.
//
// A failed write, or a record hash OpenSSL fails to compute, fails that group's accepted
// requests with kIoError and stops the writer accepting more (kStoreFailed, carrying the
// original message); reads are unaffected.
//
// Thread-safe. Borrows the StoreCore, which must outlive it; Stop() (or the destructor) returns
// once every queued request has been answered.
#pragma once

#include <rocksdb/write_batch.h>

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
#include "eventstore/internal/commit_linger.h"
#include "eventstore/internal/sha256.h"
#include "eventstore/internal/store_core.h"
#include "eventstore/log_timings.h"
#include "eventstore/record.h"
#include "eventstore/rocks_event_store.h"

namespace roster::eventstore::internal {

class AppendWriter {
 public:
  // `last_time_us`: the time of the last record; later records never carry an earlier one.
  AppendWriter(StoreCore& core, Position last_position, const Hash& last_hash, int64_t last_time_us,
               Sha256 sha);
  ~AppendWriter();
  AppendWriter(const AppendWriter&) = delete;
  AppendWriter& operator=(const AppendWriter&) = delete;

  Result<AppendResult> Append(AppendRequest request);
  std::vector<Result<AppendResult>> AppendMany(std::vector<AppendRequest> requests);
  // Answers what is queued, then ends the writer thread; later appends fail with kClosed.
  void Stop();
  RocksEventStore::Stats stats() const;
  const LogTimings& timings() const { return timings_; }

 private:
  struct Pending;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void Run();
  bool TakeGroup(std::vector<Pending*>& group);
  void CommitGroup(const std::vector<Pending*>& group);
  // Sets the request's outcome. An error means the group cannot be committed at all (a record
  // hash could not be computed), not that the request was refused.
  Result<void> Decide(Pending& pending);
  bool DecideDuplicate(Pending& pending);
  Result<void> Accept(Pending& pending, StreamVersion head);
  // Stops the writer accepting appends after `error` and fails the group's requests that were
  // to ride on its write.
  void FailGroup(const std::vector<Pending*>& group, const Error& error);
  Result<StreamVersion*> HeadSlot(std::string_view stream);
  Error StoreFailedError() const;

  StoreCore& core_;
  const rocksdb::WriteOptions write_options_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending*> queue_;  // borrowed: each Pending lives on its caller's stack
  bool stopping_ = false;
  size_t wake_writer_at_ = 1;  // queue size at which an append wakes the writer

  // Set once, by the writer, when a write fails; failure_ is written before failed_.
  std::atomic<bool> failed_{false};
  std::string failure_;

  // Writer-thread state.
  Position next_position_;
  Hash last_hash_;
  int64_t last_time_us_;  // record times never decrease along the log
  Sha256 sha_;
  rocksdb::WriteBatch batch_;
  std::string key_;  // scratch
  CommitLinger linger_;
  // Stream heads as the writer has decided them; loaded lazily from the streams family.
  std::unordered_map<std::string, StreamVersion, StringHash, std::equal_to<>> heads_;
  // Command ids accepted in the group being decided, to the request that carries them.
  std::unordered_map<std::string_view, const Pending*> group_commands_;

  std::atomic<uint64_t> appends_{0}, duplicates_{0}, rejected_{0}, commits_{0}, records_{0};
  LogTimings timings_;

  std::mutex join_mu_;
  std::thread thread_;  // last: starts once everything above is initialized
};

}  // namespace roster::eventstore::internal
