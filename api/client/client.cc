// The client library over Asio: one io_context per client, driven only from the calling thread
// (run_one_for), so every blocking call has a deadline and a read is always pending while a
// request is written: a client that pipelines many requests drains the responses meanwhile
// instead of deadlocking against a server that has stopped reading (its backpressure).
#include "api/client/client.h"

#include <kj/exception.h>

#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "api/net/asio.h"
#include "api/wire/framing.h"

namespace roster::api::client {
namespace {

using api::net::asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using api::wire::Request;
using api::wire::Response;

// Bytes are read into blocks of at least this size; the replies parsed from a block share it.
constexpr size_t kBlockBytes = 64 * 1024;
constexpr size_t kMinReadBytes = 4 * 1024;  // a new block rather than a smaller read

// host:port or [v6]:port.
std::optional<std::pair<std::string, std::string>> SplitHostPort(const std::string& server) {
  if (!server.empty() && server.front() == '[') {
    auto close = server.find(']');
    if (close == std::string::npos || close + 1 >= server.size() || server[close + 1] != ':') {
      return std::nullopt;
    }
    return std::pair{server.substr(1, close - 1), server.substr(close + 2)};
  }
  auto colon = server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == server.size()) return std::nullopt;
  return std::pair{server.substr(0, colon), server.substr(colon + 1)};
}

class AsioClient final : public Client {
 public:
  explicit AsioClient(const ClientOptions& options)
      : options_(options), ssl_(api::net::asio::ssl::context::tls_client), stream_(io_, ssl_) {
    limits_.max_message_bytes = options.max_message_bytes;
    limits_.max_segments = 512;
    // Callers may walk a reply more than once; the limit guards against amplification only.
    limits_.traversal_limit_words = options.max_message_bytes;
    limits_.nesting_limit = 64;
  }
  ~AsioClient() override {
    api::net::error_code ignored;
    stream_.next_layer().close(ignored);
  }

  std::expected<void, ClientError> Open() {
    auto hp = SplitHostPort(options_.server);
    if (!hp)
      return std::unexpected(
          ClientError{"CONNECTION", "bad address '" + options_.server + "' (want host:port)"});
    const auto deadline = Clock::now() + options_.timeout;

    api::net::error_code ec;
    tcp::resolver::results_type endpoints;
    bool done = false;
    tcp::resolver resolver(io_);
    resolver.async_resolve(hp->first, hp->second,
                           [&](const api::net::error_code& e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                             done = true;
                           });
    if (!RunUntil([&] { return done; }, deadline)) return Fail("TIMEOUT", "resolving " + hp->first);
    if (ec) return Fail("CONNECTION", "cannot resolve " + hp->first + ": " + ec.message());

    done = false;
    api::net::asio::async_connect(stream_.next_layer(), endpoints,
                                  [&](const api::net::error_code& e, const tcp::endpoint&) {
                                    ec = e;
                                    done = true;
                                  });
    if (!RunUntil([&] { return done; }, deadline)) {
      return Fail("TIMEOUT", "connecting to " + options_.server);
    }
    if (ec) return Fail("CONNECTION", "cannot connect to " + options_.server + ": " + ec.message());
    stream_.next_layer().set_option(tcp::no_delay(true), ec);

    if (options_.tls) {
      if (auto r = StartTls(hp->first, deadline); !r) return r;
    }

    auto reply = Call([&](Request::Builder r) {
      auto hello = r.initHello();
      hello.setToken(options_.token);
      hello.setClient(options_.client_name);
      hello.setProtocolVersion(api::wire::PROTOCOL_VERSION);
    });
    if (!reply) return std::unexpected(reply.error());
    try {
      auto response = reply->get();
      if (response.isError()) {
        std::string code = response.getError().getCode().cStr();
        return std::unexpected(ClientError{code == "UNAUTHENTICATED" ? code : "UNAUTHENTICATED",
                                           response.getError().getMessage().cStr()});
      }
      if (!response.isHello()) return Fail("PROTOCOL", "the server did not answer the hello");
      principal_ = response.getHello().getPrincipal().cStr();
      scope_ = response.getHello().getScope().cStr();
    } catch (const kj::Exception& e) {
      return Fail("PROTOCOL", std::string("bad hello answer: ") + e.getDescription().cStr());
    }
    return {};
  }

