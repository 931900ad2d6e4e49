// roster-bench audit: how fast the offline audit tools go over a big log.
//   verify_records_per_s   whole-chain verify (roster-admin verify), target >= 1M/s
//   export_entries_per_s   unfiltered export as JSON Lines (roster-admin export), >= 300k/s
// The log holds realistic records: Cap'n Proto payloads of membership events spread over many
// organization streams, plus logins on their activity streams, a minute apart.
#include <atomic>
#include <chrono>
#include <ctime>
#include <ostream>
#include <streambuf>
#include <thread>

#include "api/audit_export/audit_export.h"
#include "domain/events.h"
#include "eventstore/codec/codec.h"
#include "eventstore/codec/streams.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {
namespace {

namespace es = roster::eventstore;
using Clock = std::chrono::steady_clock;

struct Flags {
  bool json = false;
  std::string dir;
  uint64_t records = 1'000'000;
};

// Counts what is written and throws it away: the figure is the exporter's, not the disk's.
class CountingBuf final : public std::streambuf {
 public:
  uint64_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<uint64_t>(n);
    return n;
  }
  int overflow(int c) override {
    ++bytes;
    return c;
  }
};

std::vector<es::NewEvent> SampleEvents(const eventstore::codec::EventCodec& codec) {
  using namespace domain;
  const Time t = FromMicros(1'767'225'600'000'000);
  std::vector<Event> events = {
      InvitationSent{InvitationId("i42"), *Email::Parse("someone@example.com"), "Someone",
                     "Developer", UserId("user-17"), std::string(64, 'a'), t, t + Days(7)},
      InvitationAccepted{InvitationId("i42"), *Email::Parse("someone@example.com"),
                         UserId("user-99"), MembershipId("m12")},
      MemberJoined{MembershipId("m12"), UserId("user-99"), *Email::Parse("someone@example.com"),
                   "Someone", "Developer", InvitationId("i42")},
      MemberRoleChanged{MembershipId("m12"), UserId("user-99"), "Developer", "Admin"},
      ProjectMemberAdded{ProjectId("p-web"), UserId("user-99"), "Editor"},
      MemberRemoved{MembershipId("m12"), UserId("user-99"), *Email::Parse("someone@example.com"),
                    "Admin"},
  };
  std::vector<es::NewEvent> out;
  for (const Event& e : events) out.push_back(codec.Encode(e));
  return out;
}

void BuildLog(const Flags& flags, const std::filesystem::path& dir) {
  es::StoreOptions options;
  options.sync = false;
  auto store = es::testing::OpenOrDie(dir, options);
  eventstore::codec::EventCodec codec;
  const auto samples = SampleEvents(codec);
  const es::NewEvent login = codec.Encode(
      domain::MemberLoggedIn{domain::UserId("user-99"), domain::FromMicros(1'767'225'600'000'000),
                             "198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64)"});
  constexpr size_t kPerAppend = 100;
  constexpr int kWriters = 2;
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      for (uint64_t at; (at = next.fetch_add(kPerAppend)) < flags.records;) {
        const uint64_t batch = at / kPerAppend;
        es::AppendRequest request;
        const domain::OrgId org("org-" + std::to_string(batch % 500));
        const bool activity = batch % 7 == 0;
        request.stream =
            activity ? eventstore::codec::ActivityStream(org) : eventstore::codec::OrgStream(org);
        for (size_t i = 0; i < kPerAppend; ++i) {
          request.events.push_back(activity ? login : samples[(at + i) % samples.size()]);
        }
        request.metadata = {"user-17", "cmd-" + std::to_string(batch),
                            "corr-" + std::to_string(batch), "bench",
                            1'767'225'600'000'000 + static_cast<int64_t>(at) * 60'000'000};
        if (!store->Append(std::move(request))) throw std::runtime_error("building the log failed");
      }
    });
  }
  for (auto& w : writers) w.join();
}

void Run(const Flags& flags) {
  es::testing::TempDir dir("roster-bench-audit", flags.dir);
  Progress("audit: building a log of " + std::to_string(flags.records) + " records");
  BuildLog(flags, dir.path());
  es::StoreOptions options;
  options.read_only = true;
  auto store = es::testing::OpenOrDie(dir.path(), options);
  const es::Position last = store->LastPosition();

  double verify_best = 0;
  for (int pass = 0; pass < 3; ++pass) {  // the first pass also warms the page cache
    const auto begin = Clock::now();
    auto report = store->Verify(1, last);
    const double s = std::chrono::duration<double>(Clock::now() - begin).count();
    if (!report || !report->ok) throw std::runtime_error("verify failed on a fresh log");
    verify_best = std::max(verify_best, report->checked / s);
    Progress("audit: verify pass " + std::to_string(pass + 1) + ": " +
             std::to_string(static_cast<uint64_t>(report->checked / s)) + " records/s");
  }

  eventstore::codec::EventCodec codec;
  double export_best = 0, export_cpu_best = 0;
  uint64_t bytes = 0, entries = 0;
  for (int pass = 0; pass < 2; ++pass) {
    CountingBuf sink;
    std::ostream out(&sink);
    const auto begin = Clock::now();
    const std::clock_t cpu_begin = std::clock();
    auto summary =
        api::audit_export::WriteExport(*store, codec, api::audit_export::ExportOptions{}, out);
    const double s = std::chrono::duration<double>(Clock::now() - begin).count();
    const double cpu = static_cast<double>(std::clock() - cpu_begin) / CLOCKS_PER_SEC;
    if (summary && cpu > 0) export_cpu_best = std::max(export_cpu_best, summary->entries / cpu);
    if (!summary) throw std::runtime_error("export failed: " + summary.error().message);
    entries = summary->entries;
    bytes = sink.bytes;
    export_best = std::max(export_best, entries / s);
    Progress("audit: export pass " + std::to_string(pass + 1) + ": " +
             std::to_string(static_cast<uint64_t>(entries / s)) + " entries/s");
  }

  Report report("audit");
  report.Add("records", static_cast<double>(last), "records", "in the log");
  report.Add("verify_records_per_s", verify_best, "records/s",
             "whole hash chain verified (best of 3; target >= 1M/s)");
  report.Add(
      "export_entries_per_s", export_best, "entries/s",
      "unfiltered JSON Lines export, readable fields + record bytes (best of 2; target >= 300k/s)");
  report.Add("export_entries_per_cpu_s", export_cpu_best, "entries/s",
             "export entries per second of process CPU (both threads): the rate on idle cores");
  report.Add("export_bytes_per_entry", entries ? static_cast<double>(bytes) / entries : 0, "bytes",
             "size of one exported line");
  report.Print(flags.json);
}

}  // namespace

void RegisterAuditBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand("audit", "verify and export speed over a big log");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--dir", flags->dir, "Where to create the temporary store");
  sub->add_option("--records", flags->records, "Records in the log")->check(CLI::PositiveNumber);
  sub->callback([flags] { Run(*flags); });
}

}  // namespace roster::tools::bench
