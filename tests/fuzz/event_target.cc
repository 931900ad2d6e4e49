#include <utility>
#include <variant>

#include "eventstore/codec/codec.h"
#include "tests/fuzz/targets.h"

namespace roster::tests::fuzz {

const std::vector<std::string>& EventTypeNames() {
  static const std::vector<std::string> names = []<size_t... I>(std::index_sequence<I...>) {
    return std::vector<std::string>{
        std::string(std::variant_alternative_t<I, domain::Event>::kType)...};
  }
  (std::make_index_sequence<std::variant_size_v<domain::Event>>{});
  return names;
}

std::string EventRecordInput(std::string_view type, uint8_t revision, std::string_view payload) {
  const auto& names = EventTypeNames();
  size_t index = names.size();  // the unknown type
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == type) index = i;
  }
  std::string input;
  input += static_cast<char>(index);
  input += static_cast<char>(revision);
  input += payload;
  return input;
}

void FuzzEventRecord(std::span<const uint8_t> input) {
  static const eventstore::codec::EventCodec codec;
  if (input.size() < 2) return;
  const auto& names = EventTypeNames();
  const size_t index = input[0] % (names.size() + 1);
  const std::string type = index < names.size() ? names[index] : "member.teleported";
  const uint16_t revision = input[1];
  const std::string_view payload(reinterpret_cast<const char*>(input.data()) + 2, input.size() - 2);
  auto decoded = codec.Decode(type, revision, payload);
  if (!decoded) {
    Check(!decoded.error().message.empty(), "Decode failed without a message");
    return;
  }
  // What an old revision or a current one decodes to, the current revision writes and reads
  // back unchanged: a replayed record and its re-encoding mean the same event.
  const eventstore::NewEvent encoded = codec.Encode(*decoded);
  Check(encoded.type == type, "a decoded event encodes under another type");
  Check(encoded.revision == codec.CurrentRevision(type), "Encode wrote an old revision");
  auto again = codec.Decode(encoded.type, encoded.revision, encoded.payload);
  Check(again.has_value(), "a decoded event, encoded again, does not decode");
  Check(*again == *decoded, "a decoded event, encoded and decoded again, changed");
}

}  // namespace roster::tests::fuzz
