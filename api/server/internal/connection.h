// Connection: one client of the server, private to api/server.
//
// Everything a connection owns is touched only on its strand: the reader coroutine (frames in,
// requests dispatched), the writer coroutine (the outbound queue out), the watchdog (deadlines)
// and completions posted back from the worker pool. Steady timers that never expire serve as
// the strand's condition variables: waiting is async_wait, waking is cancel(); since waiter and
// waker share the strand, a wake-up can never fall between a check and its wait. The one
// exception is a streamed answer's producer, a worker thread that waits for room in the
// outbound queue on a StreamGate (a mutex and condition variable; streams.cc).
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/net/asio.h"
#include "api/server/server.h"
#include "api/wire/framing.h"
#include "eventstore/event_log.h"

namespace roster::api::server::internal {

using Strand = api::net::asio::strand<api::net::asio::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;

// What every connection shares; owned by the server and outliving every connection.
struct Shared {
  dispatch::Dispatcher& dispatcher;
  dispatch::TokenStore& tokens;
  eventstore::EventLog& log;
  std::shared_ptr<spdlog::logger> logger;
  ServerOptions options;
  bool tls = false;
  api::net::asio::ssl::context ssl{api::net::asio::ssl::context::tls_server};
  api::net::asio::thread_pool workers;
  std::function<void(class Connection*)> on_closed;  // unregisters from the server
  // Streamed answers producing now, and how many may: each can hold a worker while its client
  // is slow, so at most half the workers, whatever options.max_streams says.
  std::atomic<size_t> streams{0};
  size_t max_streams;
  std::atomic<size_t> outbound_peak{0};  // the largest outbound queue any connection had
  Shared(dispatch::Dispatcher& d, dispatch::TokenStore& t, eventstore::EventLog& l,
         std::shared_ptr<spdlog::logger> lg, ServerOptions o)
      : dispatcher(d),
        tokens(t),
        log(l),
        logger(std::move(lg)),
        options(std::move(o)),
        workers(std::max(1u, options.worker_threads)),
        max_streams(std::max<size_t>(
            1, std::min<size_t>(options.max_streams, std::max(1u, options.worker_threads) / 2))) {}
};

// Between the worker producing a streamed answer and the connection's strand. `room` and
// `cancelled` are guarded by `mu`; the rest is touched on the strand only.
struct StreamGate {
  std::mutex mu;
  std::condition_variable cv;
  bool room = false;           // the last part is queued and the queue has room for another
  bool cancelled = false;      // nobody will read the rest: the producer stops
  bool sent_last = false;      // the last part is queued: the answer is complete
  bool shutting_down = false;  // cancelled by a server stop: the client gets SHUTTING_DOWN
  bool by_client = false;      // cancelled by the client's cancel: it gets CANCELLED
};

// A decoded request and the bytes it reads. Resource type.
struct Incoming {
  Incoming(size_t bytes, const capnp::ReaderOptions& options) : frame(bytes), options(options) {}
  wire::Frame frame;
  capnp::ReaderOptions options;
  std::optional<capnp::FlatArrayMessageReader> reader;  // set once frame holds the bytes
  uint64_t id = 0;                                      // the request's id, once read
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Shared& shared, api::net::tcp::socket socket, Strand strand);
  // Runs the connection to its end; spawned on strand(). `self` keeps it alive meanwhile.
  api::net::asio::awaitable<void> Run(std::shared_ptr<Connection> self);
  const Strand& strand() const { return strand_; }
  // From any thread: the log reached `position` (wakes subscriptions).
  void NotifyCommitted(eventstore::Position position);
  // From any thread: stop reading, end subscriptions, finish and flush, close.
  void BeginStop();
  // From any thread: close the socket now.
  void Abort();
  // From any thread: when this connection authenticated as `principal`, whose token is no
  // longer valid, answer nothing more (requests in progress finish), then close.
  void CloseIfPrincipal(const std::string& principal);

 private:
  // Records read and encoded on the worker pool, waiting for their turn to be sent.
  struct FetchedBatch {
    std::string frames;
    uint32_t count = 0;      // records in `frames`
    uint32_t requested = 0;  // records asked for
    eventstore::Position last = 0;
    bool full = false;  // stopped early at the byte limit: the rest is read next
  };
  struct Subscription {
    uint64_t generation = 0;             // tells a fetch for an ended (or reset) read apart
    uint32_t credits = 0;                // records the client accepts, not yet asked of the log
    eventstore::Position cursor = 0;     // the last record sent
    eventstore::Position requested = 0;  // the last record asked of the log
    int fetching = 0;                    // reads on the worker pool
    std::map<eventstore::Position, FetchedBatch> ready;  // by first position, not yet sent
  };

