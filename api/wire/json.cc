#include "api/wire/json.h"

#include <capnp/compat/json.h>

namespace roster::api::wire {
namespace {

// Data as hex rather than the codec's default array of numbers: hashes and payloads stay
// readable and comparable with `roster-admin verify` output.
class HexDataHandler final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  void encode(const capnp::JsonCodec&, capnp::Data::Reader input,
              capnp::JsonValue::Builder output) const override {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(input.size() * 2);
    for (uint8_t b : input) {
      hex.push_back(kDigits[b >> 4]);
      hex.push_back(kDigits[b & 0xf]);
    }
    output.setString(hex);
  }
  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                    capnp::Orphanage orphanage) const override {
    auto text = input.getString();
    auto orphan = orphanage.newOrphan<capnp::Data>(text.size() / 2);
    auto bytes = orphan.get();
    for (size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<uint8_t>(std::stoi(std::string(text.begin() + 2 * i, 2), nullptr, 16));
    }
    return orphan;
  }
};

}  // namespace

std::string ToJson(capnp::DynamicStruct::Reader value) {
  static HexDataHandler hex;
  capnp::JsonCodec codec;
  codec.addTypeHandler(hex);
  kj::String text = codec.encode(capnp::DynamicValue::Reader(value), value.getSchema());
  return std::string(text.cStr(), text.size());
}

}  // namespace roster::api::wire
