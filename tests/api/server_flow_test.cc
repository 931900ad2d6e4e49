// Pipelining, the per-connection in-flight limit, the connection limit and subscriptions.
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "eventstore/testing/store_helpers.h"
#include "tests/api/server_fixture.h"
#include "tests/support/waiting.h"

namespace roster::tests {
namespace {

using Clock = std::chrono::steady_clock;

class ServerFlowTest : public ServerFixture {};

TEST_F(ServerFlowTest, AClientThatStopsSendingGetsEveryAnswerThenTheEnd) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  // Requests answered on the worker pool (status) and inline (checks), then end of stream
  // from the client while most are still being answered.
  std::string requests = Hello(service_token_, 100);
  for (uint64_t id = 1; id <= 60; ++id) {
    requests += Encode([&](Request::Builder r) {
      r.setId(id);
      if (id % 2) {
        r.initQuery().setStatus();
      } else {
        auto check = r.initQuery().initCheck();
        check.setOrg("acme");
        check.setUser("alice");
        check.setPermission("members.invite");
      }
    });
  }
  ASSERT_TRUE(raw.Send(requests));
  raw.ShutdownWrite();
  std::set<uint64_t> answered;
  for (int i = 0; i <= 60; ++i) {
    auto message = raw.Read();
    ASSERT_TRUE(message.has_value()) << "after " << answered.size() << " answers";
    answered.insert(message->get().getId());
  }
  EXPECT_EQ(answered.size(), 61u);
  // Then the server ends the connection itself, well before the idle timeout (300 s).
  EXPECT_TRUE(raw.Closed());
}

TEST_F(ServerFlowTest, PipelinedRequestsAreAllAnsweredWithTheirIds) {
  auto c = Connect(admin_token_);
  CreateOrg(*c, "acme", "alice", "platform");
  // Read-your-writes once for each read model the pipeline uses, so that the answers below do
  // not depend on how far the projections got (the pipelined checks carry no token: they are
  // the ones answered inline).
  const uint64_t token = LastPosition();
  for (int kind = 0; kind < 2; ++kind) {
    auto ready = c->Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(token);
      if (kind == 0) {
        auto check = q.initCheck();
        check.setOrg("acme");
        check.setUser("alice");
        check.setPermission("members.invite");
      } else {
        q.initListMembers().setOrg("acme");
      }
    });
    ASSERT_TRUE(ready.has_value()) << ready.error().message;
    ASSERT_FALSE(ready->get().isError()) << ready->get().getError().getMessage().cStr();
  }
  // Three kinds: checks (answered inline), member lists and status (on the worker pool).
  std::vector<std::pair<uint64_t, int>> sent;
  for (int i = 0; i < 300; ++i) {
    const int kind = i % 3;
    auto id = c->Send([&](Request::Builder r) {
      auto q = r.initQuery();
      if (kind == 0) {
        auto check = q.initCheck();
        check.setOrg("acme");
        check.setUser(i % 2 ? "alice" : "nobody");
        check.setPermission("members.invite");
      } else if (kind == 1) {
        q.initListMembers().setOrg("acme");
      } else {
        q.setStatus();
      }
    });
    ASSERT_TRUE(id.has_value());
    sent.emplace_back(*id, kind);
  }
  // Asked for in reverse: the client keeps the others meanwhile.
  for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
    auto reply = c->Wait(it->first);
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    auto r = reply->get();
    EXPECT_EQ(r.getId(), it->first);
    if (it->second == 0) {
      ASSERT_TRUE(r.isCheck());
      EXPECT_EQ(r.getCheck().getAllowed(), it->first % 2 == 0) << it->first;
    } else if (it->second == 1) {
      ASSERT_TRUE(r.isMembers());
      EXPECT_EQ(r.getMembers().getMembers().size(), 1u);
    } else {
      EXPECT_TRUE(r.isStatus());
    }
  }
}

// Requests that wait for a consistency token the log never reaches occupy the workers; with
// the in-flight limit reached the server stops reading, so even a quick check waits.
class InFlightLimitTest : public ServerFlowTest {
 protected:
  InFlightLimitTest() { options_.max_in_flight = 2; }
  api::service::NodeOptions Options() {
    auto o = NodeFixture::Options();
    o.queries.token_wait = std::chrono::milliseconds(600);
    return o;
  }
};

