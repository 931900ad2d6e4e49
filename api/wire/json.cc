#include "api/wire/json.h"

#include <capnp/compat/json.h>
#include <kj/debug.h>
#include <kj/encoding.h>

namespace roster::api::wire {
namespace {

// Data as hex rather than the codec's default array of numbers: hashes and payloads stay
// readable and comparable with `roster-admin verify` output.
class HexDataHandler final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  void encode(const capnp::JsonCodec&, capnp::Data::Reader input,
              capnp::JsonValue::Builder output) const override {
    output.setString(kj::encodeHex(input));
  }
  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                    capnp::Orphanage orphanage) const override {
    auto bytes = kj::decodeHex(input.getString());
    KJ_REQUIRE(!bytes.hadErrors, "a Data field is not hex", input.getString());
    return orphanage.newOrphanCopy(capnp::Data::Reader(bytes));
  }
};

}  // namespace

void UseHexData(capnp::JsonCodec& codec) {
  static HexDataHandler hex;
  codec.addTypeHandler(hex);
}

std::string ToJson(capnp::DynamicStruct::Reader value) {
  capnp::JsonCodec codec;
  UseHexData(codec);
  kj::String text = codec.encode(capnp::DynamicValue::Reader(value), value.getSchema());
  return std::string(text.cStr(), text.size());
}

}  // namespace roster::api::wire
