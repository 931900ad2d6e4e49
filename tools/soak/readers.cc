#include "tools/soak/readers.h"

#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "domain/permission.h"
#include "tools/soak/pacer.h"

namespace roster::tools::soak {
namespace {

using api::wire::Request;
using api::wire::Response;

template <class T>
const T& Pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

// One reader thread's loop: pace, pick an organization, ask, judge the answer.
void Loop(const ReaderShared& shared, Worker& worker, const std::atomic<bool>& stop,
          std::mt19937_64& rng,
          const std::function<bool(api::client::Client&, const OrgView&)>& ask) {
  Pacer pacer(shared.requests_per_second);
  std::unique_ptr<api::client::Client> client;
  while (!stop) {
    pacer.Wait(stop);
    if (stop) return;
    std::optional<OrgView> org;
    for (int i = 0; i < 10 && !org; ++i) org = shared.directory.Pick(rng);
    if (!org) {  // the writers have not created anything yet
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (!client) {
      client = ConnectWhenUp(shared.server, shared.setup, worker.name, [&] { return stop.load(); });
      if (!client) return;
    }
    if (ask(*client, *org)) {
      worker.Completed();
    } else {
      client.reset();  // the connection broke (a kill): the next request reconnects
    }
  }
}

// Judges an answered query; false when the connection broke.
bool Judge(const ReaderShared& shared, const Worker& worker,
           const std::expected<api::client::Reply, api::client::ClientError>& reply,
           Response::Which expected, const std::string& what) {
  if (!reply) {
    if (reply.error().code == "TIMEOUT" && shared.server.Get().up) {
      shared.failures.Add(worker.name + ": no answer to " + what + " within the client's timeout");
    }
    return false;
  }
  auto response = reply->get();
  if (response.which() == expected) return true;
  if (response.isError()) {
    const std::string code = response.getError().getCode().cStr();
    if (code == "PERMISSION_DENIED" || code == "NOT_FOUND" || code == "ORG_DELETED") {
      shared.counters.queries_refused++;
      return true;
    }
    shared.failures.Add(worker.name + ": " + what + " answered " + code + " " +
                        response.getError().getMessage().cStr());
    return true;
  }
  shared.failures.Add(worker.name + ": " + what + " answered with another kind of response");
  return true;
}

}  // namespace

void RunChecker(const ReaderShared& shared, Worker& worker, uint64_t seed,
                const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  const auto permissions = domain::AllPermissions();
  Loop(shared, worker, stop, rng, [&](api::client::Client& client, const OrgView& org) {
    const std::string user =
        std::bernoulli_distribution(0.85)(rng) ? Pick(org.members, rng) : org.org + "-nobody";
    const std::string permission(domain::PermissionName(
        permissions[std::uniform_int_distribution<size_t>(0, permissions.size() - 1)(rng)]));
    const std::string project = !org.projects.empty() && std::bernoulli_distribution(0.3)(rng)
                                    ? Pick(org.projects, rng)
                                    : "";
    auto reply = client.Call([&](Request::Builder r) {
      auto check = r.initQuery().initCheck();
      check.setOrg(org.org);
      check.setUser(user);
      check.setPermission(permission);
      check.setProjectId(project);
    });
    const bool answered = Judge(shared, worker, reply, Response::CHECK, "check in " + org.org);
    if (answered) shared.counters.checks++;
    return answered;
  });
}

void RunQuerier(const ReaderShared& shared, Worker& worker, uint64_t seed,
                const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  Loop(shared, worker, stop, rng, [&](api::client::Client& client, const OrgView& org) {
    const uint64_t token = std::bernoulli_distribution(0.5)(rng) ? org.last_position : 0;
    const std::string member = Pick(org.members, rng);
    const std::string viewer = std::bernoulli_distribution(0.5)(rng) ? member : "";
    Response::Which expected = Response::STATUS;
    std::string what;
    auto reply = client.Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(token);
      switch (std::uniform_int_distribution<int>(0, 7)(rng)) {
        case 0: {
          auto m = q.initListMembers();
          m.setOrg(org.org);
          m.setViewer(viewer);
          m.setIncludeFormer(std::bernoulli_distribution(0.5)(rng));
          m.setLimit(50);
          expected = Response::MEMBERS;
          what = "listMembers";
          break;
        }
        case 1: {
          auto i = q.initListInvitations();
          i.setOrg(org.org);
          i.setViewer(viewer);
          i.setStatus(static_cast<api::wire::InvitationStatus>(
              std::uniform_int_distribution<int>(0, 4)(rng)));
          i.setLimit(50);
          expected = Response::INVITATIONS;
          what = "listInvitations";
          break;
        }
        case 2: {
          auto a = q.initActivity();
          a.setOrg(org.org);
          a.setNewestFirst(true);
          a.setLimit(20);
          if (std::bernoulli_distribution(0.3)(rng)) a.setSubject(member);
          expected = Response::ACTIVITY;
          what = "activity";
          break;
        }
        case 3:
          q.setOrganizationsOf(member);
          expected = Response::ORGANIZATIONS;
          what = "organizationsOf";
          break;
        case 4: {
          auto u = q.initUserAccess();
          u.setOrg(org.org);
          u.setUser(member);
          u.setViewer(member);
          expected = Response::USER_ACCESS;
          what = "userAccess";
          break;
        }
        case 5: {
          auto l = q.initLogins();
          l.setOrg(org.org);
          l.setLimit(20);
          expected = Response::LOGINS;
          what = "logins";
          break;
        }
        case 6:
          if (!org.projects.empty()) {
            auto p = q.initProjectAccess();
            p.setOrg(org.org);
            p.setProjectId(Pick(org.projects, rng));
            expected = Response::PROJECT_ACCESS;
            what = "projectAccess";
            break;
          }
          [[fallthrough]];
        default:
          q.setStatus();
          expected = Response::STATUS;
          what = "status";
      }
    });
    const bool answered = Judge(shared, worker, reply, expected,
                                what + " of " + org.org + " (token " + std::to_string(token) + ")");
    if (answered) shared.counters.queries++;
    return answered;
  });
}

}  // namespace roster::tools::soak
