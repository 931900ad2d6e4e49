#include "tools/bench/loopback_ceiling.h"

#include <capnp/message.h>

#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "api/net/asio.h"
#include "api/wire/framing.h"
#include "api/wire/roster.capnp.h"

namespace roster::tools::bench {
namespace {

namespace asio = api::net::asio;
using api::net::Await;
using api::net::error_code;
using api::net::tcp;

// The answer to one request: a hello for a hello, otherwise an allowed check.
void Answer(const api::wire::Frame& request, std::string& out) {
  capnp::FlatArrayMessageReader reader(request.words());
  auto root = reader.getRoot<api::wire::Request>();
  capnp::MallocMessageBuilder message(256);
  auto response = message.initRoot<api::wire::Response>();
  response.setId(root.getId());
  if (root.isHello()) {
    auto hello = response.initHello();
    hello.setPrincipal("ceiling");
    hello.setScope("service");
  } else {
    auto check = response.initCheck();
    check.setAllowed(true);
    check.setRole("member");
    check.setSource("role");
    check.setReason("the ceiling allows everything");
  }
  api::wire::AppendFrame(message, out);
}

asio::awaitable<void> Serve(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  socket.non_blocking(true);
  const api::wire::FrameLimits limits;
  std::vector<uint8_t> in(64 << 10);
  size_t have = 0;
  std::string out;
  for (;;) {
    error_code ec;
    const size_t n = co_await socket.async_read_some(
        asio::buffer(in.data() + have, in.size() - have), Await(ec));
    if (ec) co_return;
    have += n;
    size_t used = 0;
    out.clear();
    for (;;) {
      auto probe =
          api::wire::ProbeFrame(std::span<const uint8_t>(in.data() + used, have - used), limits);
      if (!probe) co_return;
      if (probe->total == 0 || have - used < probe->total) break;
      api::wire::Frame frame(probe->total);
      std::memcpy(frame.data(), in.data() + used, probe->total);
      used += probe->total;
      Answer(frame, out);
    }
    std::memmove(in.data(), in.data() + used, have - used);
    have -= used;
    if (have == in.size()) in.resize(in.size() * 2);
    // Straight to the socket, as rosterd does for small answers; waits only when it is full.
    const size_t written = socket.write_some(asio::buffer(out), ec);
    if (ec == asio::error::would_block) {
      ec = {};
    } else if (ec) {
      co_return;
    }
    if (written < out.size()) {
      co_await asio::async_write(socket, asio::buffer(out.data() + written, out.size() - written),
                                 Await(ec));
      if (ec) co_return;
    }
  }
}

}  // namespace

struct LoopbackCeiling::Impl {
  explicit Impl(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) {
      ios.push_back(std::make_unique<asio::io_context>(1));
      guards.emplace_back(ios.back()->get_executor());
    }
    acceptor.emplace(*ios[0], tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::co_spawn(*ios[0], Accept(), asio::detached);
    for (auto& io : ios) runners.emplace_back([&io] { io->run(); });
  }
  ~Impl() {
    for (auto& io : ios) io->stop();
    for (auto& r : runners) r.join();
  }
  asio::awaitable<void> Accept() {
    for (size_t next = 0;; ++next) {
      auto& io = *ios[next % ios.size()];
      error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(io, Await(ec));
      if (ec) co_return;
      asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
    }
  }

  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> runners;
};

LoopbackCeiling::LoopbackCeiling(int threads) : impl_(std::make_unique<Impl>(threads)) {}
LoopbackCeiling::~LoopbackCeiling() = default;
uint16_t LoopbackCeiling::port() const { return impl_->acceptor->local_endpoint().port(); }

}  // namespace roster::tools::bench
