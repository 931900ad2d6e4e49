// Operator endpoints: /healthz, /readyz, /metrics (Prometheus text) without a token, and the
// readiness rule on status answers built by hand.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "api/http/handler.h"
#include "api/http/openapi.h"
#include "eventstore/testing/fault_env.h"
#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpOperatorTest : public HttpFixture {};

TEST_F(HttpOperatorTest, HealthAndReadinessNeedNoToken) {
  HttpClient anonymous(port());
  auto health = anonymous.Send("GET", "/healthz");
  ASSERT_TRUE(health.has_value()) << anonymous.error();
  EXPECT_EQ(health->status, 200u);
  auto ready = anonymous.Send("GET", "/readyz");
  ASSERT_TRUE(ready.has_value()) << anonymous.error();
  EXPECT_EQ(ready->status, 200u) << ready->body;
  auto doc = nlohmann::json::parse(ready->body);
  EXPECT_EQ(doc["ready"], true);
  EXPECT_FALSE(doc["projections"].empty());
  for (const auto& p : doc["projections"]) EXPECT_EQ(p["ready"], true) << p;
}

TEST_F(HttpOperatorTest, MetricsCountRequestsAndShowTheReadModels) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  Call("DELETE", "/v1/orgs/acme/members/alice", {}, "alice");  // 422 LAST_OWNER
  // Checks are timed as their own family, apart from the other queries.
  Call("GET", "/v1/orgs/acme/check?user=bob&permission=members.invite");
  Call("GET", "/v1/orgs/acme/check?user=bob&permission=org.delete");
  Call("GET", "/v1/orgs/acme/members");
  HttpClient anonymous(port());
  auto metrics = anonymous.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << anonymous.error();
  ASSERT_EQ(metrics->status, 200u);
  EXPECT_EQ(metrics->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics->body;
  for (const char* expected : {
           "roster_http_requests_total{kind=\"createOrganization\",status=\"200\",code=\"OK\"} 1\n",
           "roster_http_requests_total{kind=\"inviteMember\",status=\"200\",code=\"OK\"} 1\n",
           "roster_http_requests_total{kind=\"removeMember\",status=\"422\",code=\"LAST_OWNER\"} "
           "1\n",
           "roster_http_request_duration_seconds_count{family=\"command\"} 4\n",
           "roster_http_request_duration_seconds_count{family=\"check\"} 2\n",
           "roster_http_request_duration_seconds_count{family=\"query\"} 1\n",
           "roster_http_request_duration_seconds_bucket{family=\"command\",le=\"+Inf\"} 4\n",
           "# TYPE roster_http_request_duration_seconds histogram\n",
           "roster_http_connections 2\n",  // this client and the fixture's
           "roster_http_in_flight 1\n",    // this very scrape
           "roster_projection_lag{projection=\"members\"}",
           "roster_model_cache_hits_total{projection=\"members\"}",
           "roster_model_cache_misses_total{projection=\"members\"}",
           "roster_log_last_position ",
           "roster_process_resident_memory_bytes ",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  EXPECT_EQ(text.find("roster_process_resident_memory_bytes 0\n"), std::string::npos);
}

// docs/grafana_dashboard.json queries only metrics /metrics exposes: renaming a metric without
// the dashboard fails here, not on an operator's empty panel.
// Every record written while the listener runs is counted in exactly one commit.
TEST_F(HttpOperatorTest, GroupCommitSizesAddUpToTheRecordsWritten) {
  const uint64_t before = node_->log().LastPosition();
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  Call("PATCH", "/v1/orgs/acme", R"({"name":"Acme 2"})");
  const uint64_t written = node_->log().LastPosition() - before;
  ASSERT_GE(written, 4u);
  HttpClient anonymous(port());
  auto metrics = anonymous.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << anonymous.error();
  const std::string& text = metrics->body;
  EXPECT_NE(text.find("# TYPE roster_log_commit_records histogram\n"), std::string::npos);
  EXPECT_NE(text.find("roster_log_commit_records_sum " + std::to_string(written) + "\n"),
            std::string::npos)
      << text;
  // One request at a time: each commit holds one command's records (1 to 3 here).
  std::smatch count;
  ASSERT_TRUE(std::regex_search(text, count, std::regex("roster_log_commit_records_count (\\d+)")));
  EXPECT_GE(std::stoull(count[1]), 4u);
  EXPECT_LE(std::stoull(count[1]), written);
  EXPECT_NE(text.find("roster_log_commit_records_bucket{le=\"+Inf\"} " + count[1].str() + "\n"),
            std::string::npos);
}

// The log's append and commit durations: one append observed per command that reached the
// log, one commit duration per group commit (so as many as the group-commit histogram counts).
TEST_F(HttpOperatorTest, LogAppendAndCommitDurationsCountEachAppendAndCommit) {
  HttpClient anonymous(port());
  auto counter = [&](const std::string& text, const std::string& series) -> uint64_t {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(series + " (\\d+)\n"))) return UINT64_MAX;
    return std::stoull(m[1]);
  };
  auto before = anonymous.Send("GET", "/metrics");
  ASSERT_TRUE(before.has_value()) << anonymous.error();
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  Call("PATCH", "/v1/orgs/acme", R"({"name":"Acme 2"})");
  auto after = anonymous.Send("GET", "/metrics");
  ASSERT_TRUE(after.has_value()) << anonymous.error();
  const std::string& text = after->body;
  EXPECT_NE(text.find("# TYPE roster_log_append_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE roster_log_commit_duration_seconds histogram\n"), std::string::npos);
  const uint64_t appends = counter(text, "roster_log_append_duration_seconds_count") -
                           counter(before->body, "roster_log_append_duration_seconds_count");
  const uint64_t commits = counter(text, "roster_log_commit_duration_seconds_count") -
                           counter(before->body, "roster_log_commit_duration_seconds_count");
  const uint64_t groups = counter(text, "roster_log_commit_records_count") -
                          counter(before->body, "roster_log_commit_records_count");
  EXPECT_GE(appends, 4u);  // create, invite, accept, rename at least
  EXPECT_EQ(commits, groups);
  EXPECT_EQ(text.find("roster_log_commit_duration_seconds_sum 0\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("roster_log_commit_duration_seconds_bucket{le=\"+Inf\"} " +
                std::to_string(counter(text, "roster_log_commit_duration_seconds_count")) + "\n"),
      std::string::npos);
}

TEST_F(HttpOperatorTest, TheGrafanaDashboardUsesExposedMetrics) {
  std::ifstream in(ROSTER_SOURCE_DIR "/docs/grafana_dashboard.json");
  ASSERT_TRUE(in.is_open());
  const auto dashboard = nlohmann::json::parse(in);
  HttpClient anonymous(port());
  anonymous.Send("GET", "/healthz");  // so that the request series exist
  auto metrics = anonymous.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << anonymous.error();
  const std::regex name("roster_[a-z_]+");
  size_t checked = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      for (std::sregex_iterator m(expr.begin(), expr.end(), name), end; m != end; ++m) {
        std::string metric = m->str();
        // A histogram's series are named after it.
        for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
          if (metric.ends_with(suffix)) {
            metric.resize(metric.size() - suffix.size());
            break;
          }
        }
        EXPECT_NE(metrics->body.find("# TYPE " + metric + " "), std::string::npos)
            << panel["title"] << ": " << metric;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 10u);
}

