#include "eventstore/postgres/internal/pg_notifier.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace roster::eventstore::postgres::internal {
namespace {

constexpr std::chrono::milliseconds kFirstPause{50};
constexpr std::chrono::milliseconds kLongestPause{2000};

}  // namespace

PgNotifier::PgNotifier(std::string conninfo, const PgLogOptions& options, const Statements& sql,
                       CommitFeed& feed, std::function<int()> own_pid)
    : conninfo_(std::move(conninfo)),
      options_(options),
      sql_(sql),
      feed_(feed),
      own_pid_(std::move(own_pid)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      thread_([this] { Run(); }) {}

PgNotifier::~PgNotifier() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void PgNotifier::Stop() {
  stopping_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  // Only fails when the counter would overflow, and then the thread is awake anyway.
  [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
  std::lock_guard lock(join_mu_);  // Close() may come from several threads at once
  if (thread_.joinable()) thread_.join();
}

bool PgNotifier::Pause(std::chrono::milliseconds pause) {
  pollfd wake{wake_fd_, POLLIN, 0};
  poll(&wake, 1, static_cast<int>(pause.count()));
  return !stopping_.load(std::memory_order_acquire);
}

void PgNotifier::Away() {
  if (away_since_us_.load(std::memory_order_relaxed) != 0) return;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  away_since_us_.store(now.count(), std::memory_order_relaxed);
}

Result<void> PgNotifier::Listen() {
  auto conn = Connect(conninfo_, options_.connect_timeout);
  if (!conn) return std::unexpected(std::move(conn.error()));
  connects_.fetch_add(1, std::memory_order_relaxed);
  if (auto listening = ExecText(conn->get(), sql_.listen.c_str(), "listening for commits");
      !listening) {
    return std::unexpected(std::move(listening.error()));
  }
  Params none;
  auto head = Exec(conn->get(), sql_.read_head.c_str(), none, "reading the log's head");
  if (!head) return std::unexpected(std::move(head.error()));
  if (PQntuples(head->get()) == 1) feed_.Advance(static_cast<Position>(Int8(head->get(), 0, 0)));
  conn_ = std::move(*conn);
  return {};
}

void PgNotifier::Drain() {
  while (PGnotify* notify = PQnotifies(conn_.get())) {
    const std::string_view payload(notify->extra);
    Position position = 0;
    const auto parsed = std::from_chars(payload.data(), payload.data() + payload.size(), position);
    const bool own = notify->be_pid == own_pid_();
    PQfreemem(notify);
    if (parsed.ec == std::errc() && !own) feed_.Advance(position);
  }
}

void PgNotifier::Run() {
  pthread_setname_np(pthread_self(), "roster-pg-listen");
  std::chrono::milliseconds pause = kFirstPause;
  while (!stopping_.load(std::memory_order_acquire)) {
    if (!conn_) {
      if (!Listen()) {
        Away();
        // The server is away: try again later, each time a little later.
        if (!Pause(pause)) return;
        pause = std::min(pause * 2, kLongestPause);
        continue;
      }
      pause = kFirstPause;
      away_since_us_.store(0, std::memory_order_relaxed);
    }
    pollfd fds[2] = {{PQsocket(conn_.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;     // Stop()
    if (fds[0].revents != 0) {
      if (!PQconsumeInput(conn_.get()) || Broken(conn_.get())) {
        Away();
        conn_.reset();
        continue;
      }
      Drain();
    }
  }
}

}  // namespace roster::eventstore::postgres::internal
