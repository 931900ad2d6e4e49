// Test support: a Roster node served by an in-process server on an ephemeral loopback port,
// tokens of every scope, clients, and a raw socket for sending bytes no client would send.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/client/client.h"
#include "api/dispatch/dispatcher.h"
#include "api/server/server.h"
#include "api/wire/framing.h"
#include "tests/service/node_fixture.h"

namespace roster::tests {

using api::wire::Request;
using api::wire::Response;

// Keeps every log line, for asserting on what the server logged.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// A request message encoded as one frame.
inline std::string Encode(const std::function<void(Request::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<Request>());
  return api::wire::EncodeFrame(message);
}

// A blocking socket with a receive timeout, for bytes no well-behaved client sends.
class RawConnection {
 public:
  // `receive_buffer` (bytes, 0: the system's default) bounds what the kernel takes in for a
  // client that does not read.
  explicit RawConnection(uint16_t port, int timeout_ms = 5000, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // The next response frame; nullopt on end of stream, reset or timeout (see timed_out()).
  struct Message {
    std::unique_ptr<api::wire::Frame> frame;
    std::unique_ptr<capnp::FlatArrayMessageReader> reader;
    Response::Reader get() const { return reader->getRoot<Response>(); }
  };
  std::optional<Message> Read() {
    api::wire::FrameLimits limits;
    limits.max_message_bytes = 64u << 20;
    while (true) {
      auto probe = api::wire::ProbeFrame(std::span<const uint8_t>(buf_), limits);
      if (!probe) return std::nullopt;
      if (probe->total != 0 && buf_.size() >= probe->total) {
        Message m;
        m.frame = std::make_unique<api::wire::Frame>(probe->total);
        std::memcpy(m.frame->data(), buf_.data(), probe->total);
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(probe->total));
        m.reader = std::make_unique<capnp::FlatArrayMessageReader>(m.frame->words());
        return m;
      }
      uint8_t chunk[65536];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      timed_out_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      if (n <= 0) return std::nullopt;
      buf_.insert(buf_.end(), chunk, chunk + n);
    }
  }
  // True when the server closed the connection (end of stream or reset) before the timeout.
  bool Closed() {
    while (true) {
      uint8_t chunk[4096];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }
  bool timed_out() const { return timed_out_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::vector<uint8_t> buf_;
};

class ServerFixture : public NodeFixture {
 protected:
  ServerFixture() {
    options_.listen = "127.0.0.1:0";
    options_.server_version = "test";
  }
  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  void StartServer() {
    Open();
    auto sink = std::make_shared<CaptureSink>();
    sink_ = sink;
    server_logger_ = std::make_shared<spdlog::logger>("server", sink);
    server_logger_->set_level(spdlog::level::debug);
    std::filesystem::path created;
    auto tokens = api::dispatch::TokenStore::Open(dir_.path(), &created);
    ASSERT_TRUE(tokens.has_value()) << tokens.error();
    tokens_ = std::move(*tokens);
    if (!created.empty()) {
      std::ifstream in(created);
      std::getline(in, admin_token_);
    }
    ASSERT_FALSE(admin_token_.empty());
    service_token_ = *tokens_->Issue("billing-service", api::dispatch::Scope::kService);
    auditor_token_ = *tokens_->Issue("auditor", api::dispatch::Scope::kAuditor);
    dispatcher_ = std::make_unique<api::dispatch::Dispatcher>(*node_, *tokens_, "test");
    auto server =
        api::server::Server::Start(*dispatcher_, *tokens_, node_->log(), server_logger_, options_);
    ASSERT_TRUE(server.has_value()) << server.error();
    server_ = std::move(*server);
  }
  void StopServer() {
    if (server_) server_->Stop();
    server_.reset();
    dispatcher_.reset();
    Close();
  }

  api::client::ClientOptions ClientFor(const std::string& token) {
    api::client::ClientOptions o;
    o.server = "127.0.0.1:" + std::to_string(server_->port());
    o.token = token;
    o.timeout = std::chrono::milliseconds(5000);
    return o;
  }
  std::unique_ptr<api::client::Client> Connect(const std::string& token) {
    auto c = api::client::Client::Connect(ClientFor(token));
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().code + ": " + c.error().message);
    return c ? std::move(*c) : nullptr;
  }

  // A hello frame for raw connections.
  std::string Hello(const std::string& token, uint64_t id = 1) {
    return Encode([&](Request::Builder r) {
      r.setId(id);
      auto h = r.initHello();
      h.setToken(token);
      h.setClient("raw-test");
    });
  }
  static std::string StatusQuery(uint64_t id) {
    return Encode([&](Request::Builder r) {
      r.setId(id);
      r.initQuery().setStatus();
    });
  }

  // The server still serves a fresh, well-behaved client.
  void ExpectServing() {
    auto c = Connect(admin_token_);
    ASSERT_NE(c, nullptr);
    auto reply = c->Call([](Request::Builder r) { r.initQuery().setStatus(); });
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    EXPECT_TRUE(reply->get().isStatus());
  }

  // Commands through a client.
  static Response::Reader Cmd(api::client::Client& c, std::optional<api::client::Reply>& keep,
                              const std::string& org, const std::string& actor,
                              const std::function<void(api::wire::Command::Builder)>& fill) {
    static std::atomic<uint64_t> commands{0};
    auto reply = c.Call([&](Request::Builder r) {
      auto cmd = r.initCommand();
      cmd.setOrg(org);
      cmd.setActor(actor);
      cmd.setCommandId("test-" + std::to_string(++commands));
      fill(cmd);
    });
    EXPECT_TRUE(reply.has_value()) << (reply ? "" : reply.error().message);
    keep.emplace(std::move(*reply));
    return keep->get();
  }
  static void CreateOrg(api::client::Client& c, const std::string& org, const std::string& owner,
                        const std::string& preset) {
    std::optional<api::client::Reply> keep;
    auto r = Cmd(c, keep, org, owner, [&](auto cmd) {
      auto create = cmd.initCreateOrganization();
      create.setName(org + " inc");
      create.setPreset(preset);
      create.setOwnerEmail(owner + "@example.com");
    });
    ASSERT_TRUE(r.isCommand());
    ASSERT_TRUE(r.getCommand().getAccepted()) << r.getCommand().getRejection().getMessage().cStr();
  }
  // Invites `user` with `role` (as `inviter`) and accepts as `user`.
  static void AddMember(api::client::Client& c, const std::string& org, const std::string& inviter,
                        const std::string& user, const std::string& role) {
    std::optional<api::client::Reply> keep;
    auto r = Cmd(c, keep, org, inviter, [&](auto cmd) {
      auto invite = cmd.initInviteMember();
      invite.setEmail(user + "@example.com");
      invite.setRole(role);
    });
    ASSERT_TRUE(r.isCommand());
    ASSERT_TRUE(r.getCommand().getAccepted()) << r.getCommand().getRejection().getMessage().cStr();
    const std::string id = r.getCommand().getInvitationId().cStr();
    const std::string token = r.getCommand().getInvitationToken().cStr();
    std::optional<api::client::Reply> keep2;
    auto a = Cmd(c, keep2, org, user, [&](auto cmd) {
      auto accept = cmd.initAcceptInvitation();
      accept.setInvitationId(id);
      accept.setToken(token);
      accept.setVerifiedEmail(user + "@example.com");
    });
    ASSERT_TRUE(a.isCommand());
    ASSERT_TRUE(a.getCommand().getAccepted()) << a.getCommand().getRejection().getMessage().cStr();
  }

  uint64_t LastPosition() { return node_->log().LastPosition(); }

  api::server::ServerOptions options_;
  std::shared_ptr<CaptureSink> sink_;
  std::shared_ptr<spdlog::logger> server_logger_;
  std::unique_ptr<api::dispatch::TokenStore> tokens_;
  std::unique_ptr<api::dispatch::Dispatcher> dispatcher_;
  std::unique_ptr<api::server::Server> server_;
  std::string admin_token_, service_token_, auditor_token_;
};

}  // namespace roster::tests