TEST_F(InFlightLimitTest, ReadingPausesAtTheLimit) {
  // NodeFixture::Open uses its own Options(): reopen with the short token wait.
  StopServer();
  node_.reset();
  auto node = api::service::Node::Open(dir_.path(), clock_, logger_, Options());
  ASSERT_TRUE(node.has_value());
  node_ = std::move(*node);
  dispatcher_ = std::make_unique<api::dispatch::Dispatcher>(*node_, *tokens_, "test");
  auto server =
      api::server::Server::Start(*dispatcher_, *tokens_, node_->log(), server_logger_, options_);
  ASSERT_TRUE(server.has_value());
  server_ = std::move(*server);

  auto c = Connect(admin_token_);
  auto waiting = [&] {
    return c->Send([](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(1'000'000);
      q.initListMembers().setOrg("acme");
    });
  };
  auto check = [&] {
    return c->Send([](Request::Builder r) {
      auto ch = r.initQuery().initCheck();
      ch.setOrg("acme");
      ch.setUser("alice");
      ch.setPermission("members.view");
    });
  };
  const auto start = Clock::now();
  auto w1 = waiting(), w2 = waiting(), quick = check();
  ASSERT_TRUE(w1 && w2 && quick);
  auto q = c->Wait(*quick);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->get().getId(), *quick);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(500));  // read only after a wait ended
  for (auto id : {*w1, *w2}) {
    auto r = c->Wait(id);
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(r->get().isError());
    EXPECT_STREQ(r->get().getError().getCode().cStr(), "TIMEOUT");
  }
  // Below the limit a check is answered at once: while a wait still holds a place, so its
  // answer comes first. A raw connection shows the order the answers arrive in.
  RawConnection raw(server_->port(), static_cast<int>(kGenerousTimeout.count()));
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(Hello(admin_token_, 1)));
  ASSERT_TRUE(raw.Read().has_value());
  ASSERT_TRUE(raw.Send(Encode([](Request::Builder r) {
                         r.setId(2);
                         auto q = r.initQuery();
                         q.setConsistencyToken(1'000'000);
                         q.initListMembers().setOrg("acme");
                       }) +
                       Encode([](Request::Builder r) {
                         r.setId(3);
                         auto ch = r.initQuery().initCheck();
                         ch.setOrg("acme");
                         ch.setUser("alice");
                         ch.setPermission("members.view");
                       })));
  auto quick2 = raw.Read();
  ASSERT_TRUE(quick2.has_value());
  EXPECT_EQ(quick2->get().getId(), 3u) << "the check was answered only after the wait ended";
  auto w3 = raw.Read();
  ASSERT_TRUE(w3.has_value());
  EXPECT_EQ(w3->get().getId(), 2u);
}

class ConnectionLimitTest : public ServerFlowTest {
 protected:
  ConnectionLimitTest() { options_.max_connections = 2; }
};

TEST_F(ConnectionLimitTest, ConnectionsBeyondTheLimitAreRefused) {
  auto a = Connect(admin_token_);
  auto b = Connect(auditor_token_);
  ASSERT_TRUE(a && b);
  auto refused = api::client::Client::Connect(ClientFor(admin_token_));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "CONNECTION") << refused.error().message;
  // The ones in place still work.
  ASSERT_TRUE(a->Call([](Request::Builder r) { r.initQuery().setStatus(); }).has_value());
  b.reset();
  Eventually([&] { return server_->connections() < 2; });  // then a newcomer is served
  ExpectServing();
}

TEST_F(ServerFlowTest, SubscriberReadsEveryRecordOnceInOrderWhileAppendsRun) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  constexpr int kCommands = 150;
  // The writer's last command carries a command id the subscriber stops at.
  std::thread writer([&] {
    auto w = Connect(service_token_);
    for (int i = 0; i <= kCommands; ++i) {
      auto reply = w->Call([&](Request::Builder r) {
        auto cmd = r.initCommand();
        cmd.setOrg("acme");
        cmd.setActor("alice");
        cmd.setCommandId(i == kCommands ? "sentinel" : "rename-" + std::to_string(i));
        cmd.setRenameOrganization("acme " + std::to_string(i));
      });
      ASSERT_TRUE(reply.has_value());
      ASSERT_TRUE(reply->get().isCommand());
      ASSERT_TRUE(reply->get().getCommand().getAccepted());
    }
  });
  std::vector<uint64_t> positions;
  auto sub = Connect(auditor_token_);
  auto ended = sub->Subscribe(0, 8, [&](api::wire::Record::Reader record) {
    positions.push_back(record.getPosition());
    return std::string_view(record.getCommandId().cStr()) != "sentinel";
  });
  writer.join();
  ASSERT_TRUE(ended.has_value()) << ended.error().message;
  ASSERT_FALSE(positions.empty());
  EXPECT_EQ(positions.back(), LastPosition());
  for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], i + 1);
  EXPECT_GE(positions.size(), static_cast<size_t>(kCommands));
  // The connection is usable after unsubscribing.
  auto status = sub->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->get().isStatus());
}

