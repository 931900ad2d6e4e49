// StoreSubscription: a Subscription over a StoreCore. Catches up with ReadAll-style scans up to
// the durable end, then sleeps on the commit board until the writer publishes more.
//
// One consumer thread; Close() may come from any thread. Borrows the core, which must outlive
// it. Internal to eventstore/.
#pragma once

#include <atomic>

#include "eventstore/event_log.h"
#include "eventstore/internal/store_core.h"

namespace roster::eventstore::internal {

class StoreSubscription final : public Subscription {
 public:
  StoreSubscription(StoreCore& core, Position after) : core_(core), cursor_(after) {}
  ~StoreSubscription() override = default;

  Result<std::vector<Record>> Next(size_t max_count, std::chrono::milliseconds timeout) override;
  Position position() const override { return cursor_; }
  void Close() override;

 private:
  StoreCore& core_;
  Position cursor_;
  std::atomic<bool> closed_{false};
};

}  // namespace roster::eventstore::internal
