// Bytes no well-behaved client sends: each gets an error response where one is possible or a
// closed connection, within the deadlines, and afterwards the server serves a fresh client.
#include <chrono>
#include <thread>

#include "tests/api/server_fixture.h"
#include "tests/support/waiting.h"

namespace roster::tests {
namespace {

using Clock = std::chrono::steady_clock;

class ServerInputTest : public ServerFixture {
 protected:
  ServerInputTest() {
    options_.frame_deadline = std::chrono::milliseconds(300);
    options_.idle_timeout = std::chrono::milliseconds(600);
    options_.hello_deadline = std::chrono::milliseconds(1000);
  }

  // An authenticated raw connection. Its receive timeout only bounds how long a failing test
  // waits for an answer that does not come.
  std::unique_ptr<RawConnection> Authenticated() {
    auto raw = std::make_unique<RawConnection>(server_->port(),
                                               static_cast<int>(kGenerousTimeout.count()));
    EXPECT_TRUE(raw->connected());
    EXPECT_TRUE(raw->Send(Hello(admin_token_)));
    auto hello = raw->Read();
    EXPECT_TRUE(hello.has_value());
    if (hello) {
      EXPECT_TRUE(hello->get().isHello());
    }
    return raw;
  }

  // The next response is an error with `code` (and a message saying `says`, when given).
  static void ExpectError(RawConnection& raw, const std::string& code,
                          const std::string& says = "") {
    auto m = raw.Read();
    ASSERT_TRUE(m.has_value()) << "no response (timed out: " << raw.timed_out() << ")";
    ASSERT_TRUE(m->get().isError());
    const std::string message = m->get().getError().getMessage().cStr();
    EXPECT_EQ(m->get().getError().getCode().cStr(), code) << message;
    EXPECT_NE(message.find(says), std::string::npos) << message;
  }

  static std::string Le32(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  }
};

TEST_F(ServerInputTest, GarbageBytes) {
  auto raw = Authenticated();
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>((i * 97 + 13) | 0x80));
  ASSERT_TRUE(raw->Send(garbage));
  ExpectError(*raw, "BAD_REQUEST");
  EXPECT_TRUE(raw->Closed());
  ExpectServing();
}

TEST_F(ServerInputTest, TruncatedFrameThenClose) {
  {
    auto raw = Authenticated();
    const std::string frame = StatusQuery(2);
    ASSERT_TRUE(raw->Send(frame.substr(0, frame.size() / 2)));
    raw->ShutdownWrite();
    EXPECT_TRUE(raw->Closed());  // nothing to answer: the server just closes
  }
  ExpectServing();
  // The half frame did not linger as a connection.
  Eventually([&] { return server_->connections() == 0; });
  EXPECT_EQ(server_->connections(), 0u);
}

TEST_F(ServerInputTest, AbsurdSegmentCount) {
  auto raw = Authenticated();
  ASSERT_TRUE(raw->Send(Le32(0x7fffffff) + Le32(1)));
  ExpectError(*raw, "BAD_REQUEST");
  EXPECT_TRUE(raw->Closed());
  ExpectServing();
}

TEST_F(ServerInputTest, AbsurdSegmentSize) {
  auto raw = Authenticated();
  ASSERT_TRUE(raw->Send(Le32(0) + Le32(0xfffffff0)));  // one segment of ~32 GiB
  ExpectError(*raw, "BAD_REQUEST");
  EXPECT_TRUE(raw->Closed());
  ExpectServing();
}

TEST_F(ServerInputTest, OversizeMessage) {
  auto raw = Authenticated();
  const std::string big = Encode([](Request::Builder r) {
    r.setId(3);
    auto cmd = r.initCommand();
    cmd.setOrg("acme");
    cmd.setActor(std::string(2u << 20, 'a'));  // 2 MiB: twice the limit
    cmd.setRecordActivity();
  });
  std::thread sender([&] { raw->Send(big); });  // the server may stop reading midway
  ExpectError(*raw, "BAD_REQUEST");
  EXPECT_TRUE(raw->Closed());
  sender.join();
  EXPECT_EQ(LastPosition(), 0u);
  ExpectServing();
}

TEST_F(ServerInputTest, DeeplyNestedPointersAreRefusedAndTheConnectionLives) {
  auto raw = Authenticated();
  // One segment: a query request (2 data words: id 5, union tag 2; 1 pointer) whose query
  // pointer starts a chain of 40 structs, each with no data and one pointer to the next: 40
  // levels, past the server's nesting limit of 32 but within Cap'n Proto's default of 64, so
  // only the server's own limit can refuse it.
  constexpr uint32_t kDepth = 40;
  std::string words = Le32(0) + Le32(1 + 2 + kDepth + 1);
  words += Le32(0) + Le32(2u | (1u << 16));  // root: 2 data words, 1 pointer, right after
  words += std::string(1, '\5') + std::string(7, '\0');  // id 5
  words += std::string(1, '\2') + std::string(7, '\0');  // union tag 2: query
  for (uint32_t i = 0; i < kDepth; ++i) words += Le32(0) + Le32(1u << 16);
  words += std::string(8, '\0');
  ASSERT_TRUE(raw->Send(words));
  {
    auto m = raw->Read();
    ASSERT_TRUE(m.has_value());
    ASSERT_TRUE(m->get().isError());
    // The root was readable: the error carries the request's id, so that a pipelining client
    // knows which request failed.
    EXPECT_EQ(m->get().getId(), 5u);
    EXPECT_STREQ(m->get().getError().getCode().cStr(), "BAD_REQUEST");
    EXPECT_NE(std::string(m->get().getError().getMessage().cStr()).find("nested"),
              std::string::npos)
        << m->get().getError().getMessage().cStr();
  }
  // The framing was intact, so the connection goes on.
  ASSERT_TRUE(raw->Send(StatusQuery(9)));
  auto m = raw->Read();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->get().getId(), 9u);
  EXPECT_TRUE(m->get().isStatus());
  ExpectServing();
}

