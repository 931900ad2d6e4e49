// Commands on an organization and its members: org create|rename|settings|delete, invite,
// invitation resend|revoke|expire, accept, role change, member remove, leave, transfer.
#include <memory>

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
};
struct Accept {
  std::string invitation, token, email, display_name;
};
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
      },
      [](CLI::App& sub, Invite& o) {
        sub.add_option("email", o.email, "the invitee's email")->required();
        sub.add_option("--role", o.role, "org role to grant")->required();
        sub.add_option("--display-name", o.display_name, "the invitee's name");
      });
  NewCommand<Accept>(
      app, cli, "accept",
      "accept an invitation as --actor, whose verified email must match the invitation",
      [](Command::Builder c, const Accept& o) {
        auto r = c.initAcceptInvitation();
        r.setInvitationId(o.invitation);
        r.setToken(o.token);
        r.setVerifiedEmail(o.email);
        r.setDisplayName(o.display_name);
      },
      [](CLI::App& sub, Accept& o) {
        sub.add_option("invitation", o.invitation, "invitation id")->required();
        sub.add_option("--token", o.token, "the secret from the invitation link")->required();
        sub.add_option("--email", o.email, "the actor's verified email")->required();
        sub.add_option("--display-name", o.display_name, "the new member's name");
      });
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
