#include "api/server/internal/connection.h"

#include <kj/exception.h>

#include <cstring>

namespace roster::api::server::internal {
namespace {

namespace asio = api::net::asio;
using api::net::Await;
using api::net::error_code;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kDrainBytes = 1u << 20;
constexpr std::chrono::milliseconds kDrainTime{1000};

// Client-chosen text for a log line: bounded and printable.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 64));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

Connection::Connection(Shared& shared, api::net::tcp::socket socket, Strand strand)
    : shared_(shared),
      strand_(std::move(strand)),
      stream_(std::move(socket), shared.ssl),
      reader_wake_(strand_, SteadyClock::time_point::max()),
      writer_wake_(strand_, SteadyClock::time_point::max()),
      watchdog_wake_(strand_, SteadyClock::time_point::max()) {
  error_code ec;
  auto peer = stream_.next_layer().remote_endpoint(ec);
  peer_ = ec ? std::string("unknown peer")
             : peer.address().to_string() + ":" + std::to_string(peer.port());
  stream_.next_layer().set_option(api::net::tcp::no_delay(true), ec);
  // For WriteNow: a write the socket cannot take at once fails with would_block instead of
  // waiting. Asynchronous operations are unaffected.
  if (!shared_.tls) stream_.next_layer().non_blocking(true, ec);
}

asio::awaitable<void> Connection::Run(std::shared_ptr<Connection> self) {
  accepted_at_ = last_activity_ = SteadyClock::now();
  auto log_failure = [self](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      self->shared_.logger->error("{}: connection task failed: {}", self->peer_, x.what());
    }
    self->Finish();
  };
  asio::co_spawn(strand_, Watchdog(self), log_failure);
  if (shared_.tls) {
    error_code ec;
    co_await stream_.async_handshake(asio::ssl::stream_base::server, Await(ec));
    if (ec) {
      shared_.logger->warn("{}: TLS handshake failed: {}", peer_, ec.message());
      Finish();
      co_return;
    }
  }
  asio::co_spawn(strand_, Writer(self), log_failure);
  co_await Reader();
  reader_done_ = true;
  subscriptions_.clear();  // nobody asks for more credits; nothing more to stream
  has_subscriptions_ = false;
  Wake(writer_wake_);
}

asio::awaitable<size_t> Connection::ReadSome(asio::mutable_buffer buffer, error_code& ec) {
  if (shared_.tls) co_return co_await stream_.async_read_some(buffer, Await(ec));
  co_return co_await stream_.next_layer().async_read_some(buffer, Await(ec));
}

bool Connection::ReadingPaused() const {
  return in_flight_ >= shared_.options.max_in_flight ||
         outbound_bytes_ >= shared_.options.max_outbound_bytes;
}

asio::awaitable<void> Connection::Reader() {
  while (!stop_reading_) {
    if (ReadingPaused()) {  // backpressure: the client waits, the server holds nothing more
      error_code ec;
      co_await reader_wake_.async_wait(Await(ec));
      continue;
    }
    auto incoming = co_await ReadFrame();
    if (!incoming) co_return;
    last_activity_ = SteadyClock::now();
    if (!HandleRequest(std::move(incoming))) co_return;
  }
}

asio::awaitable<std::unique_ptr<Incoming>> Connection::ReadFrame() {
  const wire::FrameLimits& limits = shared_.options.limits;
  while (!stop_reading_) {
    std::span<const uint8_t> avail(in_.data() + in_begin_, in_end_ - in_begin_);
    auto probe = wire::ProbeFrame(avail, limits);
    if (!probe) {
      EnqueueError(0, "BAD_REQUEST", probe.error());
      CloseAfterFlush("bad frame: " + probe.error());
      co_return nullptr;
    }
    if (probe->total != 0 && avail.size() >= probe->total) {
      auto incoming = std::make_unique<Incoming>(probe->total, wire::ReaderOptionsFor(limits));
      std::memcpy(incoming->frame.data(), avail.data(), probe->total);
      in_begin_ += probe->total;
      frame_started_.reset();
      if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
      co_return incoming;
    }
    // Make room for the rest of this frame (never more than the limit plus one chunk).
    const size_t need = probe->total != 0 ? probe->total : probe->need;
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    const size_t want = std::max(need, in_end_ + kReadChunk);
    if (in_.size() < want) in_.resize(want);
    if (in_end_ == 0 && in_.size() > 4 * kReadChunk) {
      std::vector<uint8_t>(kReadChunk).swap(in_);  // give back a large frame's buffer
    }
    if (in_end_ > 0 && !frame_started_) {
      frame_started_ = SteadyClock::now();
      Rearm();
    }
    error_code ec;
    size_t n = co_await ReadSome(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), ec);
    in_end_ += n;
    if (n > 0 && !frame_started_) {
      frame_started_ = SteadyClock::now();
      Rearm();
    }
    if (ec) {
      if (in_end_ > in_begin_ && !stop_reading_) {
        shared_.logger->info("{}: connection ended inside a frame ({})", peer_, ec.message());
      }
      co_return nullptr;
    }
  }
  co_return nullptr;
}

