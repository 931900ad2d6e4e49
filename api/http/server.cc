#include "api/http/server.h"

// clang-format off
#include "api/net/asio.h"  // before Beast: it includes Asio, which needs <utility> first
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
// clang-format on

#include <pthread.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "api/dispatch/fill.h"
#include "api/http/handler.h"
#include "api/wire/json.h"

namespace roster::api::http {

namespace asio = api::net::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using api::net::Await;
using api::net::error_code;
using api::net::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// One connection: plain, or TLS over the same TCP stream when a certificate is configured.
struct Session {
  Session(tcp::socket socket, asio::ssl::context* tls) {
    if (tls) {
      secure.emplace(std::move(socket), *tls);
    } else {
      plain.emplace(std::move(socket));
    }
  }
  // Where deadlines, cancellation and the socket are.
  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  bool busy = false;  // answering a request (on the session's strand only)
  // While an event stream waits for commits: its timer, which Stop cancels to end the stream.
  asio::steady_timer* wake = nullptr;
};

// An event stream's wake-up: the log's commit listener cancels the timer the stream waits on
// (a heartbeat's length), through the session's strand. One wake-up in flight is enough.
struct Waker {
  explicit Waker(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  std::atomic<bool> pending{false};
};

// Up to this many records, or about this many bytes, go out as one chunk.
constexpr size_t kEventBatch = 256;
constexpr size_t kEventBatchBytes = 1u << 20;

struct EventBatch {
  std::string text;  // the records as Server-Sent Events
  uint64_t last = 0;
  std::string error;
};

// One Server-Sent Event; `data` may hold newlines (each line becomes its own data field).
void AppendEvent(std::string& out, std::string_view id, std::string_view event,
                 std::string_view data) {
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  out.append("event: ").append(event).append("\n");
  for (size_t begin = 0;;) {
    const size_t end = data.find('\n', begin);
    out.append("data: ").append(data.substr(begin, end - begin)).append("\n");
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  out.append("\n");
}

// Records from `from` on, as the TCP subscription's Record structs in the API's JSON.
EventBatch ReadEvents(eventstore::EventLog& log, uint64_t from) {
  EventBatch batch;
  batch.last = from - 1;
  auto visited = log.VisitAll(from, kEventBatch, [&](const eventstore::RecordView& r) {
    capnp::MallocMessageBuilder message;
    auto record = message.initRoot<wire::Record>();
    dispatch::FillRecord(r, record);
    AppendEvent(batch.text, std::to_string(r.position), "record", wire::ToJson(record.asReader()));
    batch.last = r.position;
    return batch.text.size() < kEventBatchBytes;
  });
  if (!visited) batch.error = visited.error().message;
  return batch;
}

std::string_view View(beast::string_view s) { return std::string_view(s.data(), s.size()); }
beast::string_view Name(std::string_view s) { return beast::string_view(s.data(), s.size()); }

bhttp::response<bhttp::string_body> ToResponse(const HttpAnswer& answer, unsigned version,
                                               bool keep_alive, const std::string& server) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), version};
  res.set(bhttp::field::server, server);
  if (!answer.content_type.empty()) res.set(bhttp::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.body() = answer.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens,
       std::shared_ptr<spdlog::logger> logger, HttpOptions options)
      : options_(std::move(options)),
        logger_(std::move(logger)),
        dispatcher_(dispatcher),
        handler_(dispatcher, tokens, metrics_, options_),
        acceptor_(asio::make_strand(io_)),
        workers_(std::max(1u, options_.worker_threads)),
        ssl_(asio::ssl::context::tls_server) {}

  std::expected<void, std::string> Bind();
  void Launch();
  void Stop();
  uint16_t port() const { return port_; }
  uint32_t connections() const { return metrics_.connections(); }

