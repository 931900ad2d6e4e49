// FaultInjection: a RocksDB environment whose writable files fail or slow down on demand, so
// tests can drive the store's I/O-error path (a disk that fills up or breaks) and its group
// commit (slow syncs) without root, tmpfs or timing luck. For tests only.
//
// Faults reach every file written through env(), or, after OnlyFilesNamed, only the files whose
// name contains a given part (a database's WAL, the SST files of a bulk load). One
// FaultInjection per database lets a test break one of two databases and leave the other.
//
// Thread-safe: the switches are atomics, flipped while a store uses env().
// env() is borrowed by the store and must outlive it.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace roster::eventstore::testing {

struct FaultSwitches {
  std::atomic<bool> fail_writes{false};    // Append/Flush/Sync/new files -> NoSpace
  std::atomic<int64_t> sync_delay_us{0};   // sleep before every Sync/Fsync
  std::atomic<uint64_t> syncs{0};          // Sync/Fsync calls seen
  std::atomic<uint64_t> fail_at_sync{0};   // when nonzero: this sync (1-based) and all later
                                           // writes fail
  std::atomic<uint64_t> writes{0};         // Append calls seen
  std::atomic<uint64_t> fail_at_write{0};  // when nonzero: this Append (1-based) and all later
                                           // writes fail
  std::atomic<bool> tear{false};           // the Append at fail_at_write keeps half its bytes

  // Files whose name contains this are faulted; empty: every file. Read when a file is opened.
  std::mutex mu;
  std::string only_named;
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

  uint64_t writes() const { return switches_->writes.load(); }
  // The n-th write (Append) from now (n >= 1) fails, and so does every write and sync after it.
  // Torn: that write first puts the first half of its bytes into the file, as a disk that
  // fills up in the middle of a write does; the rest never arrives.
  enum class Write { kFails, kTorn };
  void FailFromWriteAfter(uint64_t n, Write kind = Write::kFails) {
    switches_->tear.store(kind == Write::kTorn);
    switches_->fail_at_write.store(writes() + n);
  }

  // The disk works again: no failures, no delays (the counters keep counting).
  void Heal() {
    switches_->fail_at_sync.store(0);
    switches_->fail_at_write.store(0);
    switches_->tear.store(false);
    switches_->sync_delay_us.store(0);
    switches_->fail_writes.store(false);
  }

  // From now on only files whose name contains `part` are faulted (and counted by syncs() and
  // writes()); files already open keep what they were given. Empty: every file again.
  void OnlyFilesNamed(std::string part) {
    std::lock_guard lock(switches_->mu);
    switches_->only_named = std::move(part);
  }

 private:
  std::shared_ptr<FaultSwitches> switches_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace roster::eventstore::testing
