// roster-bench eventstore: durable append throughput against plain RocksDB's group commit, and
// whole-log read speed against a plain RocksDB scan, each measured in the same run on fresh
// directories.
#include <rocksdb/db.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/raw_rocks.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"
#include "tools/bench/append_load.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {
namespace {

namespace es = roster::eventstore;
using es::testing::TempDir;
using Clock = std::chrono::steady_clock;

struct Flags {
  bool json = false;
  std::string dir;  // where the temporary stores go; empty: $TMPDIR or /tmp
  double seconds = 5;
  int threads = 64;
  size_t value_bytes = 200;
  uint64_t read_records = 1'000'000;
  size_t read_batch = 1000;
};

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>('a' + rng() % 26);
  return out;
}

// Plain RocksDB, default options: `threads` threads, each writing one value with sync=true per
// operation. RocksDB's own write-group batching is what we are measured against.
LoadResult RawSyncWrites(const Flags& flags, int threads) {
  TempDir dir("roster-bench-raw", flags.dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir.path().string(), &raw);
  if (!s.ok()) throw std::runtime_error("raw RocksDB: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write;
  write.sync = true;
  const std::string value = RandomBytes(flags.value_bytes, 1);
  auto result =
      RunLoad(threads, std::chrono::duration<double>(flags.seconds), [&](int t, uint64_t i) {
        const std::string key = es::testing::RawRocks::LogKey((static_cast<uint64_t>(t) << 40) | i);
        return db->Put(write, key, value).ok();
      });
  return result;
}

struct ReadFigures {
  uint64_t records = 0;
  double events_per_s = 0;
  double raw_records_per_s = 0;
};

// Builds a log of flags.read_records records quickly (no sync, 100 events per append).
void BuildLog(const Flags& flags, const std::filesystem::path& dir) {
  es::StoreOptions options;
  options.sync = false;
  auto store = es::testing::OpenOrDie(dir, options);
  const std::string payload = RandomBytes(flags.value_bytes, 3);
  constexpr int kWriters = 4;
  constexpr size_t kPerAppend = 100;
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      while (next.fetch_add(kPerAppend) < flags.read_records) {
        es::AppendRequest request;
        request.stream = es::testing::Numbered("read-stream-", w);
        request.events.assign(kPerAppend, es::NewEvent{"bench.appended", 1, payload});
        request.metadata.actor = "bench";
        if (!store->Append(std::move(request))) throw std::runtime_error("building the log failed");
      }
    });
  }
  for (auto& writer : writers) writer.join();
}

// Best of three passes: the first one also warms the page cache.
template <class Pass>
double BestRate(Pass pass) {
  double best = 0;
  for (int i = 0; i < 3; ++i) {
    const auto begin = Clock::now();
    const uint64_t n = pass();
    best = std::max(best, n / std::chrono::duration<double>(Clock::now() - begin).count());
  }
  return best;
}

ReadFigures ReadAll(const Flags& flags) {
  TempDir dir("roster-bench-read", flags.dir);
  Progress("eventstore: building a log of " + std::to_string(flags.read_records) + " records");
  BuildLog(flags, dir.path());
  ReadFigures figures;
  {
    Progress("eventstore: plain RocksDB scan of the log column family");
    es::testing::RawRocks raw(dir.path());
    // Settle the tree first, so that no background compaction competes with either scan for
    // the two cores and both read the same files. A long-lived log looks like this too.
    rocksdb::CompactRangeOptions compact;
    const rocksdb::Status s = raw.db()->CompactRange(compact, raw.family("log"), nullptr, nullptr);
    if (!s.ok()) throw std::runtime_error("compacting the log: " + s.ToString());
    figures.raw_records_per_s = BestRate([&] {
      std::unique_ptr<rocksdb::Iterator> it(
          raw.db()->NewIterator(rocksdb::ReadOptions(), raw.family("log")));
      uint64_t n = 0, bytes = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) bytes += it->value().size();
      if (bytes == 0) throw std::runtime_error("empty scan");
      return n;
    });
  }
  Progress("eventstore: ReadAll in batches of " + std::to_string(flags.read_batch));
  es::StoreOptions options;
  options.read_only = true;
  auto store = es::testing::OpenOrDie(dir.path(), options);
  figures.records = store->LastPosition();
  figures.events_per_s = BestRate([&] {
    uint64_t n = 0, bytes = 0;
    for (es::Position from = 1;;) {
      auto batch = store->ReadAll(from, flags.read_batch);
      if (!batch) throw std::runtime_error(batch.error().message);
      if (batch->empty()) break;
      for (const es::Record& record : *batch) bytes += record.payload.size();
      n += batch->size();
      from = batch->back().position + 1;
    }
    if (n != figures.records || bytes == 0) throw std::runtime_error("short read");
    return n;
  });
  return figures;
}

