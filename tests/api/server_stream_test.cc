// Streamed answers through the server: the export over the API is roster-admin's file byte for
// byte and passes verify-export; as-of and history arrive in parts that add up to the offline
// answer and to the single answer; the export needs an admin or auditor token.
#include <kj/string.h>

#include "tests/api/stream_fixture.h"
#include "tools/admin/verify_export.h"
#include "tools/workload/workload.h"

namespace roster::tests {
namespace {

using api::wire::OrganizationAsOf;

class ServerStreamTest : public StreamFixture {};

TEST_F(ServerStreamTest, ExportOverTheApiIsRosterAdminsFileByteForByte) {
  tools::workload::WorkloadOptions options;
  options.orgs = 4;
  options.seed = 7;
  tools::workload::Workload workload(node_->commands(), options);
  ASSERT_TRUE(workload.Setup().has_value());
  for (int i = 0; i < 3000; ++i) {  // three weeks, a command every ten minutes
    clock_.Set(Jan2026() + std::chrono::minutes(10 * i));
    ASSERT_TRUE(workload.Step().has_value());
  }
  const uint64_t last = LastPosition();
  const int64_t start = domain::ToMicros(Jan2026());
  const int64_t day = 86'400'000'000;
  std::vector<api::client::ExportRequest> requests(6);
  requests[1].csv = true;
  requests[2].org = workload.org_ids()[1];
  requests[2].from_us = start + 3 * day;
  requests[2].to_us = start + 12 * day;
  requests[3] = requests[2];
  requests[3].csv = true;
  requests[4].from_us = start + 5 * day;
  requests[4].to_us = start + 9 * day;
  requests[5].org = "nobody";  // scans every record, writes none: the header and end lines
  auto auditor = Connect(auditor_token_);
  for (const auto& request : requests) {
    SCOPED_TRACE(std::string(request.csv ? "csv" : "jsonl") + " org=" + request.org.value_or("-") +
                 " from=" + std::to_string(request.from_us));
    std::string text;
    size_t writes = 0;
    auto result = ApiExport(*auditor, request, &text, &writes);
    ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
    const std::string expected = OfflineExport(request);
    EXPECT_EQ(text.size(), expected.size());
    EXPECT_TRUE(text == expected) << "the API's export differs from roster-admin's";
    EXPECT_EQ(result->bytes, text.size());
    std::istringstream in(text);
    const auto report = tools::admin::VerifyExport(in, node_->codec());
    ASSERT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.entries, result->entries);
    EXPECT_EQ(report.last_position, result->last_position);
    EXPECT_EQ(report.head_hash, result->head_hash);
    EXPECT_EQ(result->entries > 0, request.org != "nobody");
    if (!request.org && request.from_us == INT64_MIN) {
      EXPECT_EQ(result->last_position, last);
      ASSERT_GT(text.size(), 1u << 20);  // big enough to need several parts
      EXPECT_GT(writes, 3u);
    }
  }
  EXPECT_EQ(LastPosition(), last);  // exports append nothing
}

TEST_F(ServerStreamTest, ExportNeedsAnAdminOrAuditorTokenAndAppendsNothing) {
  CreateWorkspace("acme", "olive");
  Join("acme", "olive", "ana", "Member");
  const uint64_t last = LastPosition();
  auto service = Connect(service_token_);
  std::string text;
  auto refused = ApiExport(*service, {}, &text);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "FORBIDDEN");
  EXPECT_TRUE(text.empty());
  // The refusal is an answer, not the end of the connection: queries still work.
  auto status = service->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->get().isStatus());
  for (const std::string* token : {&auditor_token_, &admin_token_}) {
    auto c = Connect(*token);
    text.clear();
    auto result = ApiExport(*c, {}, &text);
    ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
    EXPECT_EQ(result->entries, last);
    EXPECT_TRUE(text == OfflineExport({}));
  }
  EXPECT_EQ(LastPosition(), last);
}

// Every part of a streamed answer to `fill`, in order.
std::vector<api::client::Reply> Parts(api::client::Client& c,
                                      const api::client::RequestFiller& fill) {
  std::vector<api::client::Reply> parts;
  auto done = c.CallStreamed(fill, [&](api::client::Reply& part) {
    parts.push_back(std::move(part));
    return true;
  });
  EXPECT_TRUE(done.has_value()) << done.error().message;
  return parts;
}

