#include "projections/position_index.h"

#include <algorithm>
#include <span>

#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using eventstore::Position;

std::string ChunkKey(const std::string& key, Position first) {
  std::string out = key;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((first >> (8 * i)) & 0xff));
  return out;
}

// Appends the chunk value of `positions` (not empty) to `out`.
void EncodeChunk(std::span<const Position> positions, std::string& out) {
  const auto count = static_cast<uint32_t>(positions.size());
  for (size_t i = 0; i < 4; ++i) out.push_back(static_cast<char>((count >> (8 * i)) & 0xff));
  Position previous = positions.front();
  for (size_t i = 1; i < positions.size(); ++i) {
    uint64_t delta = positions[i] - previous;
    previous = positions[i];
    do {
      uint8_t byte = delta & 0x7f;
      delta >>= 7;
      if (delta) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (delta);
  }
}

// Positions of one chunk row; false when the row is malformed.
bool DecodeChunk(Position first, std::string_view value, std::vector<Position>* out) {
  RowReader r(value.substr(0, std::min<size_t>(4, value.size())));
  const uint32_t count = r.U32();
  if (!r.ok() || count == 0) return false;
  out->clear();
  out->push_back(first);
  size_t i = 4;
  for (uint32_t n = 1; n < count; ++n) {
    uint64_t delta = 0;
    int shift = 0;
    for (;;) {
      if (i >= value.size() || shift > 63) return false;
      const uint8_t byte = static_cast<uint8_t>(value[i++]);
      delta |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    out->push_back(out->back() + delta);
  }
  return i == value.size();
}

}  // namespace

void PositionIndex::Flush(RowSink& sink) {
  if (entry_keys_.empty()) return;
  // Group the positions by key, keeping the order they were added in (a counting sort).
  std::vector<uint32_t> start(keys_.size() + 1, 0);
  for (uint32_t k : entry_keys_) ++start[k + 1];
  for (size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
  std::vector<Position> grouped(entry_positions_.size());
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < entry_keys_.size(); ++i) {
      grouped[next[entry_keys_[i]]++] = entry_positions_[i];
    }
  }
  std::string key;  // reused: a rebuild flushes hundreds of thousands of keys at once
  std::string value;
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (start[k] == start[k + 1]) continue;
    const std::span<const Position> positions(grouped.data() + start[k], start[k + 1] - start[k]);
    key.assign(keys_.key(static_cast<uint32_t>(k)));
    const Position first = positions.front();
    for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((first >> (8 * i)) & 0xff));
    value.clear();
    EncodeChunk(positions, value);
    sink.Put(key, value);
  }
  entry_keys_.clear();
  entry_positions_.clear();
  // Keys seen again soon (organizations, busy actors) keep their ids; a large set of keys
  // (after a rebuild's batch) is let go rather than kept for the live loop.
  if (keys_.size() > kKeepKeys) {
    keys_.Clear();
    entry_keys_.shrink_to_fit();
    entry_positions_.shrink_to_fit();
  }
}

Result<std::map<std::string, std::vector<Position>>> PositionIndex::ReadAll(const Table& table) {
  std::map<std::string, std::vector<Position>> out;
  std::vector<Position> positions;
  bool malformed = false;
  auto scanned = table.Scan("", "", [&](std::string_view k, std::string_view v) {
    if (k.size() < 9 || k[0] == '\xff') return true;  // the checkpoint
    const std::string key(k.substr(0, k.size() - 8));
    if (!DecodeChunk(ReadBE64(k.substr(k.size() - 8)), v, &positions)) {
      malformed = true;
      return false;
    }
    auto& all = out[key];
    all.insert(all.end(), positions.begin(), positions.end());
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  if (malformed) {
    return std::unexpected(Error{ErrorCode::kCorruption, "malformed index chunk", std::nullopt});
  }
  return out;
}

Result<void> PositionIndex::Scan(const Table& table, const std::string& key, Position cursor,
                                 bool reverse, const std::function<bool(Position)>& visit) {
  std::string begin = key;
  std::string end = key + std::string(8, '\xff') + '\xff';
  if (!reverse && cursor > 0) {
    // Start at the chunk that may hold cursor + 1: the last one starting at or before it.
    const std::string probe_end = ChunkKey(key, cursor + 1);
    std::string found;
    auto probed = table.Scan(
        key, probe_end,
        [&](std::string_view k, std::string_view) {
          found = std::string(k);
          return false;
        },
        /*reverse=*/true);
    if (!probed) return probed;
    if (!found.empty()) begin = found;
  }
  if (reverse && cursor > 0) end = ChunkKey(key, cursor);
  std::vector<Position> positions;
  bool malformed = false;
  auto scanned = table.Scan(
      begin, end,
      [&](std::string_view k, std::string_view v) {
        if (k.size() != key.size() + 8) return true;
        if (!DecodeChunk(ReadBE64(k.substr(key.size())), v, &positions)) {
          malformed = true;
          return false;
        }
        if (reverse) {
          for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
            if (cursor != 0 && *it >= cursor) continue;
            if (!visit(*it)) return false;
          }
        } else {
          for (Position p : positions) {
            if (p <= cursor) continue;
            if (!visit(p)) return false;
          }
        }
        return true;
      },
      reverse);
  if (!scanned) return scanned;
  if (malformed) {
    return std::unexpected(
        Error{ErrorCode::kCorruption, "malformed index chunk in " + table.name(), std::nullopt});
  }
  return {};
}

}  // namespace roster::projections
