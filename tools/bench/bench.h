// roster-bench: pieces shared by the benchmark subcommands.
//
// Each subcommand lives in its own <name>_bench.cc defining
//   void Register<Name>Bench(CLI::App& app);   // e.g. RegisterEventstoreBench
// which adds its CLI11 subcommand, options and callback, and is listed with one
// roster_bench_subcommand() line in tools/bench/CMakeLists.txt. The build generates
// RegisterAllBenches() from those lines; main() calls it. No global registry.
//
// A benchmark prints figures (a table, or one JSON object with --json on stdout); progress goes
// to stderr so that the JSON stays parseable. Nothing here is thread-safe unless it says so.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace roster::tools::bench {

// Generated: calls every Register<Name>Bench.
void RegisterAllBenches(CLI::App& app);

// The figures of one benchmark run, in the order they were added.
class Report {
 public:
  explicit Report(std::string name) : name_(std::move(name)) {}
  // `key` is the JSON key; `note` explains the figure in the table.
  void Add(std::string key, double value, std::string unit, std::string note = {});
  void AddText(std::string key, std::string value, std::string note = {});
  void Print(bool json) const;

 private:
  struct Row {
    std::string key;
    bool numeric;
    double value;
    std::string text;
    std::string unit;
    std::string note;
  };
  std::string name_;
  std::vector<Row> rows_;
};

// A line on stderr, flushed at once. Thread-safe (one fprintf).
void Progress(const std::string& line);

// User + system CPU time of this process so far.
double ProcessCpuSeconds();

// Latency percentiles over samples in nanoseconds (sorted in place).
struct Latency {
  double p50_us = 0;
  double p99_us = 0;
};
Latency Percentiles(std::vector<uint32_t>& samples_ns);

// The outcome of running an operation from many threads for a while.
struct LoadResult {
  uint64_t ops = 0;
  uint64_t failures = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the whole process meanwhile
  Latency latency;
  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double cpu_us_per_op() const {
    return ops > 0 ? cpu_seconds * 1e6 / static_cast<double>(ops) : 0;
  }
};

// Adds one round of a load run in rounds to `total`: operations, failures, seconds and CPU
// summed; p50 and p99 are the worst round's.
void Accumulate(LoadResult& total, const LoadResult& round);

// Runs op(thread, i) -> bool (true: success) on `threads` threads, all started together, until
// `duration` has passed; every thread then finishes the operation it is in.
LoadResult RunLoad(int threads, std::chrono::duration<double> duration,
                   const std::function<bool(int thread, uint64_t i)>& op);

}  // namespace roster::tools::bench