bool Connection::HandleRequest(std::unique_ptr<Incoming> incoming) {
  uint64_t id = 0;
  try {
    // The id first, from the root alone: when something deeper is malformed, a pipelining
    // client still learns which of its requests failed. Only a root that cannot be read at all
    // leaves the id 0 (docs/protocol.md).
    id = capnp::FlatArrayMessageReader(incoming->frame.words(), incoming->options)
             .getRoot<wire::Request>()
             .getId();
  } catch (const kj::Exception&) {
  }
  try {
    // Walk the whole message once, on a reader of its own, so that pointers out of bounds,
    // nesting deeper than the limit and amplification fail here, whatever the request kind.
    capnp::FlatArrayMessageReader check(incoming->frame.words(), incoming->options);
    check.getRoot<wire::Request>().totalSize();
    // The walk above enforced the limits; the reader the request is served from gets a budget
    // of its own for the repeated reads of serving it (each getRoot and field read counts).
    capnp::ReaderOptions serving = incoming->options;
    serving.traversalLimitInWords = 4 * incoming->options.traversalLimitInWords;
    incoming->reader.emplace(incoming->frame.words(), serving);
    auto request = incoming->reader->getRoot<wire::Request>();
    id = request.getId();
    incoming->id = id;
    if (!principal_) return HandleHello(id, request);
    switch (request.which()) {
      case wire::Request::HELLO:
        EnqueueError(id, "BAD_REQUEST", "already authenticated");
        return true;
      case wire::Request::CANCEL:
        CancelStream(id, request.getCancel());
        return true;
      case wire::Request::SUBSCRIBE:
      case wire::Request::CREDIT:
      case wire::Request::UNSUBSCRIBE:
        if (auto denied = dispatch::Dispatcher::Authorize(*principal_, request)) {
          EnqueueError(id, denied->code, denied->message);
        } else if (request.isSubscribe()) {
          Subscribe(id, request.getSubscribe());
        } else if (request.isCredit()) {
          GrantCredits(request.getCredit());
        } else {
          Unsubscribe(id, request.getUnsubscribe());
        }
        return true;
      default:
        break;
    }
    if (dispatch::Dispatcher::IsStreamed(request)) {
      if (auto denied = dispatch::Dispatcher::Authorize(*principal_, request)) {
        EnqueueError(id, denied->code, denied->message);
      } else {
        StartStream(std::shared_ptr<Incoming>(std::move(incoming)));
      }
      return true;
    }
    if (dispatch::Dispatcher::IsQuick(request)) {
      capnp::MallocMessageBuilder message;
      shared_.dispatcher.Handle(*principal_, request, message.initRoot<wire::Response>());
      Enqueue(wire::EncodeFrame(message));
      return true;
    }
  } catch (const kj::Exception& e) {
    EnqueueError(id, "BAD_REQUEST", std::string("malformed request: ") + e.getDescription().cStr());
    if (principal_) return true;
    CloseAfterFlush("malformed request before hello");
    return false;
  }
  RunOnWorkers(std::shared_ptr<Incoming>(std::move(incoming)));
  return true;
}

bool Connection::HandleHello(uint64_t id, wire::Request::Reader request) {
  if (!request.isHello()) {
    shared_.logger->warn("{}: refused: the first request was not a hello", peer_);
    EnqueueError(id, "UNAUTHENTICATED", "the first request must be a hello with a token");
    CloseAfterFlush("no hello");
    return false;
  }
  auto hello = request.getHello();
  auto token = hello.getToken();
  auto principal = shared_.tokens.Authenticate(std::string_view(token.begin(), token.size()));
  if (!principal) {
    shared_.logger->warn("{}: refused: unknown or revoked token (client '{}')", peer_,
                         Printable(hello.getClient().cStr()));
    EnqueueError(id, "UNAUTHENTICATED", "unknown or revoked token");
    CloseAfterFlush("bad token");
    return false;
  }
  principal_ = std::move(*principal);
  shared_.logger->info("{}: authenticated as '{}' ({}), client '{}'", peer_, principal_->name,
                       dispatch::ScopeName(principal_->scope), Printable(hello.getClient().cStr()));
  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::Response>();
  response.setId(id);
  auto ok = response.initHello();
  ok.setPrincipal(principal_->name);
  ok.setScope(std::string(dispatch::ScopeName(principal_->scope)));
  ok.setServerVersion(shared_.options.server_version);
  ok.setProtocolVersion(wire::PROTOCOL_VERSION);
  Enqueue(wire::EncodeFrame(message));
  return true;
}

