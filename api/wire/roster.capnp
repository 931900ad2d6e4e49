# Roster's TCP protocol: requests and responses as Cap'n Proto messages in the standard stream
# framing (a segment table, then the segments; see docs/protocol.md). Any Cap'n Proto
# implementation with this file can talk to rosterd, including `capnp encode` / `capnp decode`.
#
# A connection starts with Request.hello carrying a token; everything before a successful hello
# is refused. Requests carry a client-chosen id and may be pipelined; responses carry the id of
# their request and may come back out of order. A subscription answers with many responses,
# all carrying the subscription request's id, and is paced by credits (Request.credit). A
# streamed answer (the audit export; as-of and history with Query.streamed) is a sequence of
# responses carrying the request's id, each with Response.more set except the last.
#
# Compatibility: fields are only ever added (never renumbered or retyped); servers ignore what
# they do not know and answer UNSUPPORTED for unknown request kinds.
@0xc634a40d5ee28cb0;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("roster::api::wire");

const protocolVersion :UInt32 = 1;

struct Request {
  id @0 :UInt64;
  union {
    hello @1 :Hello;
    command @2 :Command;
    query @3 :Query;
    subscribe @4 :Subscribe;
    credit @5 :Credit;
    unsubscribe @6 :UInt64;  # the subscription's request id
    admin @7 :Admin;
    cancel @8 :UInt64;       # a streamed answer's request id: stop sending it
  }
}

struct Hello {
  token @0 :Text;
  client @1 :Text;           # free text for logs, e.g. "billing-service/2.3"
  protocolVersion @2 :UInt32;
}

# ---------------------------------------------------------------------------------------------
# Commands. `actor` is the user on whose behalf the command runs: the domain checks that user's
# permissions. `commandId` (required) makes retries idempotent; `correlationId` defaults to it.

struct Command {
  org @0 :Text;
  actor @1 :Text;
  commandId @2 :Text;                 # required, else INVALID_ARGUMENT
  correlationId @3 :Text;
  union {
    createOrganization @4 :CreateOrganization;
    renameOrganization @5 :Text;
    changeSettings @6 :ChangeSettings;
    deleteOrganization @7 :Void;
    inviteMember @8 :InviteMember;
    resendInvitation @9 :Text;        # invitation id
    revokeInvitation @10 :Text;       # invitation id
    acceptInvitation @11 :AcceptInvitation;
    expireInvitations @12 :Void;
    changeRole @13 :ChangeRole;
    removeMember @14 :Text;           # user id
    leaveOrganization @15 :Void;
    transferOwnership @16 :TransferOwnership;
    defineRole @17 :RoleDefinition;
    updateRole @18 :RoleDefinition;
    deleteRole @19 :Text;             # role name
    createProject @20 :Project;
    renameProject @21 :Project;
    deleteProject @22 :Text;          # project id
    addProjectMember @23 :ProjectMember;
    changeProjectMemberRole @24 :ProjectMember;
    removeProjectMember @25 :ProjectMember;  # role ignored
    createApiKey @26 :ApiKey;
    revokeApiKey @27 :Text;           # api key id
    registerResource @28 :Resource;
    reassignResource @29 :ReassignResource;
    deleteResource @30 :Text;         # resource id
    recordLogin @31 :RecordLogin;
    recordActivity @32 :Void;
    inviteToProject @33 :InviteToProject;   # project-only access by email (rule 7)
    # Many org invitations in one command (at most 100), decided entry by entry: the answer's
    # invitationOutcomes hold one outcome per entry, in order.
    inviteMembers @34 :List(InviteMember);
  }
}

struct CreateOrganization {
  name @0 :Text;
  preset @1 :Text;                    # commerce, workspace, platform, analytics, api
  ownerEmail @2 :Text;                # the actor becomes the first owner
  ownerDisplayName @3 :Text;
  invitationTtlDays @4 :Int32;        # 0 = default (7)
  maxPendingInvitations @5 :Int32;    # 0 = default (50)
}

struct ChangeSettings {
  invitationTtlDays @0 :Int32;        # 0 = unchanged
  maxPendingInvitations @1 :Int32;    # 0 = unchanged
}

struct InviteMember {
  email @0 :Text;
  displayName @1 :Text;
  role @2 :Text;
  ttlDays @3 :Int32;                  # the invitation's lifetime: 1..the org's invitationTtlDays;
                                      # 0 = the org's default (that setting)
}