void Run(const Flags& flags) {
  Report report("eventstore");
  const std::string n = std::to_string(flags.threads);
  Progress("eventstore: plain RocksDB, " + n + " threads, sync writes, " +
           std::to_string(flags.seconds) + " s");
  const LoadResult raw = RawSyncWrites(flags, flags.threads);
  Progress("eventstore: durable appends, 1 thread");
  es::RocksEventStore::Stats stats1, stats64;
  const LoadResult one = DurableAppendLoad(flags.dir, flags.seconds, 1, flags.value_bytes, &stats1);
  Progress("eventstore: durable appends, " + n + " threads");
  const LoadResult many =
      DurableAppendLoad(flags.dir, flags.seconds, flags.threads, flags.value_bytes, &stats64);

  report.Add("raw_sync_64_ops", raw.ops_per_s(), "ops/s",
             "plain RocksDB Put, sync, " + n + " threads, " + std::to_string(flags.value_bytes) +
                 " B values");
  report.Add("raw_sync_64_p99_us", raw.latency.p99_us, "us", "its p99 latency");
  report.Add("raw_sync_64_cpu_us_per_op", raw.cpu_us_per_op(), "us", "process CPU per write");
  report.Add("append_sync_1_ops", one.ops_per_s(), "ops/s", "Append of one event, 1 thread");
  report.Add("append_sync_64_ops", many.ops_per_s(), "ops/s",
             "Append of one event, " + n + " threads, a stream each, exact expected version");
  report.Add("append_sync_64_p50_us", many.latency.p50_us, "us", "its median latency");
  report.Add("append_sync_64_p99_us", many.latency.p99_us, "us", "its p99 latency");
  report.Add("append_sync_64_cpu_us_per_op", many.cpu_us_per_op(), "us", "process CPU per append");
  report.Add("append_sync_64_per_commit",
             stats64.commits ? static_cast<double>(stats64.appends) / stats64.commits : 0,
             "appends", "appends per group commit (one sync each)");
  report.Add("ratio_append_vs_raw_64", raw.ops_per_s() > 0 ? many.ops_per_s() / raw.ops_per_s() : 0,
             "x", "target >= 1.0");
  report.Add("append_failures", static_cast<double>(raw.failures + one.failures + many.failures),
             "ops", "must be 0");
  if (flags.read_records > 0) {
    const ReadFigures read = ReadAll(flags);
    report.Add("read_records", static_cast<double>(read.records), "records", "log size read");
    report.Add("read_all_events_per_s", read.events_per_s, "events/s",
               "ReadAll, decoded records, target >= 1M");
    report.Add("raw_scan_records_per_s", read.raw_records_per_s, "records/s",
               "plain RocksDB iterator over the log column family");
    report.Add("read_ratio_vs_raw_scan",
               read.raw_records_per_s > 0 ? read.events_per_s / read.raw_records_per_s : 0, "x");
  }
  report.Add("seconds_per_write_phase", flags.seconds, "s");
  report.Add("threads", flags.threads, "threads");
  report.Add("value_bytes", static_cast<double>(flags.value_bytes), "bytes");
  report.Print(flags.json);
}

}  // namespace

void RegisterEventstoreBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "eventstore", "Durable append throughput vs plain RocksDB, and whole-log read speed");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--dir", flags->dir,
                  "Where to create the temporary stores (default $TMPDIR or /tmp)");
  sub->add_option("--seconds", flags->seconds, "Duration of each write phase")
      ->check(CLI::PositiveNumber);
  sub->add_option("--threads", flags->threads, "Writer threads of the concurrent phases")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--value-bytes", flags->value_bytes, "Size of each value / event payload");
  sub->add_option("--read-records", flags->read_records,
                  "Records in the read benchmark's log (0: skip)");
  sub->add_option("--read-batch", flags->read_batch, "Records per ReadAll call")
      ->check(CLI::Range(1, 1'000'000));
  sub->callback([flags] { Run(*flags); });
}

}  // namespace roster::tools::bench
