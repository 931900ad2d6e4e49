// Subscriptions of one connection: records read from the log on the worker pool, at most as
// many as the client granted credits for and only while the outbound queue has room, so a
// slow subscriber costs the server a bounded amount of memory. The commit listener only posts
// a wake-up (coalesced per connection); reads happen here.
#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "api/dispatch/fill.h"
#include "api/server/internal/connection.h"

namespace roster::api::server::internal {
namespace {

namespace asio = api::net::asio;

constexpr uint64_t kFetchBatch = 1024;
// A range also stops once its frames reach this size: records may be large (payloads up to
// 4 MiB), and a range is held in memory whole.
constexpr size_t kFetchBytes = 1u << 20;
constexpr int kMaxFetches = 2;
// Scratch space for one record's message: most fit, larger ones spill into a second segment.
constexpr size_t kRecordScratchWords = 256;
constexpr uint32_t kDefaultCredits = 1000;

}  // namespace

void Connection::Subscribe(uint64_t id, wire::Subscribe::Reader request) {
  if (subscriptions_.contains(id)) {
    EnqueueError(id, "CONFLICT", "a subscription with this request id is running");
    return;
  }
  if (subscriptions_.size() >= shared_.options.max_subscriptions) {
    EnqueueError(id, "LIMIT", "too many subscriptions on this connection");
    return;
  }
  uint32_t credits = request.getCredits() == 0 ? kDefaultCredits : request.getCredits();
  credits = std::min(credits, shared_.options.max_credits);
  has_subscriptions_ = true;  // first, so that no commit falls between the two
  const eventstore::Position last = shared_.log.LastPosition();
  committed_ = std::max(committed_, last);
  Subscription& sub = subscriptions_[id];
  sub.generation = ++generations_;
  sub.credits = credits;
  sub.cursor = sub.requested = request.getAfterPosition();

  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::Response>();
  response.setId(id);
  response.setSubscribed(last);
  Enqueue(wire::EncodeFrame(message));
  Pump(id);
}

void Connection::GrantCredits(wire::Credit::Reader request) {
  // Credits for a subscription that has ended are ignored: they cross its end on the wire.
  auto it = subscriptions_.find(request.getSubscription());
  if (it == subscriptions_.end()) return;
  const uint64_t sum = uint64_t{it->second.credits} + request.getCredits();
  it->second.credits = static_cast<uint32_t>(std::min<uint64_t>(sum, shared_.options.max_credits));
  Pump(it->first);
}

void Connection::Unsubscribe(uint64_t id, uint64_t subscription) {
  if (subscriptions_.erase(subscription) == 0) {
    EnqueueError(id, "NOT_FOUND", "no subscription " + std::to_string(subscription));
    return;
  }
  has_subscriptions_ = !subscriptions_.empty();
  // Records are queued on this strand only, so none of this subscription follows the answer.
  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::Response>();
  response.setId(id);
  response.setUnsubscribed();
  Enqueue(wire::EncodeFrame(message));
}

void Connection::EndSubscriptions(std::string_view code, std::string_view message) {
  for (const auto& [id, sub] : subscriptions_) EnqueueError(id, code, message);
  subscriptions_.clear();
  has_subscriptions_ = false;
}

void Connection::NotifyCommitted(eventstore::Position position) {
  if (!has_subscriptions_) return;
  auto seen = latest_.load();
  while (seen < position && !latest_.compare_exchange_weak(seen, position)) {
  }
  if (notify_pending_.exchange(true)) return;  // one wake-up in flight is enough
  asio::post(strand_, [self = shared_from_this()] {
    self->notify_pending_ = false;
    self->committed_ = std::max(self->committed_, self->latest_.load());
    for (const auto& [id, sub] : self->subscriptions_) self->Pump(id);
  });
}

void Connection::Pump(uint64_t subscription_id) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return;
  Subscription& sub = it->second;
  // Up to two reads at once, of consecutive ranges: reading and encoding is most of a
  // subscription's cost, and the log's positions are dense, so the second range is known.
  while (sub.fetching < kMaxFetches && sub.credits > 0 && sub.requested < committed_ &&
         !stop_reading_ && outbound_bytes_ < shared_.options.max_outbound_bytes) {
    const auto count = static_cast<uint32_t>(
        std::min<uint64_t>({sub.credits, kFetchBatch, committed_ - sub.requested}));
    const eventstore::Position from = sub.requested + 1;
    sub.requested += count;
    sub.credits -= count;
    ++sub.fetching;
    asio::post(shared_.workers, [self = shared_from_this(), subscription_id,
                                 generation = sub.generation, from, count] {
      FetchedBatch batch;
      batch.requested = count;
      batch.last = from - 1;
      std::string error;
      // The batch goes out as one buffer; each record is its own standard message, encoded
      // straight from the stored bytes.
      batch.frames.reserve(std::min<size_t>(size_t{count} * 512, kFetchBytes));
      std::vector<capnp::word> scratch(kRecordScratchWords);  // zeroed; builders re-zero it
      auto visited = self->shared_.log.VisitAll(from, count, [&](const auto& r) {
        capnp::MallocMessageBuilder message(kj::arrayPtr(scratch.data(), scratch.size()));
        auto response = message.initRoot<wire::Response>();
        response.setId(subscription_id);
        dispatch::FillRecord(r, response.initRecord());
        wire::AppendFrame(message, batch.frames);
        batch.last = r.position;
        ++batch.count;
        batch.full = batch.frames.size() >= kFetchBytes;
        return !batch.full;
      });
      if (!visited) error = visited.error().message;
      asio::post(self->strand_, [self, subscription_id, generation, from, batch = std::move(batch),
                                 error = std::move(error)]() mutable {
        self->Fetched(subscription_id, generation, from, std::move(batch), std::move(error));
      });
    });
  }
}

void Connection::Fetched(uint64_t subscription_id, uint64_t generation, eventstore::Position from,
                         FetchedBatch batch, std::string error) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end() || it->second.generation != generation) return;  // ended
  Subscription& sub = it->second;
  --sub.fetching;
  if (!error.empty()) {
    EnqueueError(subscription_id, "UNAVAILABLE", "reading the log failed: " + error);
    subscriptions_.erase(it);
    has_subscriptions_ = !subscriptions_.empty();
    return;
  }
  sub.ready.emplace(from, std::move(batch));
  // Batches go out in log order, whichever read finished first.
  while (!sub.ready.empty() && sub.ready.begin()->first == sub.cursor + 1) {
    FetchedBatch& next = sub.ready.begin()->second;
    if (next.count > 0) Enqueue(std::move(next.frames));
    sub.cursor = next.last;
    const bool short_read = next.count < next.requested;
    const bool full = next.full;
    sub.ready.erase(sub.ready.begin());
    if (short_read) {
      // Later reads would leave a gap: drop them and ask again from the cursor. A range cut at
      // the byte limit goes on at once; otherwise the log had less than its last commit notice
      // said (not expected: notices follow the publication), and the next notice pumps again,
      // so there is no busy loop here.
      sub.credits += static_cast<uint32_t>(sub.requested - sub.cursor);
      sub.requested = sub.cursor;
      sub.ready.clear();
      sub.fetching = 0;
      sub.generation = ++generations_;
      if (!full) return;
      break;
    }
  }
  Pump(subscription_id);
}

}  // namespace roster::api::server::internal
