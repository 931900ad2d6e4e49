// Test support for streamed answers: a server fixture with helpers to build histories (a
// workload, a big organization, many log records fast) and to read the export both ways,
// over the API and offline with the library roster-admin uses.
#pragma once

#include <sstream>
#include <string>

#include "api/audit_export/audit_export.h"
#include "api/client/streamed.h"
#include "api/service/secrets.h"
#include "eventstore/codec/streams.h"
#include "tests/api/server_fixture.h"

namespace roster::tests {

class StreamFixture : public ServerFixture {
 protected:
  // What roster-admin export writes for the same request.
  std::string OfflineExport(const api::client::ExportRequest& request) {
    api::audit_export::ExportOptions options;
    options.format = request.csv ? api::audit_export::ExportFormat::kCsv
                                 : api::audit_export::ExportFormat::kJsonLines;
    options.org = request.org;
    options.from_us = request.from_us;
    options.to_us = request.to_us;
    std::ostringstream out;
    auto summary = api::audit_export::WriteExport(node_->log(), node_->codec(), options, out);
    EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
    return out.str();
  }

  // An export over the API into a string; `writes` counts the pieces it came in.
  std::expected<api::client::ExportResult, api::client::ClientError> ApiExport(
      api::client::Client& c, const api::client::ExportRequest& request, std::string* text,
      size_t* writes = nullptr) {
    return api::client::Export(c, request, [&](std::string_view bytes) {
      text->append(bytes);
      if (writes) ++*writes;
      return true;
    });
  }

  // `count` login records on the organization's activity stream, 100 per append: a big log
  // quickly, made of real events.
  void AppendLogins(const std::string& org, int count) {
    const eventstore::NewEvent login = node_->codec().Encode(domain::MemberLoggedIn{
        domain::UserId("alice"), Jan2026(), "198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64)"});
    for (int batch = 0; batch * 100 < count; ++batch) {
      eventstore::AppendRequest request;
      request.stream = eventstore::codec::ActivityStream(domain::OrgId(org));
      request.events.assign(100, login);
      request.metadata = {"alice", "login-" + std::to_string(batch), "", "test",
                          domain::ToMicros(Jan2026()) + batch};
      ASSERT_TRUE(node_->log().Append(std::move(request)).has_value());
    }
  }

  // `user` joins `org` with `role` (invited by `inviter`).
  void Join(const std::string& org, const std::string& inviter, const std::string& user,
            const std::string& role) {
    auto invited = Exec(org, inviter, domain::InviteMember{user + "@example.test", "", role, ""});
    ASSERT_TRUE(invited.accepted()) << invited.rejection->message;
    const auto& sent = std::get<domain::InvitationSent>(invited.events.back());
    auto accepted = Exec(
        org, user,
        domain::AcceptInvitation{sent.invitation_id,
                                 api::service::HashSecretToken(invited.invitation_token).value(),
                                 user + "@example.test", ""});
    ASSERT_TRUE(accepted.accepted()) << accepted.rejection->message;
  }

  void CreateWorkspace(const std::string& org, const std::string& owner) {
    auto created = Exec(org, owner,
                        domain::CreateOrganization{domain::OrgId(org),
                                                   org + " inc",
                                                   "workspace",
                                                   domain::UserId(owner),
                                                   owner + "@example.test",
                                                   "",
                                                   {},
                                                   {}});
    ASSERT_TRUE(created.accepted());
  }
};

}  // namespace roster::tests
