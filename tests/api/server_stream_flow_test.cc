// Streamed answers and slow readers: a client that stops reading an export holds the server to
// its outbound limit (other clients are served meanwhile) and gets the whole file when it reads
// again; streams are limited server-wide and freed when their client goes; stopping the server
// ends a stalled stream instead of waiting on it, and so does the client's cancel.
#include <map>
#include <set>
#include <thread>

#include "tests/api/stream_fixture.h"

namespace roster::tests {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kOutboundLimit = 256 << 10;
constexpr size_t kPartBytes = 256 << 10;  // export bytes per part (dispatch_streamed.cc)
constexpr int kReceiveBuffer = 32 << 10;  // the stalled client's kernel buffer

class SlowReaderTest : public StreamFixture {
 protected:
  SlowReaderTest() {
    options_.max_outbound_bytes = kOutboundLimit;
    options_.worker_threads = 4;  // two streams at most
    options_.stop_timeout = std::chrono::milliseconds(2000);
  }
  // A connection that asks for the whole export and then reads nothing.
  std::unique_ptr<RawConnection> StalledExport(uint64_t id) {
    auto raw = std::make_unique<RawConnection>(server_->port(), 10000, kReceiveBuffer);
    EXPECT_TRUE(raw->connected());
    EXPECT_TRUE(raw->Send(Hello(auditor_token_)));
    auto hello = raw->Read();
    EXPECT_TRUE(hello && hello->get().isHello());
    EXPECT_TRUE(raw->Send(Encode([&](Request::Builder r) {
      r.setId(id);
      r.initQuery().initAuditExport();
    })));
    return raw;
  }
  // The whole export, retried (for up to 5 s) while every place is taken.
  std::expected<api::client::ExportResult, api::client::ClientError> ExportOnceAPlaceIsFree(
      api::client::Client& c, std::string* text) {
    std::expected<api::client::ExportResult, api::client::ClientError> result;
    for (int attempt = 0; attempt < 50; ++attempt) {
      text->clear();
      result = ApiExport(c, {}, text);
      if (result || result.error().code != "UNAVAILABLE") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return result;
  }
  // The server answers a status query and an as-of on a fresh connection, quickly.
  void ExpectServedQuickly() {
    const auto start = Clock::now();
    auto c = Connect(service_token_);
    ASSERT_NE(c, nullptr);
    auto status = c->Call([](Request::Builder r) { r.initQuery().setStatus(); });
    ASSERT_TRUE(status.has_value()) << status.error().message;
    EXPECT_TRUE(status->get().isStatus());
    auto as_of =
        c->Call([](Request::Builder r) { r.initQuery().initOrganizationAsOf().setOrg("acme"); });
    ASSERT_TRUE(as_of.has_value()) << as_of.error().message;
    EXPECT_TRUE(as_of->get().isOrganizationAsOf());
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  }
};

TEST_F(SlowReaderTest, AStalledExportHoldsTheServerToItsOutboundLimitThenArrivesWhole) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 40000);
  const std::string expected = OfflineExport({});
  // Far more than the kernel buffers of both ends can take: most of it must wait somewhere.
  ASSERT_GT(expected.size(), 16u << 20);

  auto raw = StalledExport(7);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ExpectServedQuickly();
  const size_t bound = kOutboundLimit + 2 * kPartBytes + (64 << 10);
  EXPECT_LE(server_->outbound_peak_bytes(), bound);

  std::string got;
  size_t parts = 0;
  while (true) {
    auto message = raw->Read();
    ASSERT_TRUE(message.has_value()) << "after " << got.size() << " bytes";
    auto response = message->get();
    ASSERT_EQ(response.getId(), 7u);
    ASSERT_TRUE(response.isAuditExport())
        << (response.isError() ? response.getError().getMessage().cStr() : "");
    auto data = response.getAuditExport().getData();
    got.append(reinterpret_cast<const char*>(data.begin()), data.size());
    ++parts;
    if (!response.getMore()) break;
  }
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
  EXPECT_GT(parts, expected.size() / kPartBytes);
  EXPECT_LE(server_->outbound_peak_bytes(), bound);
}

TEST_F(SlowReaderTest, StreamsAreLimitedAndFreedWhenTheirClientGoes) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 30000);
  auto first = StalledExport(1);
  auto second = StalledExport(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Both streams wait for their readers: a third is refused, other requests are served.
  auto c = Connect(auditor_token_);
  std::string text;
  auto refused = ApiExport(*c, {}, &text);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "UNAVAILABLE");
  ExpectServedQuickly();
  // The stalled clients go away: their producers stop and free their places.
  first->Close();
  second->Close();
  auto result = ExportOnceAPlaceIsFree(*c, &text);
  ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
  EXPECT_TRUE(text == OfflineExport({}));
}

