// Streamed answers of one connection (dispatch::Dispatcher::HandleStreamed): each runs on the
// worker pool and hands its parts over one at a time. After queueing a part the producer waits
// until the connection's outbound queue is under max_outbound_bytes again, so a client that stops
// reading stalls its producer instead of growing the queue: the server holds at most one part
// beyond the limit per stream, and the stalled producer holds one worker thread (at most
// Shared::max_streams of them server-wide) until the client reads again or the write timeout
// closes the connection.
#include <kj/exception.h>

#include "api/server/internal/connection.h"

namespace roster::api::server::internal {
namespace {

namespace asio = api::net::asio;

void Release(StreamGate& gate) {
  std::lock_guard lock(gate.mu);
  gate.room = true;
  gate.cv.notify_all();
}

void Cancel(StreamGate& gate) {
  std::lock_guard lock(gate.mu);
  gate.cancelled = true;
  gate.cv.notify_all();
}

bool Cancelled(StreamGate& gate) {
  std::lock_guard lock(gate.mu);
  return gate.cancelled;
}

}  // namespace

// The sink a producer writes its parts to: posts each to the connection's strand and waits
// for room (not after the last part: nothing follows it).
class StreamSink final : public dispatch::PartSink {
 public:
  StreamSink(std::shared_ptr<Connection> connection, std::shared_ptr<StreamGate> gate)
      : connection_(std::move(connection)), gate_(std::move(gate)) {}

  bool Send(capnp::MallocMessageBuilder& part) override {
    const bool last = !part.getRoot<wire::Response>().getMore();
    std::string frame = wire::EncodeFrame(part);
    {
      std::lock_guard lock(gate_->mu);
      if (gate_->cancelled) return false;
      gate_->room = false;
    }
    asio::post(connection_->strand_,
               [c = connection_, g = gate_, frame = std::move(frame), last]() mutable {
                 c->StreamPart(g, std::move(frame), last);
               });
    if (last) return true;
    std::unique_lock lock(gate_->mu);
    gate_->cv.wait(lock, [&] { return gate_->room || gate_->cancelled; });
    return !gate_->cancelled;
  }

 private:
  std::shared_ptr<Connection> connection_;
  std::shared_ptr<StreamGate> gate_;
};

void Connection::StartStream(std::shared_ptr<Incoming> incoming) {
  const uint64_t id = incoming->id;
  if (streams_.contains(id)) {
    EnqueueError(id, "CONFLICT", "a streamed answer with this request id is in progress");
    return;
  }
  if (streams_.size() >= shared_.options.max_streams_per_connection) {
    EnqueueError(id, "LIMIT", "too many streamed answers in progress on this connection");
    return;
  }
  // Server-wide: every stream may hold a worker while its client is slow.
  size_t running = shared_.streams.load();
  do {
    if (running >= shared_.max_streams) {
      EnqueueError(id, "UNAVAILABLE", "too many streamed answers in progress; retry later");
      return;
    }
  } while (!shared_.streams.compare_exchange_weak(running, running + 1));
  auto gate = std::make_shared<StreamGate>();
  streams_[id] = gate;
  ++in_flight_;
  asio::post(shared_.workers, [self = shared_from_this(), incoming, gate, principal = *principal_] {
    StreamSink sink(self, gate);
    try {
      self->shared_.dispatcher.HandleStreamed(principal, incoming->reader->getRoot<wire::Request>(),
                                              sink);
    } catch (const kj::Exception& e) {
      // HandleStreamed catches what it reads; this is reading the root itself.
      capnp::MallocMessageBuilder message;
      auto response = message.initRoot<wire::Response>();
      response.setId(incoming->id);
      dispatch::SetError(response, "BAD_REQUEST",
                         std::string("malformed request: ") + e.getDescription().cStr());
      sink.Send(message);
    }
    self->shared_.streams--;
    asio::post(self->strand_, [self, id = incoming->id, gate] { self->StreamEnded(id, gate); });
  });
}

void Connection::CancelStream(uint64_t id, uint64_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || it->second->sent_last) {
    EnqueueError(id, "NOT_FOUND",
                 "no streamed answer " + std::to_string(stream_id) + " in progress");
    return;
  }
  const std::shared_ptr<StreamGate> gate = it->second;
  gate->by_client = true;
  Cancel(*gate);  // parts not yet queued are dropped; the producer stops at its next part
  std::erase(stalled_, gate);
  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::Response>();
  response.setId(id);
  response.setCancelled();
  Enqueue(wire::EncodeFrame(message));
}

void Connection::StreamPart(const std::shared_ptr<StreamGate>& gate, std::string frame, bool last) {
  if (closed_ || Cancelled(*gate)) {
    Cancel(*gate);
    return;
  }
  last_activity_ = SteadyClock::now();
  gate->sent_last = last;
  Enqueue(std::move(frame));
  if (last) return;
  if (outbound_bytes_ < shared_.options.max_outbound_bytes) {
    Release(*gate);
  } else {
    stalled_.push_back(gate);  // the writer releases it once the queue is under the limit
  }
}

void Connection::ReleaseStalledStreams() {
  while (!stalled_.empty() && outbound_bytes_ < shared_.options.max_outbound_bytes) {
    Release(*stalled_.front());
    stalled_.pop_front();
  }
}

void Connection::StreamEnded(uint64_t id, const std::shared_ptr<StreamGate>& gate) {
  --in_flight_;
  last_activity_ = SteadyClock::now();
  auto it = streams_.find(id);
  if (it != streams_.end() && it->second == gate) streams_.erase(it);
  std::erase(stalled_, gate);
  // A stream cut short ends with an error, so that the client never takes a part for the
  // whole answer.
  if (!gate->sent_last) {
    if (gate->shutting_down) {
      EnqueueError(id, "SHUTTING_DOWN", "the server is stopping");
    } else if (gate->by_client) {
      EnqueueError(id, "CANCELLED", "cancelled by the client");
    }
  }
  Wake(reader_wake_);
  Wake(writer_wake_);
  Wake(watchdog_wake_);
}

void Connection::CancelStreams(bool shutting_down) {
  for (auto& [id, gate] : streams_) {
    if (gate->sent_last) continue;
    gate->shutting_down = shutting_down;
    Cancel(*gate);
  }
  stalled_.clear();
}

}  // namespace roster::api::server::internal
