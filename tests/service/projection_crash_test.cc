// kill -9 a process while its projections catch up (and sometimes while they are being
// rebuilt), many times; after the last restart every projection must equal a rebuild from
// scratch: nothing applied twice, nothing skipped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "tests/service/node_fixture.h"

namespace roster::tests {
namespace {

int Iterations() {
  const char* env = std::getenv("ROSTER_CRASH_ITERATIONS");
  return env ? std::max(1, std::atoi(env)) : 12;
}

// Starts the child, waits for it to be ready, lets it run `run_ms`, then SIGKILLs it.
void RunAndKill(const std::string& dir, uint64_t seed, bool rebuild, int run_ms) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    const std::string child = std::string(ROSTER_BIN_DIR) + "/projection_crash_child";
    const std::string seed_arg = std::to_string(seed);
    execl(child.c_str(), child.c_str(), dir.c_str(), seed_arg.c_str(),
          rebuild ? "rebuild" : nullptr, nullptr);
    _exit(127);
  }
  close(out[1]);
  char buf[16] = {};
  const ssize_t n = read(out[0], buf, sizeof(buf) - 1);  // "ready\n" once the node is open
  close(out[0]);
  ASSERT_GT(n, 0) << "the child did not start";
  usleep(run_ms * 1000);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child died by itself, status " << status;
}

class ProjectionCrashTest : public NodeFixture {};

TEST_F(ProjectionCrashTest, EveryProjectionEqualsAFreshRebuildAfterRepeatedKills) {
  // The children's workloads and the kill times come from one seed, printed for a replay
  // (the kill lands at the same time, not at the same instruction).
  const char* env = std::getenv("ROSTER_CRASH_SEED");
  const uint64_t base_seed =
      env ? std::strtoull(env, nullptr, 10) : std::random_device{}() % 1000000;
  std::printf("ROSTER_CRASH_SEED=%llu\n", static_cast<unsigned long long>(base_seed));
  std::mt19937_64 rng(base_seed);
  for (int i = 0; i < Iterations(); ++i) {
    const bool rebuild = i % 3 == 2;
    const int run_ms = 40 + static_cast<int>(rng() % 400);
    RunAndKill(dir_.path().string(), base_seed + i, rebuild, run_ms);
    if (HasFatalFailure()) return;
  }
  sync_ = true;
  Open();  // finishes any interrupted rebuild, then catches up
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(60)).has_value());
  ASSERT_GT(node_->log().LastPosition(), 100u) << "the children did some work";
  const auto recovered = DumpAll(*node_);
  ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
  node_->engine().WaitForRebuilds();
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(60)).has_value());
  const auto rebuilt = DumpAll(*node_);
  ASSERT_EQ(recovered.size(), rebuilt.size());
  for (size_t i = 0; i < rebuilt.size(); ++i) {
    EXPECT_EQ(recovered[i].first, rebuilt[i].first);
    EXPECT_EQ(recovered[i].second.size(), rebuilt[i].second.size()) << rebuilt[i].first;
    EXPECT_TRUE(recovered[i].second == rebuilt[i].second) << rebuilt[i].first << " differs";
  }
  auto verified = node_->log().Verify(1, 0);
  ASSERT_TRUE(verified.has_value());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

}  // namespace
}  // namespace roster::tests