struct AcceptInvitation {
  invitationId @0 :Text;
  token @1 :Text;                     # the secret from the invitation link
  verifiedEmail @2 :Text;             # from the caller's identity provider
  displayName @3 :Text;
  # The opaque accept token an invitation's answer returned (CommandResult.acceptToken): it
  # names the organization, the invitation and the secret, so invitationId, token and the
  # command's org may then be empty (if given, they must agree with it). A `token` that is an
  # accept token is taken as one too.
  acceptToken @4 :Text;
}

struct ChangeRole {
  user @0 :Text;
  role @1 :Text;
}

struct TransferOwnership {
  toUser @0 :Text;
  previousOwnerRole @1 :Text;         # empty: the most privileged non-owner role
}

struct RoleDefinition {
  name @0 :Text;
  permissions @1 :List(Text);
  projectRole @2 :Text;               # inherited in every project; empty for none
}

struct Project {
  projectId @0 :Text;
  name @1 :Text;
}

struct ProjectMember {
  projectId @0 :Text;
  user @1 :Text;
  role @2 :Text;
}

struct ApiKey {
  apiKeyId @0 :Text;
  name @1 :Text;
  projectId @2 :Text;
}

struct Resource {
  resourceId @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  owner @3 :Text;                     # empty: the actor
  projectId @4 :Text;
}

struct ReassignResource {
  resourceId @0 :Text;
  toOwner @1 :Text;
}

struct RecordLogin {
  ip @0 :Text;
  userAgent @1 :Text;
}

# ---------------------------------------------------------------------------------------------
# Queries. A query with a consistencyToken (the position a command returned) waits, bounded,
# until the read model has reached it: read-your-writes.

struct Query {
  consistencyToken @0 :UInt64;
  union {
    listMembers @1 :ListMembers;
    organizationsOf @2 :Text;         # user id: the organization switcher
    listInvitations @3 :ListInvitations;
    projectAccess @4 :ProjectAccessQuery;
    userAccess @5 :UserAccessQuery;
    check @6 :Check;
    activity @7 :ActivityQuery;
    logins @8 :LoginsQuery;
    organizationAsOf @9 :AsOf;
    userAccessAsOf @10 :AsOf;         # org ignored; user required
    userHistory @11 :AsOf;            # org ignored; user required; the point is an upper bound
    status @12 :Void;                 # log and read model positions
    auditExport @13 :ExportQuery;     # always streamed: Response.auditExport parts
    # An organization's catalog and settings, from its current state (no token needed):
    listRoles @15 :OrgListing;        # -> roles (with what the viewer may grant)
    listProjects @16 :OrgListing;     # -> projects; a viewer needs projects.view
    listApiKeys @17 :OrgListing;      # -> apiKeys; a viewer needs apikeys.view
    listResources @18 :OrgListing;    # -> resources; a viewer needs resources.view
    orgSettings @19 :OrgListing;      # -> settings
  }
  # as-of and history: answer in parts (Response.more) instead of one response. Ignored by
  # other queries, which are answered in one response (a stream of one part).
  streamed @14 :Bool;
}

struct ListMembers {
  org @0 :Text;
  viewer @1 :Text;                    # who looks: without members.view a member sees only itself
  includeFormer @2 :Bool;
  cursor @3 :UInt64;
  limit @4 :UInt32;                   # 0 = 100; at most 1000
}

enum InvitationStatus {
  any @0;
  pending @1;
  accepted @2;
  revoked @3;
  expired @4;
}

struct OrgListing {
  org @0 :Text;
  viewer @1 :Text;                    # the acting user; empty: the trusted backend
}

struct RoleInfo {
  name @0 :Text;
  permissions @1 :List(Text);
  projectRole @2 :Text;               # inherited in every project; empty for none
  ownerRole @3 :Bool;
  grantable @4 :Bool;                 # the viewer may grant it (ChangeRole's rule)
}

struct ProjectInfo {
  projectId @0 :Text;
  name @1 :Text;
  directMembers @2 :UInt32;
}

struct ApiKeyInfo {
  apiKeyId @0 :Text;
  name @1 :Text;
  creator @2 :Text;
  projectId @3 :Text;                 # empty: organization-wide
  revoked @4 :Bool;
  rotationRecommended @5 :Bool;       # its creator left or was removed
}

struct ResourceInfo {
  resourceId @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  owner @3 :Text;
  projectId @4 :Text;
}

struct OrgSettingsInfo {
  invitationTtlDays @0 :Int32;
  maxPendingInvitations @1 :Int32;
}

