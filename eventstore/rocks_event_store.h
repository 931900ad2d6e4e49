// RocksEventStore: the embedded EventLog on a local RocksDB directory.
//
// Durable by default: an append returns once its WAL is synced. Concurrent appends are
// group-committed by one writer thread (one RocksDB write and one sync for many appends).
// After a RocksDB I/O error the store stops accepting writes (kStoreFailed) rather than carry on
// in an unknown state; reads keep working. Thread-safe.
//
// Lifetimes: subscriptions and commit listeners must not outlive the store. Close() may be
// called while other threads use the store: it answers the appends already queued, then makes
// every later call fail with kClosed and wakes blocked waiters; the RocksDB handle itself is
// released by the destructor, which must not race with other calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "eventstore/event_log.h"
#include "eventstore/storage_memory.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace roster::eventstore {

struct StoreOptions {
  // Sync the WAL before acknowledging an append. Only benchmarks and throwaway tests turn it off.
  bool sync = true;
  // Create the store when the directory is missing or empty.
  bool create_if_missing = true;
  // Open without writing anything (verify, dump, as-of on a copy). Append fails.
  bool read_only = false;
  // Upper bound on the appends folded into one group commit.
  size_t max_group_appends = 1024;
  // RocksDB block cache, bytes.
  size_t block_cache_bytes = 64u << 20;
  // The RocksDB environment (file system) to use; null means the default one. Tests inject I/O
  // faults through it. Borrowed: must outlive the store.
  rocksdb::Env* env = nullptr;
};

namespace internal {
struct StoreCore;
class AppendWriter;
}  // namespace internal

class RocksEventStore;

// Opens (or creates) a store in `dir`. Refuses a directory that holds something other than a
// Roster store, or a store written by a newer format version, with a message saying which.
// A new store is built in a sibling directory `<dir>.roster-creating` and renamed into place,
// so that a crash during creation never leaves a half-made store behind.
Result<std::unique_ptr<RocksEventStore>> OpenRocksEventStore(const std::filesystem::path& dir,
                                                             const StoreOptions& options = {});

class RocksEventStore final : public EventLog {
 public:
  // Counters since open; for benchmarks, tests and operations.
  struct Stats {
    uint64_t appends = 0;     // appends that wrote records
    uint64_t duplicates = 0;  // retries answered with a command id's first outcome
    uint64_t rejected = 0;    // wrong expected version or reused command id
    uint64_t commits = 0;     // group commits: RocksDB writes, each one sync when sync is on
    uint64_t records = 0;     // records written
  };

  ~RocksEventStore() override;
  RocksEventStore(const RocksEventStore&) = delete;
  RocksEventStore& operator=(const RocksEventStore&) = delete;

  Result<AppendResult> Append(AppendRequest request) override;
  std::vector<Result<AppendResult>> AppendMany(std::vector<AppendRequest> requests) override;
  Result<std::vector<Record>> ReadStream(std::string_view stream, StreamVersion from_version,
                                         size_t max_count) override;
  Result<std::vector<Record>> ReadAll(Position from_position, size_t max_count) override;
  Result<size_t> VisitAll(Position from_position, size_t max_count,
                          const RecordVisitor& visit) override;
  Result<StreamVersion> StreamHead(std::string_view stream) override;
  Result<std::optional<CommandOutcomeRecord>> FindCommand(std::string_view command_id) override;
  Position LastPosition() const override;
  Result<std::unique_ptr<Subscription>> Subscribe(Position after_position) override;
  Result<Position> WaitForPosition(Position position, std::chrono::milliseconds timeout) override;
  uint64_t AddCommitListener(std::function<void(Position)> listener) override;
  void RemoveCommitListener(uint64_t id) override;
  const LogTimings* timings() const override;
  Result<VerifyReport> Verify(Position from, Position to,
                              std::function<void(Position)> progress = {}) override;

  // Compacts every part of the store into its last level: what reads see after the log has
  // been at rest a while, or after an operator's maintenance. Appends may continue meanwhile.
  // Slow (it rewrites the store); for tools and benchmarks, not for a serving path.
  Result<void> Compact();

  // Answers the appends already queued, then fails every later call with kClosed and wakes
  // WaitForPosition and subscriptions. Idempotent.
  void Close();
  Stats stats() const;
  StorageMemory memory() const;
  const std::filesystem::path& dir() const;

 private:
  friend Result<std::unique_ptr<RocksEventStore>> OpenRocksEventStore(
      const std::filesystem::path& dir, const StoreOptions& options);
  RocksEventStore(std::unique_ptr<internal::StoreCore> core,
                  std::unique_ptr<internal::AppendWriter> writer);

  std::unique_ptr<internal::StoreCore> core_;
  std::unique_ptr<internal::AppendWriter> writer_;  // null when opened read-only
};

}  // namespace roster::eventstore
