#include "api/webhooks/webhook_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace roster::api::webhooks {
namespace {

using nlohmann::json;

std::string EndpointKey(const std::string& id) { return "endpoint/" + id; }
std::string CursorKey(const std::string& id) { return "cursor/" + id; }
std::string AttemptPrefix(const std::string& id) { return "attempt/" + id + "/"; }
std::string AttemptKey(const std::string& id, uint64_t seq) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(seq));
  return AttemptPrefix(id) + digits;
}

service::Failure Unavailable(const rocksdb::Status& s) {
  return service::Failure{"UNAVAILABLE", "the webhook store: " + s.ToString()};
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

}  // namespace

Result<std::unique_ptr<WebhookStore>> WebhookStore::Open(const std::filesystem::path& dir) {
  // The endpoints' secrets are stored in clear: the directory is the owner's only, as the
  // tokens file is.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec) {
    return std::unexpected(
        service::Failure{"UNAVAILABLE", "cannot prepare " + dir.string() + ": " + ec.message()});
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  // A small database: a few keys per endpoint and delivery.
  options.write_buffer_size = 4 << 20;
  options.max_open_files = 64;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), &db);
  if (!s.ok()) return std::unexpected(Unavailable(s));
  return std::unique_ptr<WebhookStore>(new WebhookStore(db));
}

WebhookStore::~WebhookStore() {
  db_->Close();
  delete db_;
}

Result<std::vector<std::pair<Endpoint, eventstore::Position>>> WebhookStore::Load() {
  std::vector<std::pair<Endpoint, eventstore::Position>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek("endpoint/"); it->Valid() && it->key().starts_with("endpoint/"); it->Next()) {
    json j = json::parse(it->value().ToString(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return std::unexpected(service::Failure{
          "INTERNAL", "the webhook store holds an unreadable endpoint at " + it->key().ToString()});
    }
    Endpoint e;
    e.id = j.value("id", "");
    e.url = j.value("url", "");
    e.org = j.value("org", "");
    e.event_types = j.value("event_types", std::vector<std::string>{});
    e.secret = j.value("secret", "");
    e.created_us = j.value("created_us", int64_t{0});
    e.start_after = j.value("start_after", eventstore::Position{0});
    std::string cursor_text;
    eventstore::Position cursor = e.start_after;
    rocksdb::Status s = db_->Get({}, CursorKey(e.id), &cursor_text);
    if (s.ok()) {
      auto [end, ec] =
          std::from_chars(cursor_text.data(), cursor_text.data() + cursor_text.size(), cursor);
      if (ec != std::errc() || end != cursor_text.data() + cursor_text.size()) {
        return std::unexpected(service::Failure{
            "INTERNAL", "the webhook store holds an unreadable cursor for " + e.id});
      }
    } else if (!s.IsNotFound()) {
      return std::unexpected(Unavailable(s));
    }
    // The next attempt's sequence follows the last one kept.
    std::unique_ptr<rocksdb::Iterator> last(db_->NewIterator({}));
    const std::string prefix = AttemptPrefix(e.id);
    last->SeekForPrev(prefix + "~");
    uint64_t next = 0;
    if (last->Valid() && last->key().starts_with(prefix)) {
      const std::string digits = last->key().ToString().substr(prefix.size());
      std::from_chars(digits.data(), digits.data() + digits.size(), next);
      ++next;
    }
    {
      std::lock_guard lock(mutex_);
      next_attempt_[e.id] = next;
    }
    out.emplace_back(std::move(e), cursor);
  }
  if (!it->status().ok()) return std::unexpected(Unavailable(it->status()));
  return out;
}

Result<void> WebhookStore::Add(const Endpoint& e) {
  const json j = {{"id", e.id},
                  {"url", e.url},
                  {"org", e.org},
                  {"event_types", e.event_types},
                  {"secret", e.secret},
                  {"created_us", e.created_us},
                  {"start_after", e.start_after}};
  rocksdb::WriteBatch batch;
  batch.Put(EndpointKey(e.id), j.dump());
  batch.Put(CursorKey(e.id), std::to_string(e.start_after));
  rocksdb::Status s = db_->Write(Synced(), &batch);
  if (!s.ok()) return std::unexpected(Unavailable(s));
  std::lock_guard lock(mutex_);
  next_attempt_[e.id] = 0;
  return {};
}

Result<void> WebhookStore::Remove(const std::string& id) {
  rocksdb::WriteBatch batch;
  batch.Delete(EndpointKey(id));
  batch.Delete(CursorKey(id));
  const std::string prefix = AttemptPrefix(id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    batch.Delete(it->key());
  }
  rocksdb::Status s = db_->Write(Synced(), &batch);
  if (!s.ok()) return std::unexpected(Unavailable(s));
  std::lock_guard lock(mutex_);
  next_attempt_.erase(id);
  return {};
}

Result<void> WebhookStore::SetCursor(const std::string& id, eventstore::Position cursor,
                                     bool sync) {
  rocksdb::WriteOptions w;
  w.sync = sync;
  rocksdb::Status s = db_->Put(w, CursorKey(id), std::to_string(cursor));
  if (!s.ok()) return std::unexpected(Unavailable(s));
  return {};
}

Result<void> WebhookStore::AddAttempt(const std::string& id, const Attempt& a) {
  uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    seq = next_attempt_[id]++;
  }
  const json j = {
      {"position", a.position}, {"event_type", a.event_type},   {"org", a.org},
      {"time_us", a.time_us},   {"status", a.status},           {"error", a.error},
      {"attempt", a.attempt},   {"duration_us", a.duration_us}, {"delivered", a.delivered}};
  rocksdb::WriteBatch batch;
  batch.Put(AttemptKey(id, seq), j.dump(-1, ' ', false, json::error_handler_t::replace));
  // Sequences are dense per endpoint, so one delete keeps the last kKeptAttempts.
  if (seq >= kKeptAttempts) batch.Delete(AttemptKey(id, seq - kKeptAttempts));
  // Not synced: the log of attempts is for people; losing the last few in a crash is fine.
  rocksdb::Status s = db_->Write({}, &batch);
  if (!s.ok()) return std::unexpected(Unavailable(s));
  return {};
}

Result<std::vector<Attempt>> WebhookStore::Attempts(const std::string& id) {
  std::vector<Attempt> out;
  const std::string prefix = AttemptPrefix(id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->SeekForPrev(prefix + "~"); it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    json j = json::parse(it->value().ToString(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    Attempt a;
    a.position = j.value("position", eventstore::Position{0});
    a.event_type = j.value("event_type", "");
    a.org = j.value("org", "");
    a.time_us = j.value("time_us", int64_t{0});
    a.status = j.value("status", 0u);
    a.error = j.value("error", "");
    a.attempt = j.value("attempt", 1u);
    a.duration_us = j.value("duration_us", int64_t{0});
    a.delivered = j.value("delivered", false);
    out.push_back(std::move(a));
  }
  if (!it->status().ok()) return std::unexpected(Unavailable(it->status()));
  return out;
}

}  // namespace roster::api::webhooks