 private:
  asio::awaitable<void> Listen();
  asio::awaitable<void> Serve(std::shared_ptr<Session> session);
  // The requests of one connection, over `stream` (the plain or the TLS one of `session`).
  template <typename Stream>
  asio::awaitable<void> ServeOn(Stream& stream, Session& session);
  // Writes `answer` and reports whether the connection may carry another request.
  template <typename Stream>
  asio::awaitable<bool> Write(Stream& stream, Session& session, const HttpAnswer& answer,
                              unsigned version, bool keep_alive);
  // After an error answer: stops sending and reads what the client still sends, for a while,
  // before closing, so that closing with unread bytes (which sends a reset) does not destroy
  // the answer before the client has read it.
  asio::awaitable<void> LingeringClose(Session& session);
  // GET /v1/events, accepted: the log's records after `start.after` as Server-Sent Events,
  // then live ones, until the client goes, the token is revoked or the server stops.
  // A streamed answer (the audit export) as a chunked download: the dispatcher produces the
  // parts on a worker thread, and each part's bytes are written here, on the connection's
  // strand, before the next is made (a slow reader slows the export down).
  template <typename Stream>
  asio::awaitable<void> StreamParts(Stream& stream, Session& session, StreamedRequest& streamed,
                                    unsigned version);
  template <typename Stream>
  asio::awaitable<void> StreamEvents(Stream& stream, Session& session,
                                     const EventStreamStart& start, unsigned version);
  void Refuse(tcp::socket socket);
  void Closed(const std::shared_ptr<Session>& session);

  HttpOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  dispatch::Dispatcher& dispatcher_;
  Metrics metrics_;
  Handler handler_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  asio::ssl::context ssl_;
  bool tls_ = false;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool listening_ = false;
  std::atomic<bool> stopping_{false};
  std::once_flag stopped_;
  uint64_t commit_listener_ = 0;
  std::mutex mu_;
  std::condition_variable none_left_;
  std::unordered_set<std::shared_ptr<Session>> live_;  // guarded by mu_
};

// The same host:port forms as the TCP listener (api/server/server.cc), IPv6 in brackets.
std::expected<void, std::string> HttpServer::Impl::Bind() {
  // As for the TCP listener (api/server/server.cc): TLS 1.2 and later, both files or neither.
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return std::unexpected("TLS needs both a certificate and a key file");
    }
    error_code ec;
    ssl_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     ec);
    ssl_.use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) return std::unexpected("cannot load " + options_.tls_cert_file + ": " + ec.message());
    ssl_.use_private_key_file(options_.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return std::unexpected("cannot load " + options_.tls_key_file + ": " + ec.message());
    tls_ = true;
  }
  const auto colon = options_.listen.rfind(':');
  if (colon == std::string::npos) return std::unexpected("http address wants host:port");
  std::string host = options_.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  error_code ec;
  tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(host, options_.listen.substr(colon + 1), ec);
  if (ec || endpoints.empty()) {
    return std::unexpected("cannot resolve " + options_.listen + ": " + ec.message());
  }
  const tcp::endpoint endpoint = *endpoints.begin();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen on " + options_.listen + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void HttpServer::Impl::Launch() {
  work_.emplace(io_.get_executor());
  // Group-commit sizes, from the log's own commit notices: counting them costs the
  // committing thread two atomic operations.
  eventstore::EventLog& log = dispatcher_.node().log();
  commit_listener_ =
      log.AddCommitListener([this](eventstore::Position p) { metrics_.Committed(p); });
  // After adding the listener: a commit in between is counted by it, not lost.
  metrics_.CommitsFrom(log.LastPosition());
  metrics_.TimeLog(log.timings());
  asio::co_spawn(acceptor_.get_executor(), Listen(), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      logger_->error("listener failed: {}", x.what());
    }
  });
  listening_ = true;
  for (unsigned i = 0; i < std::max(1u, options_.io_threads); ++i) {
    threads_.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("roster-http-" + std::to_string(i)).c_str());
      io_.run();
    });
  }
  logger_->info("HTTP listening on {}:{}{}", acceptor_.local_endpoint().address().to_string(),
                port_, tls_ ? " (TLS)" : "");
}

asio::awaitable<void> HttpServer::Impl::Listen() {
  while (!stopping_) {
    error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::make_strand(io_), Await(ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      logger_->warn("accept failed: {}", ec.message());
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(Await(ec));
      continue;
    }
    if (metrics_.connections() >= options_.max_connections) {
      Refuse(tcp::socket(std::move(socket)));
      continue;
    }
    auto session =
        std::make_shared<Session>(tcp::socket(std::move(socket)), tls_ ? &ssl_ : nullptr);
    {
      std::lock_guard lock(mu_);
      live_.insert(session);
    }
    metrics_.ConnectionOpened();
    asio::co_spawn(session->lowest().get_executor(), Serve(session),
                   [this, session](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         logger_->error("connection failed: {}", x.what());
                       }
                     }
                     Closed(session);
                   });
  }
}

