// eventstore_crash_child <dir> <run> <threads>: appends durably from several threads until it is
// killed, reporting each acknowledged append on stdout (see crash_protocol.h). Driven by
// crash_test.cc, which kill -9s it at random moments.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/rocks_event_store.h"
#include "tests/eventstore/crash_protocol.h"

namespace roster::eventstore::crash {
namespace {

void WriteLine(const std::string& line) {
  // One write per line: lines from different threads never interleave in the pipe.
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::_Exit(3);  // the parent is gone
  }
}

[[noreturn]] void Die(const std::string& what) {
  WriteLine("E " + what + "\n");
  std::_Exit(2);
}

void AppendForever(RocksEventStore& store, const std::string& run, int thread) {
  const std::string own_stream = "t" + std::to_string(thread);
  auto head = store.StreamHead(own_stream);
  if (!head) Die(head.error().message);
  StreamVersion own_head = *head;
  for (uint64_t i = 0;; ++i) {
    AppendRequest request;
    request.metadata.command_id = run + "-" + std::to_string(thread) + "-" + std::to_string(i);
    // Every fourth append goes to a stream all threads share, the rest to the thread's own
    // stream with an exact expected version (which must therefore survive every crash).
    const bool shared = i % 4 == 3;
    request.stream = shared ? "shared" : own_stream;
    request.expected = shared ? ExpectedVersion::Any() : ExpectedVersion::Exactly(own_head);
    request.events = EventsFor(request.metadata.command_id);
    request.metadata = MetadataFor(request.metadata.command_id);
    const std::string command_id = request.metadata.command_id;
    auto result = store.Append(std::move(request));
    if (!result) Die(command_id + ": " + result.error().message);
    if (!shared) own_head = result->last_version;
    WriteLine("A " + command_id + " " + (shared ? std::string("shared") : own_stream) + " " +
              std::to_string(result->first_position) + " " + std::to_string(result->last_position) +
              " " + std::to_string(result->first_version) + "\n");
  }
}

}  // namespace
}  // namespace roster::eventstore::crash

int main(int argc, char** argv) {
  using namespace roster::eventstore;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <run> <threads>\n", argv[0]);
    return 1;
  }
  auto store = OpenRocksEventStore(argv[1]);  // durable: sync on
  if (!store) crash::Die("open: " + store.error().message);
  crash::WriteLine("R\n");
  std::vector<std::thread> threads;
  for (int t = 0; t < std::atoi(argv[3]); ++t) {
    threads.emplace_back([&, t] { crash::AppendForever(**store, argv[2], t); });
  }
  for (auto& thread : threads) thread.join();  // never: the parent kills us
  return 0;
}
