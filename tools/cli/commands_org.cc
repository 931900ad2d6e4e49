// Commands on an organization and its members: org create|rename|settings|delete, invite,
// invite-many, invitation resend|revoke|expire, accept, role change, member remove, leave,
// transfer.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "tools/cli/command_spec.h"

namespace roster::tools::cli {
namespace {

using api::wire::Command;

struct CreateOrg {
  std::string name, preset, email, display_name;
  int ttl_days = 0, max_pending = 0;
};
struct Settings {
  int ttl_days = 0, max_pending = 0;
};
struct Invite {
  std::string email, role, display_name;
  int ttl_days = 0;
};
struct InviteMany {
  std::string role, file;
  std::vector<std::string> emails;
  int ttl_days = 0;
};
struct Accept {
  std::string invitation, token, email, display_name;
};

// One entry of invite-many: "email[,role[,display name]]" (a file line or an argument).
struct Entry {
  std::string email, role, display_name;
};

std::string TrimSpace(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

Entry ParseEntry(const std::string& text, const std::string& default_role) {
  Entry e;
  std::stringstream in(text);
  std::getline(in, e.email, ',');
  std::getline(in, e.role, ',');
  std::getline(in, e.display_name);
  e.email = TrimSpace(e.email);
  e.role = TrimSpace(e.role);
  e.display_name = TrimSpace(e.display_name);
  if (e.role.empty()) e.role = default_role;
  return e;
}

// The entries of invite-many: the arguments, then the file's lines (blank lines and lines
// starting with '#' skipped). Throws CLI::ValidationError for an unreadable file or an entry
// without a role.
std::vector<Entry> Entries(const InviteMany& o) {
  std::vector<Entry> out;
  for (const std::string& arg : o.emails) out.push_back(ParseEntry(arg, o.role));
  if (!o.file.empty()) {
    std::ifstream file(o.file);
    if (!file) throw CLI::ValidationError("--file", "cannot read " + o.file);
    std::string line;
    while (std::getline(file, line)) {
      line = TrimSpace(line);
      if (line.empty() || line.front() == '#') continue;
      out.push_back(ParseEntry(line, o.role));
    }
  }
  for (const Entry& e : out) {
    if (e.role.empty()) {
      throw CLI::ValidationError("--role", e.email + " has no role: give --role or email,role");
    }
  }
  return out;
}
struct RoleChange {
  std::string user, role;
};
struct Transfer {
  std::string to_user, previous_role;
};

void RegisterOrg(CLI::App& app, Cli& cli) {
  auto* org = app.add_subcommand("org", "organizations: create, rename, settings, delete");
  org->require_subcommand(1);
  NewCommand<CreateOrg>(
      *org, cli, "create",
      "create an organization with a preset role catalog; the --actor becomes its first owner",
      [](Command::Builder c, const CreateOrg& o) {
        auto r = c.initCreateOrganization();
        r.setName(o.name);
        r.setPreset(o.preset);
        r.setOwnerEmail(o.email);
        r.setOwnerDisplayName(o.display_name);
        r.setInvitationTtlDays(o.ttl_days);
        r.setMaxPendingInvitations(o.max_pending);
      },
      [](CLI::App& sub, CreateOrg& o) {
        sub.add_option("--name", o.name, "display name")->required();
        sub.add_option("--preset", o.preset, "role catalog preset")
            ->required()
            ->check(CLI::IsMember({"commerce", "workspace", "platform", "analytics", "api"}));
        sub.add_option("--email", o.email, "the owner's verified email")->required();
        sub.add_option("--display-name", o.display_name, "the owner's display name");
        // On the wire 0 means "the default": a 0 typed here would be silently ignored.
        sub.add_option("--invitation-ttl-days", o.ttl_days,
                       "invitation lifetime (default 7, max 30)")
            ->check(CLI::PositiveNumber);
        sub.add_option("--max-pending", o.max_pending, "pending invitations cap (default 50)")
            ->check(CLI::PositiveNumber);
      });
  NewCommand<OneText>(
      *org, cli, "rename", "rename an organization",
      [](Command::Builder c, const OneText& o) { c.setRenameOrganization(o.value); },
      [](CLI::App& sub, OneText& o) { sub.add_option("name", o.value, "new name")->required(); });
  NewCommand<Settings>(
      *org, cli, "settings", "change invitation settings",
      [](Command::Builder c, const Settings& o) {
        auto r = c.initChangeSettings();
        r.setInvitationTtlDays(o.ttl_days);
        r.setMaxPendingInvitations(o.max_pending);
      },
      [](CLI::App& sub, Settings& o) {
        // On the wire 0 means "unchanged": a 0 typed here would be silently ignored.
        sub.add_option("--invitation-ttl-days", o.ttl_days, "invitation lifetime in days (1 to 30)")
            ->check(CLI::PositiveNumber);
        sub.add_option("--max-pending", o.max_pending, "pending invitations cap")
            ->check(CLI::PositiveNumber);
      });
  NewCommand<None>(
      *org, cli, "delete", "delete an organization (needs org.delete); its history stays",
      [](Command::Builder c, const None&) { c.setDeleteOrganization(); }, NoOptions);
}

void RegisterInvitations(CLI::App& app, Cli& cli) {
  NewCommand<Invite>(
      app, cli, "invite", "invite someone by email with an org role",
      [](Command::Builder c, const Invite& o) {
        auto r = c.initInviteMember();
        r.setEmail(o.email);
        r.setRole(o.role);
        r.setDisplayName(o.display_name);
        r.setTtlDays(o.ttl_days);
      },
      [](CLI::App& sub, Invite& o) {
        sub.add_option("email", o.email, "the invitee's email")->required();
        sub.add_option("--role", o.role, "org role to grant")->required();
        sub.add_option("--display-name", o.display_name, "the invitee's name");
        // On the wire 0 means "the org's default": a 0 typed here would be silently ignored.
        sub.add_option("--ttl-days", o.ttl_days,
                       "the invitation's lifetime in days (default and maximum: the org's "
                       "invitation TTL)")
            ->check(CLI::PositiveNumber);
      });
  NewCommand<InviteMany>(
      app, cli, "invite-many",
      "invite many emails in one command (at most 100), with an outcome per email",
      [](Command::Builder c, const InviteMany& o) {
        const std::vector<Entry> entries = Entries(o);
        auto list = c.initInviteMembers(static_cast<unsigned>(entries.size()));
        for (unsigned i = 0; i < list.size(); ++i) {
          list[i].setEmail(entries[i].email);
          list[i].setRole(entries[i].role);
          list[i].setDisplayName(entries[i].display_name);
          list[i].setTtlDays(o.ttl_days);
        }
      },
      [](CLI::App& sub, InviteMany& o) {
        sub.add_option("emails", o.emails,
                       "the invitees: email, or email,role[,display name] to override --role");
        sub.add_option("--role", o.role, "org role for entries that name none");
        sub.add_option("--file", o.file,
                       "more entries, one per line as email[,role[,display name]] ('#' comments)");
        sub.add_option("--ttl-days", o.ttl_days, "every invitation's lifetime in days")
            ->check(CLI::PositiveNumber);
      });
  {
    // Not NewCommand: with the link's opaque token (rinv_...) the org and the invitation are
    // in the token, so both positionals are optional here.
    auto spec = std::make_shared<Spec<Accept>>();
    auto* sub = app.add_subcommand(
        "accept",
        "accept an invitation as --actor, whose verified email must match the invitation: "
        "`accept --token rinv_...` with the link's token, or `accept ORG INVITATION --token "
        "SECRET`");
    sub->add_option("org", spec->command.org, "organization id (not needed with a rinv_ token)");
    sub->add_option("invitation", spec->extra.invitation,
                    "invitation id (not needed with a rinv_ token)");
    sub->add_option("--token", spec->extra.token,
                    "the token from the invitation link (rinv_...), or the invitation's secret")
        ->required();
    sub->add_option("--email", spec->extra.email, "the actor's verified email")->required();
    sub->add_option("--display-name", spec->extra.display_name, "the new member's name");
    AddCommandOptions(*sub, spec->command, true);
    sub->callback([spec, &cli] {
      const Accept& o = spec->extra;
      const bool opaque = o.invitation.empty() && o.token.rfind("rinv_", 0) == 0;
      if (!opaque && (spec->command.org.empty() || o.invitation.empty())) {
        throw CLI::ValidationError(
            "accept", "give ORG and INVITATION with the secret, or the link's rinv_ token alone");
      }
      cli.exit_code = RunCommand(cli, spec->command, [&](Command::Builder c) {
        auto r = c.initAcceptInvitation();
        r.setInvitationId(o.invitation);
        if (opaque) {
          r.setAcceptToken(o.token);
        } else {
          r.setToken(o.token);
        }
        r.setVerifiedEmail(o.email);
        r.setDisplayName(o.display_name);
      });
    });
  }
  auto* invitation =
      app.add_subcommand("invitation", "pending invitations: resend, revoke, expire");
  invitation->require_subcommand(1);
  NewCommand<OneText>(
      *invitation, cli, "resend", "issue a new token and reset the expiry",
      [](Command::Builder c, const OneText& o) { c.setResendInvitation(o.value); },
      [](CLI::App& sub, OneText& o) {
        sub.add_option("invitation", o.value, "invitation id")->required();
      });
  NewCommand<OneText>(
      *invitation, cli, "revoke", "cancel a pending invitation",
      [](Command::Builder c, const OneText& o) { c.setRevokeInvitation(o.value); },
      [](CLI::App& sub, OneText& o) {
        sub.add_option("invitation", o.value, "invitation id")->required();
      });
  NewCommand<None>(
      *invitation, cli, "expire", "record the expiry of every invitation past its time",
      [](Command::Builder c, const None&) { c.setExpireInvitations(); }, NoOptions);
}

void RegisterMembers(CLI::App& app, Cli& cli) {
  auto* role = app.add_subcommand("role", "org roles: change a member's, define custom ones");
  role->require_subcommand(1);
  NewCommand<RoleChange>(
      *role, cli, "change", "change a member's org role",
      [](Command::Builder c, const RoleChange& o) {
        auto r = c.initChangeRole();
        r.setUser(o.user);
        r.setRole(o.role);
      },
      [](CLI::App& sub, RoleChange& o) {
        sub.add_option("user", o.user, "member's user id")->required();
        sub.add_option("role", o.role, "new org role")->required();
      });
  RegisterRoleCatalogCommands(*role, cli);

  auto* member = app.add_subcommand("member", "members: remove");
  member->require_subcommand(1);
  NewCommand<OneText>(
      *member, cli, "remove",
      "remove a member: access ends now, resources go to an owner, their API keys are flagged",
      [](Command::Builder c, const OneText& o) { c.setRemoveMember(o.value); },
      [](CLI::App& sub, OneText& o) {
        sub.add_option("user", o.value, "member's user id")->required();
      });
  NewCommand<None>(
      app, cli, "leave", "the --actor leaves the organization",
      [](Command::Builder c, const None&) { c.setLeaveOrganization(); }, NoOptions);
  NewCommand<Transfer>(
      app, cli, "transfer", "transfer ownership to another member",
      [](Command::Builder c, const Transfer& o) {
        auto r = c.initTransferOwnership();
        r.setToUser(o.to_user);
        r.setPreviousOwnerRole(o.previous_role);
      },
      [](CLI::App& sub, Transfer& o) {
        sub.add_option("user", o.to_user, "the new owner's user id")->required();
        sub.add_option("--previous-owner-role", o.previous_role,
                       "the actor's role afterwards (default: the most privileged non-owner role)");
      });
}

}  // namespace

void RegisterOrgCommands(CLI::App& app, Cli& cli) {
  RegisterOrg(app, cli);
  RegisterInvitations(app, cli);
  RegisterMembers(app, cli);
}

}  // namespace roster::tools::cli