void Connection::RunOnWorkers(std::shared_ptr<Incoming> incoming) {
  ++in_flight_;
  asio::post(shared_.workers, [self = shared_from_this(), incoming, principal = *principal_] {
    capnp::MallocMessageBuilder message;
    try {
      self->shared_.dispatcher.Handle(principal, incoming->reader->getRoot<wire::Request>(),
                                      message.initRoot<wire::Response>());
    } catch (const kj::Exception& e) {
      // Handle catches what it reads; this is reading the root itself. Never let untrusted
      // bytes escape a worker (that would terminate the server).
      auto response = message.initRoot<wire::Response>();
      response.setId(incoming->id);
      dispatch::SetError(response, "BAD_REQUEST",
                         std::string("malformed request: ") + e.getDescription().cStr());
    }
    asio::post(self->strand_, [self, frame = wire::EncodeFrame(message)]() mutable {
      --self->in_flight_;
      self->last_activity_ = SteadyClock::now();
      self->Enqueue(std::move(frame));
      Wake(self->reader_wake_);
      self->Rearm();
    });
  });
}

size_t Connection::WriteNow(const std::string& frame) {
  if (shared_.tls || stop_reading_ || write_started_ || !outbound_.empty()) return 0;
  error_code ec;
  const size_t n = stream_.next_layer().write_some(asio::buffer(frame), ec);
  return ec ? 0 : n;  // would_block, or an error the writer meets again and handles
}

void Connection::Enqueue(std::string frame) {
  if (closed_) return;
  // Most answers are small and the socket has room: written here they skip the writer's wake-up,
  // its write operation and the watchdog's write deadline.
  if (const size_t written = WriteNow(frame); written == frame.size()) {
    // The writer closes the connection once the client stopped sending and the last answer
    // is out: it must hear of answers that did not pass through it, too.
    if (reader_done_) Wake(writer_wake_);
    return;
  } else if (written > 0) {
    frame.erase(0, written);
  }
  outbound_bytes_ += frame.size();
  outbound_.push_back(std::move(frame));
  size_t peak = shared_.outbound_peak.load(std::memory_order_relaxed);
  while (outbound_bytes_ > peak &&
         !shared_.outbound_peak.compare_exchange_weak(peak, outbound_bytes_)) {
  }
  Wake(writer_wake_);
}

void Connection::EnqueueError(uint64_t id, std::string_view code, std::string_view message) {
  capnp::MallocMessageBuilder builder;
  auto response = builder.initRoot<wire::Response>();
  response.setId(id);
  dispatch::SetError(response, code, message);
  Enqueue(wire::EncodeFrame(builder));
}

void Connection::CloseAfterFlush(std::string_view reason) {
  if (stop_reading_) return;
  shared_.logger->debug("{}: closing: {}", peer_, reason);
  stop_reading_ = true;
  Wake(reader_wake_);
  Wake(writer_wake_);
  Wake(watchdog_wake_);
  // A read in progress is cancelled; cancelling would also abort a write, so during a write
  // the writer cancels once it is done.
  error_code ignored;
  if (!write_started_) stream_.next_layer().cancel(ignored);
}

void Connection::BeginStop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->EndSubscriptions("SHUTTING_DOWN", "the server is stopping");
    self->CancelStreams(true);
    self->CloseAfterFlush("server stopping");
  });
}

void Connection::CloseIfPrincipal(const std::string& principal) {
  asio::post(strand_, [self = shared_from_this(), principal] {
    if (!self->principal_ || self->principal_->name != principal || self->closed_) return;
    self->shared_.logger->warn("{}: the token of '{}' was revoked: closing the connection",
                               self->peer_, principal);
    self->EndSubscriptions("UNAUTHENTICATED", "the token was revoked");
    self->CancelStreams(false);
    self->CloseAfterFlush("token revoked");
  });
}

void Connection::Abort() {
  asio::post(strand_, [self = shared_from_this()] { self->Finish(); });
}