void HttpServer::Impl::Refuse(tcp::socket socket) {
  logger_->warn("refused a connection: {} already open", options_.max_connections);
  error_code ec;
  if (tls_) {  // an answer would need a handshake first: only closed
    socket.close(ec);
    return;
  }
  const auto answer = Problem(503, "UNAVAILABLE", "too many connections");
  auto res = ToResponse(answer, 11, false, options_.server_version);
  // A small response into an empty send buffer: does not block the listener.
  bhttp::write(socket, res, ec);
  socket.close(ec);
}

void HttpServer::Impl::Closed(const std::shared_ptr<Session>& session) {
  error_code ignored;
  session->lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  session->lowest().socket().close(ignored);
  std::lock_guard lock(mu_);
  if (live_.erase(session) > 0) metrics_.ConnectionClosed();
  none_left_.notify_all();
}

template <typename Stream>
asio::awaitable<bool> HttpServer::Impl::Write(Stream& stream, Session& session,
                                              const HttpAnswer& answer, unsigned version,
                                              bool keep_alive) {
  keep_alive = keep_alive && !stopping_;
  auto res = ToResponse(answer, version, keep_alive, options_.server_version);
  session.lowest().expires_after(options_.write_timeout);
  error_code ec;
  co_await bhttp::async_write(stream, res, Await(ec));
  co_return !ec && keep_alive;
}

asio::awaitable<void> HttpServer::Impl::LingeringClose(Session& session) {
  error_code ec;
  session.lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  session.lowest().expires_after(std::chrono::seconds(1));
  std::vector<char> sink(16u << 10);
  size_t drained = 0;
  while (drained < options_.max_body_bytes + options_.max_header_bytes) {
    const size_t n = co_await session.lowest().async_read_some(asio::buffer(sink), Await(ec));
    if (ec) co_return;
    drained += n;
  }
}

asio::awaitable<void> HttpServer::Impl::Serve(std::shared_ptr<Session> session) {
  if (!session->secure) {
    co_await ServeOn(*session->plain, *session);
    co_return;
  }
  // The handshake counts against the first request's header deadline: a client that connects
  // and never completes it is cut off like one that never sends its headers.
  error_code ec;
  session->lowest().expires_after(options_.header_deadline);
  co_await session->secure->async_handshake(asio::ssl::stream_base::server, Await(ec));
  if (ec) co_return;
  co_await ServeOn(*session->secure, *session);
  // A close_notify for clients that check for truncation; bounded, as the peer may be gone.
  session->lowest().expires_after(std::chrono::seconds(1));
  co_await session->secure->async_shutdown(Await(ec));
}

