// StoreCore: what every part of a RocksEventStore shares: the RocksDB handle and its column
// families, the options, the commit board and the commit listeners.
//
// Created by OpenRocksEventStore, owned by RocksEventStore, and outlives the writer and every
// subscription. The RocksDB handle is thread-safe; the listeners guard themselves.
// Internal to eventstore/.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "eventstore/internal/commit_board.h"
#include "eventstore/rocks_event_store.h"

namespace roster::eventstore::internal {

class CommitListeners {
 public:
  uint64_t Add(std::function<void(Position)> listener) {
    std::lock_guard lock(mu_);
    listeners_.emplace_back(++last_id_, std::move(listener));
    return last_id_;
  }
  void Remove(uint64_t id) {
    std::lock_guard lock(mu_);
    std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
  }
  // Runs on the writer thread, holding the lock: listeners are documented as quick and not
  // allowed to call back into the log.
  void Notify(Position last) {
    std::lock_guard lock(mu_);
    for (auto& [id, listener] : listeners_) listener(last);
  }

 private:
  std::mutex mu_;
  uint64_t last_id_ = 0;
  std::vector<std::pair<uint64_t, std::function<void(Position)>>> listeners_;
};

struct StoreCore {
  StoreCore(std::filesystem::path dir_in, const StoreOptions& options_in, Position last)
      : dir(std::move(dir_in)), options(options_in), board(last) {}
  ~StoreCore() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    // Close() reports errors of the final sync; the store is being torn down and every
    // acknowledged append was synced already, so there is nobody left to tell.
    db->Close().PermitUncheckedError();
  }
  StoreCore(const StoreCore&) = delete;
  StoreCore& operator=(const StoreCore&) = delete;

  std::filesystem::path dir;
  StoreOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // all open families, owned
  rocksdb::ColumnFamilyHandle* meta = nullptr;        // borrowed from handles
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* commands = nullptr;
  CommitBoard board;
  CommitListeners listeners;
};

}  // namespace roster::eventstore::internal