  const std::string& principal() const override { return principal_; }
  const std::string& scope() const override { return scope_; }

  std::expected<Reply, ClientError> Call(const RequestFiller& fill) override {
    auto id = Send(fill);
    if (!id) return std::unexpected(id.error());
    return Wait(*id);
  }

  std::expected<uint64_t, ClientError> Send(const RequestFiller& fill) override {
    if (broken_) return std::unexpected(*broken_);
    const uint64_t id = next_id_++;
    capnp::MallocMessageBuilder message;
    auto request = message.initRoot<Request>();
    fill(request);
    request.setId(id);
    if (auto w = Write(api::wire::EncodeFrame(message)); !w) return std::unexpected(w.error());
    return id;
  }

  std::expected<Reply, ClientError> Wait(uint64_t id) override {
    return WaitUntil(id, Clock::now() + options_.timeout);
  }

  std::expected<void, ClientError> CallStreamed(
      const RequestFiller& fill, const std::function<bool(Reply& part)>& on_part) override {
    auto id = Send(fill);
    if (!id) return std::unexpected(id.error());
    while (true) {
      auto part = Wait(*id);
      if (!part) return std::unexpected(part.error());
      bool more = false;
      try {
        more = part->get().getMore();
      } catch (const kj::Exception& e) {
        return Fail("PROTOCOL", std::string("bad response: ") + e.getDescription().cStr());
      }
      if (!on_part(*part)) {
        if (more) {
          dropped_.insert(*id);  // parts already on their way are discarded
          stash_.erase(*id);
          // The server stops producing the rest; its answer to the cancel is not awaited.
          auto cancel = Send([&](Request::Builder r) { r.setCancel(*id); });
          if (!cancel) return std::unexpected(cancel.error());
          dropped_.insert(*cancel);
        }
        return {};
      }
      if (!more) return {};
    }
  }

  std::expected<void, ClientError> Subscribe(
      uint64_t after_position, uint32_t window,
      const std::function<bool(api::wire::Record::Reader)>& on_record) override {
    if (window == 0) window = 1000;
    auto id = Send([&](Request::Builder r) {
      auto s = r.initSubscribe();
      s.setAfterPosition(after_position);
      s.setCredits(window);
    });
    if (!id) return std::unexpected(id.error());
    auto first = Wait(*id);
    if (!first) return std::unexpected(first.error());
    if (auto e = ErrorOf(*first)) return std::unexpected(*e);
    if (!first->get().isSubscribed()) return Fail("PROTOCOL", "unexpected subscribe answer");

    // Credits go back in batches of half the window so the server never idles on a round trip.
    const uint32_t batch = std::max<uint32_t>(1, window / 2);
    uint32_t consumed = 0;
    while (true) {
      auto reply = WaitUntil(*id, Clock::time_point::max());  // a live tail may be quiet for long
      if (!reply) return std::unexpected(reply.error());
      try {
        auto response = reply->get();
        if (response.isUnsubscribed()) return {};
        if (response.isError()) {
          return std::unexpected(ClientError{response.getError().getCode().cStr(),
                                             response.getError().getMessage().cStr()});
        }
        if (!response.isRecord()) return Fail("PROTOCOL", "unexpected response in a subscription");
        if (!on_record(response.getRecord())) return Unsubscribe(*id);
      } catch (const kj::Exception& e) {
        return Fail("PROTOCOL", std::string("bad record: ") + e.getDescription().cStr());
      }
      if (++consumed >= batch) {
        auto sent = Send([&](Request::Builder r) {
          auto c = r.initCredit();
          c.setSubscription(*id);
          c.setCredits(consumed);
        });
        if (!sent) return std::unexpected(sent.error());
        consumed = 0;
      }
    }
  }

 private:
  std::expected<void, ClientError> StartTls(const std::string& host, Clock::time_point deadline) {
    api::net::error_code ec;
    if (options_.tls_ca_file.empty()) {
      ssl_.set_default_verify_paths(ec);
    } else {
      ssl_.load_verify_file(options_.tls_ca_file, ec);
    }
    if (ec) return Fail("CONNECTION", "cannot load CA certificates: " + ec.message());
    stream_.set_verify_mode(api::net::asio::ssl::verify_peer);
    stream_.set_verify_callback(api::net::asio::ssl::host_name_verification(host));
    SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str());
    bool done = false;
    stream_.async_handshake(api::net::asio::ssl::stream_base::client,
                            [&](const api::net::error_code& e) {
                              ec = e;
                              done = true;
                            });
    if (!RunUntil([&] { return done; }, deadline)) return Fail("TIMEOUT", "TLS handshake");
    if (ec) return Fail("CONNECTION", "TLS handshake failed: " + ec.message());
    return {};
  }

