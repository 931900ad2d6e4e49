// Streamed answers and slow readers: a client that stops reading an export holds the server to
// its outbound limit (other clients are served meanwhile) and gets the whole file when it reads
// again; streams are limited server-wide and freed when their client goes; stopping the server
// ends a stalled stream instead of waiting on it, and so does the client's cancel.
#include <algorithm>
#include <map>
#include <set>

#include "tests/api/stream_fixture.h"
#include "tests/support/waiting.h"

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
    // Only what a test does ends a stall: never the write timeout of a slow machine's run.
    options_.write_timeout = std::chrono::minutes(10);
  }
  // A connection that asks for the whole export and then reads nothing.
  std::unique_ptr<RawConnection> StalledExport(uint64_t id) {
    auto raw = std::make_unique<RawConnection>(
        server_->port(), static_cast<int>(kGenerousTimeout.count()), kReceiveBuffer);
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
  // The whole export, retried while every place is taken (a place is freed once the server
  // has seen its stream end).
  std::expected<api::client::ExportResult, api::client::ClientError> ExportOnceAPlaceIsFree(
      api::client::Client& c, std::string* text) {
    std::expected<api::client::ExportResult, api::client::ClientError> result;
    Eventually([&] {
      text->clear();
      result = ApiExport(c, {}, text);
      return result || result.error().code != "UNAVAILABLE";
    });
    return result;
  }
  // The server answers a status query and an as-of on a fresh connection while a stall lasts:
  // one that waited on the stalled client would not answer at all, so the client waits
  // generously rather than timing the answers.
  void ExpectServedMeanwhile() {
    auto options = ClientFor(service_token_);
    options.timeout = kGenerousTimeout;
    auto connected = api::client::Client::Connect(options);
    ASSERT_TRUE(connected.has_value()) << connected.error().message;
    auto& c = *connected;
    auto status = c->Call([](Request::Builder r) { r.initQuery().setStatus(); });
    ASSERT_TRUE(status.has_value()) << status.error().message;
    EXPECT_TRUE(status->get().isStatus());
    auto as_of =
        c->Call([](Request::Builder r) { r.initQuery().initOrganizationAsOf().setOrg("acme"); });
    ASSERT_TRUE(as_of.has_value()) << as_of.error().message;
    EXPECT_TRUE(as_of->get().isOrganizationAsOf());
  }
  // Waits until a stream's producer has filled a connection's outbound queue to the limit: it
  // waits for room from then on.
  void WaitUntilAStreamStalls() {
    ASSERT_TRUE(Eventually([&] { return server_->outbound_peak_bytes() >= kOutboundLimit; }))
        << "no stream filled its connection's outbound queue";
  }
};

TEST_F(SlowReaderTest, AStalledExportHoldsTheServerToItsOutboundLimitThenArrivesWhole) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 40000);
  const std::string expected = OfflineExport({});
  // Far more than the kernel buffers of both ends can take: most of it must wait somewhere.
  ASSERT_GT(expected.size(), 16u << 20);

  auto raw = StalledExport(7);
  WaitUntilAStreamStalls();
  ExpectServedMeanwhile();
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
  // Both streams have begun (each has sent a part) and wait for their readers: a third is
  // refused, other requests are served.
  for (RawConnection* raw : {first.get(), second.get()}) {
    auto part = raw->Read();
    ASSERT_TRUE(part.has_value());
    ASSERT_TRUE(part->get().isAuditExport());
  }
  auto c = Connect(auditor_token_);
  std::string text;
  auto refused = ApiExport(*c, {}, &text);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "UNAVAILABLE");
  ExpectServedMeanwhile();
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
  // Both streams have begun once a part of each has come.
  std::map<uint64_t, size_t> parts;
  while (parts.size() < 2) {
    auto message = raw->Read();
    ASSERT_TRUE(message.has_value()) << "the connection ended early";
    ASSERT_TRUE(message->get().isAuditExport());
    ++parts[message->get().getId()];
  }
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
  WaitUntilAStreamStalls();
  const auto start = Clock::now();
  server_->Stop();
  // The stream's producer was waiting for room; stopping released it (else the worker pool
  // would never join). The client's write stays stuck until the stop timeout (2 s) forces it,
  // well before the write timeout (10 minutes) could.
  EXPECT_LT(Clock::now() - start, kGenerousTimeout);
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
  Eventually([&] { return server_->connections() == 0; });
  EXPECT_EQ(server_->connections(), 0u) << "still open";
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(800));
  // Closed by the write timeout, not by another deadline (hello, frame: 10 s; idle: 300 s).
  const auto lines = sink_->Lines();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("closed: the client stopped reading") != std::string::npos;
  })) << "not closed by the write timeout";
  ExpectServedMeanwhile();
}

class StreamsPerConnectionTest : public StreamFixture {};

TEST_F(StreamsPerConnectionTest, AFifthStreamOnOneConnectionIsRefusedTheFourRunToTheEnd) {
  CreateWorkspace("acme", "olive");
  AppendLogins("acme", 5000);
  RawConnection raw(server_->port(), static_cast<int>(kGenerousTimeout.count()));
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