// Every operation the served OpenAPI document lists is answered by its route (whatever the
// domain then says about the made-up ids), never "no route" or "wrong method".
TEST_F(HttpOperatorTest, EveryRouteTheDocumentListsAnswers) {
  HttpClient anonymous(port());
  auto served = anonymous.Send("GET", "/v1/openapi.json");
  ASSERT_TRUE(served.has_value()) << anonymous.error();
  ASSERT_EQ(served->status, 200u);
  EXPECT_EQ(served->body, std::string(api::http::OpenApiDocument()));
  const auto doc = nlohmann::json::parse(served->body);
  size_t checked = 0;
  for (const auto& [pattern, item] : doc["paths"].items()) {
    std::string path = pattern;
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      path.replace(open, path.find('}', open) - open + 1, "x");
    }
    for (const auto& [method, operation] : item.items()) {
      std::string verb = method;
      for (auto& c : verb) c = static_cast<char>(std::toupper(c));
      // Commands get an empty JSON object: the route must still be found and answer. A stream
      // is asked from a position it refuses, so that it answers and ends.
      HttpHeaders headers;
      const auto streams = api::http::StreamPaths();
      const bool stream = std::find(streams.begin(), streams.end(), path) != streams.end();
      if (stream) headers.emplace_back("Last-Event-ID", "not-a-position");
      auto r = Call(verb, path, verb == "GET" ? "" : "{}", "alice", headers, &admin_token_);
      if (stream) {
        EXPECT_EQ(r.status, 400u) << path << ": " << r.body;
      }
      EXPECT_NE(r.status, 405u) << verb << " " << path << ": " << r.body;
      if (r.status == 404) {
        EXPECT_NE(Json(r)["code"], "NO_ROUTE") << verb << " " << path;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, api::http::Routes().size() + api::http::OperatorPaths().size() +
                         api::http::StreamPaths().size());
}

// /readyz follows the read models: a node whose first build of them failed (their disk failed)
// is not ready, and the same node restarted on a repaired disk is. The failure is injected on
// the views' bulk files (eventstore/testing/fault_env.h), so that nothing depends on timing.
class HttpReadinessTest : public HttpFixture {
 protected:
  HttpReadinessTest() {
    views_env_ = view_faults_.env();
    view_faults_.OnlyFilesNamed("bulk-");
  }
  // The node borrows the fault environment, a member of this class: stop before it goes.
  void TearDown() override { StopServer(); }

  unsigned Readyz(nlohmann::json* doc) {
    HttpClient anonymous(port());
    auto ready = anonymous.Send("GET", "/readyz");
    EXPECT_TRUE(ready.has_value()) << anonymous.error();
    if (!ready) return 0;
    *doc = nlohmann::json::parse(ready->body, nullptr, false);
    return ready->status;
  }

  eventstore::testing::FaultInjection view_faults_;
};

TEST_F(HttpReadinessTest, ReadyOnlyOnceTheReadModelsAreBuilt) {
  CreateOrg("acme");
  nlohmann::json doc;
  EXPECT_EQ(Readyz(&doc), 200u) << doc;

  // The read models are lost; the next start rebuilds them from the log, on a failing disk.
  StopServer();
  std::filesystem::remove_all(dir_.path() / "views");
  view_faults_.FailFromWriteAfter(1);
  StartServer();
  EXPECT_EQ(Readyz(&doc), 503u) << doc;
  EXPECT_EQ(doc["ready"], false) << doc;
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members").status, 503u);

  StopServer();
  view_faults_.Heal();
  StartServer();
  EXPECT_EQ(Readyz(&doc), 200u) << doc;
  EXPECT_EQ(doc["ready"], true) << doc;
  auto members = Call("GET", "/v1/orgs/acme/members");
  ASSERT_EQ(members.status, 200u) << members.body;
  EXPECT_EQ(Json(members)["members"][0]["userId"], "alice");
}

// A rebuild asked for on a serving node: /readyz says not ready while it runs (the old
// generations still answer queries), and ready once it has caught up. The rebuild's bulk file
// syncs are slowed so that it is still running when asked.
TEST_F(HttpReadinessTest, NotReadyWhileARebuildRunsAndReadyOnceItHasCaughtUp) {
  CreateOrg("acme");
  Join("acme", "bob", "Editor");
  nlohmann::json doc;
  ASSERT_EQ(Readyz(&doc), 200u) << doc;
  view_faults_.DelaySyncs(std::chrono::milliseconds(1500));
  auto rebuild = Call("POST", "/v1/projections/rebuild", R"({"names":[]})", "", {}, &admin_token_);
  ASSERT_EQ(rebuild.status, 204u) << rebuild.body;
  EXPECT_EQ(Readyz(&doc), 503u) << doc;
  EXPECT_EQ(doc["ready"], false) << doc;
  EXPECT_EQ(Call("GET", "/v1/orgs/acme/members").status, 200u) << "the old models serve";
  unsigned status = 0;
  for (int i = 0; i < 300 && status != 200u; ++i) {
    status = Readyz(&doc);
    if (status != 200u) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status, 200u) << doc;
  view_faults_.DelaySyncs(std::chrono::microseconds(0));
  for (const auto& p : node_->engine().Describe()) {
    EXPECT_FALSE(p.building) << p.name;
    EXPECT_EQ(p.position, node_->log().LastPosition()) << p.name;
  }
}

// Builds a status answer: the log at `last`, one model at `position`.
void FillStatus(capnp::MallocMessageBuilder& message, uint64_t last, uint64_t position, bool ready,
                bool building) {
  auto status = message.initRoot<api::wire::Status>();
  status.setLastPosition(last);
  auto p = status.initProjections(1)[0];
  p.setName("members");
  p.setPosition(position);
  p.setReady(ready);
  p.setBuilding(building);
}

TEST(ReadinessTest, ReadyOnlyWhenEveryModelHasCaughtUp) {
  struct Case {
    uint64_t last, position;
    bool ready, building, expected;
  };
  for (const auto& c : {Case{100, 100, true, false, true}, Case{100, 95, true, false, true},
                        Case{100, 89, true, false, false}, Case{100, 100, false, false, false},
                        Case{100, 100, true, true, false}, Case{0, 0, true, false, true}}) {
    capnp::MallocMessageBuilder message;
    FillStatus(message, c.last, c.position, c.ready, c.building);
    auto readiness =
        api::http::EvaluateReadiness(message.getRoot<api::wire::Status>().asReader(), 10);
    EXPECT_EQ(readiness.ready, c.expected)
        << c.last << " " << c.position << " " << c.ready << " " << c.building;
    EXPECT_EQ(nlohmann::json::parse(readiness.body)["ready"], c.expected);
  }
}

}  // namespace
}  // namespace roster::tests
