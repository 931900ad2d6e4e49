// The audit export over HTTP (GET /v1/audit/export): a chunked download with the bytes the TCP
// export and roster-admin export write (the same WriteExport), its filters and formats, and
// the TCP API's scope rule for it.
#include <gtest/gtest.h>

#include <sstream>

#include "api/audit_export/audit_export.h"
#include "tests/http/http_fixture.h"

namespace roster::tests {
namespace {

class HttpExportTest : public HttpFixture {
 protected:
  void SetUp() override {
    HttpFixture::SetUp();
    CreateOrg("acme");
    Join("acme", "bob", "Editor");
    CreateOrg("globex", "gus");
    auto changed = Call("POST", "/v1/orgs/acme/members/bob/role", R"({"role":"Manager"})");
    ASSERT_EQ(changed.status, 200u) << changed.body;
  }
  // What the export writer itself makes of the log.
  std::string Expected(const api::audit_export::ExportOptions& options) {
    std::ostringstream out;
    auto summary = api::audit_export::WriteExport(node_->log(), node_->codec(), options, out);
    EXPECT_TRUE(summary.has_value());
    return out.str();
  }
};

TEST_F(HttpExportTest, TheDownloadIsTheExportFileSentInChunks) {
  auto r = Call("GET", "/v1/audit/export", {}, "", {}, &auditor_token_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.Header("Transfer-Encoding"), "chunked");  // never a Content-Length: streamed
  EXPECT_EQ(r.Header("Content-Length"), "");
  EXPECT_EQ(r.Header("Content-Type"), "application/x-ndjson; charset=utf-8");
  EXPECT_EQ(r.Header("Content-Disposition"), R"(attachment; filename="roster-audit.jsonl")");
  const std::string expected = Expected({});
  EXPECT_GT(expected.size(), 500u);
  EXPECT_EQ(r.body, expected);
}

TEST_F(HttpExportTest, FiltersAndFormatsAreTheExportQuerys) {
  auto r = Call("GET", "/v1/audit/export?org=acme&format=csv", {}, "", {}, &admin_token_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "text/csv; charset=utf-8");
  api::audit_export::ExportOptions options;
  options.org = "acme";
  options.format = api::audit_export::ExportFormat::kCsv;
  const std::string expected = Expected(options);
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(r.body.find("globex"), std::string::npos);
  EXPECT_NE(r.body.find("acme"), std::string::npos);
}

TEST_F(HttpExportTest, RefusalsComeBeforeTheDownloadAsProblems) {
  // The export holds every record's bytes: not for service tokens, as over TCP.
  auto service = Call("GET", "/v1/audit/export", {}, "", {}, &service_token_);
  EXPECT_EQ(service.status, 403u) << service.body;
  EXPECT_EQ(service.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Json(service)["code"], "FORBIDDEN");
  auto format = Call("GET", "/v1/audit/export?format=pdf", {}, "", {}, &admin_token_);
  EXPECT_EQ(format.status, 400u) << format.body;
  const std::string no_token;
  auto anonymous = Call("GET", "/v1/audit/export", {}, "", {}, &no_token);
  EXPECT_EQ(anonymous.status, 401u) << anonymous.body;
  // The connection still serves after a refusal.
  auto again = Call("GET", "/v1/audit/export?org=globex", {}, "", {}, &admin_token_);
  EXPECT_EQ(again.status, 200u) << again.body;
}

}  // namespace
}  // namespace roster::tests