  std::optional<ClientError> ErrorOf(const Reply& reply) {
    auto response = reply.get();
    if (!response.isError()) return std::nullopt;
    return ClientError{response.getError().getCode().cStr(),
                       response.getError().getMessage().cStr()};
  }

  std::expected<void, ClientError> Unsubscribe(uint64_t subscription) {
    dropped_.insert(subscription);  // records already on their way are discarded
    stash_.erase(subscription);
    auto reply = Call([&](Request::Builder r) { r.setUnsubscribe(subscription); });
    if (!reply) return std::unexpected(reply.error());
    if (auto e = ErrorOf(*reply)) return std::unexpected(*e);
    return {};
  }

  std::expected<Reply, ClientError> WaitUntil(uint64_t id, Clock::time_point deadline) {
    while (true) {
      auto it = stash_.find(id);
      if (it != stash_.end() && !it->second.empty()) {
        Reply reply = std::move(it->second.front());
        it->second.pop_front();
        if (it->second.empty()) stash_.erase(it);
        return reply;
      }
      if (broken_) return std::unexpected(*broken_);
      StartRead();
      if (!RunOne(deadline)) {
        return std::unexpected(
            ClientError{"TIMEOUT", "no response to request " + std::to_string(id)});
      }
    }
  }

  std::expected<void, ClientError> Write(std::string bytes) {
    bool done = false;
    api::net::error_code ec;
    auto on_written = [&](const api::net::error_code& e, size_t) {
      ec = e;
      done = true;
    };
    if (options_.tls) {
      api::net::asio::async_write(stream_, api::net::asio::buffer(bytes), on_written);
    } else {
      api::net::asio::async_write(stream_.next_layer(), api::net::asio::buffer(bytes), on_written);
    }
    const auto deadline = Clock::now() + options_.timeout;
    while (!done) {
      if (!broken_) StartRead();
      if (!RunOne(deadline)) {
        // A half-written request leaves the stream unusable.
        Break("TIMEOUT", "writing a request timed out");
        RunUntil([&] { return done; }, Clock::now() + std::chrono::seconds(1));
        return std::unexpected(*broken_);
      }
    }
    if (ec) {
      Break("CONNECTION", "connection lost while writing: " + ec.message());
      return std::unexpected(*broken_);
    }
    return {};
  }

  // Makes room for the next read in the current block, or moves the unparsed tail into a new
  // block when the block is full or too small for the frame in progress. Frames are whole
  // words and blocks start word-aligned, so every frame in a block is aligned for its reader.
  void PrepareBlock() {
    const size_t capacity = block_words_ * sizeof(uint64_t);
    if (block_ && parsed_ == filled_ && block_.use_count() == 1) {
      filled_ = parsed_ = 0;  // every reply of this block is gone: reuse it from the start
    }
    if (block_ && capacity - parsed_ >= need_ && capacity - filled_ >= kMinReadBytes) return;
    const size_t tail = filled_ - parsed_;
    const size_t words = (std::max({kBlockBytes, need_, tail + kMinReadBytes}) + 7) / 8;
    auto fresh = std::make_shared_for_overwrite<uint64_t[]>(words);
    if (tail > 0) std::memcpy(fresh.get(), BlockBytes() + parsed_, tail);
    block_ = std::move(fresh);
    block_words_ = words;
    filled_ = tail;
    parsed_ = 0;
  }
  uint8_t* BlockBytes() const { return reinterpret_cast<uint8_t*>(block_.get()); }

