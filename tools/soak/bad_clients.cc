#include "tools/soak/bad_clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "api/wire/framing.h"
#include "api/wire/roster.capnp.h"
#include "tools/soak/pacer.h"

namespace roster::tools::soak {
namespace {

using api::wire::Request;
using api::wire::Response;

// Time rosterd gets beyond a deadline to act on it.
constexpr auto kSlack = std::chrono::seconds(5);
constexpr auto kAnswerWithin = std::chrono::seconds(5);

class RawSocket {
 public:
  explicit RawSocket(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  RawSocket(RawSocket&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), connected_(other.connected_) {}
  RawSocket& operator=(RawSocket&& other) noexcept {
    std::swap(fd_, other.fd_);
    connected_ = other.connected_;
    return *this;
  }

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Appends what arrives to `buffer`: false once the peer closed (end of stream or reset).
  bool Drain(std::vector<uint8_t>& buffer) {
    while (true) {
      uint8_t chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        buffer.insert(buffer.end(), chunk, chunk + n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string Frame(const std::function<void(Request::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<Request>());
  return api::wire::EncodeFrame(message);
}

std::string HelloFrame(const std::string& token) {
  return Frame([&](Request::Builder r) {
    r.setId(1);
    auto hello = r.initHello();
    hello.setToken(token);
    hello.setClient("roster-soak/bad-client");
    hello.setProtocolVersion(api::wire::PROTOCOL_VERSION);
  });
}

std::string StatusFrame(uint64_t id) {
  return Frame([&](Request::Builder r) {
    r.setId(id);
    r.initQuery().setStatus();
  });
}

std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// The next answer on a raw connection.
struct Answer {
  enum What { kResponse, kClosed, kNothing };
  static Answer Of(What w) {
    Answer a;
    a.what = w;
    return a;
  }
  What what = kNothing;
  Response::Which which = Response::ERROR;
  std::string error_code;
};

Answer ReadAnswer(RawSocket& s, std::vector<uint8_t>& buffer, std::chrono::milliseconds within) {
  api::wire::FrameLimits limits;
  limits.max_message_bytes = 64u << 20;
  const auto deadline = Clock::now() + within;
  bool open = true;
  while (true) {
    auto probe = api::wire::ProbeFrame(std::span<const uint8_t>(buffer), limits);
    if (probe && probe->total != 0 && buffer.size() >= probe->total) {
      api::wire::Frame frame(probe->total);
      std::memcpy(frame.data(), buffer.data(), probe->total);
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(probe->total));
      Answer a;
      a.what = Answer::kResponse;
      try {
        capnp::FlatArrayMessageReader reader(frame.words());
        auto response = reader.getRoot<Response>();
        a.which = response.which();
        if (response.isError()) a.error_code = response.getError().getCode().cStr();
      } catch (const kj::Exception&) {
        a.error_code = "(undecodable)";
      }
      return a;
    }
    if (!open) return Answer::Of(Answer::kClosed);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Answer::Of(Answer::kNothing);
    pollfd p{s.fd(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) > 0) open = s.Drain(buffer);
  }
}

// Whether `incarnation` is still the rosterd that is up: only then is a missing answer its
// fault rather than the kill's.
bool Same(const ServerState& server, uint64_t incarnation) {
  const ServerState::View now = server.Get();
  return now.up && now.incarnation == incarnation;
}

}  // namespace

void RunGarbageClient(const BadClientShared& shared, Worker& worker, uint64_t seed,
                      double per_second, const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  Pacer pacer(per_second);
  const std::string hello = HelloFrame(shared.token);
  while (!stop) {
    pacer.Wait(stop);
    const ServerState::View view = shared.server.Get();
    if (!view.up) continue;
    RawSocket s(view.port);
    if (!s.connected()) continue;
    shared.counters.bad_garbage++;
    std::vector<uint8_t> buffer;
    const int variant = static_cast<int>(rng() % 4);
    std::string garbage(std::uniform_int_distribution<size_t>(64, 512)(rng), '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    // A segment count of at least 2^31: refused from the table, before any body is awaited.
    garbage[3] = static_cast<char>(garbage[3] | 0x80);
    if (variant > 0) {
      s.Send(hello);
      const Answer a = ReadAnswer(s, buffer, kAnswerWithin);
      if (a.what != Answer::kResponse || a.which != Response::HELLO) continue;  // a kill
    }
    std::string kind;
    if (variant == 3) {
      // One segment of three words whose root pointer points far outside it: well framed,
      // not a request. The connection stays open and must go on serving.
      const uint64_t far_struct = (uint64_t{0x1fffffff} << 2) | (uint64_t{1} << 32);
      std::string frame = Le32(0) + Le32(3);
      for (int i = 0; i < 8; ++i)
        frame.push_back(static_cast<char>((far_struct >> (8 * i)) & 0xff));
      frame += std::string(16, '\0');
      s.Send(frame);
      kind = "a well-framed message that is not a request";
    } else if (variant == 2) {
      s.Send(Le32(0x7fffffff) + Le32(1));
      kind = "an absurd segment count";
    } else {
      s.Send(garbage);
      kind = variant == 0 ? "garbage instead of a hello" : "garbage after the hello";
    }
    Answer a = ReadAnswer(s, buffer, kAnswerWithin);
    if (a.what == Answer::kNothing) {
      if (Same(shared.server, view.incarnation)) {
        shared.failures.Add(worker.name +
                            ": rosterd neither answered nor closed within 5 s after " + kind);
      }
      continue;
    }
    if (a.what == Answer::kResponse && a.which != Response::ERROR) {
      shared.failures.Add(worker.name + ": rosterd answered " + kind + " with a non-error");
      continue;
    }
    if (variant == 3 && a.what == Answer::kResponse) {
      s.Send(StatusFrame(2));
      a = ReadAnswer(s, buffer, kAnswerWithin);
      if (a.what != Answer::kResponse || a.which != Response::STATUS) {
        if (Same(shared.server, view.incarnation)) {
          shared.failures.Add(worker.name + ": after " + kind +
                              " the connection no longer answered a status query");
        }
        continue;
      }
    }
    worker.Completed();
  }
}

void RunHoldingClients(const BadClientShared& shared, Worker& worker, size_t stalled, size_t silent,
                       const std::atomic<bool>& stop) {
  struct Held {
    RawSocket socket;
    bool stalled;
    uint64_t incarnation;
    Clock::time_point since;
    std::vector<uint8_t> buffer;
  };
  std::vector<Held> held;
  const std::string hello = HelloFrame(shared.token);
  const std::string status = StatusFrame(2);
  const std::string half = status.substr(0, status.size() / 2);
  while (!stop) {
    const ServerState::View view = shared.server.Get();
    size_t now_stalled = 0;
    for (const Held& h : held) now_stalled += h.stalled;
    for (size_t n = held.size() - now_stalled; view.up && n < silent; ++n) {
      RawSocket s(view.port);
      if (!s.connected()) break;
      held.push_back(Held{std::move(s), false, view.incarnation, Clock::now(), {}});
      shared.counters.bad_silent++;
    }
    for (size_t n = now_stalled; view.up && n < stalled; ++n) {
      RawSocket s(view.port);
      if (!s.connected()) break;
      std::vector<uint8_t> buffer;
      s.Send(hello);
      const Answer a = ReadAnswer(s, buffer, kAnswerWithin);
      if (a.what != Answer::kResponse || a.which != Response::HELLO) break;
      s.Send(half);
      held.push_back(Held{std::move(s), true, view.incarnation, Clock::now(), std::move(buffer)});
      shared.counters.bad_stalled++;
    }

    std::vector<pollfd> fds;
    for (const Held& h : held) fds.push_back(pollfd{h.socket.fd(), POLLIN, 0});
    if (poll(fds.data(), fds.size(), 100) < 0) continue;
    std::vector<Held> open;
    for (size_t i = 0; i < held.size(); ++i) {
      Held& h = held[i];
      const auto deadline = h.stalled ? shared.frame_deadline : shared.hello_deadline;
      const auto held_for = Clock::now() - h.since;
      const bool closed =
          (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !h.socket.Drain(h.buffer);
      const bool same = Same(shared.server, h.incarnation);
      const char* kind = h.stalled ? "stalled mid-frame" : "silent";
      if (closed) {
        if (same && held_for > deadline + kSlack) {
          shared.failures.Add(
              worker.name + ": rosterd closed a " + std::string(kind) + " connection only after " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::milliseconds>(held_for).count()) +
              " ms");
        }
        worker.Completed();
        continue;
      }
      if (same && held_for > deadline + 2 * kSlack) {
        shared.failures.Add(worker.name + ": rosterd kept a " + std::string(kind) +
                            " connection open past its deadline");
        continue;
      }
      open.push_back(std::move(h));
    }
    held = std::move(open);
  }
}

}  // namespace roster::tools::soak
