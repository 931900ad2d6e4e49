// roster-bench api: rosterd end to end, over TCP (and HTTP for checks). Starts its own rosterd
// child on a temporary data directory and measures:
//   - durable commands (InviteMember / AcceptInvitation / ChangeRole) from 64 connections, each
//     on its own organizations, with sync on (rosterd's default);
//   - permission checks from 64 connections;
//   both first from one client thread multiplexing the connections (async_load.h; the headline
//   figures), then through the blocking client library with a thread per connection; the checks
//   also over HTTP/JSON with a blocking keep-alive client per connection, beside the TCP
//   blocking figure it compares with;
//   - one subscription reading the whole log of at least --records records from position 0.
// The log for the subscription is written first, in process through a Node (the realistic
// workload of tools/workload, without fsync), so that rosterd starts on it with its read
// models already caught up.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "api/client/client.h"
#include "api/service/node.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/support/http_client.h"
#include "tests/support/rosterd_process.h"
#include "tools/bench/async_load.h"
#include "tools/bench/bench.h"
#include "tools/bench/loopback_ceiling.h"
#include "tools/workload/workload.h"

namespace roster::tools::bench {
namespace {

using Clock = std::chrono::steady_clock;
using api::wire::Request;
using namespace std::chrono_literals;

struct Flags {
  bool json = false;
  std::string dir;
  std::string rosterd;  // default: beside this program
  double seconds = 10;
  int connections = 64;
  int orgs_per_connection = 4;
  uint64_t records = 1'000'000;
  uint32_t window = 4096;
  int client_threads = 1;   // of the asynchronous load
  int ceiling_threads = 1;  // of the stand-in server of loopback_ceiling.h
  int rounds = 3;           // the asynchronous checks alternate with the ceiling this many times
  std::string phases = "commands,checks,subscription";  // which parts to run (for profiling one)
  std::string keep_data;  // keep the populated data directory here; a later run reuses it
  // rosterd's --log: a postgresql:// URI puts the log on PostgreSQL (tools/bench/pg_compare.sh
  // runs both backends and the hand-built peer side by side); empty: the embedded log.
  std::string log;
};

bool Wants(const Flags& f, std::string_view phase) {
  return f.phases.find(phase) != std::string::npos;
}

// The log's last position in an existing data directory (0 when there is none).
uint64_t ExistingRecords(const std::filesystem::path& data) {
  if (!std::filesystem::exists(data / "log")) return 0;
  domain::ManualClock clock(domain::FromMicros(1'767'225'600'000'000));
  api::service::NodeOptions options;
  options.run_sweeper = false;
  auto logger =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto node = api::service::Node::Open(data, clock, logger, options);
  return node ? (*node)->log().LastPosition() : 0;
}

// Fills the data directory's log with at least `records` records of the realistic workload.
// Its clock is today's: rosterd runs on the real clock, and invitations sent at an older fixed
// time would all be overdue when it starts, so its expiry sweep would append thousands of
// expirations while the commands are measured.
void Populate(const std::filesystem::path& data, uint64_t records) {
  domain::ManualClock clock(
      std::chrono::time_point_cast<domain::Duration>(std::chrono::system_clock::now()));
  api::service::NodeOptions options;
  options.store.sync = false;  // a bulk load; rosterd then runs with sync on
  options.run_sweeper = false;
  auto logger =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto node = api::service::Node::Open(data, clock, logger, options);
  if (!node) throw std::runtime_error("opening a node: " + node.error().message);
  auto& log = (*node)->log();
  const int threads = 8;
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      workload::WorkloadOptions w;
      w.org_prefix = "sub" + std::to_string(t) + "-";
      w.orgs = 200;
      w.seed = 100 + t;
      workload::Workload load((*node)->commands(), w);
      if (!load.Setup()) {
        failed = true;
        return;
      }
      while (!failed && log.LastPosition() < records) {
        if (!load.Step()) failed = true;
      }
    });
  }
  uint64_t shown = 0;
  while (log.LastPosition() < records && !failed) {
    std::this_thread::sleep_for(1s);
    if (log.LastPosition() / 100'000 != shown / 100'000) {
      shown = log.LastPosition();
      Progress("  populated " + std::to_string(shown) + " records");
    }
  }
  for (auto& w : workers) w.join();
  if (failed) throw std::runtime_error("populating the log failed");
  Progress("  letting the read models catch up");
  auto caught_up = (*node)->engine().CatchUp(std::chrono::minutes(10));
  if (!caught_up)
    throw std::runtime_error("read models did not catch up: " + caught_up.error().message);
}

// rosterd as a child process (tests/support/rosterd_process.h: it picks its own port and dies
// with this program); stopped with SIGTERM when this goes.
class Server {
 public:
  Server(const std::string& binary, const std::filesystem::path& data,
         const std::filesystem::path& log, const std::string& log_uri)
      : rosterd_([&] {
          tests::RosterdOptions options;
          options.data_dir = data;
          options.binary = binary;
          options.extra_args = {"--log-level",      "warn",
                                "--http",           "127.0.0.1:0",
                                "--http-port-file", (log.parent_path() / "http.port").string()};
          if (!log_uri.empty()) {
            options.extra_args.push_back("--log");
            options.extra_args.push_back(log_uri);
          }
          options.stdout_path = log;
          options.stderr_path = log;
          options.start_timeout = 120s;  // opening a big log may take a while
          return options;
        }()) {
    if (rosterd_.port() == 0) {
      throw std::runtime_error(rosterd_.error() + "; see " + log.string());
    }
    token_ = tests::ReadToken(data);
    if (token_.empty() || !Connect()) {
      throw std::runtime_error("rosterd does not answer a hello; see " + log.string());
    }
    // The HTTP listener starts just after the TCP one has written its port file.
    const auto port_file = log.parent_path() / "http.port";
    for (int i = 0; i < 1000 && http_port_ == 0; ++i) {
      std::ifstream in(port_file);
      in >> http_port_;
      if (http_port_ == 0) std::this_thread::sleep_for(10ms);
    }
    if (http_port_ == 0)
      throw std::runtime_error("rosterd's HTTP port never came; see " + log.string());
  }
  ~Server() { rosterd_.Stop(std::chrono::minutes(10)); }
  std::unique_ptr<api::client::Client> Connect(std::chrono::milliseconds timeout = 30000ms) const {
    api::client::ClientOptions options;
    options.server = rosterd_.address();
    options.token = token_;
    options.timeout = timeout;
    options.client_name = "roster-bench";
    auto c = api::client::Client::Connect(options);
    return c ? std::move(*c) : nullptr;
  }
  AsyncTarget Target() const { return AsyncTarget{rosterd_.port(), token_}; }
  uint16_t http_port() const { return http_port_; }
  const std::string& token() const { return token_; }