struct ListInvitations {
  org @0 :Text;
  status @1 :InvitationStatus;
  cursor @2 :UInt64;
  limit @3 :UInt32;
  viewer @4 :Text;                    # who looks (empty: the backend itself): needs members.view
}

struct ProjectAccessQuery {
  org @0 :Text;
  projectId @1 :Text;
  viewer @2 :Text;                    # needs projects.view in the project
}

struct UserAccessQuery {
  org @0 :Text;
  user @1 :Text;
  viewer @2 :Text;                    # the user themself, or someone with members.view
}

struct Check {
  org @0 :Text;
  user @1 :Text;
  permission @2 :Text;
  projectId @3 :Text;                 # empty: an org-level check
}

struct ActivityQuery {
  org @0 :Text;                       # empty fields do not filter
  actor @1 :Text;
  subject @2 :Text;
  action @3 :Text;
  fromTimeUs @4 :Int64;               # inclusive; 0 = the beginning
  toTimeUs @5 :Int64;                 # exclusive; 0 = no end
  cursor @6 :UInt64;
  newestFirst @7 :Bool;
  limit @8 :UInt32;
  viewer @9 :Text;                    # needs audit.view in `org`, which must then be given
}

struct LoginsQuery {
  org @0 :Text;
  user @1 :Text;                      # empty: everyone in the organization
  cursor @2 :UInt64;
  limit @3 :UInt32;
  viewer @4 :Text;                    # the user themself, or someone with members.view
}

# The audit export file (docs/audit_export.md) for a time range, of every organization or one:
# the same bytes `roster-admin export` writes. Admin and auditor scope.
struct ExportQuery {
  org @0 :Text;                       # empty: every organization (an unfiltered export)
  fromTimeUs @1 :Int64 = -9223372036854775808;  # inclusive; default: the beginning
  toTimeUs @2 :Int64 = 9223372036854775807;     # exclusive; default: no end
  format @3 :ExportFormat;
}

enum ExportFormat {
  jsonl @0;
  csv @1;
}

struct AsOf {
  org @0 :Text;
  user @1 :Text;
  position @2 :UInt64;                # 0 = no position limit
  timeUs @3 :Int64;                   # 0 = no time limit
  viewer @4 :Text;                    # who looks (empty: the backend itself): needs audit.view in
                                      # the org; for a user, another viewer sees only the orgs
                                      # where they hold it, the user themself sees all
}

# ---------------------------------------------------------------------------------------------
# Subscriptions: records after `afterPosition`, then live ones, in order, each once. The server
# sends at most `credits` records beyond those acknowledged; Request.credit grants more.

struct Subscribe {
  afterPosition @0 :UInt64;
  credits @1 :UInt32;                 # initial window; 0 = 1000
}

struct Credit {
  subscription @0 :UInt64;            # the subscription's request id
  credits @1 :UInt32;
}

# Administrative requests (admin scope).
struct Admin {
  union {
    issueToken @0 :IssueToken;
    revokeToken @1 :Text;             # token name
    listTokens @2 :Void;
    rebuildProjections @3 :List(Text);  # names; empty = all
    verify @4 :Void;                  # walk the whole hash chain
    verifyRange @5 :VerifyRange;      # walk part of it: answered with Response.verify
    # The test clock (rosterd --test-clock only, else FAILED_PRECONDITION): move the server's
    # time forward; answered with `clock`.
    advanceClock @6 :AdvanceClock;
    # Webhooks (docs/webhooks.md): register an endpoint (answered with `webhook`, which carries
    # its secret this once), remove one by id (`done`), list them (`webhooks`), and one's
    # delivery log (`webhookDeliveries`).
    registerWebhook @7 :RegisterWebhook;
    removeWebhook @8 :Text;           # endpoint id
    listWebhooks @9 :Void;
    webhookDeliveries @10 :Text;      # endpoint id
  }
}

# Positions [from, to] of the log, anchored on the stored hash of from - 1: consecutive ranges
# verify exactly what one whole walk does, so a client can show its progress between them.
struct VerifyRange {
  from @0 :UInt64;                    # 0 or 1: the first record
  to @1 :UInt64;                      # 0: the last record
}

struct AdvanceClock {
  seconds @0 :UInt32;                 # > 0; the offset never passes 36,500 days
}

struct ClockInfo {
  nowUs @0 :Int64;                    # the server's time now (UTC microseconds)
  offsetUs @1 :Int64;                 # how far ahead of the system clock it runs
}

struct IssueToken {
  name @0 :Text;
  scope @1 :Text;                     # admin, service, auditor
}

