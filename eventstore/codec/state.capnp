# Snapshots of the Organization aggregate: the primary data of domain::OrganizationState.
# Derived indexes are not stored; they are recomputed on load (domain::RebuildIndexes).
# A snapshot is a cache, never the truth: when this layout changes, bump kSnapshotFormat in
# state_codec.h and old snapshots are ignored (the aggregate is replayed from its events).
@0xd79ffad2c51ac50a;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("roster::eventstore::codec::wire");

using Events = import "events.capnp";

struct MemberState {
  membershipId @0 :Text;
  userId @1 :Text;
  email @2 :Text;
  displayName @3 :Text;
  role @4 :Text;
  joinSeq @5 :UInt64;
}

struct InvitationState {
  id @0 :Text;
  email @1 :Text;
  displayName @2 :Text;
  role @3 :Text;
  inviter @4 :Text;
  tokenHash @5 :Text;
  sentAt @6 :Int64;
  expiresAt @7 :Int64;
  status @8 :UInt8;
  resendCount @9 :UInt32;
  projectId @10 :Text;                # a project invitation; empty for an org invitation
  projectRole @11 :Text;
}

struct DirectMember {
  userId @0 :Text;
  role @1 :Text;
}

struct ProjectState {
  id @0 :Text;
  name @1 :Text;
  deleted @2 :Bool;
  directMembers @3 :List(DirectMember);
}

struct ApiKeyState {
  id @0 :Text;
  name @1 :Text;
  creator @2 :Text;
  projectId @3 :Text;
  revoked @4 :Bool;
  rotationRecommended @5 :Bool;
}

struct ResourceState {
  id @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  owner @3 :Text;
  projectId @4 :Text;
}

struct OrganizationSnapshot {
  orgId @0 :Text;
  name @1 :Text;
  status @2 :UInt8;
  catalog @3 :Events.RoleCatalog;
  settings @4 :Events.OrgSettings;
  members @5 :List(MemberState);
  invitations @6 :List(InvitationState);
  projects @7 :List(ProjectState);
  apiKeys @8 :List(ApiKeyState);
  resources @9 :List(ResourceState);
  membershipsCreated @10 :UInt64;
  invitationsCreated @11 :UInt64;
}