 private:
  tests::Rosterd rosterd_;
  std::string token_;
  uint16_t http_port_ = 0;
};

// One connection's share of the command mix: its own organizations, each cycling through
// invite -> accept -> change role for a fresh user.
class Member {
 public:
  // `run` keeps organization ids apart when a kept data directory is reused.
  Member(api::client::Client& client, const std::string& run, int connection, int orgs)
      : client_(client) {
    for (int o = 0; o < orgs; ++o) {
      orgs_.emplace_back();
      orgs_.back().id = "api-" + run + std::to_string(connection) + "-" + std::to_string(o);
    }
  }
  bool Setup() {
    for (auto& org : orgs_) {
      if (!Command(org, "owner", [&](auto c) {
            auto r = c.initCreateOrganization();
            r.setName(org.id);
            r.setPreset("commerce");
            r.setOwnerEmail("owner@" + org.id + ".test");
          })) {
        return false;
      }
    }
    return true;
  }
  // One command: the next step of the next organization, through the blocking client.
  bool Step() {
    auto reply = client_.Call([&](Request::Builder r) { FillNext(r); });
    return reply && Consume(reply->get());
  }
  // The same in two halves, for the asynchronous load: the next step's request, then its
  // answer (which carries the invitation secret the following step needs).
  void FillNext(Request::Builder r) {
    Org& org = orgs_[next_org_++ % orgs_.size()];
    pending_ = &org;
    const std::string user = "u" + std::to_string(org.next_user);
    const std::string email = user + "@" + org.id + ".test";
    auto c = r.initCommand();
    c.setOrg(org.id);
    c.setCommandId(org.id + "-" + std::to_string(commands_++));
    switch (org.stage) {
      case 0: {
        org.stage = 1;
        c.setActor("owner");
        auto invite = c.initInviteMember();
        invite.setEmail(email);
        invite.setRole("Editor");
        break;
      }
      case 1: {
        org.stage = 2;
        c.setActor(user);
        auto accept = c.initAcceptInvitation();
        accept.setInvitationId(org.invitation);
        accept.setToken(org.token);
        accept.setVerifiedEmail(email);
        break;
      }
      default: {
        org.stage = 0;
        org.members.push_back(user);
        ++org.next_user;
        c.setActor("owner");
        auto change = c.initChangeRole();
        change.setUser(user);
        change.setRole("Billing");
      }
    }
  }
  bool Consume(api::wire::Response::Reader response) {
    if (!response.isCommand() || !response.getCommand().getAccepted()) return false;
    auto result = response.getCommand();
    if (pending_ && result.hasInvitationId() && result.getInvitationToken().size() > 0) {
      pending_->invitation = result.getInvitationId().cStr();
      pending_->token = result.getInvitationToken().cStr();
    }
    return true;
  }
  // Some member of some organization of this connection, for the checks.
  std::pair<std::string, std::string> Someone(std::mt19937& rng) const {
    const auto& org = orgs_[rng() % orgs_.size()];
    if (org.members.empty()) return {org.id, "owner"};
    return {org.id, org.members[rng() % org.members.size()]};
  }

