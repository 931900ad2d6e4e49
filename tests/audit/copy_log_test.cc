// roster-admin copy-log, both ways: a data directory's log to PostgreSQL and back into a new
// data directory, each copy verified on arrival, the records equal, the exit codes as
// documented (docs/admin.md). Runs the command in-process on the binary's private server.
#include "tools/admin/copy_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "eventstore/postgres/testing/pg_backend.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::tools::admin {
namespace {

namespace es = roster::eventstore;
using es::testing::Event;
using es::testing::Numbered;
using es::testing::Request;

struct CopyRun {
  int code;
  std::string out, err;
};

CopyRun CopyLog(const std::string& from, const std::string& to, const std::string& schema) {
  std::ostringstream out, err;
  const int code = RunCopyLog(from, to, schema, Streams{out, err});
  return {code, out.str(), err.str()};
}

std::vector<es::Record> AllRecords(es::EventLog& log) { return *log.ReadAll(1, 1'000'000); }

TEST(CopyLogCommandTest, CopiesADataDirectoryToPostgresAndBackVerified) {
  es::testing::TempDir tmp;
  const std::filesystem::path source = tmp.Sub("source");
  {
    auto log = es::testing::OpenOrDie(source / "log");
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(log->Append(Request(Numbered("org-", i % 5), es::ExpectedVersion::Any(),
                                      {Event("member.added", "p"), Event("role.granted", "q")},
                                      i % 4 == 0 ? "" : Numbered("cmd-", i))));
    }
  }
  const std::string conninfo = es::postgres::testing::SharedServer().conninfo();
  const std::string schema = es::postgres::testing::FreshSchema();

  const CopyRun there = CopyLog(source.string(), conninfo, schema);
  ASSERT_EQ(there.code, 0) << there.err;
  EXPECT_NE(there.out.find("copy-log: ok, 600 records"), std::string::npos) << there.out;
  EXPECT_NE(there.out.find("chain verified"), std::string::npos) << there.out;

  const std::filesystem::path back = tmp.Sub("back");
  const CopyRun returned = CopyLog(conninfo, back.string(), schema);
  ASSERT_EQ(returned.code, 0) << returned.err;

  auto original = es::testing::OpenOrDie(source / "log");
  auto copy = es::testing::OpenOrDie(back / "log");
  EXPECT_EQ(AllRecords(*original), AllRecords(*copy));
  auto pg = es::postgres::testing::OpenOrDie(schema);
  EXPECT_EQ(AllRecords(*original), AllRecords(*pg));
  // Both reports name the same chain head: the source's.
  const std::string head = es::HashHex(original->Verify(0, 0)->last_hash);
  EXPECT_NE(there.out.find(head), std::string::npos) << there.out;
  EXPECT_NE(returned.out.find(head), std::string::npos) << returned.out;
}

TEST(CopyLogCommandTest, RefusesDestinationsThatHoldSomethingAndMissingSources) {
  es::testing::TempDir tmp;
  const std::filesystem::path source = tmp.Sub("source");
  {
    auto log = es::testing::OpenOrDie(source / "log");
    ASSERT_TRUE(log->Append(Request("org", es::ExpectedVersion::Any(), {Event("t")})));
  }
  std::filesystem::create_directories(tmp.Sub("busy"));
  std::ofstream(tmp.Sub("busy") / "notes.txt") << "something";
  CopyRun busy = CopyLog(source.string(), tmp.Sub("busy").string(), "roster");
  EXPECT_EQ(busy.code, 2);
  EXPECT_NE(busy.err.find("not empty"), std::string::npos) << busy.err;

  const std::string conninfo = es::postgres::testing::SharedServer().conninfo();
  const std::string schema = es::postgres::testing::FreshSchema();
  ASSERT_EQ(CopyLog(source.string(), conninfo, schema).code, 0);
  CopyRun twice = CopyLog(source.string(), conninfo, schema);
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("not empty"), std::string::npos) << twice.err;

  CopyRun missing = CopyLog(tmp.Sub("nothing").string(), tmp.Sub("out").string(), "roster");
  EXPECT_EQ(missing.code, 2);
  CopyRun no_schema =
      CopyLog(conninfo, tmp.Sub("out").string(), es::postgres::testing::FreshSchema());
  EXPECT_EQ(no_schema.code, 2);
  EXPECT_NE(no_schema.err.find("holds no Roster log"), std::string::npos) << no_schema.err;
}

}  // namespace
}  // namespace roster::tools::admin
