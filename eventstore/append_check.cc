#include "eventstore/append_check.h"

#include <string>

#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"

namespace roster::eventstore {
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
  if (request.events.size() > internal::kMaxEventsPerAppend) {
    return Invalid("an append holds " + std::to_string(request.events.size()) +
                   " events; the limit is " + std::to_string(internal::kMaxEventsPerAppend));
  }
  if (!request.expected.is_any() && request.expected.value() < kNoStreamVersion) {
    return Invalid("expected version " + std::to_string(request.expected.value()) +
                   " is neither a version nor 'no stream'");
  }
  const EventMetadata& m = request.metadata;
  for (auto error :
       {CheckSize("the stream id", request.stream.size(), internal::kMaxStreamIdBytes),
        CheckSize("metadata.actor", m.actor.size(), internal::kMaxMetadataFieldBytes),
        CheckSize("metadata.command_id", m.command_id.size(), internal::kMaxMetadataFieldBytes),
        CheckSize("metadata.correlation_id", m.correlation_id.size(),
                  internal::kMaxMetadataFieldBytes),
        CheckSize("metadata.source", m.source.size(), internal::kMaxMetadataFieldBytes)}) {
    if (error) return error;
  }
  size_t total = 0;
  for (size_t i = 0; i < request.events.size(); ++i) {
    const NewEvent& event = request.events[i];
    const auto which = [i] { return "event " + std::to_string(i) + ": "; };
    if (event.type.empty()) return Invalid(which() + "the event type is empty");
    if (event.type.size() > internal::kMaxTypeBytes) {
      return CheckSize(which() + "type", event.type.size(), internal::kMaxTypeBytes);
    }
    if (event.payload.size() > internal::kMaxPayloadBytes) {
      return CheckSize(which() + "payload", event.payload.size(), internal::kMaxPayloadBytes);
    }
    total += internal::BodySize(request.stream, event, m);
  }
  return CheckSize("the append", total, internal::kMaxAppendBytes);
}

}  // namespace roster::eventstore