TEST_F(ServerStreamTest, OrganizationAsOfArrivesInPartsThatAddUpToTheOfflineAnswer) {
  CreateWorkspace("big", "olive");
  for (int i = 0; i < 1200; ++i) Join("big", "olive", "u" + std::to_string(i), "Member");
  const uint64_t half = LastPosition();
  ASSERT_TRUE(
      Exec("big", "olive", domain::CreateProject{domain::ProjectId("web"), "Web"}).accepted());
  ASSERT_TRUE(
      Exec("big", "olive", domain::CreateProject{domain::ProjectId("api"), "API"}).accepted());
  for (int i = 0; i < 600; ++i) {  // clients with project-only access: "web" needs two parts
    ASSERT_TRUE(Exec("big", "olive",
                     domain::AddProjectMember{domain::ProjectId("web"),
                                              domain::UserId("c" + std::to_string(i)), "Viewer"})
                    .accepted());
  }
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Exec("big", "olive",
                     domain::InviteMember{"p" + std::to_string(i) + "@x.test", "", "Member", ""})
                    .accepted());
  }
  const uint64_t end = LastPosition();
  auto c = Connect(service_token_);  // as-of is a query: every scope may ask
  for (uint64_t position : {half, end}) {
    SCOPED_TRACE("position " + std::to_string(position));
    auto fill = [&](bool streamed) {
      return [=](Request::Builder r) {
        auto q = r.initQuery();
        q.setStreamed(streamed);
        auto a = q.initOrganizationAsOf();
        a.setOrg("big");
        a.setPosition(position);
      };
    };
    auto parts = Parts(*c, fill(true));
    ASSERT_GE(parts.size(), 4u);  // the header, then at least 1201 members in parts of 500
    std::vector<OrganizationAsOf::Reader> readers;
    for (size_t i = 0; i < parts.size(); ++i) {
      auto response = parts[i].get();
      ASSERT_TRUE(response.isOrganizationAsOf()) << i;
      EXPECT_EQ(response.getMore(), i + 1 < parts.size()) << i;
      auto part = response.getOrganizationAsOf();
      size_t items = part.getMembers().size() + part.getPending().size();
      for (auto p : part.getProjects()) items += std::max<size_t>(1, p.getMembers().size());
      if (i == 0) {
        EXPECT_EQ(items, 0u) << "the first part is the header alone";
        EXPECT_EQ(std::string(part.getOrg().cStr()), "big");
      }
      EXPECT_LE(items, 500u) << i;
      readers.push_back(part);
    }
    capnp::MallocMessageBuilder merged_message;
    api::client::MergeOrganizationAsOf(readers, merged_message.initRoot<OrganizationAsOf>());
    auto merged = merged_message.getRoot<OrganizationAsOf>().asReader();

    // The offline answer (roster-admin as-of's function) on the same log.
    auto offline = api::service::OrganizationAsOf(node_->log(), node_->codec(),
                                                  domain::OrgId("big"), {position, {}});
    ASSERT_TRUE(offline.has_value());
    EXPECT_EQ(merged.getPosition(), offline->at.position);
    ASSERT_EQ(merged.getMembers().size(), offline->members.size());
    for (unsigned i = 0; i < merged.getMembers().size(); ++i) {
      EXPECT_EQ(merged.getMembers()[i].getUserId().cStr(), offline->members[i].user_id.value);
      EXPECT_EQ(merged.getMembers()[i].getRole().cStr(), offline->members[i].role);
    }
    ASSERT_EQ(merged.getPending().size(), offline->pending.size());
    for (unsigned i = 0; i < merged.getPending().size(); ++i) {
      EXPECT_EQ(merged.getPending()[i].getInvitationId().cStr(), offline->pending[i].id.value);
    }
    ASSERT_EQ(merged.getProjects().size(), offline->projects.size());
    for (unsigned p = 0; p < merged.getProjects().size(); ++p) {
      auto project = merged.getProjects()[p];
      EXPECT_EQ(project.getProjectId().cStr(), offline->projects[p].first);
      ASSERT_EQ(project.getMembers().size(), offline->projects[p].second.size());
      for (unsigned i = 0; i < project.getMembers().size(); ++i) {
        EXPECT_EQ(project.getMembers()[i].getUserId().cStr(),
                  offline->projects[p].second[i].user_id);
        EXPECT_EQ(project.getMembers()[i].getAccess().getRole().cStr(),
                  offline->projects[p].second[i].access.role);
      }
    }
    if (position == end) {
      EXPECT_EQ(merged.getMembers().size(), 1201u);
      EXPECT_EQ(merged.getPending().size(), 20u);
      ASSERT_EQ(merged.getProjects().size(), 2u);
      EXPECT_EQ(merged.getProjects()[1].getMembers().size(), 601u);  // olive inherits Owner
      // Each member's join time is the one the live membership view shows.
      std::map<std::string, int64_t> joined;
      for (eventstore::Position cursor = 0;;) {
        auto page = node_->queries().ListMembers(domain::OrgId("big"), api::service::Viewer{},
                                                 false, cursor, 1000, 0);
        ASSERT_TRUE(page.has_value());
        for (const auto& m : page->members) joined[m.user_id] = m.joined_at_us;
        if ((cursor = page->next_cursor) == 0) break;
      }
      ASSERT_EQ(joined.size(), 1201u);
      for (auto m : merged.getMembers()) {
        EXPECT_GT(m.getJoinedAtUs(), 0) << m.getUserId().cStr();
        EXPECT_EQ(m.getJoinedAtUs(), joined[m.getUserId().cStr()]) << m.getUserId().cStr();
      }
    }
    // And the single answer, as old clients get it, holds exactly the same.
    auto single = c->Call(fill(false));
    ASSERT_TRUE(single.has_value());
    ASSERT_TRUE(single->get().isOrganizationAsOf());
    EXPECT_FALSE(single->get().getMore());
    EXPECT_TRUE(kj::str(single->get().getOrganizationAsOf()) == kj::str(merged));
  }
}