 private:
  struct Org {
    std::string id;
    int stage = 0;
    uint64_t next_user = 0;
    std::string invitation, token;
    std::vector<std::string> members;
  };
  template <typename Fill>
  bool Command(Org& org, const std::string& actor, Fill fill) {
    auto reply = client_.Call([&](Request::Builder r) {
      auto c = r.initCommand();
      c.setOrg(org.id);
      c.setActor(actor);
      c.setCommandId(org.id + "-" + std::to_string(commands_++));
      fill(c);
    });
    pending_ = &org;
    return reply && Consume(reply->get());
  }
  api::client::Client& client_;
  std::vector<Org> orgs_;
  size_t next_org_ = 0;
  uint64_t commands_ = 0;
  Org* pending_ = nullptr;  // whose step the last FillNext was
};

void Run(const Flags& flags) {
  eventstore::testing::TempDir dir("roster-bench-api", flags.dir);
  const auto data =
      flags.keep_data.empty() ? dir.path() / "data" : std::filesystem::path(flags.keep_data);
  Report report("api");
  std::string binary = flags.rosterd;
  if (binary.empty())
    binary = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "rosterd").string();

  if (!flags.log.empty() && flags.records > 0) {
    // The log is populated in-process on RocksDB; a PostgreSQL log starts empty.
    throw std::runtime_error(
        "--log needs --records 0 (the subscription phase reads the "
        "embedded populated log)");
  }
  if (flags.records > 0 && ExistingRecords(data) >= flags.records) {
    Progress("reusing the log in " + data.string());
  } else if (flags.records > 0) {
    Progress("populating the log with " + std::to_string(flags.records) + " records");
    const auto begin = Clock::now();
    Populate(data, flags.records);
    report.Add("populate_seconds", std::chrono::duration<double>(Clock::now() - begin).count(), "s",
               "in-process workload, no fsync (setup, not a figure of rosterd)");
  }
  Progress("starting rosterd");
  Server server(binary, data, dir.path() / "rosterd.log", flags.log);
  report.Add("log_on_postgresql", flags.log.empty() ? 0 : 1, "",
             flags.log.empty() ? "the embedded log (RocksDB)" : "rosterd --log postgresql://...");