// Long catch-ups are read in several batches at once; they must still arrive whole, in order
// and byte-exact.
TEST_F(ServerFlowTest, ALongCatchUpArrivesInOrderWithEveryFieldAsStored) {
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<eventstore::NewEvent> events;
    for (int i = 0; i < 100; ++i) {
      events.push_back(eventstore::testing::Event(
          "bulk.event", std::string(static_cast<size_t>(i % 7) * 40, 'x') + std::to_string(i)));
    }
    auto request = eventstore::testing::Request(
        "bulk-" + std::to_string(batch % 3), eventstore::ExpectedVersion::Any(), std::move(events));
    request.metadata.actor = "loader-" + std::to_string(batch);
    ASSERT_TRUE(node_->log().Append(std::move(request)));
  }
  const uint64_t last = LastPosition();
  ASSERT_EQ(last, 6000u);
  auto stored = node_->log().ReadAll(1, last);
  ASSERT_TRUE(stored.has_value());

  auto sub = Connect(auditor_token_);
  size_t seen = 0;
  bool same = true;
  auto ended = sub->Subscribe(0, 5000, [&](api::wire::Record::Reader record) {
    const eventstore::Record& want = (*stored)[seen++];
    auto text = [](capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); };
    auto bytes = [](capnp::Data::Reader d) {
      return std::string_view(reinterpret_cast<const char*>(d.begin()), d.size());
    };
    same =
        same && record.getPosition() == want.position && text(record.getStream()) == want.stream &&
        record.getStreamVersion() == want.stream_version && text(record.getType()) == want.type &&
        text(record.getActor()) == want.metadata.actor &&
        text(record.getCommandId()) == want.metadata.command_id &&
        record.getTimeUs() == want.metadata.time_us && bytes(record.getPayload()) == want.payload &&
        bytes(record.getPrevHash()) == eventstore::AsBytes(want.prev_hash) &&
        bytes(record.getHash()) == eventstore::AsBytes(want.hash);
    EXPECT_TRUE(same) << "record " << record.getPosition() << " differs (expected position "
                      << want.position << ")";
    return same && record.getPosition() < last;
  });
  ASSERT_TRUE(ended.has_value()) << ended.error().message;
  EXPECT_EQ(seen, last);
}

// Large records: a read range stops at about 1 MiB of frames and the next goes on from there.
TEST_F(ServerFlowTest, LargeRecordsArriveWholeAndInOrder) {
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<eventstore::NewEvent> events;
    for (int i = 0; i < 10; ++i) {
      events.push_back(eventstore::testing::Event(
          "big.event", std::string(300'000 + batch * 1000 + i, static_cast<char>('a' + i))));
    }
    ASSERT_TRUE(node_->log().Append(eventstore::testing::Request(
        "big", eventstore::ExpectedVersion::Any(), std::move(events))));
  }
  const uint64_t last = LastPosition();
  ASSERT_EQ(last, 80u);
  auto sub = Connect(auditor_token_);
  std::vector<uint64_t> positions;
  auto ended = sub->Subscribe(0, 1000, [&](api::wire::Record::Reader record) {
    const uint64_t n = positions.size();
    positions.push_back(record.getPosition());
    EXPECT_EQ(record.getPayload().size(), 300'000 + (n / 10) * 1000 + n % 10) << n;
    return record.getPosition() < last;
  });
  ASSERT_TRUE(ended.has_value()) << ended.error().message;
  ASSERT_EQ(positions.size(), last);
  for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], i + 1);
}

TEST_F(ServerFlowTest, SubscriberWithoutCreditsGetsNoMoreThanGranted) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(admin
                    ->Call([&](Request::Builder r) {
                      auto cmd = r.initCommand();
                      cmd.setOrg("acme");
                      cmd.setActor("alice");
                      cmd.setCommandId("rename-" + std::to_string(i));
                      cmd.setRenameOrganization("acme " + std::to_string(i));
                    })
                    .has_value());
  }
  const uint64_t last = LastPosition();
  ASSERT_GT(last, 20u);
  auto options = ClientFor(auditor_token_);
  options.timeout = std::chrono::milliseconds(400);
  auto c = api::client::Client::Connect(options);
  ASSERT_TRUE(c.has_value());
  auto& client = **c;
  auto id = client.Send([](Request::Builder r) {
    auto s = r.initSubscribe();
    s.setAfterPosition(0);
    s.setCredits(5);
  });
  ASSERT_TRUE(id.has_value());
  auto first = client.Wait(*id);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->get().isSubscribed());
  EXPECT_EQ(first->get().getSubscribed(), last);
  auto drain = [&] {
    std::vector<uint64_t> got;
    while (true) {
      auto r = client.Wait(*id);
      if (!r) {
        EXPECT_EQ(r.error().code, "TIMEOUT");
        return got;
      }
      EXPECT_TRUE(r->get().isRecord());
      got.push_back(r->get().getRecord().getPosition());
    }
  };
  EXPECT_EQ(drain(), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  ASSERT_TRUE(client
                  .Send([&](Request::Builder r) {
                    auto credit = r.initCredit();
                    credit.setSubscription(*id);
                    credit.setCredits(3);
                  })
                  .has_value());
  EXPECT_EQ(drain(), (std::vector<uint64_t>{6, 7, 8}));
  auto un = client.Call([&](Request::Builder r) { r.setUnsubscribe(*id); });
  ASSERT_TRUE(un.has_value());
  EXPECT_TRUE(un->get().isUnsubscribed());
}

}  // namespace
}  // namespace roster::tests