template <typename Stream>
asio::awaitable<void> HttpServer::Impl::ServeOn(Stream& stream, Session& s) {
  Session* session = &s;
  beast::flat_buffer buffer;
  while (!stopping_) {
    error_code ec;
    if (buffer.size() == 0) {
      // Between requests the connection may idle longer than a request may take to arrive.
      session->lowest().expires_after(options_.idle_timeout);
      const size_t n = co_await stream.async_read_some(buffer.prepare(4096), Await(ec));
      if (ec) co_return;
      buffer.commit(n);
    }
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    session->lowest().expires_after(options_.header_deadline);
    co_await bhttp::async_read_header(stream, buffer, parser, Await(ec));
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await Write(stream, *session,
                       Problem(431, "HEADERS_TOO_LARGE", "the headers are too large"), 11, false);
        co_await LingeringClose(*session);
      } else if (ec == bhttp::error::body_limit) {
        // Beast checks Content-Length against the limit as the headers end.
        co_await Write(
            stream, *session,
            Problem(413, "TOO_LARGE",
                    "the body exceeds " + std::to_string(options_.max_body_bytes) + " bytes"),
            11, false);
        co_await LingeringClose(*session);
      } else if (ec != beast::error::timeout && ec != bhttp::error::end_of_stream &&
                 ec != asio::error::eof && ec != asio::error::operation_aborted) {
        co_await Write(stream, *session,
                       Problem(400, "BAD_REQUEST", "malformed HTTP: " + ec.message()), 11, false);
        co_await LingeringClose(*session);
      }  // a timeout (slow headers) or a closed connection: nobody to answer
      co_return;
    }
    const unsigned version = parser.get().version();
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
      session->lowest().expires_after(options_.write_timeout);
      co_await bhttp::async_write(stream, go_on, Await(ec));
      if (ec) co_return;
    }
    session->lowest().expires_after(options_.body_deadline);
    co_await bhttp::async_read(stream, buffer, parser, Await(ec));
    if (ec) {
      if (ec == bhttp::error::body_limit) {
        co_await Write(stream, *session, Problem(413, "TOO_LARGE", "the body is too large"),
                       version, false);
        co_await LingeringClose(*session);
      } else if (ec != beast::error::timeout && ec != asio::error::eof &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await Write(stream, *session,
                       Problem(400, "BAD_REQUEST", "malformed HTTP: " + ec.message()), version,
                       false);
        co_await LingeringClose(*session);
      }
      co_return;
    }
    session->busy = true;
    const auto& req = parser.get();
    HttpRequest request;
    request.method = View(req.method_string());
    request.target = View(req.target());
    request.authorization = View(req[bhttp::field::authorization]);
    request.content_type = View(req[bhttp::field::content_type]);
    request.input.body = req.body();
    request.input.actor = View(req[Name(kActorHeader)]);
    request.input.correlation_id = View(req[Name(kCorrelationHeader)]);
    request.input.idempotency_key = View(req[Name(kIdempotencyHeader)]);
    request.input.consistency_token = View(req[Name(kConsistencyHeader)]);
    const auto started = Clock::now();
    if (request.target.substr(0, request.target.find('?')) == kEventsPath) {
      request.last_event_id = View(req["Last-Event-ID"]);
      auto start = handler_.StartEvents(request);
      const unsigned status = start ? 200 : start.error().answer.status;
      metrics_.Observe("events", "stream", status, start ? "" : start.error().answer.code,
                       std::chrono::duration<double>(Clock::now() - started).count());
      if (!start) {
        const bool again =
            co_await Write(stream, *session, start.error().answer, version, req.keep_alive());
        session->busy = false;
        if (!again) co_return;
        continue;
      }
      co_await StreamEvents(stream, *session, *start, version);
      co_return;  // a stream ends with its connection
    }
    if (auto streamed = handler_.PrepareStreamed(request)) {
      if (!*streamed) {
        const Answered& refused = streamed->error();
        metrics_.Observe(refused.kind, refused.family, refused.answer.status, refused.answer.code,
                         std::chrono::duration<double>(Clock::now() - started).count());
        const bool again =
            co_await Write(stream, *session, refused.answer, version, req.keep_alive());
        session->busy = false;
        if (!again) co_return;
        continue;
      }
      metrics_.Observe("auditExport", "query", 200, "",
                       std::chrono::duration<double>(Clock::now() - started).count());
      co_await StreamParts(stream, *session, **streamed, version);
      co_return;  // a download ends with its connection
    }
    metrics_.RequestStarted();
    Answered answered;
    if (Handler::IsQuick(request)) {
      answered = handler_.Answer(request);
    } else {
      // The dispatcher blocks (a command waits for its fsync): off the network thread, and
      // back on this connection's strand afterwards.
      answered = co_await asio::co_spawn(
          workers_.get_executor(),
          [&]() -> asio::awaitable<Answered> { co_return handler_.Answer(request); },
          asio::use_awaitable);
    }
    metrics_.RequestFinished();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    metrics_.Observe(answered.kind, answered.family, answered.answer.status, answered.answer.code,
                     seconds);
    logger_->debug("{} {} -> {} {} ({:.3f} ms)", request.method, request.target,
                   answered.answer.status, answered.answer.code, seconds * 1000);
    const bool again = co_await Write(stream, *session, answered.answer, version, req.keep_alive());
    session->busy = false;
    if (!again) co_return;
  }
}

namespace {

// One part of a streamed answer, as the connection writes it.
struct Piece {
  std::string data;
  std::optional<HttpAnswer> error;  // the part was an error: it ends the answer
  bool last = false;
};

// Hands each part to the connection's strand and waits until it is written.
class StrandSink final : public dispatch::PartSink {
 public:
  using Writer = std::function<asio::awaitable<bool>(Piece)>;
  StrandSink(asio::any_io_executor strand, Writer writer)
      : strand_(std::move(strand)), writer_(std::move(writer)) {}

