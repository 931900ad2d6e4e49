#include "api/http/routes.h"

#include <array>

namespace roster::api::http {
namespace {

constexpr auto C = Family::kCommand;
constexpr auto Q = Family::kQuery;
constexpr auto A = Family::kAdmin;

// Ids are chosen by the caller in the protocol (Command.org, Project.projectId, ...), so an
// organization is created by PUT on its own URL; collections whose body names the new id
// (projects, roles, API keys, resources) take a POST.
constexpr std::array kRoutes{
    // Organizations.
    Route{"PUT", "/v1/orgs/{org}", C, "createOrganization", {}, "Create an organization"},
    Route{"PATCH", "/v1/orgs/{org}", C, "renameOrganization", "name", "Rename an organization"},
    Route{"PATCH", "/v1/orgs/{org}/settings", C, "changeSettings", {}, "Change settings"},
    Route{"DELETE", "/v1/orgs/{org}", C, "deleteOrganization", {}, "Delete an organization"},
    Route{"GET", "/v1/users/{user}/orgs", Q, "organizationsOf", {}, "A user's organizations"},
    // Members.
    Route{"GET", "/v1/orgs/{org}/members", Q, "listMembers", {}, "List members"},
    Route{"POST", "/v1/orgs/{org}/members/{user}/role", C, "changeRole", {}, "Change a role"},
    Route{"DELETE", "/v1/orgs/{org}/members/{user}", C, "removeMember", {}, "Remove a member"},
    Route{"POST", "/v1/orgs/{org}/leave", C, "leaveOrganization", {}, "The actor leaves"},
    Route{"POST", "/v1/orgs/{org}/transfer", C, "transferOwnership", {}, "Transfer ownership"},
    Route{"GET", "/v1/orgs/{org}/members/{user}/access", Q, "userAccess", {}, "A user's access"},
    // Invitations.
    Route{"GET", "/v1/orgs/{org}/invitations", Q, "listInvitations", {}, "List invitations"},
    Route{"POST", "/v1/orgs/{org}/invitations", C, "inviteMember", {}, "Invite a member"},
    Route{"POST", "/v1/orgs/{org}/invitations/bulk", C, "inviteMembers", "invitations",
          "Invite many emails at once, with an outcome per email"},
    Route{"POST",
          "/v1/invitations/accept",
          C,
          "acceptInvitation",
          {},
          "Accept an invitation with the opaque token of its link"},
    Route{"POST",
          "/v1/orgs/{org}/invitations/expire",
          C,
          "expireInvitations",
          {},
          "Expire overdue invitations"},
    Route{"POST",
          "/v1/orgs/{org}/invitations/{invitationId}/resend",
          C,
          "resendInvitation",
          {},
          "Resend an invitation"},
    Route{"POST",
          "/v1/orgs/{org}/invitations/{invitationId}/accept",
          C,
          "acceptInvitation",
          {},
          "Accept an invitation"},
    Route{"DELETE",
          "/v1/orgs/{org}/invitations/{invitationId}",
          C,
          "revokeInvitation",
          {},
          "Revoke an invitation"},
    // Roles.
    Route{"POST", "/v1/orgs/{org}/roles", C, "defineRole", {}, "Define a custom role"},
    Route{"PUT", "/v1/orgs/{org}/roles/{name}", C, "updateRole", {}, "Update a custom role"},
    Route{"DELETE", "/v1/orgs/{org}/roles/{name}", C, "deleteRole", {}, "Delete a custom role"},
    // Projects.
    Route{"POST", "/v1/orgs/{org}/projects", C, "createProject", {}, "Create a project"},
    Route{
        "PATCH", "/v1/orgs/{org}/projects/{projectId}", C, "renameProject", {}, "Rename a project"},
    Route{"DELETE",
          "/v1/orgs/{org}/projects/{projectId}",
          C,
          "deleteProject",
          {},
          "Delete a project"},
    Route{"GET",
          "/v1/orgs/{org}/projects/{projectId}/access",
          Q,
          "projectAccess",
          {},
          "A project's members and their roles"},
    Route{"POST",
          "/v1/orgs/{org}/projects/{projectId}/members",
          C,
          "addProjectMember",
          {},
          "Add a project member"},
    Route{"POST",
          "/v1/orgs/{org}/projects/{projectId}/invitations",
          C,
          "inviteToProject",
          {},
          "Invite someone to a project by email (project-only access)"},
    Route{"POST",
          "/v1/orgs/{org}/projects/{projectId}/members/{user}/role",
          C,
          "changeProjectMemberRole",
          {},
          "Change a project member's role"},
    Route{"DELETE",
          "/v1/orgs/{org}/projects/{projectId}/members/{user}",
          C,
          "removeProjectMember",
          {},
          "Remove a project member"},
    // API keys and resources.
    Route{"POST", "/v1/orgs/{org}/api-keys", C, "createApiKey", {}, "Create an API key"},
    Route{
        "DELETE", "/v1/orgs/{org}/api-keys/{apiKeyId}", C, "revokeApiKey", {}, "Revoke an API key"},
    Route{"POST", "/v1/orgs/{org}/resources", C, "registerResource", {}, "Register a resource"},
    Route{"POST",
          "/v1/orgs/{org}/resources/{resourceId}/owner",
          C,
          "reassignResource",
          {},
          "Reassign a resource"},
    Route{"DELETE",
          "/v1/orgs/{org}/resources/{resourceId}",
          C,
          "deleteResource",
          {},
          "Delete a resource"},
    // Permission checks, activity and logins.
    Route{"GET", "/v1/orgs/{org}/check", Q, "check", {}, "Check a permission"},
    // An organization's catalog and settings (listings).
    Route{"GET", "/v1/orgs/{org}/roles", Q, "listRoles", {}, "The role catalog"},
    Route{"GET", "/v1/orgs/{org}/projects", Q, "listProjects", {}, "List projects"},
    Route{"GET", "/v1/orgs/{org}/api-keys", Q, "listApiKeys", {}, "List API keys"},
    Route{"GET", "/v1/orgs/{org}/resources", Q, "listResources", {}, "List resources"},
    Route{"GET", "/v1/orgs/{org}/settings", Q, "orgSettings", {}, "The organization's settings"},
    Route{"GET", "/v1/orgs/{org}/activity", Q, "activity", {}, "The compliance activity log"},
    Route{"POST", "/v1/orgs/{org}/activity", C, "recordActivity", {}, "Record the actor active"},
    Route{"GET", "/v1/orgs/{org}/logins", Q, "logins", {}, "Login history"},
    Route{"POST", "/v1/orgs/{org}/logins", C, "recordLogin", {}, "Record a login"},
    // Audit: as-of and history.
    Route{"GET",
          "/v1/orgs/{org}/as-of",
          Q,
          "organizationAsOf",
          {},
          "The organization at a past time or position"},
    Route{"GET",
          "/v1/users/{user}/access/as-of",
          Q,
          "userAccessAsOf",
          {},
          "A user's access at a past time or position"},
    Route{"GET", "/v1/users/{user}/history", Q, "userHistory", {}, "A user's membership history"},
    Route{"GET",
          "/v1/audit/export",
          Q,
          "auditExport",
          {},
          "The audit export (the activity log with its hash chain), streamed as a download"},
    // Administration.
    Route{"GET", "/v1/status", Q, "status", {}, "Log and read model positions"},
    Route{"GET", "/v1/tokens", A, "listTokens", {}, "List API tokens"},
    Route{"POST", "/v1/tokens", A, "issueToken", {}, "Issue an API token"},
    Route{"DELETE", "/v1/tokens/{name}", A, "revokeToken", {}, "Revoke an API token"},
    Route{"POST", "/v1/projections/rebuild", A, "rebuildProjections", "names",
          "Rebuild read models"},
    Route{"POST", "/v1/verify", A, "verify", {}, "Verify the log's hash chain"},
    Route{"POST", "/v1/verify/range", A, "verifyRange", {}, "Verify part of the hash chain"},
    Route{"POST",
          "/v1/clock/advance",
          A,
          "advanceClock",
          {},
          "Move the test clock forward (rosterd --test-clock only)"},
    // Webhooks (docs/webhooks.md).
    Route{"POST",
          "/v1/webhooks",
          A,
          "registerWebhook",
          {},
          "Register a webhook endpoint (the answer carries its secret, this once)"},
    Route{"GET", "/v1/webhooks", A, "listWebhooks", {}, "List webhook endpoints"},
    Route{"DELETE", "/v1/webhooks/{id}", A, "removeWebhook", {}, "Remove a webhook endpoint"},
    Route{"GET",
          "/v1/webhooks/{id}/deliveries",
          A,
          "webhookDeliveries",
          {},
          "A webhook endpoint's state and its last delivery attempts"},
};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The patterns' segments, split once: matching a request against every route used to split
// each pattern again, which was most of the HTTP thread's own work on a permission check.
const std::vector<std::vector<std::string_view>>& PatternSegments() {
  static const auto split = [] {
    std::vector<std::vector<std::string_view>> out;
    out.reserve(kRoutes.size());
    for (const Route& route : kRoutes) out.push_back(Segments(route.pattern));
    return out;
  }();
  return split;
}

// How well a pattern's `parts` match `segments`: -1 for no match, else the number of literal
// segments (more literals: a more specific route). A parameter must be non-empty and decode;
// `scratch` holds the decoding when `params` is null (scoring), so that scoring allocates
// nothing once warm.
int MatchScore(const std::vector<std::string_view>& parts,
               const std::vector<std::string_view>& segments, Params* params,
               std::string& scratch) {
  if (parts.size() != segments.size()) return -1;
  int literals = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() > 2 && parts[i].front() == '{') continue;
    if (parts[i] != segments[i]) return -1;
    ++literals;
  }
  Params found;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!(parts[i].size() > 2 && parts[i].front() == '{')) continue;
    if (segments[i].empty() || !PercentDecode(segments[i], &scratch)) return -1;
    if (params) {
      found.emplace_back(std::string(parts[i].substr(1, parts[i].size() - 2)), scratch);
    }
  }
  if (params) *params = std::move(found);
  return literals;
}

}  // namespace