void Connection::Finish() {
  if (finished_) return;
  finished_ = closed_ = stop_reading_ = true;
  error_code ignored;
  stream_.next_layer().close(ignored);
  outbound_.clear();
  outbound_bytes_ = 0;
  CancelStreams(false);  // their producers stop waiting for room that will never come
  Wake(reader_wake_);
  Wake(writer_wake_);
  Wake(watchdog_wake_);
  shared_.on_closed(this);
}

asio::awaitable<void> Connection::Writer(std::shared_ptr<Connection> /*keeps this alive*/) {
  std::vector<std::string> batch;
  std::vector<asio::const_buffer> buffers;
  while (!closed_) {
    if (outbound_.empty()) {
      if (reader_done_ && in_flight_ == 0) break;
      error_code ec;
      co_await writer_wake_.async_wait(Await(ec));
      continue;
    }
    batch.clear();
    buffers.clear();
    size_t bytes = 0;
    while (!outbound_.empty() && batch.size() < 64) {
      bytes += outbound_.front().size();
      batch.push_back(std::move(outbound_.front()));
      outbound_.pop_front();
      buffers.emplace_back(asio::buffer(batch.back()));
    }
    write_started_ = SteadyClock::now();
    Rearm();
    error_code ec;
    if (shared_.tls) {
      co_await asio::async_write(stream_, buffers, Await(ec));
    } else {
      co_await asio::async_write(stream_.next_layer(), buffers, Await(ec));
    }
    write_started_.reset();
    outbound_bytes_ = outbound_bytes_ >= bytes ? outbound_bytes_ - bytes : 0;
    if (ec) {
      shared_.logger->debug("{}: write failed: {}", peer_, ec.message());
      Finish();
      co_return;
    }
    if (stop_reading_ && !reader_done_) stream_.next_layer().cancel(ec);
    Wake(reader_wake_);
    ReleaseStalledStreams();
    for (auto& [id, sub] : subscriptions_) Pump(id);
  }
  if (closed_) co_return;
  // Lingering close: tell the client we are done, then read (and drop) what it still sends
  // for a moment, so that closing does not reset the connection before it read our answers.
  error_code ec;
  stream_.next_layer().shutdown(api::net::tcp::socket::shutdown_send, ec);
  draining_until_ = SteadyClock::now() + kDrainTime;
  Wake(watchdog_wake_);
  std::vector<uint8_t> sink(kReadChunk);
  size_t drained = 0;
  // Enough to swallow the rest of an oversize request the client is still sending.
  const size_t drain_limit = std::max(kDrainBytes, 2 * shared_.options.limits.max_message_bytes);
  while (!ec && !closed_ && drained < drain_limit) {
    drained += co_await stream_.next_layer().async_read_some(asio::buffer(sink), Await(ec));
  }
  Finish();
}

SteadyClock::time_point Connection::Deadline(const char** what) const {
  auto deadline = SteadyClock::time_point::max();
  auto consider = [&](SteadyClock::time_point t, const char* why) {
    if (t < deadline) {
      deadline = t;
      *what = why;
    }
  };
  const auto& o = shared_.options;
  if (!stop_reading_) {
    if (!principal_) consider(accepted_at_ + o.hello_deadline, "no hello in time");
    if (frame_started_) {
      consider(*frame_started_ + o.frame_deadline, "a request was not completed in time");
    } else if (principal_ && in_flight_ == 0 && subscriptions_.empty() && outbound_.empty()) {
      consider(last_activity_ + o.idle_timeout, "idle");
    }
  }
  if (write_started_) consider(*write_started_ + o.write_timeout, "the client stopped reading");
  if (draining_until_) consider(*draining_until_, "closing");
  return deadline;
}

asio::awaitable<void> Connection::Watchdog(std::shared_ptr<Connection> /*keeps this alive*/) {
  while (!closed_) {
    const char* what = "";
    const auto deadline = Deadline(&what);
    if (SteadyClock::now() >= deadline) {
      if (write_started_ || draining_until_) {
        if (!draining_until_) shared_.logger->info("{}: closed: {}", peer_, what);
        Finish();
        co_return;
      }
      shared_.logger->info("{}: closing: {}", peer_, what);
      EnqueueError(0, "TIMEOUT", what);
      CloseAfterFlush(what);
      continue;
    }
    watchdog_wake_.expires_at(deadline);
    watchdog_until_ = deadline;
    error_code ec;
    co_await watchdog_wake_.async_wait(Await(ec));
    watchdog_until_ = SteadyClock::time_point::min();  // awake: it looks at every deadline now
  }
}

void Connection::Rearm() {
  const char* what = "";
  if (Deadline(&what) < watchdog_until_) Wake(watchdog_wake_);
}

}  // namespace roster::api::server::internal