  bool Send(capnp::MallocMessageBuilder& message) override {
    Piece piece;
    auto part = message.getRoot<wire::Response>().asReader();
    piece.last = !part.getMore();
    if (part.isError()) {
      const auto e = part.getError();
      piece.error =
          Problem(StatusForCode(e.getCode().cStr()), e.getCode().cStr(), e.getMessage().cStr());
      piece.last = true;
    } else if (part.isAuditExport()) {
      const auto data = part.getAuditExport().getData();
      piece.data.assign(reinterpret_cast<const char*>(data.begin()), data.size());
    }
    std::promise<bool> written;
    auto future = written.get_future();
    asio::co_spawn(strand_, writer_(std::move(piece)),
                   [&written](std::exception_ptr e, bool ok) { written.set_value(!e && ok); });
    return future.get();
  }

 private:
  asio::any_io_executor strand_;
  Writer writer_;
};

}  // namespace

template <typename Stream>
asio::awaitable<void> HttpServer::Impl::StreamParts(Stream& stream, Session& session,
                                                    StreamedRequest& streamed, unsigned version) {
  const auto format =
      streamed.message->getRoot<wire::Request>().asReader().getQuery().getAuditExport().getFormat();
  const bool csv = format == wire::ExportFormat::CSV;
  const bool chunked = version >= 11;
  bool started = false;
  bool complete = false;
  // Runs on the strand, while this coroutine waits for the worker: the stream is this
  // writer's alone.
  StrandSink::Writer writer = [&](Piece piece) -> asio::awaitable<bool> {
    error_code ec;
    if (!started && piece.error) {
      // Nothing sent yet: the error is the answer, with its status.
      co_await Write(stream, session, *piece.error, version, false);
      co_return false;
    }
    if (piece.error) {
      // The status is out already: the download ends without its last chunk, which a client
      // sees as a truncated transfer, never as a complete file.
      logger_->warn("audit export cut off: {}", piece.error->body);
      co_return false;
    }
    session.lowest().expires_after(options_.write_timeout);
    if (!started) {
      started = true;
      bhttp::response<bhttp::empty_body> res{bhttp::status::ok, version};
      res.set(bhttp::field::server, options_.server_version);
      res.set(bhttp::field::content_type,
              csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
      res.set(bhttp::field::content_disposition,
              csv ? R"(attachment; filename="roster-audit.csv")"
                  : R"(attachment; filename="roster-audit.jsonl")");
      res.keep_alive(false);
      if (chunked) res.chunked(true);
      bhttp::response_serializer<bhttp::empty_body> serializer{res};
      co_await bhttp::async_write_header(stream, serializer, Await(ec));
      if (ec) co_return false;
    }
    if (!piece.data.empty()) {
      if (chunked) {
        co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(piece.data)), Await(ec));
      } else {
        co_await asio::async_write(stream, asio::buffer(piece.data), Await(ec));
      }
      if (ec) co_return false;
    }
    if (piece.last) {
      if (chunked) co_await asio::async_write(stream, bhttp::make_chunk_last(), Await(ec));
      complete = !ec;
    }
    co_return !ec && !stopping_;
  };
  StrandSink sink(session.lowest().get_executor(), std::move(writer));
  co_await asio::co_spawn(
      workers_.get_executor(),
      [&]() -> asio::awaitable<void> {
        dispatcher_.HandleStreamed(streamed.principal,
                                   streamed.message->getRoot<wire::Request>().asReader(), sink);
        co_return;
      },
      asio::use_awaitable);
  if (!complete) logger_->debug("audit export ended before its last part");
}

