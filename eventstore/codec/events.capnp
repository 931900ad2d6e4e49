# Roster's domain events as stored in the event log.
#
# One struct per event type; a record's type name (e.g. "member.joined") says which struct its
# payload holds, and its revision says which revision of that struct. Rules for changing this
# file (docs/schema_evolution.md): never renumber or retype a field; adding a field is a
# compatible change within a revision; a change of meaning is a new revision of the event with
# an upcaster from the previous one (codec/upcasters.h), and old records are never rewritten.
# Times are microseconds since the Unix epoch (UTC). Permissions are stored by their stable
# names, never by position.
@0xabc40121bd95a5b1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("roster::eventstore::codec::wire");

struct Role {
  name @0 :Text;
  permissions @1 :List(Text);
  projectRole @2 :Text;
}

struct ProjectRole {
  name @0 :Text;
  permissions @1 :List(Text);
}

struct RoleCatalog {
  preset @0 :Text;
  roles @1 :List(Role);
  projectRoles @2 :List(ProjectRole);  # least to most privileged
  ownerRole @3 :Text;
}

struct OrgSettings {
  invitationTtlDays @0 :Int32;
  maxPendingInvitations @1 :Int32;
}

struct OrganizationCreated {
  orgId @0 :Text;
  name @1 :Text;
  catalog @2 :RoleCatalog;
  settings @3 :OrgSettings;
  creator @4 :Text;
}

struct OrganizationRenamed {
  oldName @0 :Text;
  newName @1 :Text;
}

struct OrganizationSettingsChanged {
  before @0 :OrgSettings;
  after @1 :OrgSettings;
}

struct OrganizationDeleted {
  name @0 :Text;
}

# invitation.sent revision 1 (written until revision 2 existed; read only by its upcaster in
# upcasters.cc, forever): `expiresAt` is the absolute deadline the writer computed.
struct InvitationSent {
  invitationId @0 :Text;
  email @1 :Text;
  displayName @2 :Text;
  role @3 :Text;
  inviter @4 :Text;
  tokenHash @5 :Text;
  sentAt @6 :Int64;
  expiresAt @7 :Int64;
}

# invitation.sent revision 2 (current). The meaning changed: the event records the lifetime
# the invitation was granted (`validFor`, microseconds from `sentAt`), i.e. the organization's
# policy at the time, instead of a precomputed deadline; the deadline is sentAt + validFor.
struct MemberInvitedV2 {
  invitationId @0 :Text;
  email @1 :Text;
  displayName @2 :Text;
  role @3 :Text;
  inviter @4 :Text;
  tokenHash @5 :Text;
  sentAt @6 :Int64;
  validFor @7 :Int64;
  # A project invitation (added within revision 2: absent in older records, which are org
  # invitations): the project and the project role accepting grants; `role` is then empty.
  projectId @8 :Text;
  projectRole @9 :Text;
}

struct InvitationResent {
  invitationId @0 :Text;
  email @1 :Text;
  tokenHash @2 :Text;
  sentAt @3 :Int64;
  expiresAt @4 :Int64;
  resendCount @5 :UInt32;
}

struct InvitationRevoked {
  invitationId @0 :Text;
  email @1 :Text;
  role @2 :Text;
}

struct InvitationAccepted {
  invitationId @0 :Text;
  email @1 :Text;
  userId @2 :Text;
  membershipId @3 :Text;
}

struct InvitationExpired {
  invitationId @0 :Text;
  email @1 :Text;
  expiredAt @2 :Int64;
}

struct MemberJoined {
  membershipId @0 :Text;
  userId @1 :Text;
  email @2 :Text;
  displayName @3 :Text;
  role @4 :Text;
  invitationId @5 :Text;
}

struct MemberRoleChanged {
  membershipId @0 :Text;
  userId @1 :Text;
  fromRole @2 :Text;
  toRole @3 :Text;
}

struct MemberRemoved {
  membershipId @0 :Text;
  userId @1 :Text;
  email @2 :Text;
  role @3 :Text;
}

struct MemberLeft {
  membershipId @0 :Text;
  userId @1 :Text;
  email @2 :Text;
  role @3 :Text;
}

struct OwnershipTransferred {
  fromUser @0 :Text;
  toUser @1 :Text;
  fromNewRole @2 :Text;
  toPreviousRole @3 :Text;
}

struct RoleDefined {
  role @0 :Role;
}

struct RoleUpdated {
  before @0 :Role;
  after @1 :Role;
}

struct RoleDeleted {
  role @0 :Role;
}

struct ProjectCreated {
  projectId @0 :Text;
  name @1 :Text;
}

struct ProjectRenamed {
  projectId @0 :Text;
  oldName @1 :Text;
  newName @2 :Text;
}

struct ProjectDeleted {
  projectId @0 :Text;
  name @1 :Text;
}

struct ProjectMemberAdded {
  projectId @0 :Text;
  userId @1 :Text;
  role @2 :Text;
}

struct ProjectMemberRoleChanged {
  projectId @0 :Text;
  userId @1 :Text;
  fromRole @2 :Text;
  toRole @3 :Text;
}

enum ProjectRemovalReason {
  direct @0;
  orgRemoval @1;
  orgLeft @2;
  projectDeleted @3;
}

struct ProjectMemberRemoved {
  projectId @0 :Text;
  userId @1 :Text;
  role @2 :Text;
  reason @3 :ProjectRemovalReason;
}

struct ApiKeyCreated {
  apiKeyId @0 :Text;
  name @1 :Text;
  creator @2 :Text;
  projectId @3 :Text;
}

struct ApiKeyRevoked {
  apiKeyId @0 :Text;
}

struct ApiKeyRotationRecommended {
  apiKeyId @0 :Text;
  creator @1 :Text;
  reason @2 :Text;
}

struct ResourceRegistered {
  resourceId @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  owner @3 :Text;
  projectId @4 :Text;
}

struct ResourceReassigned {
  resourceId @0 :Text;
  fromOwner @1 :Text;
  toOwner @2 :Text;
  reason @3 :Text;
}

struct ResourceDeleted {
  resourceId @0 :Text;
}

struct MemberLoggedIn {
  userId @0 :Text;
  at @1 :Int64;
  ip @2 :Text;
  userAgent @3 :Text;
}

struct MemberActive {
  userId @0 :Text;
  at @1 :Int64;
}
