#include "tools/bench/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <latch>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace roster::tools::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string FormatNumber(double value) {
  char buffer[64];
  if (std::fabs(value) >= 100 || value == std::floor(value)) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
  }
  return buffer;
}

}  // namespace

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void Report::Add(std::string key, double value, std::string unit, std::string note) {
  rows_.push_back({std::move(key), true, value, {}, std::move(unit), std::move(note)});
}

void Report::AddText(std::string key, std::string value, std::string note) {
  rows_.push_back({std::move(key), false, 0, std::move(value), {}, std::move(note)});
}

void Report::Print(bool json) const {
  if (json) {
    nlohmann::ordered_json out;
    out["bench"] = name_;
    for (const Row& row : rows_) {
      nlohmann::ordered_json& field = out[row.key];
      if (!row.numeric) {
        field = row.text;
      } else if (!std::isfinite(row.value)) {
        field = nullptr;
      } else if (row.value == std::floor(row.value) && std::fabs(row.value) < 9e15) {
        field = static_cast<int64_t>(row.value);  // counts exactly
      } else {
        field = row.value;
      }
    }
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  size_t key_width = 0, value_width = 0;
  for (const Row& row : rows_) {
    key_width = std::max(key_width, row.key.size());
    value_width = std::max(value_width, (row.numeric ? FormatNumber(row.value) : row.text).size());
  }
  std::printf("roster-bench %s\n", name_.c_str());
  for (const Row& row : rows_) {
    const std::string value = row.numeric ? FormatNumber(row.value) : row.text;
    std::printf("  %-*s  %*s %-8s %s\n", static_cast<int>(key_width), row.key.c_str(),
                static_cast<int>(value_width), value.c_str(), row.unit.c_str(), row.note.c_str());
  }
}

void Progress(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

Latency Percentiles(std::vector<uint32_t>& samples_ns) {
  if (samples_ns.empty()) return {};
  std::sort(samples_ns.begin(), samples_ns.end());
  const auto at = [&](double q) {
    return samples_ns[std::min(samples_ns.size() - 1, static_cast<size_t>(q * samples_ns.size()))] /
           1000.0;
  };
  return {at(0.50), at(0.99)};
}

void Accumulate(LoadResult& total, const LoadResult& round) {
  total.ops += round.ops;
  total.failures += round.failures;
  total.seconds += round.seconds;
  total.cpu_seconds += round.cpu_seconds;
  total.latency.p50_us = std::max(total.latency.p50_us, round.latency.p50_us);
  total.latency.p99_us = std::max(total.latency.p99_us, round.latency.p99_us);
}

LoadResult RunLoad(int threads, std::chrono::duration<double> duration,
                   const std::function<bool(int, uint64_t)>& op) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> ops{0}, failures{0};
  std::mutex mu;
  std::vector<uint32_t> latencies;
  std::latch start(threads + 1);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<uint32_t> mine;
      mine.reserve(1 << 16);
      uint64_t done = 0, failed = 0;
      start.arrive_and_wait();
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto begin = Clock::now();
        const bool ok = op(t, i);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin);
        (ok ? done : failed) += 1;
        mine.push_back(static_cast<uint32_t>(std::min<int64_t>(ns.count(), UINT32_MAX)));
      }
      ops += done;
      failures += failed;
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  start.arrive_and_wait();
  const auto begin = Clock::now();
  const double cpu_begin = ProcessCpuSeconds();
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& worker : workers) worker.join();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  result.cpu_seconds = ProcessCpuSeconds() - cpu_begin;
  result.ops = ops;
  result.failures = failures;
  result.latency = Percentiles(latencies);
  return result;
}

}  // namespace roster::tools::bench
