// Writes export_fuzzer's seed corpus: small real audit exports, in JSON Lines and CSV, of a
// node that ran the workload (tools/workload) on two organizations: the whole log, one
// organization (a filtered export, with its stream summaries) and a time window.
//
// Usage: export_seeds <output directory>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/audit_export/audit_export.h"
#include "api/service/node.h"
#include "tools/workload/workload.h"

namespace {

using roster::api::audit_export::ExportFormat;
using roster::api::audit_export::ExportOptions;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "export_seeds: %s\n", why.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  char pattern[] = "/tmp/roster-export-seeds-XXXXXX";
  if (mkdtemp(pattern) == nullptr) Die("cannot create a temporary directory");
  const std::filesystem::path dir = pattern;
  size_t written = 0;
  {
    const roster::domain::Time start = roster::domain::FromMicros(1'767'225'600'000'000);
    roster::domain::ManualClock clock(start);
    auto logger =
        std::make_shared<spdlog::logger>("seeds", std::make_shared<spdlog::sinks::null_sink_mt>());
    roster::api::service::NodeOptions options;
    options.store.sync = false;
    options.run_sweeper = false;
    auto node = roster::api::service::Node::Open(dir, clock, logger, options);
    if (!node) Die("cannot open a node: " + node.error().message);
    roster::tools::workload::WorkloadOptions workload_options;
    workload_options.orgs = 2;
    workload_options.seed = 7;
    roster::tools::workload::Workload workload((*node)->commands(), workload_options);
    if (!workload.Setup()) Die("workload setup failed");
    // An hour between commands, so that a time window picks some of them.
    for (int step = 0; step < 10; ++step) {
      clock.Advance(std::chrono::hours(1));
      if (!workload.Step()) Die("workload step failed");
    }
    auto write = [&](const std::string& name, ExportOptions export_options) {
      std::ofstream file(out / name, std::ios::binary);
      auto summary = roster::api::audit_export::WriteExport((*node)->log(), (*node)->codec(),
                                                            export_options, file);
      if (!summary) Die(name + ": " + summary.error().message);
      ++written;
    };
    for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
      const std::string ext = format == ExportFormat::kCsv ? ".csv" : ".jsonl";
      ExportOptions all;
      all.format = format;
      write("all" + ext, all);
      ExportOptions one_org = all;
      one_org.org = workload.org_ids().front();
      write("org" + ext, one_org);
      ExportOptions window = all;
      window.from_us = roster::domain::ToMicros(start + std::chrono::hours(3));
      window.to_us = roster::domain::ToMicros(start + std::chrono::hours(6));
      write("window" + ext, window);
    }
  }
  std::filesystem::remove_all(dir);
  std::printf("%zu seeds written to %s\n", written, out.c_str());
  return 0;
}
