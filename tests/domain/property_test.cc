// Property test: random command sequences over several organizations
// never break the invariants of SPEC.md section 3, and folding the emitted events from scratch
// gives the state that decided them.
//
// Reproducible: the generator is a splitmix64 stream from one seed, printed at the start.
//   ROSTER_PROPERTY_SEED=<n>   replay a failing run
//   ROSTER_PROPERTY_STEPS=<n>  number of commands (default 30000, about a second in Release)
// A failure prints the seed, the step, and the last commands of the organization involved.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>

#include "domain/presets.h"
#include "domain/testing/describe.h"
#include "tests/domain/property_oracle.h"

namespace roster::domain {
namespace {

using namespace std::chrono_literals;
using property::Problems;

constexpr uint64_t kDefaultSeed = 20260101;
constexpr size_t kDefaultSteps = 30000;
constexpr int kUsers = 40;
constexpr int kProjects = 40;
constexpr int kAssets = 16;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {  // splitmix64: the same stream on every platform and standard library
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
  bool Percent(int p) { return Below(100) < static_cast<size_t>(p); }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

std::string Num(std::string prefix, size_t n) { return prefix.append(std::to_string(n)); }
std::string EmailOfUser(const UserId& u) { return u.value + "@example.com"; }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct OrgSim {
  OrgId id;
  std::string preset;
  bool doomed = false;  // the one org that DeleteOrganization is aimed at
  OrganizationState state;
  ActivityState activity;
  std::vector<Event> log;                      // the organization stream
  std::vector<Event> activity_log;             // the activity stream
  std::map<InvitationId, std::string> tokens;  // current token hash per invitation
  std::deque<std::string> trace;               // the last commands, for failure messages
};

// Picks commands and their arguments from what the organization looks like right now, so that
// a good share is accepted, with a steady stream of strangers, wrong tokens, unknown roles and
// bad input to exercise the rejections.
class Generator {
 public:
  Generator(Rng& rng, size_t steps) : rng_(rng), steps_(steps) {}

  UserId AnyUser() { return UserId(Num("u", rng_.Below(kUsers))); }

  std::vector<UserId> Members(const OrgSim& o) {
    std::vector<UserId> out;
    for (const auto& [u, m] : o.state.members) out.push_back(u);
    std::sort(out.begin(), out.end());  // hash order must not leak into the choice
    return out;
  }

  UserId Actor(const OrgSim& o) {
    const auto members = Members(o);
    std::vector<UserId> owners;
    for (const auto& [seq, u] : o.state.owners_by_join) owners.push_back(u);
    const size_t roll = rng_.Below(100);
    if (roll < 25 && !owners.empty()) return rng_.Pick(owners);
    if (roll < 75 && !members.empty()) return rng_.Pick(members);
    if (roll < 77) return UserId("");
    return AnyUser();
  }

  UserId Target(const OrgSim& o) {
    const auto members = Members(o);
    if (rng_.Percent(75) && !members.empty()) return rng_.Pick(members);
    return AnyUser();
  }

  std::string RoleName(const OrgSim& o) {
    const auto& roles = o.state.catalog.roles();
    const size_t roll = rng_.Below(100);
    if (roll < 3 || roles.empty()) return "Ghost";
    const std::string& name = roles[rng_.Below(roles.size())].name;
    if (roll < 8) return Upper(name);
    if (roll < 12) return LowerAscii(name);
    return name;
  }

  std::string ProjectRoleName(const OrgSim& o, bool allow_empty = false) {
    const auto& roles = o.state.catalog.project_roles();
    if (allow_empty && rng_.Percent(30)) return "";
    if (rng_.Percent(3)) return "Overlord";
    const std::string& name = roles[rng_.Below(roles.size())].name;
    return rng_.Percent(5) ? Upper(name) : name;
  }

  PermissionSet Permissions(const OrgSim& o, const UserId& actor) {
    // Half the time a subset of the actor's own (likely accepted), otherwise anything.
    PermissionSet base = PermissionSet::All();
    if (rng_.Percent(50)) {
      if (const Role* r = o.state.RoleOf(actor)) base = r->permissions;
    }
    PermissionSet out;
    for (Permission p : base.List()) {
      if (rng_.Percent(35)) out = out.Union({p});
    }
    return out;
  }

  std::string Email() {
    const UserId u = AnyUser();
    const size_t roll = rng_.Below(100);
    if (roll < 3) return u.value + "@example";  // invalid
    if (roll < 8) return Upper(EmailOfUser(u));
    if (roll < 12) return "  " + EmailOfUser(u) + "\t";
    return EmailOfUser(u);
  }

  // Mostly a live project; ids are never reused, so fresh ones keep coming from a wider range.
  ProjectId SomeProject(const OrgSim& o) {
    std::vector<ProjectId> live;
    for (const auto& [id, p] : o.state.projects) {
      if (!p.deleted) live.push_back(id);
    }
    std::sort(live.begin(), live.end());
    if (!live.empty() && rng_.Percent(85)) return rng_.Pick(live);
    return ProjectId(Num("p", rng_.Below(kProjects)));
  }
  ProjectId MaybeProject(const OrgSim& o) {
    return rng_.Percent(50) ? ProjectId() : SomeProject(o);
  }

  // Mostly someone directly in the project.
  UserId ProjectTarget(const OrgSim& o, const ProjectId& project) {
    std::vector<UserId> direct;
    if (const Project* p = o.state.FindProject(project)) {
      for (const auto& [u, role] : p->direct_members) direct.push_back(u);
    }
    std::sort(direct.begin(), direct.end());
    if (!direct.empty() && rng_.Percent(75)) return rng_.Pick(direct);
    return Target(o);
  }

  InvitationId Invitation(const OrgSim& o, bool prefer_pending) {
    std::vector<InvitationId> pending;
    for (const auto& [email, id] : o.state.pending_by_email) pending.push_back(id);
    std::sort(pending.begin(), pending.end());
    if (prefer_pending && !pending.empty() && rng_.Percent(85)) return rng_.Pick(pending);
    if (rng_.Percent(10) || o.state.invitations_created == 0) return InvitationId("i999999");
    return InvitationId(Num("i", 1 + rng_.Below(o.state.invitations_created)));
  }

  std::string NewToken() { return Num("tok-", ++tokens_); }

  // An organization command, and who sends it.
  std::pair<UserId, Command> Next(const OrgSim& o, size_t step) {
    struct Choice {
      int weight;
      int kind;
    };
    const bool may_delete = o.doomed && step > steps_ / 2;
    const std::array<Choice, 27> table = {{
        {1, 0},  {1, 1},  {1, 2},  {may_delete ? 1 : 0, 3},
        {14, 4}, {3, 5},  {3, 6},  {14, 7},
        {2, 8},  {8, 9},  {4, 10}, {2, 11},
        {2, 12}, {2, 13}, {2, 14}, {1, 15},
        {3, 16}, {1, 17}, {1, 18}, {6, 19},
        {3, 20}, {3, 21}, {3, 22}, {1, 23},
        {3, 24}, {1, 25}, {1, 26},
    }};
    int total = 0;
    for (const Choice& c : table) total += c.weight;
    int roll = static_cast<int>(rng_.Below(static_cast<size_t>(total)));
    int kind = 0;
    for (const Choice& c : table) {
      if (roll < c.weight) {
        kind = c.kind;
        break;
      }
      roll -= c.weight;
    }
    UserId actor = Actor(o);
    switch (kind) {
      case 0:
        return {UserId("service"), CreateOrganization{.org_id = o.id,
                                                      .name = "Again",
                                                      .preset = o.preset,
                                                      .owner = AnyUser(),
                                                      .owner_email = "x@example.com",
                                                      .owner_display_name = "",
                                                      .invitation_ttl_days = {},
                                                      .max_pending_invitations = {}}};
      case 1:
        return {actor, RenameOrganization{rng_.Percent(10) ? "" : Num("Org ", rng_.Below(5))}};
      case 2: {
        static const std::array<int32_t, 6> kTtl = {7, 1, 3, 30, 31, 0};
        static const std::array<int32_t, 6> kCap = {50, 1, 2, 5, 10, 0};
        ChangeSettings c;
        if (rng_.Percent(60)) c.invitation_ttl_days = kTtl[rng_.Below(kTtl.size())];
        if (rng_.Percent(60)) c.max_pending_invitations = kCap[rng_.Below(kCap.size())];
        return {actor, c};
      }
      case 3:
        return {actor, DeleteOrganization{}};
      case 4:
        return {actor, InviteMember{.email = Email(),
                                    .display_name = rng_.Percent(30) ? "Someone" : "",
                                    .role = RoleName(o),
                                    .token_hash = rng_.Percent(2) ? "" : NewToken()}};
      case 5:
        return {actor, ResendInvitation{Invitation(o, true), NewToken()}};
      case 6:
        return {actor, RevokeInvitation{Invitation(o, true)}};
      case 7: {
        const InvitationId id = Invitation(o, true);
        auto it = o.state.invitations.find(id);
        UserId invitee = AnyUser();
        std::string email = EmailOfUser(invitee);
        if (it != o.state.invitations.end()) {
          const std::string& addr = it->second.email.value();
          if (rng_.Percent(90)) {
            invitee = UserId(addr.substr(0, addr.find('@')));
            email = rng_.Percent(10) ? Upper(addr) : addr;
          }
        }
        auto tok = o.tokens.find(id);
        std::string token = tok != o.tokens.end() && rng_.Percent(88) ? tok->second : "bad";
        return {invitee, AcceptInvitation{id, token, email, rng_.Percent(20) ? "New Name" : ""}};
      }
      case 8:
        return {UserId(Num("sweeper-", step)), ExpireInvitations{}};
      case 9:
        return {actor, ChangeRole{Target(o), RoleName(o)}};
      case 10:
        return {actor, RemoveMember{Target(o)}};
      case 11:
        return {actor, LeaveOrganization{}};
      case 12: {
        std::vector<UserId> owners;
        for (const auto& [seq, u] : o.state.owners_by_join) owners.push_back(u);
        if (!owners.empty() && rng_.Percent(60)) actor = rng_.Pick(owners);
        return {actor, TransferOwnership{Target(o), rng_.Percent(50) ? "" : RoleName(o)}};
      }
      case 13:
        return {actor, DefineRole{Num("Custom", rng_.Below(4)), Permissions(o, actor),
                                  ProjectRoleName(o, true)}};
      case 14: {
        const std::string name = rng_.Percent(50) ? Num("custom", rng_.Below(4)) : RoleName(o);
        return {actor, UpdateRole{name, Permissions(o, actor), ProjectRoleName(o, true)}};
      }
      case 15:
        return {actor, DeleteRole{rng_.Percent(60) ? Num("Custom", rng_.Below(4)) : RoleName(o)}};
      case 16:
        return {actor, CreateProject{ProjectId(Num("p", rng_.Below(kProjects))), "Project"}};
      case 17:
        return {actor, RenameProject{SomeProject(o), Num("Renamed ", rng_.Below(3))}};
      case 18:
        return {actor, DeleteProject{SomeProject(o)}};
      case 19:
        return {actor, AddProjectMember{SomeProject(o), rng_.Percent(30) ? AnyUser() : Target(o),
                                        ProjectRoleName(o)}};
      case 20: {
        const ProjectId p = SomeProject(o);
        return {actor, ChangeProjectMemberRole{p, ProjectTarget(o, p), ProjectRoleName(o)}};
      }
      case 21: {
        const ProjectId p = SomeProject(o);
        const UserId target = ProjectTarget(o, p);
        return {rng_.Percent(20) ? target : actor, RemoveProjectMember{p, target}};
      }
      case 22:
        return {actor,
                CreateApiKey{ApiKeyId(Num("k", rng_.Below(kAssets))), "Key", MaybeProject(o)}};
      case 23:
        return {actor, RevokeApiKey{ApiKeyId(Num("k", rng_.Below(kAssets)))}};
      case 24:
        return {actor, RegisterResource{ResourceId(Num("r", rng_.Below(kAssets))), "agent", "Bot",
                                        rng_.Percent(30) ? Target(o) : UserId(), MaybeProject(o)}};
      case 25:
        return {actor, ReassignResource{ResourceId(Num("r", rng_.Below(kAssets))), Target(o)}};
      default:
        return {actor, DeleteResource{ResourceId(Num("r", rng_.Below(kAssets)))}};
    }
  }

  std::pair<UserId, ActivityCommand> NextActivity(const OrgSim& o) {
    const UserId actor = rng_.Percent(80) ? Actor(o) : UserId(Num("u", rng_.Below(kUsers)));
    if (rng_.Percent(40)) {
      return {actor, RecordLogin{rng_.Percent(3) ? "10.0.0.1\n" : "10.0.0.1", "Browser"}};
    }
    return {actor, RecordActivity{}};
  }

 private:
  Rng& rng_;
  size_t steps_;
  size_t tokens_ = 0;
};

struct Counts {
  std::map<std::string_view, size_t> accepted, rejected;
  std::map<std::string_view, std::map<std::string_view, size_t>> codes;  // per command
  size_t events = 0;
};

class PropertyTest : public ::testing::Test {
 protected:
  // Reports problems with everything needed to replay; returns false when there were any.
  bool Report(const Problems& problems, const OrgSim& o, size_t step, const std::string& what) {
    if (problems.empty()) return true;
    std::string msg = "seed " + std::to_string(seed_) + ", step " + std::to_string(step) +
                      ", org " + o.id.value + " (" + o.preset + "): " + what + "\n";
    for (const std::string& p : problems) msg += "  PROBLEM: " + p + "\n";
    msg += "last commands of this org:\n";
    for (const std::string& t : o.trace) msg += "  " + t + "\n";
    msg += "replay with ROSTER_PROPERTY_SEED=" + std::to_string(seed_) +
           " ROSTER_PROPERTY_STEPS=" + std::to_string(steps_);
    ADD_FAILURE() << msg;
    return false;
  }

  void Trace(OrgSim& o, std::string line) {
    o.trace.push_back(std::move(line));
    if (o.trace.size() > 25) o.trace.pop_front();
  }

  // Folding the whole stream from scratch gives the state that decided it.
  bool CheckReplay(const OrgSim& o, size_t step) {
    OrganizationState replayed;
    for (const Event& e : o.log) Apply(replayed, e);
    ActivityState activity;
    for (const Event& e : o.activity_log) ApplyActivity(activity, e);
    Problems p;
    if (!(replayed == o.state)) p.push_back("state rebuilt from the log differs");
    if (!(activity == o.activity)) p.push_back("activity rebuilt from its log differs");
    return Report(p, o, step, "replay of " + std::to_string(o.log.size()) + " events");
  }

  uint64_t seed_ = EnvOr("ROSTER_PROPERTY_SEED", kDefaultSeed);
  size_t steps_ = static_cast<size_t>(EnvOr("ROSTER_PROPERTY_STEPS", kDefaultSteps));
};

TEST_F(PropertyTest, RandomCommandsKeepTheInvariantsAndReplayToTheSameState) {
  std::cout << "[ property ] seed " << seed_ << ", " << steps_
            << " commands (override with ROSTER_PROPERTY_SEED / ROSTER_PROPERTY_STEPS)"
            << std::endl;
  const auto started = std::chrono::steady_clock::now();
  Rng rng(seed_);
  Generator gen(rng, steps_);
  Counts counts;

  // One organization per preset, plus a second commerce org that will be deleted half-way.
  std::vector<OrgSim> orgs;
  for (std::string_view preset : PresetNames()) {
    orgs.push_back(
        OrgSim{.id = OrgId("org-" + std::string(preset)), .preset = std::string(preset)});
  }
  orgs.push_back(OrgSim{.id = OrgId("org-doomed"), .preset = "commerce", .doomed = true});

  Time now = FromMicros(1'767'225'600'000'000);
  const size_t checkpoint = std::max<size_t>(steps_ / 8, 1);
  for (size_t step = 0; step < steps_; ++step) {
    // Time mostly moves by seconds or minutes (a week is a few hundred commands, so most
    // invitations are accepted in time), sometimes by days (expiry), rarely backwards.
    const size_t t = rng.Below(1000);
    if (t < 850) {
      now += std::chrono::seconds(rng.Below(120));
    } else if (t < 990) {
      now += std::chrono::minutes(10 + rng.Below(80));
    } else if (t < 999) {
      now += Days(1 + static_cast<int64_t>(rng.Below(8)));
    }
    const Time decided_at = t == 999 ? now - std::chrono::hours(3) : now;

    OrgSim& o = orgs[rng.Below(orgs.size())];
    if (o.state.status == OrgStatus::kNone) {
      // The trusted service principal creates it; the first owner is one of the users.
      const UserId owner = gen.AnyUser();
      const Command create = CreateOrganization{.org_id = o.id,
                                                .name = "Org",
                                                .preset = o.preset,
                                                .owner = owner,
                                                .owner_email = EmailOfUser(owner),
                                                .owner_display_name = "Founder",
                                                .invitation_ttl_days = {},
                                                .max_pending_invitations = {}};
      Decision d = Decide(o.state, UserId("service"), create, decided_at);
      ASSERT_TRUE(d.has_value()) << Describe(d.error());
      for (const Event& e : *d) Apply(o.state, e);
      o.log.insert(o.log.end(), d->begin(), d->end());
      ++counts.accepted[CommandName(create)];
      continue;
    }

    if (rng.Percent(12)) {  // the activity stream
      auto [actor, command] = gen.NextActivity(o);
      const ActivityState before = o.activity;
      const OrganizationState org_before = o.state;
      Decision d = DecideActivity(o.state, o.activity, actor, command, decided_at);
      const std::string name(CommandName(command));
      Trace(o, name + " by '" + actor.value + "': " + (d ? Describe(*d) : Describe(d.error())));
      Problems p =
          property::CheckActivityDecision(o.state, o.activity, actor, command, decided_at, d);
      if (!(o.activity == before) || !(o.state == org_before)) {
        p.push_back("DecideActivity changed its inputs");
      }
      if (!Report(p, o, step, name)) return;
      if (d) {
        ++counts.accepted[CommandName(command)];
        for (const Event& e : *d) ApplyActivity(o.activity, e);
        o.activity_log.insert(o.activity_log.end(), d->begin(), d->end());
      } else {
        ++counts.rejected[CommandName(command)];
        ++counts.codes[CommandName(command)][ErrorCodeName(d.error().code)];
      }
      continue;
    }

    auto [actor, command] = gen.Next(o, step);
    const std::string name(CommandName(command));
    const OrganizationState before = o.state;
    const Decision d = Decide(o.state, actor, command, decided_at);
    Trace(o, name + " by '" + actor.value + "' at " + std::to_string(ToMicros(decided_at)) + ": " +
                 (d ? "\n" + Describe(*d) : Describe(d.error())));
    Problems p;
    if (!(o.state == before)) p.push_back("Decide changed the state it was given");
    if (!(Decide(o.state, actor, command, decided_at) == d)) {
      p.push_back("Decide gave two different answers to the same question");
    }
    if (!d) {
      ++counts.rejected[CommandName(command)];
      ++counts.codes[CommandName(command)][ErrorCodeName(d.error().code)];
      if (d.error().message.empty()) p.push_back("a rejection without a sentence");
      if (ErrorCodeName(d.error().code) == "UNKNOWN") p.push_back("a rejection without a code");
      if (before.status == OrgStatus::kDeleted && d.error().code != ErrorCode::kOrgDeleted) {
        p.push_back("a deleted org answered " + std::string(ErrorCodeName(d.error().code)));
      }
      if (!Report(p, o, step, name + " (rejected)")) return;
      continue;
    }
    ++counts.accepted[CommandName(command)];
    counts.events += d->size();
    for (const std::string& s :
         property::CheckAcceptedDecision(before, actor, command, decided_at, *d)) {
      p.push_back(s);
    }
    for (const Event& e : *d) Apply(o.state, e);
    o.log.insert(o.log.end(), d->begin(), d->end());
    for (const Event& e : *d) {
      if (const auto* inv = std::get_if<InvitationSent>(&e))
        o.tokens[inv->invitation_id] = inv->token_hash;
      if (const auto* res = std::get_if<InvitationResent>(&e))
        o.tokens[res->invitation_id] = res->token_hash;
    }
    if (!std::holds_alternative<AcceptInvitation>(command)) {
      for (const std::string& s : property::CheckNoGainBeyondActor(before, o.state, actor)) {
        p.push_back(s);
      }
    }
    for (const std::string& s : property::CheckState(o.state)) p.push_back(s);
    for (const Event& e : *d) {
      UserId gone;
      if (const auto* r = std::get_if<MemberRemoved>(&e)) gone = r->user_id;
      if (const auto* l = std::get_if<MemberLeft>(&e)) gone = l->user_id;
      if (gone.empty()) continue;
      for (const std::string& s : property::CheckGone(o.state, gone, decided_at)) p.push_back(s);
    }
    if (!Report(p, o, step, name)) return;

    if ((step + 1) % checkpoint == 0) {
      for (const OrgSim& each : orgs) {
        if (!CheckReplay(each, step)) return;
      }
    }
  }
  for (const OrgSim& o : orgs) {
    if (!CheckReplay(o, steps_)) return;
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ property ] " << steps_ << " commands, " << counts.events << " events in "
            << seconds << " s; accepted/rejected per command:" << std::endl;
  for (const auto& [name, n] : counts.accepted) {
    std::cout << "[ property ]   " << name << " " << n << "/" << counts.rejected[name] << " (";
    for (const auto& [code, k] : counts.codes[name]) std::cout << " " << code << ":" << k;
    std::cout << " )" << std::endl;
  }
  for (const OrgSim& o : orgs) {
    std::cout << "[ property ]   " << o.id.value << ": " << o.state.members.size() << " members, "
              << o.state.invitations.size() << " invitations, " << o.log.size() << " events"
              << (o.state.status == OrgStatus::kDeleted ? ", deleted" : "") << std::endl;
  }
  // With the default length, every command type must have been both accepted and rejected,
  // or the generator is not exercising what it claims to.
  if (steps_ >= kDefaultSteps) {
    std::vector<std::string_view> all_names = {
        "CreateOrganization",  "RenameOrganization", "ChangeSettings",
        "DeleteOrganization",  "InviteMember",       "ResendInvitation",
        "RevokeInvitation",    "AcceptInvitation",   "ExpireInvitations",
        "ChangeRole",          "RemoveMember",       "LeaveOrganization",
        "TransferOwnership",   "DefineRole",         "UpdateRole",
        "DeleteRole",          "CreateProject",      "RenameProject",
        "DeleteProject",       "AddProjectMember",   "ChangeProjectMemberRole",
        "RemoveProjectMember", "CreateApiKey",       "RevokeApiKey",
        "RegisterResource",    "ReassignResource",   "DeleteResource",
        "RecordLogin",         "RecordActivity"};
    for (std::string_view n : all_names) {
      EXPECT_GT(counts.accepted[n], 0u) << n << " was never accepted";
      EXPECT_GT(counts.rejected[n], 0u) << n << " was never rejected";
    }
  }
}

}  // namespace
}  // namespace roster::domain
