#include "eventstore/append_check.h"

#include <string>

#include "eventstore/record_codec.h"
#include "eventstore/record_format.h"

namespace roster::eventstore::internal {
namespace {

Error Invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::nullopt};
}

std::optional<Error> CheckSize(std::string_view field, size_t size, size_t limit) {
  if (size <= limit) return std::nullopt;
  return Invalid(std::string(field) + " is " + std::to_string(size) + " bytes; the limit is " +
                 std::to_string(limit));
}

}  // namespace

std::optional<Error> CheckAppendRequest(const AppendRequest& request) {
  if (request.stream.empty()) return Invalid("the stream id is empty");
  if (request.events.empty()) return Invalid("an append needs at least one event");
  if (request.events.size() > format::kMaxEventsPerAppend) {
    return Invalid("an append holds " + std::to_string(request.events.size()) +
                   " events; the limit is " + std::to_string(format::kMaxEventsPerAppend));
  }
  if (!request.expected.is_any() && request.expected.value() < kNoStreamVersion) {
    return Invalid("expected version " + std::to_string(request.expected.value()) +
                   " is neither a version nor 'no stream'");
  }
  const EventMetadata& m = request.metadata;
  for (auto error :
       {CheckSize("the stream id", request.stream.size(), format::kMaxStreamIdBytes),
        CheckSize("metadata.actor", m.actor.size(), format::kMaxMetadataFieldBytes),
        CheckSize("metadata.command_id", m.command_id.size(), format::kMaxMetadataFieldBytes),
        CheckSize("metadata.correlation_id", m.correlation_id.size(),
                  format::kMaxMetadataFieldBytes),
        CheckSize("metadata.source", m.source.size(), format::kMaxMetadataFieldBytes)}) {
    if (error) return error;
  }
  size_t total = 0;
  for (size_t i = 0; i < request.events.size(); ++i) {
    const NewEvent& event = request.events[i];
    const auto which = [i] { return "event " + std::to_string(i) + ": "; };
    if (event.type.empty()) return Invalid(which() + "the event type is empty");
    if (event.type.size() > format::kMaxTypeBytes) {
      return CheckSize(which() + "type", event.type.size(), format::kMaxTypeBytes);
    }
    if (event.payload.size() > format::kMaxPayloadBytes) {
      return CheckSize(which() + "payload", event.payload.size(), format::kMaxPayloadBytes);
    }
    total += codec::BodySize(request.stream, event, m);
  }
  return CheckSize("the append", total, format::kMaxAppendBytes);
}

}  // namespace roster::eventstore::internal
