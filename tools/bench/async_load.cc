#include "tools/bench/async_load.h"

#include <capnp/message.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "api/net/asio.h"
#include "api/wire/framing.h"

namespace roster::tools::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace asio = api::net::asio;
using api::net::Await;
using api::net::error_code;
using api::net::tcp;

// One connection's socket and what it measured.
struct Conn {
  explicit Conn(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::vector<uint8_t> in = std::vector<uint8_t>(1 << 16);
  size_t have = 0;  // bytes of `in` filled
  std::vector<uint32_t> latencies_ns;
  uint64_t ok = 0;
  uint64_t failed = 0;
  std::string error;  // why the connection stopped early
};

std::string Frame(uint64_t id, const std::function<void(api::wire::Request::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<api::wire::Request>();
  request.setId(id);
  fill(request);
  return api::wire::EncodeFrame(message);
}

// Reads one whole response frame (one request is in flight, so nothing follows it).
asio::awaitable<bool> ReadAnswer(Conn& c, std::unique_ptr<api::wire::Frame>& frame) {
  const api::wire::FrameLimits limits{.max_message_bytes = 64u << 20};
  for (;;) {
    auto probe = api::wire::ProbeFrame(std::span<const uint8_t>(c.in.data(), c.have), limits);
    if (!probe) {
      c.error = "bad frame from the server: " + probe.error();
      co_return false;
    }
    if (probe->total != 0 && c.have >= probe->total) {
      frame = std::make_unique<api::wire::Frame>(probe->total);
      std::memcpy(frame->data(), c.in.data(), probe->total);
      std::memmove(c.in.data(), c.in.data() + probe->total, c.have - probe->total);
      c.have -= probe->total;
      co_return true;
    }
    const size_t need = probe->total != 0 ? probe->total : probe->need;
    if (c.in.size() < need) c.in.resize(need);
    if (c.have == c.in.size()) c.in.resize(c.in.size() * 2);
    error_code ec;
    const size_t n = co_await c.socket.async_read_some(
        asio::buffer(c.in.data() + c.have, c.in.size() - c.have), Await(ec));
    if (ec) {
      c.error = "reading: " + ec.message();
      co_return false;
    }
    c.have += n;
  }
}

asio::awaitable<bool> Exchange(Conn& c, const std::string& request,
                               std::unique_ptr<api::wire::Frame>& answer) {
  error_code ec;
  co_await asio::async_write(c.socket, asio::buffer(request), Await(ec));
  if (ec) {
    c.error = "writing: " + ec.message();
    co_return false;
  }
  co_return co_await ReadAnswer(c, answer);
}

asio::awaitable<void> Hello(Conn& c, const AsyncTarget& target, bool& done) {
  error_code ec;
  co_await c.socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), target.port),
                                  Await(ec));
  if (ec) {
    c.error = "connecting: " + ec.message();
    co_return;
  }
  c.socket.set_option(tcp::no_delay(true));
  std::unique_ptr<api::wire::Frame> answer;
  const std::string hello = Frame(0, [&](api::wire::Request::Builder r) {
    auto h = r.initHello();
    h.setToken(target.token);
    h.setClient("roster-bench async");
    h.setProtocolVersion(api::wire::PROTOCOL_VERSION);
  });
  if (!co_await Exchange(c, hello, answer)) co_return;
  capnp::FlatArrayMessageReader reader(answer->words());
  if (!reader.getRoot<api::wire::Response>().isHello()) {
    c.error = "the hello was refused";
    co_return;
  }
  done = true;
}

asio::awaitable<void> Drive(Conn& c, int index, const FillRequest& fill, const AnswerOk& ok,
                            const std::atomic<bool>& stop) {
  std::unique_ptr<api::wire::Frame> answer;
  for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
    const std::string request =
        Frame(i + 1, [&](api::wire::Request::Builder r) { fill(index, i, r); });
    const auto begin = Clock::now();
    if (!co_await Exchange(c, request, answer)) {
      ++c.failed;
      co_return;
    }
    bool good = false;
    try {
      capnp::FlatArrayMessageReader reader(answer->words());
      auto response = reader.getRoot<api::wire::Response>();
      good = response.getId() == i + 1 && ok(index, response);
    } catch (const kj::Exception&) {
      good = false;
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin);
    c.latencies_ns.push_back(static_cast<uint32_t>(std::min<int64_t>(ns.count(), UINT32_MAX)));
    (good ? c.ok : c.failed) += 1;
  }
}

}  // namespace

LoadResult RunAsyncLoad(const AsyncTarget& target, int connections, int threads,
                        std::chrono::duration<double> duration, const FillRequest& fill,
                        const AnswerOk& ok) {
  // One io_context per client thread; connections are dealt out round robin.
  const int loops = std::max(1, threads);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (int t = 0; t < loops; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < connections; ++i) conns.push_back(std::make_unique<Conn>(*ios[i % loops]));

  auto connected = std::make_unique<bool[]>(conns.size());
  for (size_t i = 0; i < conns.size(); ++i) {
    asio::co_spawn(*ios[i % loops], Hello(*conns[i], target, connected[i]), asio::detached);
  }
  for (auto& io : ios) {
    io->run();
    io->restart();
  }
  for (size_t i = 0; i < conns.size(); ++i) {
    if (!connected[i])
      throw std::runtime_error("async connection " + std::to_string(i) + ": " + conns[i]->error);
  }

  std::atomic<bool> stop{false};
  for (size_t i = 0; i < conns.size(); ++i) {
    asio::co_spawn(*ios[i % loops], Drive(*conns[i], static_cast<int>(i), fill, ok, stop),
                   asio::detached);
  }
  const auto begin = Clock::now();
  const double cpu_begin = ProcessCpuSeconds();
  std::vector<std::thread> runners;
  for (auto& io : ios) runners.emplace_back([&io] { io->run(); });
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& r : runners) r.join();  // each connection finishes the request it is in

  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  result.cpu_seconds = ProcessCpuSeconds() - cpu_begin;
  std::vector<uint32_t> latencies;
  for (auto& c : conns) {
    result.ops += c->ok;
    result.failures += c->failed;
    latencies.insert(latencies.end(), c->latencies_ns.begin(), c->latencies_ns.end());
  }
  result.latency = Percentiles(latencies);
  return result;
}

}  // namespace roster::tools::bench
