// Child of projection_crash_test: opens a Roster node on a data directory and keeps sending
// random commands (durably) while the projections catch up, until it is killed. With
// "rebuild" as third argument it also starts a rebuild of every projection first, so that
// kills land inside rebuilds too.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/service/node.h"
#include "tools/workload/workload.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DIR SEED [rebuild]\n", argv[0]);
    return 2;
  }
  using namespace roster;
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  auto logger =
      std::make_shared<spdlog::logger>("child", std::make_shared<spdlog::sinks::null_sink_mt>());
  domain::ManualClock clock(
      domain::FromMicros(1'767'225'600'000'000 + static_cast<int64_t>(seed) * 1000));
  api::service::NodeOptions options;
  options.run_sweeper = false;
  auto node = api::service::Node::Open(argv[1], clock, logger, options);
  if (!node) {
    std::fprintf(stderr, "open: %s\n", node.error().message.c_str());
    return 1;
  }
  if (argc > 3 && std::string(argv[3]) == "rebuild") (void)(*node)->engine().Rebuild({});
  std::string prefix = "c";  // three groups of organizations shared across the children
  prefix += std::to_string(seed % 3);
  tools::workload::Workload load((*node)->commands(),
                                 {.org_prefix = prefix, .orgs = 8, .seed = seed});
  if (auto setup = load.Setup(); !setup) {
    std::fprintf(stderr, "setup: %s\n", setup.error().message.c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (uint64_t i = 0;; ++i) {
    auto step = load.Step();
    if (!step) {
      std::fprintf(stderr, "step: %s\n", step.error().message.c_str());
      return 1;
    }
    if (i % 200 == 0) clock.Advance(std::chrono::hours(20));
  }
}