TEST_F(SlowReaderTest, ACancelStopsAStreamAndFreesItsPlace) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 30000);
  const std::string expected = OfflineExport({});
  // Two exports on one connection take both places; the client cancels them without reading.
  auto raw = StalledExport(1);
  ASSERT_TRUE(raw->Send(Encode([&](Request::Builder r) {
    r.setId(2);
    r.initQuery().initAuditExport();
  })));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (uint64_t id : {1, 2}) {
    ASSERT_TRUE(raw->Send(Encode([&](Request::Builder r) {
      r.setId(10 + id);
      r.setCancel(id);
    })));
  }
  ASSERT_TRUE(raw->Send(Encode([&](Request::Builder r) {
    r.setId(20);
    r.setCancel(99);
  })));
  // The places are free again: another client's export runs to the end.
  auto c = Connect(auditor_token_);
  std::string text;
  auto result = ExportOnceAPlaceIsFree(*c, &text);
  ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
  EXPECT_TRUE(text == expected);
  // What the cancelling client reads: parts, then for each stream the cancel's answer and the
  // stream's end (CANCELLED), nothing of a stream after its end; an unknown id is NOT_FOUND.
  std::map<uint64_t, size_t> parts;
  std::set<uint64_t> ended, cancelled;
  std::string not_found;
  while (ended.size() < 2 || cancelled.size() < 2 || not_found.empty()) {
    auto message = raw->Read();
    ASSERT_TRUE(message.has_value()) << "the connection ended early";
    auto response = message->get();
    const uint64_t id = response.getId();
    if (response.isAuditExport()) {
      EXPECT_FALSE(ended.contains(id)) << "a part of stream " << id << " after its end";
      EXPECT_TRUE(response.getMore()) << "a cancelled export must not look complete";
      ++parts[id];
    } else if (response.isCancelled()) {
      cancelled.insert(id);
    } else {
      ASSERT_TRUE(response.isError());
      const std::string code = response.getError().getCode().cStr();
      if (id == 20) {
        not_found = code;
      } else {
        EXPECT_EQ(code, "CANCELLED") << id;
        ended.insert(id);
      }
    }
  }
  EXPECT_EQ(cancelled, (std::set<uint64_t>{11, 12}));
  EXPECT_EQ(ended, (std::set<uint64_t>{1, 2}));
  EXPECT_EQ(not_found, "NOT_FOUND");
  for (auto [id, n] : parts) EXPECT_LT(n, expected.size() / kPartBytes) << id;
  // The connection still answers.
  ASSERT_TRUE(raw->Send(Encode([](Request::Builder r) {
    r.setId(30);
    r.initQuery().setStatus();
  })));
  auto status = raw->Read();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->get().isStatus());
}

TEST_F(SlowReaderTest, StoppingTheServerEndsAStalledStream) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 30000);
  auto raw = StalledExport(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = Clock::now();
  server_->Stop();
  // The stream's producer was waiting for room; stopping released it (else the worker pool
  // would never join). The client's write stays stuck until the stop timeout forces it.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(8));
  // What the client still reads is never a complete export.
  while (auto message = raw->Read()) {
    auto response = message->get();
    if (response.isError()) {
      EXPECT_EQ(std::string(response.getError().getCode().cStr()), "SHUTTING_DOWN");
      continue;
    }
    ASSERT_TRUE(response.isAuditExport());
    EXPECT_TRUE(response.getMore());
  }
}

class WriteTimeoutTest : public SlowReaderTest {
 protected:
  WriteTimeoutTest() { options_.write_timeout = std::chrono::milliseconds(800); }
};

TEST_F(WriteTimeoutTest, AClientThatStopsReadingIsClosedAfterTheWriteTimeout) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 30000);
  // Requests before the stall move the connection's deadlines on every frame and write; the
  // write deadline must still fire once a write stops making progress.
  auto c = Connect(auditor_token_);
  for (int i = 0; i < 200; ++i) {
    auto status = c->Call([](Request::Builder r) { r.initQuery().setStatus(); });
    ASSERT_TRUE(status.has_value()) << status.error().message;
  }
  c.reset();
  auto raw = StalledExport(9);
  const auto start = Clock::now();
  // Well before any other deadline (hello, frame: 10 s; idle: 300 s) could close it.
  while (server_->connections() > 0 && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server_->connections(), 0u) << "still open after 5 s";
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(800));
  ExpectServedQuickly();
}

class StreamsPerConnectionTest : public StreamFixture {};

TEST_F(StreamsPerConnectionTest, AFifthStreamOnOneConnectionIsRefusedTheFourRunToTheEnd) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 5000);
  RawConnection raw(server_->port(), 10000);
  ASSERT_TRUE(raw.Send(Hello(auditor_token_)));
  ASSERT_TRUE(raw.Read().has_value());
  // Five exports in one write: the server takes them in one go, so the first four are in
  // progress when the fifth arrives.
  std::string requests;
  for (uint64_t id = 1; id <= 5; ++id) {
    requests += Encode([&](Request::Builder r) {
      r.setId(id);
      r.initQuery().initAuditExport();
    });
  }
  ASSERT_TRUE(raw.Send(requests));
  std::map<uint64_t, std::string> files;
  std::set<uint64_t> complete;
  std::string refused;
  while (complete.size() < 4) {
    auto message = raw.Read();
    ASSERT_TRUE(message.has_value());
    auto response = message->get();
    if (response.isError()) {
      EXPECT_EQ(response.getId(), 5u);
      refused = response.getError().getCode().cStr();
      continue;
    }
    ASSERT_TRUE(response.isAuditExport());
    auto data = response.getAuditExport().getData();
    files[response.getId()].append(reinterpret_cast<const char*>(data.begin()), data.size());
    if (!response.getMore()) complete.insert(response.getId());
  }
  if (refused.empty()) {  // the refusal may come after the last part of the others
    auto message = raw.Read();
    ASSERT_TRUE(message.has_value());
    ASSERT_TRUE(message->get().isError());
    refused = message->get().getError().getCode().cStr();
  }
  EXPECT_EQ(refused, "LIMIT");
  const std::string expected = OfflineExport({});
  for (uint64_t id = 1; id <= 4; ++id) EXPECT_TRUE(files[id] == expected) << id;
}

}  // namespace
}  // namespace roster::tests
