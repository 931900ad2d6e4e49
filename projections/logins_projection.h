// LoginsProjection: login history per organization and user, from the activity streams.
// (Last-login and last-active times per member are in MembersProjection.) Like the activity
// log it indexes positions and reads the login records back from the log:
//   'l' org user -> positions of the user's logins
//   'L' org      -> positions of the organization's logins
// Thread-safety: see projection.h; queries read the table and the log.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "projections/position_index.h"
#include "projections/projection.h"
#include "projections/row_codec.h"

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
  // Borrows the log and codec to answer queries; both must outlive the projection.
  LoginsProjection(eventstore::EventLog& log, const eventstore::codec::EventCodec& codec)
      : log_(log), codec_(codec) {}
  static constexpr std::string_view kName = "logins";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 2; }
  bool LoadsRows() const override { return false; }
  bool LoadRow(std::string_view, std::string_view) override { return true; }
  void Apply(const EventContext& e) override;
  void Flush(RowSink& sink) override { index_.Flush(sink); }

  // Newest first: logins before `cursor` (0 = the latest), of one user or (empty) everyone,
  // among those the projection has reached (`up_to`).
  Result<LoginPage> History(const std::string& org, const std::string& user,
                            eventstore::Position cursor, size_t limit,
                            eventstore::Position up_to) const;

 private:
  eventstore::EventLog& log_;
  const eventstore::codec::EventCodec& codec_;
  PositionIndex index_;
  KeyBuilder key_{'L'};  // reused by Apply for the keys it indexes under
};

}  // namespace roster::projections
