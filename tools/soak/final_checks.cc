#include "tools/soak/final_checks.h"

#include <capnp/message.h>

#include <algorithm>
#include <functional>
#include <thread>

namespace roster::tools::soak {
namespace {

using api::wire::Request;
using api::wire::Response;

constexpr size_t kBatch = 5000;
constexpr size_t kShortText = 4000;

uint64_t Fnv(std::string_view bytes, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A response as text, without its request id: answers to the same question compare equal.
std::string Text(const api::client::Reply& reply) {
  capnp::MallocMessageBuilder copy;
  copy.setRoot(reply.get());
  auto root = copy.getRoot<Response>();
  root.setId(0);
  return root.asReader().toString().flatten().cStr();
}

// The command id of the record at `position`, for failure messages.
std::string CommandIdAt(api::client::Client& client, uint64_t position) {
  std::string id = "?";
  (void)client.Subscribe(position - 1, 1, [&](api::wire::Record::Reader r) {
    id = r.getCommandId().cStr();
    return false;
  });
  return id;
}

struct Run {
  uint64_t hash;
  uint64_t first;
  uint64_t last;
};

}  // namespace

uint64_t LastPosition(api::client::Client& client) {
  auto status = client.Call([](Request::Builder r) { r.initQuery().setStatus(); });
  if (!status || !status->get().isStatus()) return 0;
  return status->get().getStatus().getLastPosition();
}

RetryOutcome RetryEveryAcknowledged(const std::vector<const AckLog*>& logs,
                                    const ServerState& server, const ClientSetup& setup,
                                    Failures& failures, int connections) {
  std::atomic<size_t> retried{0};
  std::atomic<size_t> lost{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<api::client::Client> client;
      for (size_t l = static_cast<size_t>(t); l < logs.size();
           l += static_cast<size_t>(connections)) {
        size_t done = 0;
        const size_t size = logs[l]->size();
        int broken = 0;  // connections lost in a row
        while (done < size && broken < 5) {
          if (!client) {
            client =
                ConnectWhenUp(server, setup, "soak-final-retry", [&] { return !server.Get().up; });
            if (!client) break;
          }
          const auto batch = logs[l]->Read(done, kBatch);
          const RetryOutcome out = RetryAcknowledged(*client, batch, failures);
          done += out.answered;
          retried += out.answered;
          lost += out.lost;
          broken = out.answered < batch.size() ? broken + 1 : 0;
          if (out.answered < batch.size()) client.reset();
        }
        if (done < size) {
          failures.Add("the final retry could not reach rosterd: " + std::to_string(size - done) +
                       " acknowledged commands not retried");
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return RetryOutcome{retried, lost};
}

LogScan ScanLog(api::client::Client& client, uint64_t last, const std::vector<const AckLog*>& logs,
                Failures& failures) {
  LogScan scan;
  if (last == 0) return scan;
  std::vector<Run> runs;
  uint64_t expected = 1;
  bool ordered = true;
  auto followed = client.Subscribe(0, 10000, [&](api::wire::Record::Reader r) {
    const uint64_t position = r.getPosition();
    if (position != expected) ordered = false;
    expected = position + 1;
    scan.records++;
    const auto id = r.getCommandId();
    if (id.size() > 0) {
      const uint64_t h = Fnv(std::string_view(id.cStr(), id.size()));
      if (!runs.empty() && runs.back().hash == h && runs.back().last + 1 == position) {
        runs.back().last = position;
      } else {
        runs.push_back(Run{h, position, position});
      }
    }
    return position < last;
  });
  if (!followed || scan.records != last || !ordered) {
    failures.Add("reading the log through a subscription got " + std::to_string(scan.records) +
                 " records in order: " + (ordered ? "yes" : "no") + ", of " + std::to_string(last) +
                 (followed ? std::string() : "; it ended with " + followed.error().message));
    return scan;
  }
  scan.commands = runs.size();

  // No command id in two runs.
  std::vector<size_t> by_hash(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) by_hash[i] = i;
  std::sort(by_hash.begin(), by_hash.end(), [&](size_t a, size_t b) {
    return runs[a].hash != runs[b].hash ? runs[a].hash < runs[b].hash : a < b;
  });
  for (size_t i = 1; i < by_hash.size(); ++i) {
    const Run& a = runs[by_hash[i - 1]];
    const Run& b = runs[by_hash[i]];
    if (a.hash != b.hash) continue;
    const std::string id_a = CommandIdAt(client, a.first);
    const std::string id_b = CommandIdAt(client, b.first);
    if (id_a != id_b) continue;  // two ids with one 64-bit hash
    scan.twice++;
    failures.Add("TWICE: command " + id_a + " is in the log at positions " +
                 std::to_string(a.first) + ".." + std::to_string(a.last) + " and " +
                 std::to_string(b.first) + ".." + std::to_string(b.last));
  }

  // Every acknowledged command where it was acknowledged; every run acknowledged.
  std::vector<bool> acknowledged(runs.size(), false);
  for (const AckLog* log : logs) {
    for (size_t from = 0; from < log->size(); from += kBatch) {
      for (const AckLog::Entry& e : log->Read(from, kBatch)) {
        const std::string id = CommandIdOf(e.packed);
        auto it = std::upper_bound(runs.begin(), runs.end(), e.position,
                                   [](uint64_t p, const Run& r) { return p < r.first; });
        const bool inside = it != runs.begin() && std::prev(it)->last >= e.position;
        const Run* run = inside ? &*std::prev(it) : nullptr;
        if (run && run->hash == Fnv(id) && run->last == e.position &&
            run->last - run->first + 1 == e.events) {
          acknowledged[static_cast<size_t>(run - runs.data())] = true;
          continue;
        }
        scan.misplaced++;
        failures.Add("LOST: " + DescribeCommand(e.packed) + " was acknowledged at position " +
                     std::to_string(e.position) + " with " + std::to_string(e.events) +
                     " events; the log there holds " +
                     (run ? "command " + CommandIdAt(client, run->first) + " at " +
                                std::to_string(run->first) + ".." + std::to_string(run->last)
                          : std::string("no command")));
      }
    }
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    if (acknowledged[i]) continue;
    scan.unacknowledged++;
    if (scan.unacknowledged <= 10) {
      failures.Add("command " + CommandIdAt(client, runs[i].first) + " is in the log at " +
                   std::to_string(runs[i].first) + ".." + std::to_string(runs[i].last) +
                   " but no writer got it acknowledged there");
    }
  }
  return scan;
}

ReadModels ReadServedModels(api::client::Client& client, uint64_t token,
                            const std::vector<std::string>& orgs,
                            const std::vector<std::string>& users, Failures& failures) {
  ReadModels models;
  // Every page of one listing: `fill` asks for the page at `cursor`; `next` reads the answer's
  // next cursor (0: the last page) and its number of entries.
  auto read = [&](const std::string& key, Response::Which expected,
                  const std::function<void(Request::Builder, uint64_t cursor)>& fill,
                  const std::function<std::pair<uint64_t, size_t>(Response::Reader)>& next) {
    Listing& listing = models[key];
    uint64_t cursor = 0;
    do {
      auto reply = client.Call([&](Request::Builder r) { fill(r, cursor); });
      if (!reply) {
        failures.Add(key + ": no answer: " + reply.error().message);
        return;
      }
      const std::string text = Text(*reply);
      listing.digest = Fnv(text, listing.digest);
      listing.pages++;
      if (listing.text.size() < kShortText) listing.text += text;
      if (reply->get().which() != expected) {
        // A deleted organization's listing may be refused; that answer is compared as it is.
        const std::string code =
            reply->get().isError() ? reply->get().getError().getCode().cStr() : "";
        if (code != "ORG_DELETED" && code != "NOT_FOUND") {
          failures.Add(key + ": answered " + text.substr(0, 500));
        }
        return;
      }
      const auto [next_cursor, entries] = next(reply->get());
      listing.entries += entries;
      cursor = next_cursor;
    } while (cursor != 0);
  };
  for (const std::string& org : orgs) {
    read(
        "members of " + org, Response::MEMBERS,
        [&](Request::Builder r, uint64_t cursor) {
          auto q = r.initQuery();
          q.setConsistencyToken(token);
          auto m = q.initListMembers();
          m.setOrg(org);
          m.setIncludeFormer(true);
          m.setCursor(cursor);
          m.setLimit(1000);
        },
        [](Response::Reader r) {
          return std::pair{r.getMembers().getNextCursor(),
                           static_cast<size_t>(r.getMembers().getMembers().size())};
        });
    read(
        "invitations of " + org, Response::INVITATIONS,
        [&](Request::Builder r, uint64_t cursor) {
          auto q = r.initQuery();
          q.setConsistencyToken(token);
          auto i = q.initListInvitations();
          i.setOrg(org);
          i.setStatus(api::wire::InvitationStatus::ANY);
          i.setCursor(cursor);
          i.setLimit(1000);
        },
        [](Response::Reader r) {
          return std::pair{r.getInvitations().getNextCursor(),
                           static_cast<size_t>(r.getInvitations().getInvitations().size())};
        });
    read(
        "activity of " + org, Response::ACTIVITY,
        [&](Request::Builder r, uint64_t cursor) {
          auto q = r.initQuery();
          q.setConsistencyToken(token);
          auto a = q.initActivity();
          a.setOrg(org);
          a.setCursor(cursor);
          a.setLimit(1000);
        },
        [](Response::Reader r) {
          return std::pair{r.getActivity().getNextCursor(),
                           static_cast<size_t>(r.getActivity().getEntries().size())};
        });
  }
  for (const std::string& user : users) {
    read(
        "organizations of " + user, Response::ORGANIZATIONS,
        [&](Request::Builder r, uint64_t) {
          auto q = r.initQuery();
          q.setConsistencyToken(token);
          q.setOrganizationsOf(user);
        },
        [](Response::Reader r) {
          return std::pair{uint64_t{0}, static_cast<size_t>(r.getOrganizations().size())};
        });
  }
  return models;
}

size_t CompareReadModels(const ReadModels& served, const ReadModels& rebuilt, Failures& failures) {
  size_t differ = 0;
  for (const auto& [key, listing] : served) {
    auto it = rebuilt.find(key);
    if (it != rebuilt.end() && it->second.digest == listing.digest) continue;
    differ++;
    if (it == rebuilt.end()) {
      failures.Add("READ MODEL: " + key + " was served before the rebuild only");
      continue;
    }
    std::string message = "READ MODEL: " + key + " differs from a rebuild: served " +
                          std::to_string(listing.entries) + " entries in " +
                          std::to_string(listing.pages) + " pages, rebuilt " +
                          std::to_string(it->second.entries) + " in " +
                          std::to_string(it->second.pages);
    if (listing.text.size() < kShortText && it->second.text.size() < kShortText) {
      message += "\n  served:  " + listing.text + "\n  rebuilt: " + it->second.text;
    }
    failures.Add(message);
  }
  return differ;
}

}  // namespace roster::tools::soak