# =============================================================================================

struct Response {
  id @0 :UInt64;
  union {
    error @1 :Error;
    hello @2 :HelloOk;
    command @3 :CommandResult;
    members @4 :MemberPage;
    organizations @5 :List(UserOrganization);
    invitations @6 :InvitationPage;
    projectAccess @7 :List(ProjectMemberAccess);
    userAccess @8 :UserAccess;
    check @9 :CheckResult;
    activity @10 :ActivityPage;
    logins @11 :LoginPage;
    organizationAsOf @12 :OrganizationAsOf;
    userAccessAsOf @13 :List(UserAccess);
    userHistory @14 :List(HistoryEntry);
    status @15 :Status;
    record @16 :Record;               # one record of a subscription
    subscribed @17 :UInt64;           # the subscription started; the log's last position
    unsubscribed @18 :Void;
    token @19 :IssuedToken;
    tokens @20 :List(TokenInfo);
    verify @21 :VerifyResult;
    done @22 :Void;                   # an admin request without a result
    auditExport @23 :ExportChunk;     # one part of an export
    cancelled @25 :Void;              # the streamed answer named by a cancel was stopped
    roles @26 :List(RoleInfo);
    projects @27 :List(ProjectInfo);
    apiKeys @28 :List(ApiKeyInfo);
    resources @29 :List(ResourceInfo);
    settings @30 :OrgSettingsInfo;
    clock @31 :ClockInfo;             # Admin.advanceClock
    webhooks @32 :List(WebhookInfo);  # Admin.listWebhooks
    webhookDeliveries @33 :WebhookDeliveries;
    webhook @34 :WebhookInfo;         # Admin.registerWebhook: with the secret, this once
  }
  # A streamed answer: more responses with this id follow. False on the last part and on an
  # error, which always ends the answer; false on every single (unstreamed) answer.
  more @24 :Bool;
}

struct Error {
  code @0 :Text;                      # LAST_OWNER, PERMISSION_DENIED, UNAUTHENTICATED, ...
  message @1 :Text;
}

struct HelloOk {
  principal @0 :Text;                 # the token's name
  scope @1 :Text;
  serverVersion @2 :Text;
  protocolVersion @3 :UInt32;
}

struct CommandResult {
  accepted @0 :Bool;
  rejection @1 :Error;                # when not accepted
  position @2 :UInt64;                # consistency token for queries
  streamVersion @3 :Int64;
  duplicate @4 :Bool;                 # a retry: the first outcome
  events @5 :List(EventInfo);
  invitationId @6 :Text;              # InviteMember / ResendInvitation
  invitationToken @7 :Text;           # the secret for the invitation link, returned once
  membershipId @8 :Text;              # AcceptInvitation / CreateOrganization
  # InviteMember / InviteToProject / ResendInvitation: the one opaque token to put in the
  # invitation link (organization, invitation and secret together; AcceptInvitation.acceptToken).
  # Returned once, like invitationToken; not meant to be parsed.
  acceptToken @9 :Text;
  invitationOutcomes @10 :List(InvitationOutcome);  # inviteMembers: one per entry, in order
}

struct EventInfo {
  type @0 :Text;
  revision @1 :UInt16;
  payload @2 :Data;                   # the stored event (eventstore/codec/events.capnp)
  summary @3 :Text;                   # a human-readable line
}

struct Member {
  membershipId @0 :Text;
  userId @1 :Text;
  email @2 :Text;
  displayName @3 :Text;
  role @4 :Text;
  status @5 :Text;                    # active, removed, left
  joinedAtUs @6 :Int64;
  endedAtUs @7 :Int64;
  lastLoginUs @8 :Int64;
  lastActiveUs @9 :Int64;
  cursor @10 :UInt64;
}

struct MemberPage {
  members @0 :List(Member);
  nextCursor @1 :UInt64;              # 0: no more
}

struct UserOrganization {
  org @0 :Text;
  name @1 :Text;
  role @2 :Text;
  membershipId @3 :Text;
  joinedAtUs @4 :Int64;
  lastActiveUs @5 :Int64;
}

struct Invitation {
  invitationId @0 :Text;
  email @1 :Text;
  displayName @2 :Text;
  role @3 :Text;
  inviter @4 :Text;
  status @5 :Text;                    # pending, accepted, revoked, expired
  sentAtUs @6 :Int64;
  expiresAtUs @7 :Int64;
  resendCount @8 :UInt32;
  acceptedBy @9 :Text;
  endedAtUs @10 :Int64;
  cursor @11 :UInt64;
  validForUs @12 :Int64;              # the lifetime granted (expiresAtUs - sentAtUs)
  projectId @13 :Text;                # a project invitation; empty for an org invitation
  projectRole @14 :Text;              # the project role it grants (role is then empty)
}