template <typename Stream>
asio::awaitable<void> HttpServer::Impl::StreamEvents(Stream& stream, Session& session,
                                                     const EventStreamStart& start,
                                                     unsigned version) {
  eventstore::EventLog& log = dispatcher_.node().log();
  // Chunked for HTTP/1.1; an HTTP/1.0 client reads until the connection closes.
  const bool chunked = version >= 11;
  bhttp::response<bhttp::empty_body> res{bhttp::status::ok, version};
  res.set(bhttp::field::server, options_.server_version);
  res.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(false);
  if (chunked) res.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{res};
  error_code ec;
  session.lowest().expires_after(options_.write_timeout);
  co_await bhttp::async_write_header(stream, serializer, Await(ec));
  if (ec) co_return;
  // Each write is bounded by the write timeout (a client that stops reading is cut off);
  // between writes the stream may wait as long as it likes.
  auto send = [&](const std::string& text) -> asio::awaitable<bool> {
    error_code write_ec;
    session.lowest().expires_after(options_.write_timeout);
    if (chunked) {
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(text)), Await(write_ec));
    } else {
      co_await asio::async_write(stream, asio::buffer(text), Await(write_ec));
    }
    session.lowest().expires_never();
    co_return !write_ec;
  };

  auto waker = std::make_shared<Waker>(session.lowest().get_executor());
  const uint64_t listener = log.AddCommitListener([waker](eventstore::Position) {
    if (waker->pending.exchange(true)) return;
    asio::post(waker->timer.get_executor(), [waker] { waker->timer.cancel(); });
  });
  uint64_t cursor = start.after;
  std::string text = "retry: 1000\n\n";  // EventSource reconnects after a second
  // Like the TCP subscription's first answer: the log's end as the stream starts, so a client
  // knows when it has caught up.
  AppendEvent(text, {}, "subscribed",
              R"({"lastPosition":")" + std::to_string(log.LastPosition()) + R"("})");
  bool open = co_await send(text);
  std::string end_event;
  while (open && !stopping_) {
    waker->pending = false;  // before looking: a commit after this wakes the wait below
    if (!handler_.StillValid(start)) {
      AppendEvent(end_event, {}, "error",
                  Problem(401, "UNAUTHENTICATED", "the token was revoked").body);
      break;
    }
    if (log.LastPosition() > cursor) {
      // The log is read on the worker pool, as the dispatcher's requests are.
      EventBatch batch = co_await asio::co_spawn(
          workers_.get_executor(),
          [&log, from = cursor + 1]() -> asio::awaitable<EventBatch> {
            co_return ReadEvents(log, from);
          },
          asio::use_awaitable);
      if (!batch.error.empty()) {
        AppendEvent(end_event, {}, "error",
                    Problem(503, "UNAVAILABLE", "reading the log failed: " + batch.error).body);
        break;
      }
      if (batch.last > cursor) {
        cursor = batch.last;
        open = co_await send(batch.text);
        continue;
      }
    }
    waker->timer.expires_after(options_.event_heartbeat);
    session.wake = &waker->timer;
    co_await waker->timer.async_wait(Await(ec));
    session.wake = nullptr;
    // The heartbeat: a comment, which EventSource ignores.
    if (!ec) open = co_await send(": heartbeat\n\n");
  }
  log.RemoveCommitListener(listener);
  if (!open) co_return;
  if (stopping_ && end_event.empty()) {
    AppendEvent(end_event, {}, "error",
                Problem(503, "SHUTTING_DOWN", "the server is stopping").body);
  }
  if (!end_event.empty() && !co_await send(end_event)) co_return;
  if (chunked) {
    session.lowest().expires_after(options_.write_timeout);
    co_await asio::async_write(stream, bhttp::make_chunk_last(), Await(ec));
  }
}

void HttpServer::Impl::Stop() {
  std::call_once(stopped_, [&] {
    if (!listening_) return;
    stopping_ = true;
    dispatcher_.node().log().RemoveCommitListener(commit_listener_);
    asio::post(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);
    });
    const auto started = Clock::now();
    auto close_sessions = [this](bool force) {
      std::vector<std::shared_ptr<Session>> sessions;
      {
        std::lock_guard lock(mu_);
        sessions.assign(live_.begin(), live_.end());
      }
      for (auto& s : sessions) {
        // A session answering a request finishes it (and then sees stopping_); the others
        // wait for a request that will not be served.
        asio::post(s->lowest().get_executor(), [s, force] {
          if (s->wake) s->wake->cancel();  // an event stream ends at its next look
          if (force || !s->busy) s->lowest().cancel();
        });
      }
    };
    close_sessions(false);
    std::unique_lock lock(mu_);
    if (!none_left_.wait_until(lock, started + options_.stop_timeout,
                               [this] { return live_.empty(); })) {
      lock.unlock();
      logger_->warn("stop: forcing HTTP connections closed");
      close_sessions(true);
      lock.lock();
      none_left_.wait_for(lock, std::chrono::seconds(5), [this] { return live_.empty(); });
    }
    lock.unlock();
    work_.reset();
    workers_.join();
    io_.stop();
    for (auto& t : threads_) t.join();
    logger_->info("HTTP stopped");
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
uint32_t HttpServer::connections() const { return impl_->connections(); }
void HttpServer::Stop() { impl_->Stop(); }

std::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::Start(
    dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens,
    std::shared_ptr<spdlog::logger> logger, HttpOptions options) {
  auto impl = std::make_unique<Impl>(dispatcher, tokens, std::move(logger), std::move(options));
  if (auto bound = impl->Bind(); !bound) return std::unexpected(bound.error());
  impl->Launch();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace roster::api::http
