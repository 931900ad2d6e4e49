// FaultInjection: a RocksDB environment whose writable files fail or slow down on demand, so
// tests can drive the store's I/O-error path (a disk that fills up or breaks) and its group
// commit (slow syncs) without root, tmpfs or timing luck. For tests only.
//
// Thread-safe: the switches are atomics, flipped while a store uses env().
// env() is borrowed by the store and must outlive it.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace roster::eventstore::testing {

struct FaultSwitches {
  std::atomic<bool> fail_writes{false};   // Append/Flush/Sync/new files -> NoSpace
  std::atomic<int64_t> sync_delay_us{0};  // sleep before every Sync/Fsync
  std::atomic<uint64_t> syncs{0};         // Sync/Fsync calls seen
  std::atomic<uint64_t> fail_at_sync{0};  // when nonzero: this sync (1-based) and all later
                                          // writes fail
};

class FaultInjection {
 public:
  FaultInjection();
  ~FaultInjection();
  FaultInjection(const FaultInjection&) = delete;
  FaultInjection& operator=(const FaultInjection&) = delete;

  rocksdb::Env* env() const { return env_.get(); }
  void FailWrites(bool on) { switches_->fail_writes.store(on); }
  void DelaySyncs(std::chrono::microseconds delay) {
    switches_->sync_delay_us.store(delay.count());
  }
  uint64_t syncs() const { return switches_->syncs.load(); }
  // The n-th sync from now (n >= 1) fails, after its delay, and so does every write after it:
  // lets a test fail exactly the group commit it has lined up.
  void FailFromSyncAfter(uint64_t n) { switches_->fail_at_sync.store(syncs() + n); }

 private:
  std::shared_ptr<FaultSwitches> switches_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace roster::eventstore::testing
