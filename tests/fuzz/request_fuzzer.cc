// libFuzzer target over the request path a connection takes after the hello: the frame probe
// (segment table limits), the Cap'n Proto reader with the server's traversal and nesting
// limits, and the Dispatcher with a real Node behind it (commands, queries, admin requests).
//
// An input is a byte stream of frames, as a pipelining client would send them; each frame the
// server would accept is decoded and handled, and the response is encoded as the server would.
// One Node lives for the whole run (in a temporary directory, removed at exit), so commands
// from earlier inputs give later queries something to find. Principal: an admin token, the
// scope that reaches every request kind.
//
// Built only by tests/fuzz/run_fuzz.sh with clang 14 (see tests/fuzz/CMakeLists.txt).
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/service/node.h"
#include "api/wire/framing.h"

namespace {

using roster::api::dispatch::Dispatcher;

// Everything the dispatcher borrows; created once and shut down by an atexit handler (libFuzzer
// has no teardown hook; it calls exit() from inside its loop).
struct Harness {
  std::filesystem::path dir;
  roster::domain::ManualClock clock{roster::domain::FromMicros(1'767'225'600'000'000)};
  std::unique_ptr<roster::api::service::Node> node;
  std::unique_ptr<roster::api::dispatch::TokenStore> tokens;
  std::unique_ptr<Dispatcher> dispatcher;
  roster::api::dispatch::Principal admin{"fuzz-admin", roster::api::dispatch::Scope::kAdmin};
  roster::api::wire::FrameLimits limits;  // the server's defaults
};

Harness* harness = nullptr;

// Encodes every part of a streamed answer as the server would, and checks that a last part
// (more = false) ends it and that nothing follows it.
struct EncodingSink final : roster::api::dispatch::PartSink {
  bool ended = false;
  bool Send(capnp::MallocMessageBuilder& part) override {
    if (ended) std::abort();
    if (roster::api::wire::EncodeFrame(part).empty()) std::abort();
    ended = !part.getRoot<roster::api::wire::Response>().getMore();
    return true;
  }
};

// At exit, before the libraries' static objects go: the Node's threads (a projection rebuild
// an input asked for may be running) must stop while RocksDB still stands.
void ShutDown() {
  if (harness == nullptr) return;
  harness->dispatcher.reset();
  harness->node.reset();
  harness->tokens.reset();
  std::error_code ignored;
  std::filesystem::remove_all(harness->dir, ignored);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness = new Harness;
  char pattern[] = "/tmp/roster-fuzz-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  harness->dir = pattern;
  auto logger =
      std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  roster::api::service::NodeOptions options;
  options.store.sync = false;  // durability is not under test; speed is
  options.run_sweeper = false;
  // A consistency token past the log's end would make a query wait for it; bounded waits are
  // the design, but at 5 s each they would stall the fuzzer on every such input.
  options.queries.token_wait = std::chrono::milliseconds(1);
  auto node =
      roster::api::service::Node::Open(harness->dir / "node", harness->clock, logger, options);
  if (!node) {
    std::fprintf(stderr, "cannot open the node: %s\n", node.error().message.c_str());
    std::abort();
  }
  harness->node = std::move(*node);
  harness->node->engine().WaitForRebuilds();
  std::filesystem::create_directories(harness->dir / "tokens");
  auto tokens = roster::api::dispatch::TokenStore::Open(harness->dir / "tokens");
  if (!tokens) {
    std::fprintf(stderr, "cannot open the token store: %s\n", tokens.error().c_str());
    std::abort();
  }
  harness->tokens = std::move(*tokens);
  harness->dispatcher = std::make_unique<Dispatcher>(*harness->node, *harness->tokens, "fuzz");
  // Registered last on purpose: exit() runs handlers and static destructors in reverse order,
  // so RocksDB's function-local statics (created when the stores opened, above) must have been
  // constructed before this registration for ShutDown to run while they still exist.
  std::atexit(ShutDown);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> rest(data, size);
  while (!rest.empty()) {
    auto probe = roster::api::wire::ProbeFrame(rest, harness->limits);
    if (!probe) return 0;             // the server closes the connection here
    if (probe->total == 0) return 0;  // a truncated table: the server would wait for more
    if (probe->total > rest.size()) return 0;
    roster::api::wire::Frame frame(probe->total);
    std::memcpy(frame.data(), rest.data(), probe->total);
    rest = rest.subspan(probe->total);
    std::unique_ptr<capnp::FlatArrayMessageReader> reader;
    roster::api::wire::Request::Reader request;
    try {
      reader = std::make_unique<capnp::FlatArrayMessageReader>(
          frame.words(), roster::api::wire::ReaderOptionsFor(harness->limits));
      request = reader->getRoot<roster::api::wire::Request>();
    } catch (const kj::Exception&) {
      continue;  // a root pointer that cannot be read: the server answers BAD_REQUEST
    }
    // Handle and HandleStreamed promise never to throw, whatever the bytes: an escaping
    // exception is a finding. Streamed answers are routed as the connection routes them.
    bool streamed = false;
    try {
      streamed = Dispatcher::IsStreamed(request);
    } catch (const kj::Exception&) {
      continue;  // the server answers BAD_REQUEST before routing
    }
    if (streamed) {
      EncodingSink sink;
      harness->dispatcher->HandleStreamed(harness->admin, request, sink);
      if (!sink.ended) std::abort();  // an answer without its last part
      continue;
    }
    capnp::MallocMessageBuilder out;
    auto response = out.initRoot<roster::api::wire::Response>();
    harness->dispatcher->Handle(harness->admin, request, response);
    if (roster::api::wire::EncodeFrame(out).empty()) std::abort();
  }
  return 0;
}