struct InvitationPage {
  invitations @0 :List(Invitation);
  nextCursor @1 :UInt64;
}

struct ProjectAccessEntry {
  projectId @0 :Text;
  role @1 :Text;                      # effective
  source @2 :Text;                    # direct, inherited
  inheritedRole @3 :Text;
  directRole @4 :Text;
}

struct ProjectMemberAccess {
  userId @0 :Text;
  access @1 :ProjectAccessEntry;
}

struct UserAccess {
  org @0 :Text;
  orgName @1 :Text;
  role @2 :Text;                      # empty: not a member
  projects @3 :List(ProjectAccessEntry);
}

struct CheckResult {
  allowed @0 :Bool;
  role @1 :Text;
  source @2 :Text;                    # org_role, inherited, direct, none
  reason @3 :Text;
}

struct ActivityEntry {
  position @0 :UInt64;
  timeUs @1 :Int64;
  org @2 :Text;
  actor @3 :Text;
  action @4 :Text;
  subject @5 :Text;
  project @6 :Text;
  before @7 :Text;
  after @8 :Text;
  commandId @9 :Text;
  correlationId @10 :Text;
  source @11 :Text;
  hash @12 :Data;
  alsoSubject @13 :Text;              # a second user it is about: a transfer's previous owner
}

struct ActivityPage {
  entries @0 :List(ActivityEntry);
  nextCursor @1 :UInt64;
}

struct Login {
  position @0 :UInt64;
  userId @1 :Text;
  timeUs @2 :Int64;
  ip @3 :Text;
  userAgent @4 :Text;
}

struct LoginPage {
  logins @0 :List(Login);
  nextCursor @1 :UInt64;
}

struct PendingInvitation {
  invitationId @0 :Text;
  email @1 :Text;
  role @2 :Text;
  expiresAtUs @3 :Int64;
  projectId @4 :Text;                 # a project invitation; empty for an org invitation
  projectRole @5 :Text;
}

# Streamed (Query.streamed): the first part holds org, name, position, timeUs and deleted; the
# parts after it hold members, then pending invitations, then project members, 500 at most per
# part. A project whose members do not fit in one part continues as the first project of the
# next part, with the same projectId. Concatenating the parts gives the single answer.
struct OrganizationAsOf {
  org @0 :Text;
  name @1 :Text;
  position @2 :UInt64;                # the last record replayed
  timeUs @3 :Int64;
  members @4 :List(Member);
  pending @5 :List(PendingInvitation);
  projects @6 :List(ProjectAtPoint);
  deleted @7 :Bool;
}

struct ExportChunk {
  data @0 :Data;                      # the next bytes of the file; concatenate in order
  # The last part only (its data is empty): what the file holds, as its end line says.
  entries @1 :UInt64;
  firstPosition @2 :UInt64;
  lastPosition @3 :UInt64;
  headHash @4 :Text;                  # hex
}

struct ProjectAtPoint {
  projectId @0 :Text;
  members @1 :List(ProjectMemberAccess);
}

struct HistoryEntry {
  position @0 :UInt64;
  timeUs @1 :Int64;
  org @2 :Text;
  action @3 :Text;
  actor @4 :Text;
  before @5 :Text;
  after @6 :Text;
}

struct ProjectionInfo {
  name @0 :Text;
  version @1 :UInt32;
  ready @2 :Bool;
  position @3 :UInt64;
  building @4 :Bool;
  buildPosition @5 :UInt64;
  # Models that cache organizations (members, invitations, access); all 0 for the others.
  cacheHits @6 :UInt64;
  cacheMisses @7 :UInt64;             # organizations read back from the model's rows
  cachedOrgs @8 :UInt64;
  cacheBytes @9 :UInt64;              # estimated
  cacheBudgetBytes @10 :UInt64;
}

struct Status {
  lastPosition @0 :UInt64;
  projections @1 :List(ProjectionInfo);
  serverVersion @2 :Text;
  connections @3 :UInt32;
  memory @4 :MemoryInfo;
  logBackend @5 :Text;                # "rocksdb" (embedded) or "postgresql" (shared)
  # A log on PostgreSQL that cannot be reached: since when (UTC microseconds; 0 when it can).
  # Commands fail meanwhile; queries answer as of each read model's position, which misses
  # whatever other nodes have committed since.
  logUnreachableSinceUs @6 :Int64;
  # Started with --test-clock (a test environment), and how far its time runs ahead of the
  # system clock (microseconds).
  testClock @7 :Bool;
  testClockOffsetUs @8 :Int64;
}