  std::vector<std::unique_ptr<api::client::Client>> clients;
  std::vector<std::unique_ptr<Member>> members;
  const std::string run =
      flags.keep_data.empty()
          ? ""
          : std::to_string(std::chrono::system_clock::now().time_since_epoch() / 1ms) + "-";
  for (int i = 0; i < flags.connections; ++i) {
    clients.push_back(server.Connect());
    if (!clients.back()) throw std::runtime_error("cannot connect to rosterd");
    members.push_back(std::make_unique<Member>(*clients.back(), run, i, flags.orgs_per_connection));
    if (!members.back()->Setup()) throw std::runtime_error("creating the organizations failed");
  }
  const std::string conns = std::to_string(flags.connections);
  if (Wants(flags, "commands")) {
    Progress("durable commands over " + conns + " connections");
    // As for the checks below: the asynchronous client first, then the blocking one.
    LoadResult commands = RunAsyncLoad(
        server.Target(), flags.connections, flags.client_threads,
        std::chrono::duration<double>(flags.seconds),
        [&](int t, uint64_t, Request::Builder r) { members[t]->FillNext(r); },
        [&](int t, api::wire::Response::Reader r) { return members[t]->Consume(r); });
    report.Add("commands_per_s_64conn", commands.ops_per_s(), "ops/s",
               "Invite/Accept/ChangeRole, durable, " + conns + " connections, " +
                   std::to_string(flags.client_threads) + " client thread(s)");
    report.Add("command_p99_ms_64conn", commands.latency.p99_us / 1000, "ms", "round trip");
    report.Add("command_p50_ms_64conn", commands.latency.p50_us / 1000, "ms", "round trip");
    report.Add("command_failures", static_cast<double>(commands.failures), "", "must be 0");
    report.Add("command_client_cpu_us", commands.cpu_us_per_op(), "us",
               "the bench's own CPU per command");
    LoadResult blocking_commands =
        RunLoad(flags.connections, std::chrono::duration<double>(flags.seconds),
                [&](int t, uint64_t) { return members[t]->Step(); });
    report.Add("commands_per_s_blocking_clients", blocking_commands.ops_per_s(), "ops/s",
               "the same mix through the blocking client library, a thread per connection");
    report.Add("command_p99_ms_blocking_clients", blocking_commands.latency.p99_us / 1000, "ms",
               "round trip");
    report.Add("command_failures_blocking_clients", static_cast<double>(blocking_commands.failures),
               "", "must be 0");
  }
  if (Wants(flags, "checks")) {
    Progress("permission checks over " + conns + " connections");
    std::vector<std::mt19937> rngs;
    for (int i = 0; i < flags.connections; ++i) rngs.emplace_back(i);
    static const char* kPermissions[] = {"members.invite", "billing.manage", "org.delete",
                                         "members.view"};
    auto fill_check = [&](int t, uint64_t i, Request::Builder r) {
      auto [org, user] = members[t]->Someone(rngs[t]);
      auto c = r.initQuery().initCheck();
      c.setOrg(org);
      c.setUser(user);
      c.setPermission(kPermissions[i % 4]);
    };
    // The headline figures: one client thread multiplexing the connections, as an asynchronous
    // backend would (async_load.h says why). In rounds alternating with the same client against
    // a server that does no work (loopback_ceiling.h): the most this machine's loopback TCP
    // allows, at the same moment of a shared machine, so that rosterd's figure reads as a
    // fraction of it. Then the blocking client, a thread per connection.
    LoopbackCeiling ceiling(flags.ceiling_threads);
    const auto is_check = [](int, api::wire::Response::Reader r) { return r.isCheck(); };
    const std::chrono::duration<double> slice(flags.seconds / flags.rounds);
    LoadResult checks, bare;
    std::vector<double> ratios;
    for (int round = 0; round < flags.rounds; ++round) {
      const LoadResult c = RunAsyncLoad(server.Target(), flags.connections, flags.client_threads,
                                        slice, fill_check, is_check);
      const LoadResult b = RunAsyncLoad(AsyncTarget{ceiling.port(), ""}, flags.connections,
                                        flags.client_threads, slice, fill_check, is_check);
      Accumulate(checks, c);
      Accumulate(bare, b);
      ratios.push_back(b.ops_per_s() > 0 ? c.ops_per_s() / b.ops_per_s() : 0);
    }
    report.Add("checks_per_s_64conn", checks.ops_per_s(), "ops/s",
               "check(org, user, permission), " + std::to_string(flags.client_threads) +
                   " client thread(s), one request in flight per connection");
    report.Add("check_p99_ms_64conn", checks.latency.p99_us / 1000, "ms",
               "round trip (the worst round's)");
    report.Add("check_p50_ms_64conn", checks.latency.p50_us / 1000, "ms",
               "round trip (the worst round's)");
    report.Add("check_failures", static_cast<double>(checks.failures), "", "must be 0");
    report.Add("check_client_cpu_us", checks.cpu_us_per_op(), "us",
               "the bench's own CPU per check (the rest of two cores is rosterd's)");
    LoadResult blocking = RunLoad(
        flags.connections, std::chrono::duration<double>(flags.seconds), [&](int t, uint64_t i) {
          auto reply = clients[t]->Call([&](Request::Builder r) { fill_check(t, i, r); });
          return reply && reply->get().isCheck();
        });
    report.Add("checks_per_s_blocking_clients", blocking.ops_per_s(), "ops/s",
               "the same checks through the blocking client library, a thread per connection");
    report.Add("check_p99_ms_blocking_clients", blocking.latency.p99_us / 1000, "ms", "round trip");
    report.Add("check_failures_blocking_clients", static_cast<double>(blocking.failures), "",
               "must be 0");
    // The same checks over HTTP/JSON: a blocking keep-alive client per connection, so the
    // figure compares with the blocking TCP one above (not with the asynchronous headline).
    std::vector<std::unique_ptr<tests::HttpClient>> http;
    for (int i = 0; i < flags.connections; ++i) {
      http.push_back(std::make_unique<tests::HttpClient>(server.http_port()));
    }
    const tests::HttpHeaders auth{{"Authorization", "Bearer " + server.token()}};
    LoadResult over_http = RunLoad(
        flags.connections, std::chrono::duration<double>(flags.seconds), [&](int t, uint64_t i) {
          auto [org, user] = members[t]->Someone(rngs[t]);
          auto reply = http[t]->Send(
              "GET",
              "/v1/orgs/" + org + "/check?user=" + user + "&permission=" + kPermissions[i % 4], {},
              auth);
          return reply && reply->status == 200;
        });
    report.Add("http_checks_per_s_64conn", over_http.ops_per_s(), "ops/s",
               "the same checks over HTTP/JSON, a blocking keep-alive client per connection");
    report.Add("http_check_p99_ms_64conn", over_http.latency.p99_us / 1000, "ms", "round trip");
    report.Add("http_check_failures", static_cast<double>(over_http.failures), "", "must be 0");
    report.Add("http_vs_tcp_blocking_checks",
               blocking.ops_per_s() > 0 ? over_http.ops_per_s() / blocking.ops_per_s() : 0, "x",
               "HTTP checks as a fraction of the blocking TCP checks (the issue's target: 0.7)");
    // The HTTP ceiling: the same clients and connections asking rosterd's /healthz, which
    // parses and answers a request without a token, a query or JSON. What HTTP/1.1 itself
    // (Beast on the server, the test client) costs on this machine, against which the checks'
    // figure reads as the share left to the check, its token and its JSON.
    LoadResult healthz = RunLoad(flags.connections, std::chrono::duration<double>(flags.seconds),
                                 [&](int t, uint64_t) {
                                   auto reply = http[t]->Send("GET", "/healthz", {}, {});
                                   return reply && reply->status == 200;
                                 });
    report.Add("http_healthz_per_s_64conn", healthz.ops_per_s(), "ops/s",
               "GET /healthz over the same connections: HTTP's own ceiling here");
    report.Add("http_checks_vs_healthz",
               healthz.ops_per_s() > 0 ? over_http.ops_per_s() / healthz.ops_per_s() : 0, "x",
               "HTTP checks as a fraction of that ceiling");
    report.Add("http_healthz_vs_tcp_blocking_checks",
               blocking.ops_per_s() > 0 ? healthz.ops_per_s() / blocking.ops_per_s() : 0, "x",
               "the HTTP ceiling as a fraction of the blocking TCP checks: the most the 0.7 "
               "target could reach with this HTTP stack and client");
    report.Add("loopback_ceiling_per_s_64conn", bare.ops_per_s(), "ops/s",
               "the same client and requests against a server that answers each with a fixed "
               "check at once (" +
                   std::to_string(flags.ceiling_threads) + " thread(s)): no work");
    report.Add("loopback_ceiling_p99_ms_64conn", bare.latency.p99_us / 1000, "ms", "round trip");
    report.Add("checks_vs_loopback_ceiling", checks.ops_per_s() / bare.ops_per_s(), "x",
               "rosterd's checks as a fraction of the ceiling, over " +
                   std::to_string(flags.rounds) + " alternating rounds");
    const auto [lowest, highest] = std::minmax_element(ratios.begin(), ratios.end());
    report.Add("checks_vs_ceiling_lowest_round", *lowest, "x", "the same in single rounds");
    report.Add("checks_vs_ceiling_highest_round", *highest, "x", "");
  }
  clients.clear();

