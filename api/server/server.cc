#include "api/server/server.h"

#include <pthread.h>

#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/server/internal/connection.h"

namespace roster::api::server {

namespace asio = api::net::asio;
using api::net::Await;
using api::net::error_code;
using internal::Connection;

class Server::Impl {
 public:
  Impl(dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens, eventstore::EventLog& log,
       std::shared_ptr<spdlog::logger> logger, ServerOptions options)
      : shared_(dispatcher, tokens, log, std::move(logger), std::move(options)),
        acceptor_(asio::make_strand(io_)) {}

  std::expected<void, std::string> Bind();
  void Launch();
  void Stop();
  uint16_t port() const { return port_; }
  uint32_t connections() const { return count_.load(); }
  size_t outbound_peak_bytes() const { return shared_.outbound_peak.load(); }

 private:
  asio::awaitable<void> Listen();
  void Refuse(api::net::tcp::socket socket);
  void Closed(Connection* c);
  std::vector<std::shared_ptr<Connection>> Snapshot();
  // Waits until no connection is left or the deadline passes; true when none is left.
  bool WaitForNone(std::chrono::steady_clock::time_point deadline);

  internal::Shared shared_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  api::net::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  uint64_t commit_listener_ = 0;
  bool listening_ = false;

  std::mutex mu_;
  std::condition_variable none_left_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live_;
  std::atomic<uint32_t> count_{0};
  std::atomic<bool> stopping_{false};
  std::once_flag stopped_;
};

std::expected<void, std::string> Server::Impl::Bind() {
  const auto& o = shared_.options;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return std::unexpected("TLS needs both a certificate and a key file");
    }
    error_code ec;
    shared_.ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                asio::ssl::context::no_tlsv1_1,
                            ec);
    shared_.ssl.use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) return std::unexpected("cannot load " + o.tls_cert_file + ": " + ec.message());
    shared_.ssl.use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return std::unexpected("cannot load " + o.tls_key_file + ": " + ec.message());
    shared_.tls = true;
  }
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) return std::unexpected("listen address wants host:port");
  std::string host = o.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  error_code ec;
  api::net::tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(host, o.listen.substr(colon + 1), ec);
  if (ec || endpoints.empty()) {
    return std::unexpected("cannot resolve " + o.listen + ": " + ec.message());
  }
  const api::net::tcp::endpoint endpoint = *endpoints.begin();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen on " + o.listen + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void Server::Impl::Launch() {
  shared_.on_closed = [this](Connection* c) { Closed(c); };
  shared_.dispatcher.SetConnectionCounter([this] { return count_.load(); });
  commit_listener_ = shared_.log.AddCommitListener([this](eventstore::Position position) {
    for (auto& c : Snapshot()) c->NotifyCommitted(position);
  });
  // A revoked (or replaced) token cuts off the connections it opened, not only later hellos.
  shared_.tokens.SetInvalidatedListener([this](const std::string& name) {
    for (auto& c : Snapshot()) c->CloseIfPrincipal(name);
  });
  work_.emplace(io_.get_executor());
  asio::co_spawn(acceptor_.get_executor(), Listen(), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      shared_.logger->error("listener failed: {}", x.what());
    }
  });
  listening_ = true;
  {
    // One naming job per worker; each waits for the rest, so no worker takes two. The latch is
    // shared: a worker may still be inside its wait after this thread has left its own.
    const unsigned workers = std::max(1u, shared_.options.worker_threads);
    auto named = std::make_shared<std::latch>(workers);
    for (unsigned i = 0; i < workers; ++i) {
      asio::post(shared_.workers, [named] {
        pthread_setname_np(pthread_self(), "roster-work");
        named->arrive_and_wait();
      });
    }
    named->wait();
  }
  for (unsigned i = 0; i < std::max(1u, shared_.options.io_threads); ++i) {
    threads_.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("roster-io-" + std::to_string(i)).c_str());
      io_.run();
    });
  }
  shared_.logger->info("listening on {}:{}{}", acceptor_.local_endpoint().address().to_string(),
                       port_, shared_.tls ? " (TLS)" : "");
}

asio::awaitable<void> Server::Impl::Listen() {
  while (!stopping_) {
    error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::make_strand(io_), Await(ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      shared_.logger->warn("accept failed: {}", ec.message());
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(Await(ec));
      continue;
    }
    if (count_.load() >= shared_.options.max_connections) {
      Refuse(api::net::tcp::socket(std::move(socket)));
      continue;
    }
    internal::Strand strand = socket.get_executor();
    auto connection =
        std::make_shared<Connection>(shared_, api::net::tcp::socket(std::move(socket)), strand);
    {
      std::lock_guard lock(mu_);
      live_[connection.get()] = connection;
      count_++;
    }
    asio::co_spawn(strand, connection->Run(connection), [this, connection](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        shared_.logger->error("connection failed: {}", x.what());
      }
      connection->Abort();
    });
  }
}

void Server::Impl::Refuse(api::net::tcp::socket socket) {
  error_code ec;
  auto peer = socket.remote_endpoint(ec);
  shared_.logger->warn("{}: refused: {} connections already open",
                       ec ? std::string("unknown peer") : peer.address().to_string(),
                       shared_.options.max_connections);
  if (!shared_.tls) {
    // One small frame into an empty send buffer: does not block.
    capnp::MallocMessageBuilder message;
    auto response = message.initRoot<wire::Response>();
    dispatch::SetError(response, "UNAVAILABLE", "too many connections");
    asio::write(socket, asio::buffer(wire::EncodeFrame(message)), ec);
  }
  socket.close(ec);
}

void Server::Impl::Closed(Connection* c) {
  std::lock_guard lock(mu_);
  if (live_.erase(c) > 0) count_--;
  none_left_.notify_all();
}

std::vector<std::shared_ptr<Connection>> Server::Impl::Snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard lock(mu_);
  out.reserve(live_.size());
  for (auto& [ptr, weak] : live_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool Server::Impl::WaitForNone(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return none_left_.wait_until(lock, deadline, [&] { return live_.empty(); });
}

void Server::Impl::Stop() {
  std::call_once(stopped_, [&] {
    if (!listening_) return;
    stopping_ = true;
    shared_.tokens.SetInvalidatedListener(nullptr);
    asio::post(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);
    });
    const auto started = std::chrono::steady_clock::now();
    for (auto& c : Snapshot()) c->BeginStop();
    if (!WaitForNone(started + shared_.options.stop_timeout)) {
      shared_.logger->warn("stop: forcing {} connection(s) closed", connections());
      for (auto& c : Snapshot()) c->Abort();
      WaitForNone(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    }
    shared_.log.RemoveCommitListener(commit_listener_);
    work_.reset();
    shared_.workers.join();  // requests still running finish; their answers go nowhere
    io_.stop();
    for (auto& t : threads_) t.join();
    shared_.dispatcher.SetConnectionCounter({});
    shared_.logger->info("stopped after {} ms",
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count());
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }
uint16_t Server::port() const { return impl_->port(); }
uint32_t Server::connections() const { return impl_->connections(); }
size_t Server::outbound_peak_bytes() const { return impl_->outbound_peak_bytes(); }
void Server::Stop() { impl_->Stop(); }

std::expected<std::unique_ptr<Server>, std::string> Server::Start(
    dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens, eventstore::EventLog& log,
    std::shared_ptr<spdlog::logger> logger, ServerOptions options) {
  auto impl =
      std::make_unique<Impl>(dispatcher, tokens, log, std::move(logger), std::move(options));
  if (auto bound = impl->Bind(); !bound) return std::unexpected(bound.error());
  impl->Launch();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace roster::api::server
