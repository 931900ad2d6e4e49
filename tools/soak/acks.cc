#include "tools/soak/acks.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>

#include <deque>

namespace roster::tools::soak {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

std::string KindName(api::wire::Command::Reader c) {
  switch (c.which()) {
    case api::wire::Command::CREATE_ORGANIZATION:
      return "createOrganization";
    case api::wire::Command::DELETE_ORGANIZATION:
      return "deleteOrganization";
    case api::wire::Command::INVITE_MEMBER:
      return "inviteMember";
    case api::wire::Command::ACCEPT_INVITATION:
      return "acceptInvitation";
    case api::wire::Command::RESEND_INVITATION:
      return "resendInvitation";
    case api::wire::Command::REVOKE_INVITATION:
      return "revokeInvitation";
    case api::wire::Command::CHANGE_ROLE:
      return "changeRole";
    case api::wire::Command::REMOVE_MEMBER:
      return "removeMember";
    case api::wire::Command::LEAVE_ORGANIZATION:
      return "leaveOrganization";
    case api::wire::Command::CREATE_PROJECT:
      return "createProject";
    case api::wire::Command::ADD_PROJECT_MEMBER:
      return "addProjectMember";
    case api::wire::Command::REMOVE_PROJECT_MEMBER:
      return "removeProjectMember";
    case api::wire::Command::RECORD_LOGIN:
      return "recordLogin";
    case api::wire::Command::RECORD_ACTIVITY:
      return "recordActivity";
    default:
      return "command " + std::to_string(static_cast<int>(c.which()));
  }
}

}  // namespace

std::string PackCommand(const std::function<void(api::wire::Command::Builder)>& fill) {
  capnp::MallocMessageBuilder message(64);
  fill(message.initRoot<api::wire::Command>());
  kj::VectorOutputStream out;
  capnp::writePackedMessage(out, message);
  auto bytes = out.getArray();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

void SetCommand(std::string_view packed, api::wire::Request::Builder request) {
  kj::ArrayInputStream in(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(packed.data()), packed.size()));
  capnp::PackedMessageReader reader(in);
  request.setCommand(reader.getRoot<api::wire::Command>());
}

std::string DescribeCommand(std::string_view packed) {
  kj::ArrayInputStream in(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(packed.data()), packed.size()));
  capnp::PackedMessageReader reader(in);
  auto c = reader.getRoot<api::wire::Command>();
  return std::string(c.getCommandId().cStr()) + " (" + KindName(c) + " in " + c.getOrg().cStr() +
         ")";
}

std::string CommandIdOf(std::string_view packed) {
  kj::ArrayInputStream in(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(packed.data()), packed.size()));
  capnp::PackedMessageReader reader(in);
  return reader.getRoot<api::wire::Command>().getCommandId().cStr();
}

void AckLog::Append(std::string_view packed, uint64_t position, uint32_t events) {
  std::lock_guard lock(mu_);
  if (chunks_.empty() || chunks_.back().size() + packed.size() > chunks_.back().capacity()) {
    chunks_.emplace_back();
    chunks_.back().reserve(std::max(kChunkBytes, packed.size()));
  }
  std::string& chunk = chunks_.back();
  slots_.push_back(Slot{static_cast<uint32_t>(chunks_.size() - 1),
                        static_cast<uint32_t>(chunk.size()), static_cast<uint32_t>(packed.size()),
                        events, position});
  chunk.append(packed);
}

size_t AckLog::size() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

std::vector<AckLog::Entry> AckLog::Read(size_t from, size_t max) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (size_t i = from; i < slots_.size() && out.size() < max; ++i) {
    const Slot& s = slots_[i];
    out.push_back(Entry{chunks_[s.chunk].substr(s.offset, s.size), s.position, s.events});
  }
  return out;
}

RetryOutcome RetryAcknowledged(api::client::Client& client,
                               const std::vector<AckLog::Entry>& entries, Failures& failures,
                               size_t window) {
  RetryOutcome outcome;
  std::deque<std::pair<uint64_t, const AckLog::Entry*>> in_flight;
  size_t next = 0;
  while (next < entries.size() || !in_flight.empty()) {
    while (next < entries.size() && in_flight.size() < window) {
      const AckLog::Entry& e = entries[next];
      auto id = client.Send([&](api::wire::Request::Builder r) { SetCommand(e.packed, r); });
      if (!id) return outcome;
      in_flight.emplace_back(*id, &e);
      next++;
    }
    auto [id, entry] = in_flight.front();
    in_flight.pop_front();
    auto reply = client.Wait(id);
    if (!reply) return outcome;
    outcome.answered++;
    auto response = reply->get();
    std::string problem;
    if (!response.isCommand()) {
      problem = response.isError()
                    ? std::string("an error: ") + response.getError().getCode().cStr() + " " +
                          response.getError().getMessage().cStr()
                    : "not a command result";
    } else {
      auto result = response.getCommand();
      if (!result.getAccepted()) {
        problem = std::string("rejected: ") + result.getRejection().getCode().cStr() + " " +
                  result.getRejection().getMessage().cStr();
      } else if (!result.getDuplicate()) {
        problem = "accepted as a new command at position " + std::to_string(result.getPosition());
      } else if (result.getPosition() != entry->position) {
        problem = "a duplicate at position " + std::to_string(result.getPosition());
      } else if (result.getEvents().size() != entry->events) {
        problem = "a duplicate with " + std::to_string(result.getEvents().size()) + " events";
      }
    }
    if (!problem.empty()) {
      outcome.lost++;
      failures.Add("LOST: " + DescribeCommand(entry->packed) + " was acknowledged at position " +
                   std::to_string(entry->position) + " with " + std::to_string(entry->events) +
                   " events; its retry is " + problem);
    }
  }
  return outcome;
}

}  // namespace roster::tools::soak