TEST_F(ServerStreamTest, HistoryAndUserAccessArriveInPartsThatAddUpToTheSingleAnswer) {
  CreateWorkspace("acme", "olive");
  Join("acme", "olive", "hana", "Member");
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(Exec("acme", "olive",
                     domain::ChangeRole{domain::UserId("hana"), i % 2 == 0 ? "Owner" : "Member"})
                    .accepted());
  }
  auto c = Connect(auditor_token_);
  // They find hana's organizations in the access read model, which may still be applying the
  // changes above on a slow machine: the token makes them wait for it.
  const eventstore::Position written = LastPosition();
  for (int kind = 0; kind < 2; ++kind) {
    auto fill = [&](bool streamed) {
      return [=](Request::Builder r) {
        auto q = r.initQuery();
        q.setStreamed(streamed);
        q.setConsistencyToken(written);
        (kind == 0 ? q.initUserHistory() : q.initUserAccessAsOf()).setUser("hana");
      };
    };
    auto parts = Parts(*c, fill(true));
    auto single = c->Call(fill(false));
    ASSERT_TRUE(single.has_value());
    std::vector<std::string> streamed_items, single_items;
    for (size_t i = 0; i < parts.size(); ++i) {
      auto response = parts[i].get();
      ASSERT_FALSE(response.isError()) << response.getError().getMessage().cStr();
      EXPECT_EQ(response.getMore(), i + 1 < parts.size());
      if (kind == 0) {
        EXPECT_LE(response.getUserHistory().size(), 500u);
        for (auto h : response.getUserHistory()) streamed_items.push_back(kj::str(h).cStr());
      } else {
        for (auto a : response.getUserAccessAsOf()) streamed_items.push_back(kj::str(a).cStr());
      }
    }
    if (kind == 0) {
      for (auto h : single->get().getUserHistory()) single_items.push_back(kj::str(h).cStr());
      EXPECT_EQ(parts.size(), 2u);             // 601 changes: 500 + 101
      EXPECT_EQ(streamed_items.size(), 601u);  // the join and 600 role changes
    } else {
      for (auto a : single->get().getUserAccessAsOf()) single_items.push_back(kj::str(a).cStr());
      EXPECT_EQ(parts.size(), 1u);
      EXPECT_EQ(streamed_items.size(), 1u);
    }
    EXPECT_EQ(streamed_items, single_items);
  }
}

TEST_F(ServerStreamTest, UserAsOfAndHistoryWaitForTheirConsistencyToken) {
  // They find the user's organizations in the access read model: a token past the log's end
  // is never reached, so the answer is TIMEOUT (one part, the error) instead of a stale list.
  CreateWorkspace("acme", "olive");
  auto options = ClientFor(auditor_token_);
  options.timeout = std::chrono::seconds(20);  // longer than the server's 5 s wait
  auto connected = api::client::Client::Connect(options);
  ASSERT_TRUE(connected.has_value());
  auto& c = *connected;
  std::vector<uint64_t> ids;
  for (bool history : {false, true}) {  // pipelined: both wait at once
    auto id = c->Send([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setStreamed(true);
      q.setConsistencyToken(LastPosition() + 1000);
      (history ? q.initUserHistory() : q.initUserAccessAsOf()).setUser("olive");
    });
    ASSERT_TRUE(id.has_value());
    ids.push_back(*id);
  }
  for (uint64_t id : ids) {
    auto answer = c->Wait(id);  // the only part: an error ends the answer
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    ASSERT_TRUE(answer->get().isError());
    EXPECT_EQ(std::string(answer->get().getError().getCode().cStr()), "TIMEOUT");
    EXPECT_FALSE(answer->get().getMore());
  }
}

}  // namespace
}  // namespace roster::tests