  if (Wants(flags, "subscription")) {
    auto reader = server.Connect();
    auto status = reader->Call([](Request::Builder r) { r.initQuery().setStatus(); });
    if (!status || !status->get().isStatus()) throw std::runtime_error("status failed");
    const uint64_t last = status->get().getStatus().getLastPosition();
    Progress("one subscription reading " + std::to_string(last) + " records");
    uint64_t seen = 0, bytes = 0;
    const auto begin = Clock::now();
    auto followed = reader->Subscribe(0, flags.window, [&](api::wire::Record::Reader record) {
      ++seen;
      bytes += record.getPayload().size();
      return record.getPosition() < last;
    });
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    if (!followed) throw std::runtime_error("subscription failed: " + followed.error().message);
    report.Add("subscription_records", static_cast<double>(seen), "records",
               "the whole log from 0");
    report.Add("subscription_events_per_s", seen / seconds, "records/s",
               "window " + std::to_string(flags.window) + " credits");
    report.Add("subscription_payload_mb_per_s", bytes / seconds / 1e6, "MB/s", "event payloads");
  }
  report.Print(flags.json);
}

}  // namespace

void RegisterApiBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub =
      app.add_subcommand("api", "rosterd over TCP: durable commands, checks, a subscription");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--dir", flags->dir, "Where to create the temporary data directory");
  sub->add_option("--rosterd", flags->rosterd, "The server binary (default: beside roster-bench)");
  sub->add_option("--seconds", flags->seconds, "Duration of each load phase")
      ->check(CLI::PositiveNumber);
  sub->add_option("--connections", flags->connections, "Client connections (one thread each)")
      ->check(CLI::Range(1, 512));
  sub->add_option("--orgs-per-connection", flags->orgs_per_connection,
                  "Organizations per connection")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--records", flags->records, "Records in the log for the subscription phase");
  sub->add_option("--window", flags->window, "Subscription credits in flight");
  sub->add_option("--phases", flags->phases, "Comma-separated: commands, checks, subscription");
  sub->add_option("--keep-data", flags->keep_data,
                  "Keep the populated data directory here; a later run reuses its log (for "
                  "profiling one phase without writing the log again)");
  sub->add_option("--rounds", flags->rounds,
                  "Alternating rounds of checks and of the no-work server the --seconds are split "
                  "over")
      ->check(CLI::Range(1, 100));
  sub->add_option("--ceiling-threads", flags->ceiling_threads,
                  "Threads of the no-work stand-in server the checks are compared with")
      ->check(CLI::Range(1, 16));
  sub->add_option("--log", flags->log,
                  "rosterd's --log (a postgresql:// URI); needs --records 0. "
                  "tools/bench/pg_compare.sh runs it beside the embedded log and the peer");
  sub->add_option("--client-threads", flags->client_threads,
                  "Client threads multiplexing the connections of the asynchronous checks")
      ->check(CLI::Range(1, 64));
  sub->callback([flags] { Run(*flags); });
}

}  // namespace roster::tools::bench
