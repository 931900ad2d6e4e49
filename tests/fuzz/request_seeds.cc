// Writes the fuzzer's seed corpus: one valid, framed request of every kind the dispatcher
// handles (commands, queries, admin requests) plus the connection-level ones, and one input
// with several requests pipelined. Values are consistent with each other (one org, its
// owner, an invited member) so that the seeds reach the domain's decisions, not only its
// argument checks.
//
// Usage: request_seeds <output directory>
#include <capnp/message.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "api/wire/framing.h"
#include "api/wire/roster.capnp.h"

namespace {

using roster::api::wire::Command;
using roster::api::wire::Query;
using roster::api::wire::Request;

std::string Encode(uint64_t id, const std::function<void(Request::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<Request>();
  request.setId(id);
  fill(request);
  return roster::api::wire::EncodeFrame(message);
}

std::function<void(Request::Builder)> Cmd(const std::string& actor,
                                          const std::function<void(Command::Builder)>& fill) {
  return [=](Request::Builder r) {
    auto c = r.initCommand();
    c.setOrg("acme");
    c.setActor(actor);
    static int next_command = 0;  // distinct ids, or the idempotency check answers them all
    c.setCommandId("seed-" + std::to_string(++next_command));
    fill(c);
  };
}

std::function<void(Request::Builder)> Qry(const std::function<void(Query::Builder)>& fill) {
  return [=](Request::Builder r) { fill(r.initQuery()); };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  std::vector<std::pair<std::string, std::function<void(Request::Builder)>>> seeds = {
      {"hello", [](Request::Builder r) {
         auto h = r.initHello();
         h.setToken("secret");
         h.setClient("seed");
         h.setProtocolVersion(1);
       }},
      {"create_org", Cmd("alice", [](Command::Builder c) {
         auto o = c.initCreateOrganization();
         o.setName("Acme");
         o.setPreset("commerce");
         o.setOwnerEmail("alice@acme.test");
         o.setOwnerDisplayName("Alice");
       })},
      {"rename_org", Cmd("alice", [](Command::Builder c) { c.setRenameOrganization("Acme Inc"); })},
      {"settings", Cmd("alice", [](Command::Builder c) {
         auto s = c.initChangeSettings();
         s.setInvitationTtlDays(3);
         s.setMaxPendingInvitations(5);
       })},
      {"invite", Cmd("alice", [](Command::Builder c) {
         auto i = c.initInviteMember();
         i.setEmail(" Bob@Acme.test ");
         i.setDisplayName("Bob");
         i.setRole("Manager");
       })},
      {"resend", Cmd("alice", [](Command::Builder c) { c.setResendInvitation("inv-1"); })},
      {"revoke_invite", Cmd("alice", [](Command::Builder c) { c.setRevokeInvitation("inv-1"); })},
      {"accept", Cmd("bob", [](Command::Builder c) {
         auto a = c.initAcceptInvitation();
         a.setInvitationId("inv-1");
         a.setToken("token");
         a.setVerifiedEmail("bob@acme.test");
         a.setDisplayName("Bob");
       })},
      {"expire", Cmd("alice", [](Command::Builder c) { c.setExpireInvitations(); })},
      {"change_role", Cmd("alice", [](Command::Builder c) {
         auto r = c.initChangeRole();
         r.setUser("bob");
         r.setRole("Editor");
       })},
      {"remove", Cmd("alice", [](Command::Builder c) { c.setRemoveMember("bob"); })},
      {"leave", Cmd("bob", [](Command::Builder c) { c.setLeaveOrganization(); })},
      {"transfer", Cmd("alice", [](Command::Builder c) {
         auto t = c.initTransferOwnership();
         t.setToUser("bob");
         t.setPreviousOwnerRole("Manager");
       })},
      {"define_role", Cmd("alice", [](Command::Builder c) {
         auto d = c.initDefineRole();
         d.setName("Auditor");
         auto p = d.initPermissions(2);
         p.set(0, "audit.view");
         p.set(1, "members.view");
         d.setProjectRole("");
       })},
      {"update_role", Cmd("alice", [](Command::Builder c) {
         auto d = c.initUpdateRole();
         d.setName("Auditor");
         d.initPermissions(1).set(0, "audit.view");
       })},
      {"delete_role", Cmd("alice", [](Command::Builder c) { c.setDeleteRole("Auditor"); })},
      {"create_project", Cmd("alice", [](Command::Builder c) {
         auto p = c.initCreateProject();
         p.setProjectId("web");
         p.setName("Website");
       })},
      {"rename_project", Cmd("alice", [](Command::Builder c) {
         auto p = c.initRenameProject();
         p.setProjectId("web");
         p.setName("Web");
       })},
      {"delete_project", Cmd("alice", [](Command::Builder c) { c.setDeleteProject("web"); })},
      {"add_project_member", Cmd("alice", [](Command::Builder c) {
         auto m = c.initAddProjectMember();
         m.setProjectId("web");
         m.setUser("carol");
         m.setRole("Viewer");
       })},
      {"project_role", Cmd("alice", [](Command::Builder c) {
         auto m = c.initChangeProjectMemberRole();
         m.setProjectId("web");
         m.setUser("carol");
         m.setRole("Editor");
       })},
      {"remove_project_member", Cmd("alice", [](Command::Builder c) {
         auto m = c.initRemoveProjectMember();
         m.setProjectId("web");
         m.setUser("carol");
       })},
      {"create_apikey", Cmd("alice", [](Command::Builder c) {
         auto k = c.initCreateApiKey();
         k.setApiKeyId("key-1");
         k.setName("ci");
       })},
      {"revoke_apikey", Cmd("alice", [](Command::Builder c) { c.setRevokeApiKey("key-1"); })},
      {"register_resource", Cmd("alice", [](Command::Builder c) {
         auto r = c.initRegisterResource();
         r.setResourceId("agent-1");
         r.setKind("agent");
         r.setName("Support bot");
       })},
      {"reassign_resource", Cmd("alice", [](Command::Builder c) {
         auto r = c.initReassignResource();
         r.setResourceId("agent-1");
         r.setToOwner("bob");
       })},
      {"delete_resource", Cmd("alice", [](Command::Builder c) { c.setDeleteResource("agent-1"); })},
      {"record_login", Cmd("alice", [](Command::Builder c) {
         auto l = c.initRecordLogin();
         l.setIp("192.0.2.1");
         l.setUserAgent("seed");
       })},
      {"record_activity", Cmd("alice", [](Command::Builder c) { c.setRecordActivity(); })},
      {"delete_org", Cmd("alice", [](Command::Builder c) { c.setDeleteOrganization(); })},
      {"members", Qry([](Query::Builder q) {
         auto m = q.initListMembers();
         m.setOrg("acme");
         m.setViewer("alice");
         m.setIncludeFormer(true);
         m.setLimit(10);
       })},
      {"orgs_of", Qry([](Query::Builder q) { q.setOrganizationsOf("alice"); })},
      {"invitations", Qry([](Query::Builder q) {
         auto i = q.initListInvitations();
         i.setOrg("acme");
         i.setStatus(roster::api::wire::InvitationStatus::PENDING);
       })},
      {"project_access", Qry([](Query::Builder q) {
         auto p = q.initProjectAccess();
         p.setOrg("acme");
         p.setProjectId("web");
       })},
      {"user_access", Qry([](Query::Builder q) {
         auto u = q.initUserAccess();
         u.setOrg("acme");
         u.setUser("bob");
       })},
      {"check", Qry([](Query::Builder q) {
         auto c = q.initCheck();
         c.setOrg("acme");
         c.setUser("bob");
         c.setPermission("members.invite");
         c.setProjectId("web");
       })},
      {"activity", Qry([](Query::Builder q) {
         q.setConsistencyToken(1);
         auto a = q.initActivity();
         a.setOrg("acme");
         a.setActor("alice");
         a.setNewestFirst(true);
         a.setLimit(5);
       })},
      {"logins", Qry([](Query::Builder q) {
         auto l = q.initLogins();
         l.setOrg("acme");
         l.setUser("alice");
       })},
      {"org_as_of", Qry([](Query::Builder q) {
         auto a = q.initOrganizationAsOf();
         a.setOrg("acme");
         a.setPosition(3);
       })},
      {"user_as_of", Qry([](Query::Builder q) {
         auto a = q.initUserAccessAsOf();
         a.setUser("bob");
         a.setTimeUs(1'767'225'600'000'000);
       })},
      {"history", Qry([](Query::Builder q) { q.initUserHistory().setUser("bob"); })},
      {"org_as_of_streamed", Qry([](Query::Builder q) {
         q.setStreamed(true);
         q.initOrganizationAsOf().setOrg("acme");
       })},
      {"history_streamed", Qry([](Query::Builder q) {
         q.setStreamed(true);
         q.initUserHistory().setUser("bob");
       })},
      {"export", Qry([](Query::Builder q) {
         auto e = q.initAuditExport();
         e.setOrg("acme");
         e.setFormat(roster::api::wire::ExportFormat::CSV);
       })},
      {"status", Qry([](Query::Builder q) { q.setStatus(); })},
      {"subscribe", [](Request::Builder r) { r.initSubscribe().setAfterPosition(0); }},
      {"credit", [](Request::Builder r) {
         auto c = r.initCredit();
         c.setSubscription(1);
         c.setCredits(10);
       }},
      {"unsubscribe", [](Request::Builder r) { r.setUnsubscribe(1); }},
      {"cancel", [](Request::Builder r) { r.setCancel(1); }},
      {"issue_token", [](Request::Builder r) {
         auto t = r.initAdmin().initIssueToken();
         t.setName("billing");
         t.setScope("service");
       }},
      {"revoke_token", [](Request::Builder r) { r.initAdmin().setRevokeToken("billing"); }},
      {"list_tokens", [](Request::Builder r) { r.initAdmin().setListTokens(); }},
      {"rebuild", [](Request::Builder r) { r.initAdmin().initRebuildProjections(1).set(0, "members"); }},
      {"verify", [](Request::Builder r) { r.initAdmin().setVerify(); }},
  };
  std::string pipelined;
  uint64_t id = 1;
  for (const auto& [name, fill] : seeds) {
    std::string bytes = Encode(id++, fill);
    if (name == "create_org" || name == "invite" || name == "members" || name == "check") {
      pipelined += bytes;
    }
    std::ofstream(out / (name + ".bin"), std::ios::binary) << bytes;
  }
  std::ofstream(out / "pipelined.bin", std::ios::binary) << pipelined;
  std::printf("%zu seeds written to %s\n", seeds.size() + 1, out.c_str());
  return 0;
}