# What the server process holds in memory, and how much of it is RocksDB's (which fills up to
# its settings as the data grows; the log's fields are 0 when the log is on PostgreSQL). The read models' caches are in ProjectionInfo.
struct MemoryInfo {
  rssBytes @0 :UInt64;
  logMemtableBytes @1 :UInt64;
  logBlockCacheBytes @2 :UInt64;
  logTableReaderBytes @3 :UInt64;
  viewsMemtableBytes @4 :UInt64;
  viewsBlockCacheBytes @5 :UInt64;
  viewsTableReaderBytes @6 :UInt64;
}

struct Record {
  position @0 :UInt64;
  stream @1 :Text;
  streamVersion @2 :Int64;
  type @3 :Text;
  revision @4 :UInt16;
  actor @5 :Text;
  commandId @6 :Text;
  correlationId @7 :Text;
  source @8 :Text;
  timeUs @9 :Int64;
  payload @10 :Data;
  prevHash @11 :Data;
  hash @12 :Data;
}

struct IssuedToken {
  name @0 :Text;
  scope @1 :Text;
  token @2 :Text;                     # shown once
}

struct TokenInfo {
  name @0 :Text;
  scope @1 :Text;
}

struct VerifyResult {
  ok @0 :Bool;
  checked @1 :UInt64;
  firstBad @2 :UInt64;
  problem @3 :Text;
  headHash @4 :Data;
}

# A webhook endpoint to register: events of the log POSTed to `url`, signed (docs/webhooks.md).
struct RegisterWebhook {
  url @0 :Text;                       # http:// or https://
  org @1 :Text;                       # empty: every organization
  eventTypes @2 :List(Text);          # the log's type names (member.joined, ...); empty: all
  fromPosition @3 :UInt64;            # 0: only events after registration; N: from position N
}

struct WebhookInfo {
  id @0 :Text;
  url @1 :Text;
  org @2 :Text;
  eventTypes @3 :List(Text);
  secret @4 :Text;                    # only in the answer to registerWebhook
  createdUs @5 :Int64;
  startAfter @6 :UInt64;              # events after this position are delivered
  cursor @7 :UInt64;                  # the last position delivered or skipped
  state @8 :Text;                     # idle (caught up), delivering, retrying, stopped
  pending @9 :UInt64;                 # the event being delivered or retried; 0 when idle
  failedAttempts @10 :UInt32;         # of the pending event
  nextRetryUs @11 :Int64;             # when retrying: the next attempt's time
  lastError @12 :Text;                # of the pending event's last attempt
}

struct WebhookDeliveries {
  webhook @0 :WebhookInfo;
  attempts @1 :List(WebhookAttempt);  # newest first; the last 100
}

# One try at delivering one event.
struct WebhookAttempt {
  position @0 :UInt64;
  eventType @1 :Text;
  org @2 :Text;
  timeUs @3 :Int64;
  status @4 :UInt32;                  # the HTTP status; 0 when there was no answer
  error @5 :Text;                     # why it was not delivered (empty when it was)
  attempt @6 :UInt32;                 # 1 for the event's first try, then 2, 3, ...
  durationUs @7 :Int64;
  delivered @8 :Bool;                 # a 2xx answer
}

# Command.inviteToProject: invite someone by email to one project with a project role. Needs
# what addProjectMember needs; accepting grants direct project access without org membership.
struct InviteToProject {
  email @0 :Text;
  displayName @1 :Text;
  projectId @2 :Text;
  role @3 :Text;                      # a project role
  ttlDays @4 :Int32;                  # as InviteMember.ttlDays
}

# One entry of Command.inviteMembers, answered in CommandResult.invitationOutcomes.
struct InvitationOutcome {
  email @0 :Text;                     # as the entry gave it
  accepted @1 :Bool;
  invitationId @2 :Text;              # accepted: the new invitation
  invitationToken @3 :Text;           # accepted: its secret; returned once (empty on a retry)
  acceptToken @4 :Text;               # accepted: the opaque link token; returned once
  rejection @5 :Error;                # refused: ALREADY_MEMBER, INVITE_PENDING, INVITE_LIMIT, ...
}