  void StartRead() {
    if (reading_ || broken_) return;
    reading_ = true;
    PrepareBlock();
    auto space =
        api::net::asio::buffer(BlockBytes() + filled_, block_words_ * sizeof(uint64_t) - filled_);
    auto on_read = [this](const api::net::error_code& e, size_t n) {
      reading_ = false;
      filled_ += n;
      ParseFrames();
      if (e && !broken_) {
        Break("CONNECTION",
              e == api::net::asio::error::eof || e == api::net::asio::ssl::error::stream_truncated
                  ? std::string("connection closed by the server")
                  : "connection lost: " + e.message());
      }
    };
    if (options_.tls) {
      stream_.async_read_some(space, on_read);
    } else {
      stream_.next_layer().async_read_some(space, on_read);
    }
  }

  void ParseFrames() {
    need_ = 0;
    while (!broken_) {
      std::span<const uint8_t> rest(BlockBytes() + parsed_, filled_ - parsed_);
      auto probe = api::wire::ProbeFrame(rest, limits_);
      if (!probe) {
        Break("PROTOCOL", "bad response frame: " + probe.error());
        break;
      }
      if (probe->total == 0 || probe->total > rest.size()) {
        need_ = probe->total == 0 ? probe->need : probe->total;
        break;
      }
      const auto* words = reinterpret_cast<const capnp::word*>(rest.data());
      parsed_ += probe->total;
      try {
        auto reader = std::make_unique<capnp::FlatArrayMessageReader>(
            kj::arrayPtr(words, probe->total / sizeof(capnp::word)),
            api::wire::ReaderOptionsFor(limits_));
        auto response = reader->getRoot<Response>();
        const uint64_t id = response.getId();
        if (id == 0 && response.isError()) {
          // A connection-level error (too many connections, a deadline): the server closes.
          Break("CONNECTION", std::string("server: ") + response.getError().getCode().cStr() +
                                  ": " + response.getError().getMessage().cStr());
          break;
        }
        if (dropped_.contains(id)) continue;
        stash_[id].emplace_back(std::move(reader), block_);
      } catch (const kj::Exception& e) {
        Break("PROTOCOL", std::string("undecodable response: ") + e.getDescription().cStr());
      }
    }
  }

  // Runs handlers until `done()` or the deadline; false on timeout.
  template <class Done>
  bool RunUntil(Done done, Clock::time_point deadline) {
    while (!done()) {
      if (!RunOne(deadline)) return false;
    }
    return true;
  }

  // Runs one handler, waiting up to the deadline; false on timeout.
  bool RunOne(Clock::time_point deadline) {
    if (io_.stopped()) io_.restart();
    if (deadline == Clock::time_point::max()) return io_.run_one() > 0 || !io_.stopped();
    auto now = Clock::now();
    if (now >= deadline) return io_.poll_one() > 0;
    return io_.run_one_for(deadline - now) > 0;
  }

  void Break(std::string code, std::string message) {
    broken_ = ClientError{std::move(code), std::move(message)};
    api::net::error_code ignored;
    stream_.next_layer().close(ignored);
  }

  std::unexpected<ClientError> Fail(std::string code, std::string message) {
    Break(code, message);
    return std::unexpected(ClientError{std::move(code), std::move(message)});
  }

  ClientOptions options_;
  api::wire::FrameLimits limits_;
  api::net::asio::io_context io_;
  api::net::asio::ssl::context ssl_;
  api::net::asio::ssl::stream<tcp::socket> stream_;  // its next_layer() alone when not TLS
  // Received bytes: [0, parsed_) are parsed replies, [parsed_, filled_) not yet a whole frame.
  std::shared_ptr<uint64_t[]> block_;
  size_t block_words_ = 0;
  size_t filled_ = 0;
  size_t parsed_ = 0;
  size_t need_ = 0;  // bytes the frame in progress needs in one block (0: unknown yet)
  bool reading_ = false;
  std::optional<ClientError> broken_;
  std::map<uint64_t, std::deque<Reply>> stash_;  // responses not yet asked for, by id
  std::set<uint64_t> dropped_;                   // ended subscriptions: late records dropped
  uint64_t next_id_ = 1;
  std::string principal_;
  std::string scope_;
};

}  // namespace

std::expected<std::unique_ptr<Client>, ClientError> Client::Connect(const ClientOptions& options) {
  auto client = std::make_unique<AsioClient>(options);
  try {
    if (auto opened = client->Open(); !opened) return std::unexpected(opened.error());
  } catch (const std::exception& e) {
    return std::unexpected(ClientError{"CONNECTION", e.what()});
  }
  return client;
}

}  // namespace roster::api::client
