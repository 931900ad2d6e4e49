#include "projections/logins_projection.h"

#include "projections/row_codec.h"

namespace roster::projections {

using eventstore::Position;

void LoginsProjection::Apply(const EventContext& e) {
  const auto* login = std::get_if<domain::MemberLoggedIn>(&e.event);
  if (login == nullptr) return;
  index_.Add(key_.Reset('l').Part(e.org.value).Part(login->user_id.value).key(), e.record.position);
  index_.Add(key_.Reset('L').Part(e.org.value).key(), e.record.position);
}

Result<LoginPage> LoginsProjection::History(const std::string& org, const std::string& user,
                                            Position cursor, size_t limit, Position up_to) const {
  LoginPage page;
  bool more = false;
  Result<void> failure;
  const std::string key =
      user.empty() ? KeyBuilder('L').Part(org).Take() : KeyBuilder('l').Part(org).Part(user).Take();
  auto scanned = PositionIndex::Scan(table(), key, cursor, /*reverse=*/true, [&](Position pos) {
    if (pos > up_to) return true;
    if (page.logins.size() == limit) {
      more = true;
      return false;
    }
    auto records = log_.ReadAll(pos, 1);
    if (!records || records->empty()) {
      failure = std::unexpected(
          records ? Error{ErrorCode::kCorruption, "indexed login missing", std::nullopt}
                  : records.error());
      return false;
    }
    auto event = codec_.Decode(records->front());
    const auto* login = event ? std::get_if<domain::MemberLoggedIn>(&*event) : nullptr;
    if (login == nullptr) {
      failure = std::unexpected(Error{ErrorCode::kCorruption,
                                      "position " + std::to_string(pos) + " is not a login",
                                      std::nullopt});
      return false;
    }
    page.logins.push_back(LoginEntry{pos, login->user_id.value, domain::ToMicros(login->at),
                                     login->ip, login->user_agent});
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  if (!failure) return std::unexpected(failure.error());
  if (more && !page.logins.empty()) page.next_cursor = page.logins.back().position;
  return page;
}

}  // namespace roster::projections
