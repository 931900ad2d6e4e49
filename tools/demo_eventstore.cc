// roster-demo-eventstore [dir]: opens (or creates) an event store in `dir` (default ./var/demo),
// appends a few events, reads them back, and verifies the hash chain. tools/quickstart.sh runs
// it until the server exists.
#include <chrono>
#include <cstdio>
#include <string>

#include "eventstore/rocks_event_store.h"

namespace es = roster::eventstore;

namespace {

std::string Hex(const es::Hash& hash, size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    out += kDigits[hash[i] >> 4];
    out += kDigits[hash[i] & 0xf];
  }
  return out;
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "var/demo";
  auto opened = es::OpenRocksEventStore(dir);
  if (!opened) {
    std::fprintf(stderr, "roster-demo-eventstore: %s: %s\n", es::ErrorCodeName(opened.error().code),
                 opened.error().message.c_str());
    return 1;
  }
  es::RocksEventStore& store = **opened;
  const es::Position before = store.LastPosition();
  std::printf("event store %s: %llu records before this run\n", store.dir().c_str(),
              static_cast<unsigned long long>(before));

  es::AppendRequest request;
  request.stream = "org:demo";
  request.expected = es::ExpectedVersion::Any();
  request.events = {
      {"org.created", 1, R"({"name":"Demo Inc","preset":"platform"})"},
      {"member.invited", 1, R"({"email":"ada@example.com","role":"Admin"})"},
      {"member.joined", 1, R"({"user":"ada","role":"Admin"})"},
  };
  request.metadata = {"demo-admin", "demo-" + std::to_string(NowUs()), "demo", "roster-demo",
                      NowUs()};
  auto appended = store.Append(request);
  if (!appended) {
    std::fprintf(stderr, "append failed: %s\n", appended.error().message.c_str());
    return 1;
  }
  std::printf("appended positions %llu..%llu (stream %s, versions %lld..%lld), durable\n",
              static_cast<unsigned long long>(appended->first_position),
              static_cast<unsigned long long>(appended->last_position), request.stream.c_str(),
              static_cast<long long>(appended->first_version),
              static_cast<long long>(appended->last_version));

  auto records = store.ReadAll(before + 1, 100);
  if (!records) {
    std::fprintf(stderr, "read failed: %s\n", records.error().message.c_str());
    return 1;
  }
  std::printf("%-8s %-10s %-4s %-16s %-18s %s\n", "position", "stream", "ver", "type", "hash",
              "payload");
  for (const es::Record& r : *records) {
    std::printf("%-8llu %-10s %-4lld %-16s %-18s %s\n", static_cast<unsigned long long>(r.position),
                r.stream.c_str(), static_cast<long long>(r.stream_version), r.type.c_str(),
                (Hex(r.hash, 8) + "..").c_str(), r.payload.c_str());
  }
  auto report = store.Verify(0, 0);
  if (!report || !report->ok) {
    std::fprintf(stderr, "verify failed: %s\n",
                 report ? report->problem.c_str() : report.error().message.c_str());
    return 1;
  }
  std::printf("hash chain verified over %llu records; head %s\n",
              static_cast<unsigned long long>(report->checked), Hex(report->last_hash, 32).c_str());
  return 0;
}
