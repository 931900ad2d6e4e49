// TokenStore: the admin token on first start, issue / revoke persisted across reopen, only
// hashes on disk, and a failed save changes nothing.
#include "api/dispatch/token_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "eventstore/testing/temp_dir.h"

namespace roster::api::dispatch {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TokenStoreTest, FirstStartWritesAPrivateAdminTokenThatAuthenticates) {
  eventstore::testing::TempDir tmp("roster-tokens");
  std::filesystem::path created;
  auto store = TokenStore::Open(tmp.path(), &created);
  ASSERT_TRUE(store.has_value()) << store.error();
  ASSERT_EQ(created, tmp.path() / "admin.token");
  struct stat st {};
  ASSERT_EQ(stat(created.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string token = ReadFile(created);
  token.erase(token.find_last_not_of('\n') + 1);
  auto principal = (*store)->Authenticate(token);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->name, "admin");
  EXPECT_EQ(principal->scope, Scope::kAdmin);
  EXPECT_EQ(ReadFile(tmp.path() / "tokens").find(token), std::string::npos);  // hash only
  EXPECT_FALSE((*store)->Authenticate(token + "x").has_value());
  EXPECT_FALSE((*store)->Authenticate("").has_value());
  // The file's bytes as they are, newline included, work too; inner changes still do not.
  EXPECT_TRUE((*store)->Authenticate(ReadFile(created)).has_value());
  EXPECT_TRUE((*store)->Authenticate(token + "\r\n").has_value());
  EXPECT_FALSE((*store)->Authenticate(" " + token).has_value());
  EXPECT_FALSE((*store)->Authenticate("\n").has_value());
}

TEST(TokenStoreTest, IssueAndRevokeAreKeptAcrossReopen) {
  eventstore::testing::TempDir tmp("roster-tokens");
  std::string billing, audit;
  {
    auto store = TokenStore::Open(tmp.path());
    ASSERT_TRUE(store.has_value());
    billing = *(*store)->Issue("billing", Scope::kService);
    audit = *(*store)->Issue("audit", Scope::kAuditor);
    ASSERT_TRUE((*store)->Revoke("billing").has_value());
    EXPECT_FALSE((*store)->Revoke("billing").has_value());  // already gone
    EXPECT_FALSE((*store)->Issue("bad name", Scope::kService).has_value());
  }
  std::filesystem::path created;
  auto store = TokenStore::Open(tmp.path(), &created);
  ASSERT_TRUE(store.has_value());
  EXPECT_TRUE(created.empty());  // not a first start
  EXPECT_FALSE((*store)->Authenticate(billing).has_value());
  auto auditor = (*store)->Authenticate(audit);
  ASSERT_TRUE(auditor.has_value());
  EXPECT_EQ(auditor->scope, Scope::kAuditor);
  EXPECT_EQ((*store)->List().size(), 2u);  // admin, audit
}

TEST(TokenStoreTest, AFailedSaveIssuesNothing) {
  eventstore::testing::TempDir tmp("roster-tokens");
  auto store = TokenStore::Open(tmp.path());
  ASSERT_TRUE(store.has_value());
  // Take the directory away for the atomic rewrite (tests run as root, which ignores modes).
  std::filesystem::rename(tmp.path(), tmp.path().string() + ".moved");
  auto issued = (*store)->Issue("late", Scope::kService);
  std::filesystem::rename(tmp.path().string() + ".moved", tmp.path());
  ASSERT_FALSE(issued.has_value());
  EXPECT_EQ((*store)->List().size(), 1u);  // still only admin
}

TEST(TokenStoreTest, TheListenerHearsOfEveryTokenThatStopsWorking) {
  eventstore::testing::TempDir tmp("roster-tokens");
  auto store = TokenStore::Open(tmp.path());
  ASSERT_TRUE(store.has_value());
  std::vector<std::string> heard;
  (*store)->SetInvalidatedListener([&](const std::string& name) { heard.push_back(name); });
  const std::string first = *(*store)->Issue("billing", Scope::kService);  // new: nothing
  EXPECT_TRUE(heard.empty());
  ASSERT_TRUE((*store)->Issue("billing", Scope::kService).has_value());  // replaces `first`
  EXPECT_FALSE((*store)->Authenticate(first).has_value());
  ASSERT_TRUE((*store)->Revoke("billing").has_value());
  EXPECT_FALSE((*store)->Revoke("nobody").has_value());  // nothing changed: nothing heard
  EXPECT_EQ(heard, (std::vector<std::string>{"billing", "billing"}));
  (*store)->SetInvalidatedListener(nullptr);
  ASSERT_TRUE((*store)->Issue("audit", Scope::kAuditor).has_value());
  ASSERT_TRUE((*store)->Revoke("audit").has_value());
  EXPECT_EQ(heard.size(), 2u);
}

}  // namespace
}  // namespace roster::api::dispatch
