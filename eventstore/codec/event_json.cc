#include "eventstore/codec/event_json.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec {

std::string EventDataJson(const domain::Event& event) {
  // Written through the same Write as the log's payloads, so that the JSON holds exactly what
  // the current revision stores, whatever revision the record was read from.
  return std::visit(
      [](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        capnp::MallocMessageBuilder message(128);
        auto root = message.initRoot<typename internal::WireOf<E>::type>();
        internal::Write(root, e);
        capnp::JsonCodec json;
        kj::String text = json.encode(root.asReader());
        return std::string(text.cStr(), text.size());
      },
      event);
}

}  // namespace roster::eventstore::codec