// A root struct of 70,000 words (under the 1 MiB limit): every read of the root counts that
// much against the traversal budget, so serving it must not read past the budget unguarded.
TEST_F(ServerInputTest, HugeRootStructIsAnsweredNotFatal) {
  auto raw = Authenticated();
  constexpr uint32_t kData = 40000, kPointers = 30000;
  std::string frame = Le32(0) + Le32(1 + kData + kPointers);
  frame += Le32(0) + Le32(kData | (kPointers << 16));  // root: struct pointer at offset 0
  std::string body((kData + kPointers) * 8, '\0');
  body[0] = 77;  // id
  body[8] = 2;   // union tag: query (its pointer is null: an empty query)
  frame += body;
  ASSERT_TRUE(raw->Send(frame));
  auto m = raw->Read();
  ASSERT_TRUE(m.has_value()) << "no response (timed out: " << raw->timed_out() << ")";
  EXPECT_EQ(m->get().getId(), 77u);
  EXPECT_TRUE(m->get().isError());
  ExpectServing();
}

TEST_F(ServerInputTest, SlowSenderHitsTheFrameDeadline) {
  auto raw = Authenticated();
  const std::string frame = StatusQuery(2);
  const auto start = Clock::now();
  ASSERT_TRUE(raw->Send(frame.substr(0, 12)));
  // The frame deadline, not the idle timeout or another: the answer says which fired.
  ExpectError(*raw, "TIMEOUT", "a request was not completed in time");
  EXPECT_TRUE(raw->Closed());
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(250));
  ExpectServing();
}

TEST_F(ServerInputTest, NoHelloHitsTheHelloDeadline) {
  RawConnection raw(server_->port(), static_cast<int>(kGenerousTimeout.count()));
  const auto start = Clock::now();
  ExpectError(raw, "TIMEOUT");
  EXPECT_TRUE(raw.Closed());
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(900));
  ExpectServing();
}

TEST_F(ServerInputTest, IdleConnectionIsClosed) {
  auto raw = Authenticated();
  const auto start = Clock::now();
  ExpectError(*raw, "TIMEOUT", "idle");
  EXPECT_TRUE(raw->Closed());
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(550));
  ExpectServing();
}

TEST_F(ServerInputTest, UnknownRequestKindIsUnsupported) {
  auto raw = Authenticated();
  // A request whose union discriminant is beyond what this server knows (a newer client).
  std::string frame = StatusQuery(5);
  // The root struct's data section holds id (word 0) and the discriminant (word 1, low 16 bits).
  // Segment table is 8 bytes, the root pointer 8 more: the data section starts at byte 16.
  frame[16 + 8] = 99;
  ASSERT_TRUE(raw->Send(frame));
  auto m = raw->Read();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->get().getId(), 5u);
  ASSERT_TRUE(m->get().isError());
  EXPECT_STREQ(m->get().getError().getCode().cStr(), "UNSUPPORTED");
}

// Rule 10: every command carries a client-chosen command id. Without one a retry would act
// twice, so the command is refused before the domain sees it.
TEST_F(ServerInputTest, ACommandWithoutACommandIdIsRefused) {
  auto c = Connect(admin_token_);
  ASSERT_NE(c, nullptr);
  CreateOrg(*c, "acme", "alice", "commerce");
  const auto before = LastPosition();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto reply = c->Call([](Request::Builder r) {
      auto cmd = r.initCommand();
      cmd.setOrg("acme");
      cmd.setActor("alice");
      cmd.setRenameOrganization("Acme Two");
    });
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    ASSERT_TRUE(reply->get().isError());
    EXPECT_STREQ(reply->get().getError().getCode().cStr(), "INVALID_ARGUMENT");
    EXPECT_NE(std::string(reply->get().getError().getMessage().cStr()).find("commandId"),
              std::string::npos);
  }
  EXPECT_EQ(LastPosition(), before);
  std::optional<api::client::Reply> keep;
  auto named =
      Cmd(*c, keep, "acme", "alice", [](auto cmd) { cmd.setRenameOrganization("Acme Two"); });
  ASSERT_TRUE(named.isCommand());
  EXPECT_TRUE(named.getCommand().getAccepted());
}

}  // namespace
}  // namespace roster::tests
