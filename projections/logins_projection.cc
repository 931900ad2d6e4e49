#include "projections/logins_projection.h"

#include "projections/row_codec.h"

namespace roster::projections {

using eventstore::Position;

void LoginsProjection::Apply(const EventContext& e, RowSink& sink) {
  const auto* login = std::get_if<domain::MemberLoggedIn>(&e.event);
  if (login == nullptr) return;
  const std::string& org = e.org.value;
  const Position pos = e.record.position;
  sink.Put(KeyBuilder('l').Part(org).Part(login->user_id.value).BE64(pos).key(),
           RowWriter().I64(domain::ToMicros(login->at)).Str(login->ip).Str(login->user_agent).Take());
  sink.Put(KeyBuilder('L').Part(org).BE64(pos).key(), login->user_id.value);
}

Result<LoginPage> LoginsProjection::History(const std::string& org, const std::string& user,
                                            Position cursor, size_t limit) const {
  LoginPage page;
  bool more = false;
  Result<void> failure;
  if (!user.empty()) {
    KeyBuilder prefix('l');
    prefix.Part(org).Part(user);
    const std::string p = prefix.key();
    std::string end = cursor ? KeyBuilder(prefix).BE64(cursor).Take() : p + '\xff';
    auto scanned = table().Scan(p, end, [&](std::string_view key, std::string_view value) {
      if (page.logins.size() == limit) {
        more = true;
        return false;
      }
      RowReader r(value);
      LoginEntry entry{ReadBE64(key.substr(p.size())), user, r.I64(), r.Str(), r.Str()};
      if (!r.done()) {
        failure = std::unexpected(Error{ErrorCode::kCorruption, "unreadable login row", std::nullopt});
        return false;
      }
      page.logins.push_back(std::move(entry));
      return true;
    }, /*reverse=*/true);
    if (!scanned) return std::unexpected(scanned.error());
  } else {
    KeyBuilder prefix('L');
    prefix.Part(org);
    const std::string p = prefix.key();
    std::string end = cursor ? KeyBuilder(prefix).BE64(cursor).Take() : p + '\xff';
    auto scanned = table().Scan(p, end, [&](std::string_view key, std::string_view value) {
      if (page.logins.size() == limit) {
        more = true;
        return false;
      }
      const Position pos = ReadBE64(key.substr(p.size()));
      const std::string who(value);
      auto row = table().Get(KeyBuilder('l').Part(org).Part(who).BE64(pos).key());
      if (!row || !*row) {
        failure = std::unexpected(Error{ErrorCode::kCorruption, "missing login row", std::nullopt});
        return false;
      }
      RowReader r(**row);
      page.logins.push_back(LoginEntry{pos, who, r.I64(), r.Str(), r.Str()});
      return true;
    }, /*reverse=*/true);
    if (!scanned) return std::unexpected(scanned.error());
  }
  if (!failure) return std::unexpected(failure.error());
  if (more && !page.logins.empty()) page.next_cursor = page.logins.back().position;
  return page;
}

}  // namespace roster::projections
