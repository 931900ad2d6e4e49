#include "api/webhooks/webhooks.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "api/service/secrets.h"
#include "api/webhooks/http_post.h"
#include "api/webhooks/payload.h"
#include "api/webhooks/signature.h"

namespace roster::api::webhooks {

using eventstore::Position;
using service::Fail;

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Webhooks::Worker {
  Worker(Endpoint e, Url u, Position c, std::shared_ptr<net::asio::ssl::context> tls)
      : endpoint(std::move(e)), url(std::move(u)), poster(std::move(tls)), cursor(c) {}
  const Endpoint endpoint;
  const Url url;
  Poster poster;
  std::thread thread;
  std::mutex mutex;  // guards what follows
  std::condition_variable wake;
  bool stop = false;
  Position cursor;
  std::string state = "idle";
  Position pending = 0;
  uint32_t failed_attempts = 0;
  int64_t next_retry_us = 0;
  std::string last_error;
};

Webhooks::Webhooks(eventstore::EventLog& log, const eventstore::codec::EventCodec& codec,
                   std::shared_ptr<spdlog::logger> logger, WebhookOptions options)
    : log_(log), codec_(codec), logger_(std::move(logger)), options_(std::move(options)) {}

service::Result<std::unique_ptr<Webhooks>> Webhooks::Open(
    const std::filesystem::path& dir, eventstore::EventLog& log,
    const eventstore::codec::EventCodec& codec, std::shared_ptr<spdlog::logger> logger,
    WebhookOptions options) {
  auto tls = MakeClientTlsContext(options.ca_file);
  if (!tls) return Fail("INVALID_ARGUMENT", "webhooks: " + tls.error());
  auto store = WebhookStore::Open(dir);
  if (!store) return std::unexpected(store.error());
  auto loaded = (*store)->Load();
  if (!loaded) return std::unexpected(loaded.error());
  std::unique_ptr<Webhooks> out(new Webhooks(log, codec, std::move(logger), std::move(options)));
  out->store_ = std::move(*store);
  out->tls_ = std::move(*tls);
  for (auto& [endpoint, cursor] : *loaded) {
    auto url = ParseUrl(endpoint.url);
    if (!url) return Fail("INTERNAL", "webhook " + endpoint.id + ": " + url.error());
    const std::string id = endpoint.id;
    out->workers_[id] =
        std::make_unique<Worker>(std::move(endpoint), std::move(*url), cursor, out->tls_);
  }
  return out;
}

Webhooks::~Webhooks() { Stop(); }

void Webhooks::Start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  for (auto& [id, worker] : workers_) Launch(*worker);
}

void Webhooks::Launch(Worker& worker) {
  worker.thread = std::thread([this, &worker] {
    pthread_setname_np(pthread_self(), "roster-webhook");
    Run(worker);
  });
}

namespace {

void StopWorker(auto& worker) {
  {
    std::lock_guard lock(worker.mutex);
    worker.stop = true;
    worker.state = "stopped";
  }
  worker.wake.notify_all();
  worker.poster.Cancel();
  if (worker.thread.joinable()) worker.thread.join();
}

}  // namespace

void Webhooks::Stop() {
  std::lock_guard lock(mutex_);
  for (auto& [id, worker] : workers_) StopWorker(*worker);
  started_ = false;
}