std::string_view FamilyName(Family family) {
  switch (family) {
    case Family::kCommand:
      return "command";
    case Family::kQuery:
      return "query";
    case Family::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::span<const Route> Routes() { return kRoutes; }

RouteLookup FindRoute(std::string_view method, std::string_view path) {
  RouteLookup out;
  const auto segments = Segments(path);
  if (segments.empty()) return out;
  int best = -1;
  const auto& patterns = PatternSegments();
  size_t best_index = 0;
  std::string scratch;
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    const Route& route = kRoutes[i];
    const int score = MatchScore(patterns[i], segments, nullptr, scratch);
    if (score < 0) continue;
    if (route.method != method) {
      out.allowed.push_back(route.method);
      continue;
    }
    if (score > best) {
      best = score;
      best_index = i;
      out.route = &route;
    }
  }
  if (out.route) {
    MatchScore(patterns[best_index], segments, &out.params, scratch);
    out.allowed.clear();
  }
  return out;
}

bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const char decoded = static_cast<char>(hi * 16 + lo);
      // Ids are Text: a NUL would end them early in C strings further down.
      if (decoded == '\0') return false;
      out->push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool ParseQueryString(std::string_view query, Params* out) {
  out->clear();
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name, value;
    if (!PercentDecode(pair.substr(0, eq), &name, true)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), &value, true)) {
      return false;
    }
    out->emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace roster::api::http
