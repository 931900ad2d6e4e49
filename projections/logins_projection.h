// LoginsProjection: login history per organization and user, from the activity streams, kept
// in its table. (Last-login and last-active times per member are in MembersProjection.) Rows:
//   'l' org user pos -> login (time, ip, user agent)
//   'L' org pos      -> user (the organization's logins in order)
// Thread-safety: see projection.h; queries read the table and need no lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "projections/projection.h"

namespace roster::projections {

struct LoginEntry {
  eventstore::Position position = 0;
  std::string user_id;
  int64_t time_us = 0;
  std::string ip;
  std::string user_agent;
  bool operator==(const LoginEntry&) const = default;
};

struct LoginPage {
  std::vector<LoginEntry> logins;
  eventstore::Position next_cursor = 0;  // 0 when there is nothing more
};

class LoginsProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "logins";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 1; }
  bool LoadsRows() const override { return false; }
  bool LoadRow(std::string_view, std::string_view) override { return true; }
  void Apply(const EventContext& e, RowSink& sink) override;
  void Flush(RowSink&) override {}

  // Newest first: logins before `cursor` (0 = the latest), of one user or (empty) everyone.
  Result<LoginPage> History(const std::string& org, const std::string& user,
                            eventstore::Position cursor, size_t limit) const;
};

}  // namespace roster::projections