void Webhooks::Run(Worker& w) {
  Position cursor;
  {
    std::lock_guard lock(w.mutex);
    cursor = w.cursor;
  }
  auto stopping = [&w] {
    std::lock_guard lock(w.mutex);
    return w.stop;
  };
  auto publish = [&w](Position cursor, const char* state) {
    std::lock_guard lock(w.mutex);
    w.cursor = cursor;
    if (!w.stop) w.state = state;
    w.pending = 0;
    w.failed_attempts = 0;
    w.next_retry_us = 0;
  };
  bool skipped_unsaved = false;  // the cursor moved over records that did not match
  auto save_skips = [&] {
    if (!skipped_unsaved) return;
    if (auto saved = store_->SetCursor(w.endpoint.id, cursor, false); !saved) {
      logger_->warn("webhook {}: {}", w.endpoint.id, saved.error().message);
    }
    skipped_unsaved = false;
  };
  while (!stopping()) {
    auto records = log_.ReadAll(cursor + 1, options_.read_batch);
    if (!records) {
      logger_->warn("webhook {}: reading the log: {}", w.endpoint.id, records.error().message);
      std::unique_lock lock(w.mutex);
      w.wake.wait_for(lock, options_.retry_base, [&w] { return w.stop; });
      continue;
    }
    if (records->empty()) {
      save_skips();
      publish(cursor, "idle");
      // Returns as soon as a record is appended; the timeout bounds how long a stop waits.
      (void)log_.WaitForPosition(cursor + 1, options_.idle_wait);
      continue;
    }
    for (const eventstore::Record& r : *records) {
      const std::string org = OrgOf(r.stream);
      if (!Matches(w.endpoint, org, r.type)) {
        cursor = r.position;
        skipped_unsaved = true;
        continue;
      }
      if (!Deliver(w, r, org)) {
        save_skips();
        return;
      }
      cursor = r.position;
      // Synced: a crash after this never sends the event again; before it, it does.
      if (auto saved = store_->SetCursor(w.endpoint.id, cursor, true); !saved) {
        logger_->warn("webhook {}: {}", w.endpoint.id, saved.error().message);
      }
      skipped_unsaved = false;
      publish(cursor, "delivering");
    }
    save_skips();
    publish(cursor, "delivering");
  }
  save_skips();
}

bool Webhooks::Deliver(Worker& w, const eventstore::Record& r, const std::string& org) {
  const std::string body = PayloadJson(r, codec_);
  const std::string event_id = std::to_string(r.position);
  for (uint32_t attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(w.mutex);
      if (w.stop) return false;
      w.state = "delivering";
      w.pending = r.position;
    }
    const int64_t started_us = NowUs();
    const int64_t t = started_us / 1'000'000;
    // Signed afresh on every attempt: the timestamp is the attempt's, so that a receiver's
    // freshness check holds for retries too.
    auto signature = SignatureHeader(w.endpoint.secret, t, body);
    PostOutcome outcome;
    if (!signature) {
      outcome.error = "OpenSSL could not compute HMAC-SHA256";
    } else {
      outcome = w.poster.Post(w.url,
                              {{"Roster-Webhook-Id", w.endpoint.id},
                               {"Roster-Event-Id", event_id},
                               {"Roster-Event-Type", r.type},
                               {"Roster-Timestamp", std::to_string(t)},
                               {"Roster-Signature", *signature}},
                              body, options_.timeout);
    }
    {
      std::lock_guard lock(w.mutex);
      if (w.stop) return false;  // cancelled: the attempt says nothing about the endpoint
    }
    Attempt a;
    a.position = r.position;
    a.event_type = r.type;
    a.org = org;
    a.time_us = started_us;
    a.status = outcome.status;
    a.error = outcome.ok()          ? ""
              : outcome.status != 0 ? "answered " + std::to_string(outcome.status)
                                    : outcome.error;
    a.attempt = attempt;
    a.duration_us = outcome.duration.count();
    a.delivered = outcome.ok();
    if (auto added = store_->AddAttempt(w.endpoint.id, a); !added) {
      logger_->warn("webhook {}: {}", w.endpoint.id, added.error().message);
    }
    if (outcome.ok()) {
      delivered_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    // base * 2^(attempt-1), capped; the shift is bounded so that it cannot overflow.
    const auto factor = int64_t{1} << std::min<uint32_t>(attempt - 1, 30);
    const auto delay = std::min<std::chrono::milliseconds>(
        options_.retry_max, std::chrono::milliseconds(std::min<int64_t>(
                                options_.retry_base.count() * factor, options_.retry_max.count())));
    logger_->debug("webhook {}: position {} attempt {}: {}; next try in {} ms", w.endpoint.id,
                   r.position, attempt, a.error, delay.count());
    std::unique_lock lock(w.mutex);
    w.state = "retrying";
    w.failed_attempts = attempt;
    w.last_error = a.error;
    w.next_retry_us =
        NowUs() + std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
    if (w.wake.wait_for(lock, delay, [&w] { return w.stop; })) return false;
  }
}

EndpointView Webhooks::ViewOf(Worker& w) {
  EndpointView v;
  v.endpoint = w.endpoint;
  v.endpoint.secret.clear();
  std::lock_guard lock(w.mutex);
  v.cursor = w.cursor;
  v.state = w.state;
  v.pending = w.pending;
  v.failed_attempts = w.failed_attempts;
  v.next_retry_us = w.next_retry_us;
  v.last_error = w.failed_attempts > 0 ? w.last_error : "";
  return v;
}

