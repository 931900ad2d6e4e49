#include "api/wire/framing.h"

#include <cstring>

namespace roster::api::wire {
namespace {

uint32_t ReadLE32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// Cap'n Proto's writer, appending to a string.
class StringOutput final : public kj::OutputStream {
 public:
  explicit StringOutput(std::string& out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    out_.append(static_cast<const char*>(buffer), size);
  }

 private:
  std::string& out_;
};

}  // namespace

std::expected<FrameProbe, std::string> ProbeFrame(std::span<const uint8_t> prefix,
                                                  const FrameLimits& limits) {
  if (prefix.size() < 4) return FrameProbe{0, 4};
  const uint64_t segments = static_cast<uint64_t>(ReadLE32(prefix.data())) + 1;
  if (segments > limits.max_segments) {
    return std::unexpected("message has " + std::to_string(segments) + " segments (limit " +
                           std::to_string(limits.max_segments) + ")");
  }
  // The table: count, one size per segment, padded to a whole word.
  const size_t table_bytes = ((4 + 4 * segments) + 7) / 8 * 8;
  if (prefix.size() < table_bytes) return FrameProbe{0, table_bytes};
  uint64_t words = 0;
  for (uint64_t i = 0; i < segments; ++i) words += ReadLE32(prefix.data() + 4 + 4 * i);
  const uint64_t total = table_bytes + words * sizeof(capnp::word);
  if (total > limits.max_message_bytes) {
    return std::unexpected("message of " + std::to_string(total) + " bytes exceeds the limit of " +
                           std::to_string(limits.max_message_bytes));
  }
  return FrameProbe{static_cast<size_t>(total), 0};
}

capnp::ReaderOptions ReaderOptionsFor(const FrameLimits& limits) {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = limits.traversal_limit_words;
  options.nestingLimit = limits.nesting_limit;
  return options;
}

void AppendFrame(capnp::MessageBuilder& message, std::string& out) {
  StringOutput stream(out);
  capnp::writeMessage(stream, message);
}

std::string EncodeFrame(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.begin()),
                     words.size() * sizeof(capnp::word));
}

}  // namespace roster::api::wire
