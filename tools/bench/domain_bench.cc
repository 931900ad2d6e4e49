// roster-bench domain: the pure domain on one core. How fast the Organization aggregate folds a
// realistic event mix, how long deciding ChangeRole takes on an organization with 10,000
// members and 1,000 pending invitations, and how fast the codec decodes stored events.
#include <algorithm>
#include <random>

#include "domain/decide.h"
#include "eventstore/codec/codec.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {
namespace {

using namespace domain;
using Clock = std::chrono::steady_clock;

struct Flags {
  bool json = false;
  size_t orgs = 2000;
  size_t members_per_org = 60;
  int rounds = 5;
};

// Decides `c` on `s` and applies the events; the benchmark's fixtures must be valid.
void Run(OrganizationState& s, std::vector<Event>* log, const std::string& actor, Command c,
         Time now) {
  auto events = Decide(s, UserId(actor), c, now);
  if (!events) throw std::runtime_error("fixture command rejected: " + events.error().message);
  for (Event& e : *events) {
    Apply(s, e);
    if (log) log->push_back(std::move(e));
  }
}

Time Start() { return FromMicros(1'767'225'600'000'000); }

// A realistic life of one organization: members invited and accepting, role changes, projects
// with direct and project-only members, keys, resources, some removals and departures.
std::vector<Event> OrganizationLife(size_t index, size_t members, std::mt19937_64& rng) {
  std::vector<Event> log;
  OrganizationState s;
  const std::string org = "org" + std::to_string(index);
  Time now = Start();
  Run(s, &log, "owner",
      CreateOrganization{
          OrgId(org), "Org", "platform", UserId("owner"), "owner@" + org + ".test", "", {}, {}},
      now);
  const std::vector<std::string> roles = {"Admin", "Developer", "Billing", "Viewer"};
  Run(s, &log, "owner", CreateProject{ProjectId("p1"), "One"}, now);
  Run(s, &log, "owner", CreateProject{ProjectId("p2"), "Two"}, now);
  for (size_t i = 0; i < members; ++i) {
    const std::string user = "u" + std::to_string(i);
    const std::string email = user + "@" + org + ".test";
    now += std::chrono::minutes(5);
    Run(s, &log, "owner", InviteMember{email, "", roles[rng() % roles.size()], "h" + user}, now);
    const InvitationId id("i" + std::to_string(s.invitations_created));
    if (rng() % 10 == 0) {
      Run(s, &log, "owner", RevokeInvitation{id}, now);
      continue;
    }
    if (rng() % 8 == 0) Run(s, &log, "owner", ResendInvitation{id, "r" + user}, now);
    const std::string hash = s.invitations.at(id).token_hash;
    Run(s, &log, user, AcceptInvitation{id, hash, email, ""}, now);
    if (rng() % 3 == 0)
      Run(s, &log, "owner", ChangeRole{UserId(user), roles[rng() % roles.size()]}, now);
    if (rng() % 4 == 0)
      Run(s, &log, "owner", AddProjectMember{ProjectId("p1"), UserId(user), "Editor"}, now);
    if (rng() % 6 == 0)
      Run(s, &log, "owner", AddProjectMember{ProjectId("p2"), UserId("client" + user), "Viewer"},
          now);
    if (rng() % 5 == 0) {
      Run(s, &log, "owner",
          RegisterResource{ResourceId("r" + user), "agent", "Agent", UserId(user), {}}, now);
    }
    if (rng() % 7 == 0) Run(s, &log, "owner", CreateApiKey{ApiKeyId("k" + user), "Key", {}}, now);
    const UserId earlier("u" + std::to_string(i >= 5 ? i - 5 : 0));
    if (i >= 5 && rng() % 12 == 0 && s.members.contains(earlier)) {
      Run(s, &log, "owner", RemoveMember{earlier}, now);
    }
  }
  return log;
}

double Rate(size_t n, Clock::duration d) { return n / std::chrono::duration<double>(d).count(); }

void RunBench(const Flags& flags) {
  Report report("domain");
  std::mt19937_64 rng(7);
  Progress("domain: generating the lives of " + std::to_string(flags.orgs) + " organizations");
  std::vector<std::vector<Event>> lives;
  size_t total = 0;
  for (size_t o = 0; o < flags.orgs; ++o) {
    lives.push_back(OrganizationLife(o, flags.members_per_org, rng));
    total += lives.back().size();
  }

  Progress("domain: folding " + std::to_string(total) + " events");
  double apply_rate = 0;
  for (int r = 0; r < flags.rounds; ++r) {
    // States are destroyed after the clock stops: the fold is what is measured.
    std::vector<OrganizationState> states(lives.size());
    const auto begin = Clock::now();
    for (size_t o = 0; o < lives.size(); ++o) {
      for (const Event& e : lives[o]) Apply(states[o], e);
    }
    apply_rate = std::max(apply_rate, Rate(total, Clock::now() - begin));
    size_t members = 0;
    for (const auto& s : states) members += s.members.size();
    if (members == 0) throw std::runtime_error("fold produced no members");
  }

  Progress("domain: encoding and decoding the same events");
  eventstore::codec::EventCodec codec;
  std::vector<eventstore::NewEvent> encoded;
  encoded.reserve(total);
  const auto encode_begin = Clock::now();
  for (const auto& life : lives) {
    for (const Event& e : life) encoded.push_back(codec.Encode(e));
  }
  const double encode_rate = Rate(total, Clock::now() - encode_begin);
  double decode_rate = 0;
  for (int r = 0; r < flags.rounds; ++r) {
    const auto begin = Clock::now();
    size_t ok = 0;
    for (const auto& e : encoded) ok += codec.Decode(e.type, e.revision, e.payload).has_value();
    decode_rate = std::max(decode_rate, Rate(total, Clock::now() - begin));
    if (ok != total) throw std::runtime_error("decode failed");
  }

  Progress("domain: an organization with 10,000 members and 1,000 pending invitations");
  OrganizationState big;
  Time now = Start();
  Run(big, nullptr, "owner",
      CreateOrganization{
          OrgId("big"), "Big", "commerce", UserId("owner"), "owner@big.test", "", {}, {}},
      now);
  Run(big, nullptr, "owner", ChangeSettings{30, 10000}, now);
  for (int i = 0; i < 11000; ++i) {
    const std::string user = "u" + std::to_string(i);
    Run(big, nullptr, "owner",
        InviteMember{user + "@big.test", "", i % 2 ? "Editor" : "Billing", "h"}, now);
    if (i < 10000) {
      Run(big, nullptr, user,
          AcceptInvitation{InvitationId("i" + std::to_string(big.invitations_created)), "h",
                           user + "@big.test", ""},
          now);
    }
  }
  std::vector<double> samples;
  const int kSamples = 20000;
  samples.reserve(kSamples);
  size_t produced = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Command c =
        ChangeRole{UserId("u" + std::to_string(rng() % 10000)), i % 2 ? "Manager" : "Editor"};
    const auto begin = Clock::now();
    auto decision = Decide(big, UserId("owner"), c, now);
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
    produced += decision.has_value();
  }
  if (produced != static_cast<size_t>(kSamples)) throw std::runtime_error("ChangeRole rejected");
  std::sort(samples.begin(), samples.end());

  report.Add("events", static_cast<double>(total), "events", "a realistic mix, one core");
  report.Add("apply_events_per_s", apply_rate, "events/s", "fold into fresh states, target >= 2M");
  report.Add("encode_events_per_s", encode_rate, "events/s", "Cap'n Proto payloads");
  report.Add("decode_events_per_s", decode_rate, "events/s", "payloads back to domain events");
  report.Add("decide_us_10k_members", samples[samples.size() / 2], "us",
             "median ChangeRole on 10,000 members + 1,000 pending, target < 20");
  report.Add("decide_p99_us_10k_members", samples[samples.size() * 99 / 100], "us", "its p99");
  report.Add("big_org_members", static_cast<double>(big.members.size()), "members");
  report.Add("big_org_pending", static_cast<double>(big.LivePendingCount(now)), "invitations");
  report.Print(flags.json);
}

}  // namespace

void RegisterDomainBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub =
      app.add_subcommand("domain", "Aggregate fold, decision and codec speed on one core");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--orgs", flags->orgs, "Organizations in the event mix");
  sub->add_option("--members", flags->members_per_org, "Members invited per organization");
  sub->add_option("--rounds", flags->rounds, "Timed passes (best is reported)");
  sub->callback([flags] { RunBench(*flags); });
}

}  // namespace roster::tools::bench
