#include "tools/soak/command_mix.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <map>

namespace roster::tools::soak {
namespace {

using Kind = Planned::Kind;

// Answers as rosterd would if the model is right: rule-breaking commands rejected, the rest
// accepted, invitations with an id and a token.
class Server {
 public:
  std::optional<std::string> Answer(CommandMix& mix, const Planned& p, bool accept) {
    capnp::MallocMessageBuilder message;
    auto r = message.initRoot<api::wire::CommandResult>();
    r.setAccepted(accept);
    if (!accept) r.initRejection().setCode("PERMISSION_DENIED");
    r.setPosition(++position_);
    if (accept && p.kind == Kind::kInvite) {
      r.setInvitationId("inv-" + std::to_string(position_));
      r.setInvitationToken("tok-" + std::to_string(position_));
    }
    if (accept && p.kind == Kind::kResend) {
      r.setInvitationId(p.target);
      r.setInvitationToken("tok-" + std::to_string(position_));
    }
    return mix.Learn(p, r.asReader());
  }

 private:
  uint64_t position_ = 0;
};

TEST(CommandMixTest, EveryCommandIsPredictedAndWhatIsActiveStaysBounded) {
  Directory directory(3);
  CommandMix mix(0, 42, 3, 0, directory);
  Server server;
  std::map<Kind, int> kinds;
  std::mt19937_64 rng(1);
  size_t most_members = 0;
  for (int i = 0; i < 50000; ++i) {
    const Planned p = mix.Next();
    kinds[p.kind]++;
    ASSERT_EQ(server.Answer(mix, p, p.kind != Kind::kDoomed), std::nullopt);
    if (auto view = directory.Pick(rng))
      most_members = std::max(most_members, view->members.size());
  }
  for (Kind k :
       {Kind::kCreate, Kind::kDelete, Kind::kInvite, Kind::kAccept, Kind::kChangeRole,
        Kind::kRemove, Kind::kLeave, Kind::kRevoke, Kind::kResend, Kind::kLogin, Kind::kActivity,
        Kind::kCreateProject, Kind::kAddProjectMember, Kind::kRemoveProjectMember, Kind::kDoomed}) {
    EXPECT_GT(kinds[k], 0) << static_cast<int>(k);
  }
  // Organizations come and go; members stay within the bound (the owner plus 12).
  EXPECT_GT(mix.orgs().size(), 30u);
  EXPECT_EQ(mix.orgs().size(), mix.owners().size());
  EXPECT_LE(most_members, 13u);
  EXPECT_GT(most_members, 3u);
}

TEST(CommandMixTest, ARuleBreakingCommandAcceptedIsReported) {
  Directory directory(1);
  CommandMix mix(1, 7, 1, 0, directory);
  Server server;
  for (int i = 0; i < 10000; ++i) {
    const Planned p = mix.Next();
    const auto wrong = server.Answer(mix, p, true);
    if (p.kind != Kind::kDoomed) {
      ASSERT_EQ(wrong, std::nullopt);
      continue;
    }
    ASSERT_TRUE(wrong.has_value());
    EXPECT_NE(wrong->find("breaks a rule was accepted"), std::string::npos) << *wrong;
    return;
  }
  FAIL() << "the mix sent no rule-breaking command";
}

TEST(CommandMixTest, AValidCommandRejectedIsReportedAndTheMixGoesOn) {
  Directory directory(1);
  CommandMix mix(2, 9, 1, 0, directory);
  Server server;
  bool rejected_one = false;
  for (int i = 0; i < 5000; ++i) {
    const Planned p = mix.Next();
    const bool reject = !rejected_one && p.kind == Kind::kAccept;
    const auto wrong = server.Answer(mix, p, !reject && p.kind != Kind::kDoomed);
    if (reject) {
      ASSERT_TRUE(wrong.has_value());
      EXPECT_NE(wrong->find("a valid command was rejected"), std::string::npos) << *wrong;
      rejected_one = true;
    } else {
      ASSERT_EQ(wrong, std::nullopt) << "after one rejection the model must stay right";
    }
  }
  EXPECT_TRUE(rejected_one);
}

}  // namespace
}  // namespace roster::tools::soak