  api::net::asio::awaitable<void> Reader();
  api::net::asio::awaitable<void> Writer(std::shared_ptr<Connection> self);
  api::net::asio::awaitable<void> Watchdog(std::shared_ptr<Connection> self);
  api::net::asio::awaitable<size_t> ReadSome(api::net::asio::mutable_buffer buffer,
                                             api::net::error_code& ec);
  // Reads one whole frame into a decoded request; nullptr when the connection is done reading.
  api::net::asio::awaitable<std::unique_ptr<Incoming>> ReadFrame();

  // Returns false when the connection must stop reading.
  bool HandleRequest(std::unique_ptr<Incoming> incoming);
  bool HandleHello(uint64_t id, wire::Request::Reader request);
  void RunOnWorkers(std::shared_ptr<Incoming> incoming);
  void Subscribe(uint64_t id, wire::Subscribe::Reader request);
  void GrantCredits(wire::Credit::Reader request);
  void Unsubscribe(uint64_t id, uint64_t subscription);
  void Pump(uint64_t subscription_id);
  void Fetched(uint64_t subscription_id, uint64_t generation, eventstore::Position from,
               FetchedBatch batch, std::string error);
  void EndSubscriptions(std::string_view code, std::string_view message);

  // Streamed answers (streams.cc).
  friend class StreamSink;
  void StartStream(std::shared_ptr<Incoming> incoming);
  void CancelStream(uint64_t id, uint64_t stream_id);
  void StreamPart(const std::shared_ptr<StreamGate>& gate, std::string frame, bool last);
  void StreamEnded(uint64_t id, const std::shared_ptr<StreamGate>& gate);
  void ReleaseStalledStreams();
  // Stops every producer; with `shutting_down` the unfinished answers end with SHUTTING_DOWN.
  void CancelStreams(bool shutting_down);

  // Queues one encoded response; a connection-level error when id is 0.
  void Enqueue(std::string frame);
  void EnqueueError(uint64_t id, std::string_view code, std::string_view message);
  // Stops reading; the writer flushes what is queued (and what requests in flight still add)
  // and then closes.
  void CloseAfterFlush(std::string_view reason);
  // Closes the socket now and unregisters; idempotent.
  void Finish();
  bool ReadingPaused() const;
  SteadyClock::time_point Deadline(const char** what) const;
  static void Wake(api::net::asio::steady_timer& timer) { timer.cancel(); }
  // Wakes the watchdog when a deadline now falls before the one it sleeps until. A deadline
  // that moved later needs nothing: the watchdog looks again when it wakes. Requests in
  // progress move deadlines on every frame and write; waking only for an earlier one keeps
  // the timer out of the request path.
  void Rearm();
  // Writes `frame` now, without waiting, when nothing is queued before it and the socket takes
  // it (plain TCP only). Returns the bytes written.
  size_t WriteNow(const std::string& frame);
  std::string Peer() const { return peer_; }

  Shared& shared_;
  Strand strand_;
  api::net::asio::ssl::stream<api::net::tcp::socket> stream_;  // its next_layer() alone without TLS
  std::string peer_;
  api::net::asio::steady_timer reader_wake_;    // in-flight or outbound room, or stop
  api::net::asio::steady_timer writer_wake_;    // queued frames or finishing
  api::net::asio::steady_timer watchdog_wake_;  // a deadline moved

  std::optional<dispatch::Principal> principal_;
  std::vector<uint8_t> in_;  // received bytes [in_begin_, in_end_) not yet a whole frame
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  size_t in_flight_ = 0;
  std::deque<std::string> outbound_;
  size_t outbound_bytes_ = 0;
  std::map<uint64_t, Subscription> subscriptions_;
  std::map<uint64_t, std::shared_ptr<StreamGate>> streams_;  // by request id; in flight
  std::deque<std::shared_ptr<StreamGate>> stalled_;          // waiting for outbound room
  uint64_t generations_ = 0;
  eventstore::Position committed_ = 0;           // the log's last position as last heard
  std::atomic<bool> has_subscriptions_{false};   // read by NotifyCommitted on any thread
  std::atomic<eventstore::Position> latest_{0};  // newest commit notified, not yet applied
  std::atomic<bool> notify_pending_{false};

  bool stop_reading_ = false;  // reader must end (stop, error or close requested)
  bool reader_done_ = false;   // reader ended; the writer finishes once nothing is in flight
  bool closed_ = false;        // no more writes: queued and later frames are dropped
  bool finished_ = false;
  SteadyClock::time_point accepted_at_;
  SteadyClock::time_point last_activity_;
  std::optional<SteadyClock::time_point> frame_started_;
  std::optional<SteadyClock::time_point> write_started_;
  std::optional<SteadyClock::time_point> draining_until_;
  SteadyClock::time_point watchdog_until_ = SteadyClock::time_point::min();  // what it sleeps to
};

}  // namespace roster::api::server::internal