service::Result<EndpointView> Webhooks::Register(const RegisterRequest& request) {
  auto url = ParseUrl(request.url);
  if (!url) return Fail("INVALID_ARGUMENT", url.error());
  // For the log: scheme, host and port only, since a receiver may carry a secret in its path.
  const std::string where =
      fmt::format("{}://{}:{}", url->tls ? "https" : "http", url->host, url->port);
  if (std::string bad = CheckEventTypes(request.event_types); !bad.empty()) {
    return Fail("INVALID_ARGUMENT", bad);
  }
  const Position last = log_.LastPosition();
  if (request.from_position > last + 1) {
    return Fail("INVALID_ARGUMENT", "fromPosition " + std::to_string(request.from_position) +
                                        " is past the log's end (" + std::to_string(last) +
                                        "): give 0 for only new events");
  }
  Endpoint e;
  auto id = service::NewSecretToken();
  if (!id) return std::unexpected(id.error());
  auto secret = service::NewSecretToken();
  if (!secret) return std::unexpected(secret.error());
  // 96 random bits name an endpoint; the id is not a secret, only unique.
  e.id = "wh_" + id->substr(0, 16);
  e.secret = "whsec_" + *secret;
  e.url = request.url;
  e.org = request.org;
  for (const std::string& type : request.event_types) {
    if (std::find(e.event_types.begin(), e.event_types.end(), type) == e.event_types.end()) {
      e.event_types.push_back(type);
    }
  }
  e.created_us = NowUs();
  e.start_after = request.from_position == 0 ? last : request.from_position - 1;
  std::lock_guard lock(mutex_);
  if (workers_.size() >= options_.max_endpoints) {
    return Fail("FAILED_PRECONDITION",
                "this server already has " + std::to_string(workers_.size()) +
                    " webhook endpoints, the most it runs: remove one first");
  }
  if (auto added = store_->Add(e); !added) return std::unexpected(added.error());
  auto worker = std::make_unique<Worker>(e, std::move(*url), e.start_after, tls_);
  Worker& w = *worker;
  workers_[e.id] = std::move(worker);
  if (started_) Launch(w);
  logger_->info("webhook {} registered: {} (org '{}', {} event types), after position {}", e.id,
                where, e.org, e.event_types.size(), e.start_after);
  EndpointView v = ViewOf(w);
  v.endpoint.secret = e.secret;
  return v;
}

service::Result<void> Webhooks::Remove(const std::string& id) {
  std::unique_ptr<Worker> worker;
  {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return Fail("NOT_FOUND", "no webhook endpoint '" + id + "'");
    worker = std::move(it->second);
    workers_.erase(it);
  }
  StopWorker(*worker);
  if (auto removed = store_->Remove(id); !removed) return std::unexpected(removed.error());
  logger_->info("webhook {} removed", id);
  return {};
}

std::vector<EndpointView> Webhooks::List() {
  std::vector<EndpointView> out;
  std::lock_guard lock(mutex_);
  for (auto& [id, worker] : workers_) out.push_back(ViewOf(*worker));
  std::sort(out.begin(), out.end(), [](const EndpointView& a, const EndpointView& b) {
    return a.endpoint.created_us < b.endpoint.created_us;
  });
  return out;
}

service::Result<DeliveriesView> Webhooks::Deliveries(const std::string& id) {
  DeliveriesView out;
  {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return Fail("NOT_FOUND", "no webhook endpoint '" + id + "'");
    out.endpoint = ViewOf(*it->second);
  }
  auto attempts = store_->Attempts(id);
  if (!attempts) return std::unexpected(attempts.error());
  out.attempts = std::move(*attempts);
  return out;
}

WebhookCounters Webhooks::Counters() {
  WebhookCounters c;
  c.delivered = delivered_.load(std::memory_order_relaxed);
  c.failed = failed_.load(std::memory_order_relaxed);
  const Position last = log_.LastPosition();
  std::lock_guard lock(mutex_);
  c.endpoints = workers_.size();
  for (auto& [id, worker] : workers_) {
    std::lock_guard w(worker->mutex);
    c.backlog = std::max<uint64_t>(c.backlog, last > worker->cursor ? last - worker->cursor : 0);
  }
  return c;
}

}  // namespace roster::api::webhooks
