#include "tools/soak/writer.h"

#include <optional>
#include <thread>

#include "tools/soak/pacer.h"

namespace roster::tools::soak {
namespace {

// An error answer (not a command result) is retried this many times, then the command is
// dropped: the failure is recorded and the writer goes on.
constexpr int kErrorAttempts = 5;

}  // namespace

Writer::Writer(int index, uint64_t seed, size_t slots, Directory& directory, Worker& worker)
    : index_(index),
      mix_(index, seed, slots, static_cast<size_t>(index) * slots, directory),
      worker_(worker) {}

void Writer::Run(const WriterShared& shared, const std::atomic<bool>& stop) {
  Pacer pacer(shared.commands_per_second);
  std::unique_ptr<api::client::Client> client;
  std::optional<Planned> in_flight;
  bool resent = false;
  int error_answers = 0;
  while (true) {
    if (!in_flight) {
      if (stop) return;
      pacer.Wait(stop);
      if (stop) return;
      in_flight = mix_.Next();
      resent = false;
      error_answers = 0;
    }
    if (!client) {
      // Never given up with a command in flight: after `stop` too it is delivered, so that
      // the final checks start with every writer idle.
      client = ConnectWhenUp(shared.server, shared.setup, worker_.name, [] { return false; });
    }
    const ServerState::View before = shared.server.Get();
    auto reply =
        client->Call([&](api::wire::Request::Builder r) { SetCommand(in_flight->packed, r); });
    if (!reply) {
      const ServerState::View after = shared.server.Get();
      if (reply.error().code == "TIMEOUT" && after.up && after.incarnation == before.incarnation) {
        shared.failures.Add(worker_.name + ": no answer to " + DescribeCommand(in_flight->packed) +
                            " within " + std::to_string(shared.setup.timeout.count()) +
                            " ms while rosterd was up");
      }
      client.reset();
      if (!resent) shared.counters.resent++;
      resent = true;
      continue;
    }
    auto response = reply->get();
    if (!response.isCommand()) {
      shared.failures.Add(
          worker_.name + ": " + DescribeCommand(in_flight->packed) + " was answered " +
          (response.isError() ? std::string(response.getError().getCode().cStr()) + " " +
                                    response.getError().getMessage().cStr()
                              : std::string("with something other than a command result")));
      if (++error_answers == kErrorAttempts) in_flight.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    auto result = response.getCommand();
    if (resent && result.getDuplicate()) shared.counters.resent_found_applied++;
    if (!result.getAccepted()) {
      shared.counters.commands_rejected++;
    } else if (result.getEvents().size() == 0) {
      shared.counters.commands_no_change++;
    } else {
      acks_.Append(in_flight->packed, result.getPosition(), result.getEvents().size());
      shared.counters.commands_appended++;
      if (in_flight->kind == Planned::Kind::kCreate) shared.counters.orgs_created++;
      if (in_flight->kind == Planned::Kind::kDelete) shared.counters.orgs_deleted++;
    }
    if (auto wrong = mix_.Learn(*in_flight, result)) {
      shared.failures.Add(worker_.name + ": " + *wrong);
    }
    worker_.Completed();
    in_flight.reset();
  }
}

}  // namespace roster::tools::soak
