#include "eventstore/internal/store_subscription.h"

#include <algorithm>

#include "eventstore/internal/store_reads.h"

namespace roster::eventstore::internal {
namespace {

std::unexpected<Error> Closed() { return Fail(ErrorCode::kClosed, "the subscription is closed"); }

}  // namespace

Result<std::vector<Record>> StoreSubscription::Next(size_t max_count,
                                                    std::chrono::milliseconds timeout) {
  if (closed_.load(std::memory_order_acquire) || core_.board.closed()) return Closed();
  if (max_count == 0) return std::vector<Record>{};
  Position last = core_.board.last();
  if (last <= cursor_) {
    last = core_.board.WaitBeyond(cursor_, CommitBoard::DeadlineAfter(timeout),
                                  [this] { return closed_.load(std::memory_order_acquire); });
    if (closed_.load(std::memory_order_acquire) || core_.board.closed()) return Closed();
    if (last <= cursor_) return std::vector<Record>{};
  }
  auto records = ReadAllRecords(core_, cursor_ + 1, std::min<uint64_t>(max_count, last - cursor_));
  if (records && !records->empty()) cursor_ = records->back().position;
  return records;
}

void StoreSubscription::Close() {
  closed_.store(true, std::memory_order_release);
  core_.board.Wake();
}

}  // namespace roster::eventstore::internal
