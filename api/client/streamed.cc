#include "api/client/streamed.h"

#include <kj/exception.h>

namespace roster::api::client {

using api::wire::OrganizationAsOf;
using api::wire::Request;
using api::wire::Response;

std::expected<ExportResult, ClientError> Export(
    Client& client, const ExportRequest& request,
    const std::function<bool(std::string_view)>& write) {
  ExportResult result;
  std::optional<ClientError> failed;
  bool complete = false;
  auto streamed = client.CallStreamed(
      [&](Request::Builder r) {
        auto q = r.initQuery().initAuditExport();
        if (request.org) q.setOrg(*request.org);
        q.setFromTimeUs(request.from_us);
        q.setToTimeUs(request.to_us);
        q.setFormat(request.csv ? api::wire::ExportFormat::CSV : api::wire::ExportFormat::JSONL);
      },
      [&](Reply& part) {
        try {
          auto response = part.get();
          if (response.isError()) {
            failed = ClientError{response.getError().getCode().cStr(),
                                 response.getError().getMessage().cStr()};
            return false;
          }
          if (!response.isAuditExport()) {
            failed = ClientError{"PROTOCOL", "unexpected response in an export"};
            return false;
          }
          auto chunk = response.getAuditExport();
          auto data = chunk.getData();
          if (data.size() > 0) {
            result.bytes += data.size();
            if (!write(
                    std::string_view(reinterpret_cast<const char*>(data.begin()), data.size()))) {
              failed = ClientError{"WRITE", "writing the export failed"};
              return false;
            }
          }
          if (!response.getMore()) {
            result.entries = chunk.getEntries();
            result.first_position = chunk.getFirstPosition();
            result.last_position = chunk.getLastPosition();
            result.head_hash = chunk.getHeadHash().cStr();
            complete = true;
          }
          return true;
        } catch (const kj::Exception& e) {
          failed =
              ClientError{"PROTOCOL", std::string("bad export part: ") + e.getDescription().cStr()};
          return false;
        }
      });
  if (!streamed) return std::unexpected(streamed.error());
  if (failed) return std::unexpected(*failed);
  if (!complete) return std::unexpected(ClientError{"PROTOCOL", "the export ended early"});
  return result;
}

void MergeOrganizationAsOf(const std::vector<OrganizationAsOf::Reader>& parts,
                           OrganizationAsOf::Builder out) {
  if (parts.empty()) return;
  const OrganizationAsOf::Reader header = parts.front();
  out.setOrg(header.getOrg());
  out.setName(header.getName());
  out.setPosition(header.getPosition());
  out.setTimeUs(header.getTimeUs());
  out.setDeleted(header.getDeleted());
  size_t members = 0, pending = 0;
  // Each merged project: its id and its pieces (the same project's slices in several parts).
  struct Merged {
    std::string id;
    std::vector<api::wire::ProjectAtPoint::Reader> pieces;
    size_t members = 0;
  };
  std::vector<Merged> projects;
  for (const auto& part : parts) {
    members += part.getMembers().size();
    pending += part.getPending().size();
    for (auto p : part.getProjects()) {
      const std::string id = p.getProjectId().cStr();
      if (projects.empty() || projects.back().id != id) projects.push_back({id, {}, 0});
      projects.back().pieces.push_back(p);
      projects.back().members += p.getMembers().size();
    }
  }
  auto member_list = out.initMembers(static_cast<unsigned>(members));
  auto pending_list = out.initPending(static_cast<unsigned>(pending));
  unsigned m = 0, i = 0;
  for (const auto& part : parts) {
    for (auto member : part.getMembers()) member_list.setWithCaveats(m++, member);
    for (auto invitation : part.getPending()) pending_list.setWithCaveats(i++, invitation);
  }
  auto project_list = out.initProjects(static_cast<unsigned>(projects.size()));
  for (unsigned p = 0; p < projects.size(); ++p) {
    project_list[p].setProjectId(projects[p].id);
    auto list = project_list[p].initMembers(static_cast<unsigned>(projects[p].members));
    unsigned k = 0;
    for (const auto& piece : projects[p].pieces) {
      for (auto member : piece.getMembers()) list.setWithCaveats(k++, member);
    }
  }
}

}  // namespace roster::api::client
