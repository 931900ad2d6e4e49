// Subscriptions of one connection: records read from the log on the worker pool, at most as
// many as the client granted credits for and only while the outbound queue has room, so a
// slow subscriber costs the server a bounded amount of memory. The commit listener only posts
// a wake-up (coalesced per connection); reads happen here.
#include <kj/exception.h>

#include "api/server/connection.h"

namespace roster::api::server {
namespace {

namespace asio = net::asio;

constexpr size_t kFetchBatch = 256;
constexpr uint32_t kDefaultCredits = 1000;

void FillRecord(const eventstore::Record& r, wire::Record::Builder out) {
  out.setPosition(r.position);
  out.setStream(r.stream);
  out.setStreamVersion(r.stream_version);
  out.setType(r.type);
  out.setRevision(r.revision);
  out.setActor(r.metadata.actor);
  out.setCommandId(r.metadata.command_id);
  out.setCorrelationId(r.metadata.correlation_id);
  out.setSource(r.metadata.source);
  out.setTimeUs(r.metadata.time_us);
  out.setPayload(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(r.payload.data()),
                                     r.payload.size()));
  out.setPrevHash(capnp::Data::Reader(r.prev_hash.data(), r.prev_hash.size()));
  out.setHash(capnp::Data::Reader(r.hash.data(), r.hash.size()));
}

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
  subscriptions_[id] = Subscription{++generations_, credits, request.getAfterPosition(), false};

  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::Response>();
  response.setId(id);
  response.setSubscribed(last);
  Enqueue(EncodeFrame(message));
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
  Enqueue(EncodeFrame(message));
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
  if (sub.fetching || sub.credits == 0 || sub.cursor >= committed_ || stop_reading_ ||
      outbound_bytes_ >= shared_.options.max_outbound_bytes) {
    return;
  }
  sub.fetching = true;
  const size_t count = std::min<size_t>(sub.credits, kFetchBatch);
  asio::post(shared_.workers, [self = shared_from_this(), subscription_id,
                               generation = sub.generation, from = sub.cursor + 1, count] {
    std::vector<std::string> frames;
    eventstore::Position last = from - 1;
    std::string error;
    auto records = self->shared_.log.ReadAll(from, count);
    if (!records) {
      error = records.error().message;
    } else {
      frames.reserve(records->size());
      for (const auto& r : *records) {
        capnp::MallocMessageBuilder message;
        auto response = message.initRoot<wire::Response>();
        response.setId(subscription_id);
        FillRecord(r, response.initRecord());
        frames.push_back(EncodeFrame(message));
        last = r.position;
      }
    }
    asio::post(self->strand_, [self, subscription_id, generation, frames = std::move(frames), last,
                               error = std::move(error)]() mutable {
      self->Fetched(subscription_id, generation, std::move(frames), last, std::move(error));
    });
  });
}

void Connection::Fetched(uint64_t subscription_id, uint64_t generation,
                         std::vector<std::string> frames, eventstore::Position last,
                         std::string error) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end() || it->second.generation != generation) return;  // ended
  Subscription& sub = it->second;
  sub.fetching = false;
  if (!error.empty()) {
    EnqueueError(subscription_id, "UNAVAILABLE", "reading the log failed: " + error);
    subscriptions_.erase(it);
    has_subscriptions_ = !subscriptions_.empty();
    return;
  }
  const auto sent = static_cast<uint32_t>(frames.size());
  for (auto& frame : frames) Enqueue(std::move(frame));
  sub.credits -= std::min(sub.credits, sent);
  sub.cursor = last;
  // An empty read means the log is not yet where the last notice said: the next commit
  // notice pumps again, so there is no busy loop here.
  if (sent > 0) Pump(subscription_id);
}

}  // namespace roster::api::server
