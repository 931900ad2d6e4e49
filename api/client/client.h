// Client: a blocking connection to rosterd, used by the roster CLI, tests and benchmarks.
//
// Connect opens a TCP (optionally TLS) connection and performs the hello with the token; a
// refused token is an error with code UNAUTHENTICATED. Call sends one request and waits for
// its response; Send/Wait pipeline several requests on one connection (responses may arrive
// out of order; Wait keeps the others until asked for). CallStreamed takes an answer that comes
// in parts (Response.more; streamed.h has helpers for the export and as-of). Subscribe follows
// the log, granting credits as records are consumed. Request ids are assigned by the client.
//
// Thread-safety: a Client is used by one thread at a time; open one per thread.
#pragma once

#include <capnp/message.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "api/wire/roster.capnp.h"

namespace roster::api::client {

struct ClientOptions {
  std::string server = "127.0.0.1:7400";  // host:port
  std::string token;
  bool tls = false;
  std::string tls_ca_file;  // verify the server against this CA (TLS only); empty: system CAs
  std::chrono::milliseconds timeout{30000};  // connect, hello and each response
  std::string client_name = "roster-client";
  size_t max_message_bytes = 64u << 20;  // largest response accepted
};

// Connection-level failures. code: CONNECTION (cannot reach / connection lost), TIMEOUT,
// UNAUTHENTICATED (hello refused), PROTOCOL (bytes that are not a valid response).
struct ClientError {
  std::string code;
  std::string message;
};

// One response message, owned. Resource type.
class Reply {
 public:
  // `buffer` keeps alive the words `message` reads (often a receive block shared with the
  // replies that arrived in the same read).
  Reply(std::unique_ptr<capnp::MessageReader> message, std::shared_ptr<const void> buffer)
      : buffer_(std::move(buffer)), message_(std::move(message)) {}
  api::wire::Response::Reader get() const { return message_->getRoot<api::wire::Response>(); }

 private:
  std::shared_ptr<const void> buffer_;
  std::unique_ptr<capnp::MessageReader> message_;
};

using RequestFiller = std::function<void(api::wire::Request::Builder)>;

class Client {
 public:
  static std::expected<std::unique_ptr<Client>, ClientError> Connect(const ClientOptions& options);
  virtual ~Client() = default;

  // The principal and scope the server granted in its hello answer.
  virtual const std::string& principal() const = 0;
  virtual const std::string& scope() const = 0;

  // Sends one request (its id is set by the client) and waits for its response.
  virtual std::expected<Reply, ClientError> Call(const RequestFiller& fill) = 0;
  // Pipelining: Send returns the request id; Wait returns that request's response.
  virtual std::expected<uint64_t, ClientError> Send(const RequestFiller& fill) = 0;
  virtual std::expected<Reply, ClientError> Wait(uint64_t id) = 0;

  // Sends one request and calls `on_part` with each response to it, in order, until the last
  // (more = false; an error response is always the last). Each part must come within the
  // timeout. When on_part returns false the client sends a cancel (the server stops producing
  // the rest), discards what is still on its way, and CallStreamed returns; on_part may move
  // the Reply out to keep it.
  virtual std::expected<void, ClientError> CallStreamed(
      const RequestFiller& fill, const std::function<bool(Reply& part)>& on_part) = 0;

  // Follows the log after `after_position`: calls `on_record` for each record in order; the
  // client grants more credits as it consumes. Returns when on_record returns false (after
  // unsubscribing), or on an error response (as a Reply holding it) or a connection failure.
  virtual std::expected<void, ClientError> Subscribe(
      uint64_t after_position, uint32_t window,
      const std::function<bool(api::wire::Record::Reader)>& on_record) = 0;
};

}  // namespace roster::api::client
