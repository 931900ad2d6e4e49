#include "api/webhooks/payload.h"

#include <nlohmann/json.hpp>

#include "api/wire/time.h"
#include "eventstore/codec/event_json.h"
#include "eventstore/codec/streams.h"

namespace roster::api::webhooks {

std::string OrgOf(std::string_view stream) {
  auto owner = eventstore::codec::ParseStream(stream);
  return owner ? owner->org.value : std::string();
}

std::string PayloadJson(const eventstore::Record& r, const eventstore::codec::EventCodec& codec) {
  nlohmann::json body = {
      {"id", std::to_string(r.position)},
      {"type", r.type},
      {"revision", r.revision},
      {"org", OrgOf(r.stream)},
      {"stream", r.stream},
      {"position", r.position},
      {"streamVersion", r.stream_version},
      {"time", wire::FormatTime(r.metadata.time_us)},
      {"timeUs", r.metadata.time_us},
      {"actor", r.metadata.actor},
      {"commandId", r.metadata.command_id},
      {"correlationId", r.metadata.correlation_id},
      {"source", r.metadata.source},
  };
  auto event = codec.Decode(r);
  if (!event) {
    body["data"] = nullptr;
    body["decodeError"] = event.error().message;
  } else {
    nlohmann::json data = nlohmann::json::parse(eventstore::codec::EventDataJson(*event), nullptr,
                                                /*allow_exceptions=*/false);
    // The SHA-256 of an invitation's secret token stays in the log: a receiver has no use for
    // it, and every copy of it is one more place to guess tokens against.
    if (data.is_object()) data.erase("tokenHash");
    body["data"] = std::move(data);
  }
  // Invalid UTF-8 in a free-text field (a display name) is replaced rather than refused: the
  // event must still go out.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace roster::api::webhooks
