#include "api/service/command_service.h"

#include <spdlog/spdlog.h>

#include <map>

#include "api/service/secrets.h"
#include "domain/email.h"
#include "eventstore/codec/state_codec.h"
#include "eventstore/codec/streams.h"
#include "projections/row_codec.h"

namespace roster::api::service {
namespace {

using eventstore::ExpectedVersion;
using eventstore::Position;
using eventstore::StreamVersion;
using projections::RowReader;
using projections::RowWriter;

constexpr size_t kMaxCommandId = 256;
constexpr size_t kReadBatch = 1024;

// Rows of the outcomes table, by command id: the outcome of a command that appended nothing
// (appended ones are found in the log), and the request digest of every command.
enum class OutcomeKind : uint8_t { kRejected = 0, kNoChange = 1, kAppended = 2 };

// Fills the secrets of InviteMember / InviteToProject / ResendInvitation / InviteMembers;
// returns the tokens to hand out once, one per invitation the command may send (none when the
// command takes none).
Result<std::vector<std::string>> FillTokens(domain::Command& command) {
  std::vector<std::string*> hashes;
  if (auto* c = std::get_if<domain::InviteMember>(&command)) hashes.push_back(&c->token_hash);
  if (auto* c = std::get_if<domain::InviteToProject>(&command)) hashes.push_back(&c->token_hash);
  if (auto* c = std::get_if<domain::ResendInvitation>(&command)) hashes.push_back(&c->token_hash);
  if (auto* c = std::get_if<domain::InviteMembers>(&command)) {
    for (domain::InviteMember& entry : c->entries) hashes.push_back(&entry.token_hash);
  }
  std::vector<std::string> tokens;
  for (std::string* hash : hashes) {
    // A hash the caller already chose (tests, benchmarks) hands out no token.
    if (!hash->empty()) {
      tokens.emplace_back();
      continue;
    }
    auto token = NewSecretToken();
    if (!token) return std::unexpected(token.error());
    auto token_hash = HashSecretToken(*token);
    if (!token_hash) return std::unexpected(token_hash.error());
    *hash = std::move(*token_hash);
    tokens.push_back(std::move(*token));
  }
  return tokens;
}

// The entries of an InviteMembers outcome: each refusal at its index, the accepted entries
// taking the command's invitation.sent events in order. `tokens` (empty on a retry) are the
// secrets by entry.
std::vector<EntryOutcome> BulkEntries(
    const std::vector<std::pair<uint32_t, domain::Rejection>>& refused,
    const std::vector<domain::Event>& events, const std::vector<std::string>& tokens) {
  std::vector<std::string> sent;
  for (const domain::Event& e : events) {
    if (const auto* s = std::get_if<domain::InvitationSent>(&e))
      sent.push_back(s->invitation_id.value);
  }
  std::vector<EntryOutcome> out(refused.size() + sent.size());
  for (const auto& [index, rejection] : refused) {
    if (index < out.size()) out[index].rejection = rejection;
  }
  size_t next = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].rejection || next == sent.size()) continue;
    out[i].invitation_id = sent[next++];
    if (i < tokens.size()) out[i].invitation_token = tokens[i];
  }
  return out;
}

// The entries of an InviteMembers command whose outcome row was lost (a crash between the
// append and the row's write): the log still says which entries were sent, matched here by
// their normalized email (unique within a batch); why the others were refused is not kept.
std::vector<EntryOutcome> BulkEntriesFromLog(const domain::InviteMembers& command,
                                             const std::vector<domain::Event>& events) {
  std::map<std::string, std::string> sent;  // email -> invitation id
  for (const domain::Event& e : events) {
    if (const auto* s = std::get_if<domain::InvitationSent>(&e))
      sent.emplace(s->email.value(), s->invitation_id.value);
  }
  std::vector<EntryOutcome> out(command.entries.size());
  for (size_t i = 0; i < out.size(); ++i) {
    auto email = domain::Email::Parse(command.entries[i].email);
    auto it = email ? sent.find(email->value()) : sent.end();
    if (it != sent.end()) {
      out[i].invitation_id = it->second;
      sent.erase(it);  // a repeated email was refused the second time
    } else {
      out[i].rejection = domain::Rejection{
          domain::ErrorCode::kConflict,
          "The first attempt of this command refused this entry; why was not kept."};
    }
  }
  return out;
}

std::vector<std::pair<uint32_t, domain::Rejection>> Refused(
    const std::vector<std::optional<domain::Rejection>>& verdicts) {
  std::vector<std::pair<uint32_t, domain::Rejection>> out;
  for (size_t i = 0; i < verdicts.size(); ++i) {
    if (verdicts[i]) out.emplace_back(static_cast<uint32_t>(i), *verdicts[i]);
  }
  return out;
}

eventstore::EventMetadata Metadata(const CommandContext& ctx, domain::Time now) {
  return eventstore::EventMetadata{ctx.actor.value, ctx.command_id,
                                   ctx.correlation_id.empty() ? ctx.command_id : ctx.correlation_id,
                                   ctx.source, domain::ToMicros(now)};
}

}  // namespace

CommandService::CommandService(eventstore::EventLog& log, projections::ViewStore& views,
                               const eventstore::codec::EventCodec& codec,
                               const domain::Clock& clock, CommandServiceOptions options,
                               std::shared_ptr<projections::Table> snapshots,
                               std::shared_ptr<projections::Table> outcomes)
    : log_(log),
      views_(views),
      codec_(codec),
      clock_(clock),
      options_(options),
      snapshots_(std::move(snapshots)),
      outcomes_(std::move(outcomes)),
      cache_(options.cache_capacity) {}

Result<std::unique_ptr<CommandService>> CommandService::Create(
    eventstore::EventLog& log, projections::ViewStore& views,
    const eventstore::codec::EventCodec& codec, const domain::Clock& clock,
    CommandServiceOptions options) {
  auto snapshots = views.OpenTable("snapshots");
  if (!snapshots) return std::unexpected(FromStoreError(snapshots.error()));
  auto outcomes = views.OpenTable("outcomes");
  if (!outcomes) return std::unexpected(FromStoreError(outcomes.error()));
  return std::unique_ptr<CommandService>(
      new CommandService(log, views, codec, clock, options, *snapshots, *outcomes));
}

Result<void> CommandService::ApplyStream(const domain::OrgId& org, domain::OrganizationState& state,
                                         StreamVersion& version, Position& last_position) {
  const std::string stream = eventstore::codec::OrgStream(org);
  for (;;) {
    auto records = log_.ReadStream(stream, version + 1, kReadBatch);
    if (!records) return std::unexpected(LogFailed(records.error()));
    for (const eventstore::Record& record : *records) {
      auto event = codec_.Decode(record);
      if (!event) {
        return Fail("INTERNAL", "cannot decode " + stream + " version " +
                                    std::to_string(record.stream_version) + ": " +
                                    event.error().message);
      }
      domain::Apply(state, *event);
      version = record.stream_version;
      last_position = record.position;
    }
    if (records->size() < kReadBatch) return {};
  }
}

Result<bool> CommandService::CatchUp(const domain::OrgId& org, Aggregate& a) {
  domain::OrganizationState state;
  StreamVersion version;
  Position last_position;
  {
    std::shared_lock lock(a.state_mu);
    state = a.state;
    version = a.version;
    last_position = a.last_position;
  }
  const StreamVersion before = version;
  if (auto read = ApplyStream(org, state, version, last_position); !read) {
    return std::unexpected(read.error());
  }
  if (version == before) return false;
  std::unique_lock lock(a.state_mu);
  a.state = std::move(state);
  a.version = version;
  a.last_position = last_position;
  return true;
}

Failure CommandService::LogFailed(const eventstore::Error& error) {
  if (error.code == eventstore::ErrorCode::kUnavailable) {
    return Failure{"UNAVAILABLE",
                   "the event log cannot be reached (" + error.message +
                       "); commands fail until it is back, queries answer from this node's "
                       "read models"};
  }
  return FromStoreError(error);
}

Result<void> CommandService::EnsureLoaded(const domain::OrgId& org, Aggregate& a) {
  if (a.loaded) return {};
  return Load(org, a);
}

Result<void> CommandService::Load(const domain::OrgId& org, Aggregate& a) {
  domain::OrganizationState state;
  StreamVersion version = eventstore::kNoStreamVersion;
  StreamVersion snapshot_version = eventstore::kNoStreamVersion;
  Position last_position = 0;
  // A snapshot is only a head start: unreadable or of another format, it is ignored.
  if (auto row = snapshots_->Get(org.value); row && *row) {
    RowReader r(**row);
    const uint32_t format = r.U32();
    const int64_t snap_version = r.I64();
    const Position snap_position = r.U64();
    const std::string bytes = r.Str();
    if (r.done() && format == eventstore::codec::kSnapshotFormat) {
      if (auto decoded = eventstore::codec::DecodeState(bytes)) {
        state = std::move(*decoded);
        version = snapshot_version = snap_version;
        last_position = snap_position;
      }
    }
  }
  if (auto read = ApplyStream(org, state, version, last_position); !read) {
    return std::unexpected(read.error());
  }
  std::unique_lock lock(a.state_mu);
  a.state = std::move(state);
  a.version = version;
  a.last_position = last_position;
  a.snapshot_version = snapshot_version;
  a.loaded = true;
  return {};
}

void CommandService::MaybeSnapshot(const domain::OrgId& org, Aggregate& a) {
  if (a.version - a.snapshot_version < static_cast<StreamVersion>(options_.snapshot_every)) return;
  std::string bytes;
  {
    std::shared_lock lock(a.state_mu);
    bytes = eventstore::codec::EncodeState(a.state);
  }
  RowWriter w;
  w.U32(eventstore::codec::kSnapshotFormat).I64(a.version).U64(a.last_position).Str(bytes);
  projections::ViewBatch batch;
  batch.Put(*snapshots_, org.value, w.bytes());
  // A lost snapshot only costs a longer load next time.
  if (views_.Write(batch)) a.snapshot_version = a.version;
}

Failure CommandService::AppendFailed(const eventstore::Error& error) {
  const bool stopped = error.code == eventstore::ErrorCode::kIoError ||
                       error.code == eventstore::ErrorCode::kStoreFailed;
  // Every command fails the same way from here on; one line says it, not one per command.
  if (stopped && options_.logger && !log_failure_reported_.exchange(true)) {
    options_.logger->error(
        "the event log stopped accepting writes: {}; commands answer UNAVAILABLE until the "
        "disk is repaired and the node restarted",
        error.message);
  }
  return LogFailed(error);
}

Result<std::vector<domain::Event>> CommandService::ReadEvents(Position first, Position last) {
  std::vector<domain::Event> events;
  if (first == 0 || last < first) return events;
  auto records = log_.ReadAll(first, last - first + 1);
  if (!records) return std::unexpected(LogFailed(records.error()));
  for (const eventstore::Record& r : *records) {
    auto event = codec_.Decode(r);
    if (!event) return Fail("INTERNAL", "cannot decode record " + std::to_string(r.position));
    events.push_back(std::move(*event));
  }
  return events;
}

void CommandService::RecordOutcome(const domain::OrgId& org, const CommandContext& ctx,
                                   const CommandOutcome& outcome) {
  if (ctx.command_id.empty()) return;
  // An appended command's outcome is in the log (in the same write as its events); the row
  // only keeps what the log does not: the digest of the request, to refuse the id for another.
  const bool appended = !outcome.events.empty();
  if (appended && ctx.request_digest.empty() && outcome.entries.empty()) return;
  RowWriter w;
  w.Str(org.value);
  if (appended) {
    w.U8(static_cast<uint8_t>(OutcomeKind::kAppended)).Str("").Str("");
  } else if (outcome.rejection) {
    w.U8(static_cast<uint8_t>(OutcomeKind::kRejected))
        .Str(domain::ErrorCodeName(outcome.rejection->code))
        .Str(outcome.rejection->message);
  } else {
    w.U8(static_cast<uint8_t>(OutcomeKind::kNoChange)).Str("").Str("");
  }
  w.U64(outcome.position).I64(outcome.version).Str(ctx.request_digest);
  // InviteMembers: the refused entries (the log holds only the accepted ones' events).
  if (!outcome.entries.empty()) {
    uint32_t refused = 0;
    for (const EntryOutcome& e : outcome.entries) refused += e.rejection ? 1 : 0;
    w.U32(refused);
    for (size_t i = 0; i < outcome.entries.size(); ++i) {
      const auto& rejection = outcome.entries[i].rejection;
      if (!rejection) continue;
      w.U32(static_cast<uint32_t>(i))
          .Str(domain::ErrorCodeName(rejection->code))
          .Str(rejection->message);
    }
  }
  projections::ViewBatch batch;
  batch.Put(*outcomes_, ctx.command_id, w.bytes());
  // Losing this row (a crash right after answering) only means a retry is decided afresh, or,
  // for an appended command, that a retry is not compared with the first request.
  (void)views_.Write(batch);
}

Result<std::optional<CommandOutcome>> CommandService::FindOutcome(
    const domain::OrgId& org, const CommandContext& ctx, const domain::InviteMembers* bulk) {
  const std::string& command_id = ctx.command_id;
  if (command_id.empty()) return std::optional<CommandOutcome>();
  auto conflict = [&](std::string message) {
    CommandOutcome outcome;
    outcome.rejection = domain::Rejection{domain::ErrorCode::kConflict, std::move(message)};
    return std::optional<CommandOutcome>(std::move(outcome));
  };
  auto reused = [&](const std::string& first_org) {
    auto outcome = conflict("Command id " + command_id + " was already used for organization " +
                            first_org + ".");
    outcome->duplicate = true;
    return outcome;
  };
  auto other_request = [&] {
    return conflict("Command id " + command_id +
                    " was already used for a different request; a new request needs a new id.");
  };
  // The row beside the views: the whole outcome of a command that appended nothing, the digest
  // of the request of one that did.
  struct Row {
    std::string org;
    OutcomeKind kind = OutcomeKind::kNoChange;
    std::string code;
    std::string message;
    Position position = 0;
    StreamVersion version = eventstore::kNoStreamVersion;
    std::string digest;  // empty in rows written before digests were kept
    bool bulk = false;   // an InviteMembers outcome: `refused` holds its refused entries
    std::vector<std::pair<uint32_t, domain::Rejection>> refused;
  };
  auto read_row = [&]() -> Result<std::optional<Row>> {
    auto bytes = outcomes_->Get(command_id);
    if (!bytes) return std::unexpected(FromStoreError(bytes.error()));
    if (!*bytes) return std::optional<Row>();
    RowReader r(**bytes);
    Row row;
    row.org = r.Str();
    row.kind = static_cast<OutcomeKind>(r.U8());
    row.code = r.Str();
    row.message = r.Str();
    row.position = r.U64();
    row.version = r.I64();
    if (r.ok() && !r.done()) row.digest = r.Str();
    if (r.ok() && !r.done()) {
      row.bulk = true;
      const uint32_t n = r.U32();
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        const uint32_t index = r.U32();
        domain::ErrorCode c = domain::ErrorCode::kConflict;
        domain::ParseErrorCode(r.Str(), &c);
        row.refused.emplace_back(index, domain::Rejection{c, r.Str()});
      }
    }
    if (!r.done()) return Fail("INTERNAL", "unreadable outcome of command " + command_id);
    return std::optional<Row>(std::move(row));
  };
  auto same_request = [&](const Row& row) {
    return row.digest.empty() || ctx.request_digest.empty() || row.digest == ctx.request_digest;
  };
  // Appended commands are remembered by the log itself (in the same write as their events).
  auto appended = log_.FindCommand(command_id);
  if (!appended) return std::unexpected(LogFailed(appended.error()));
  if (*appended) {
    const eventstore::CommandOutcomeRecord& first = **appended;
    if (first.stream != eventstore::codec::OrgStream(org) &&
        first.stream != eventstore::codec::ActivityStream(org)) {
      return reused(first.stream);
    }
    auto row = read_row();
    if (!row) return std::unexpected(row.error());
    if (*row && !same_request(**row)) return other_request();
    CommandOutcome outcome;
    outcome.duplicate = true;
    outcome.position = first.result.last_position;
    outcome.version = first.result.last_version;
    auto events = ReadEvents(first.result.first_position, first.result.last_position);
    if (!events) return std::unexpected(events.error());
    outcome.events = std::move(*events);
    if (*row && (*row)->bulk) {
      outcome.entries = BulkEntries((*row)->refused, outcome.events, {});
    } else if (bulk != nullptr) {
      outcome.entries = BulkEntriesFromLog(*bulk, outcome.events);
    }
    return std::optional<CommandOutcome>(std::move(outcome));
  }
  // Rejections and no-ops never reach the log; their outcomes are kept beside the views.
  auto row = read_row();
  if (!row) return std::unexpected(row.error());
  // A kAppended row without the log's record: the log was replaced (restored from a copy) or
  // the row outlived it; the command is decided afresh.
  if (!*row || (*row)->kind == OutcomeKind::kAppended) return std::optional<CommandOutcome>();
  if ((*row)->org != org.value) return reused((*row)->org);
  if (!same_request(**row)) return other_request();
  CommandOutcome outcome;
  outcome.duplicate = true;
  outcome.position = (*row)->position;
  outcome.version = (*row)->version;
  if ((*row)->kind == OutcomeKind::kRejected) {
    domain::ErrorCode c = domain::ErrorCode::kConflict;
    domain::ParseErrorCode((*row)->code, &c);
    outcome.rejection = domain::Rejection{c, (*row)->message};
  }
  if ((*row)->bulk) outcome.entries = BulkEntries((*row)->refused, {}, {});
  return std::optional<CommandOutcome>(std::move(outcome));
}

Result<CommandOutcome> CommandService::Execute(const domain::OrgId& org, domain::Command command,
                                               const CommandContext& ctx) {
  if (ctx.command_id.size() > kMaxCommandId || ctx.correlation_id.size() > kMaxCommandId) {
    return Fail("INVALID_ARGUMENT", "command and correlation ids are limited to 256 bytes");
  }
  if (auto* create = std::get_if<domain::CreateOrganization>(&command)) {
    if (create->org_id.empty()) create->org_id = org;
    if (create->org_id != org) {
      return Fail("INVALID_ARGUMENT", "the organization to create must be the one addressed");
    }
  }
  std::shared_ptr<Aggregate> a = cache_.Get(org);
  std::lock_guard command_lock(a->command_mu);
  if (auto loaded = EnsureLoaded(org, *a); !loaded) return std::unexpected(loaded.error());
  auto previous = FindOutcome(org, ctx, std::get_if<domain::InviteMembers>(&command));
  if (!previous) return std::unexpected(previous.error());
  if (*previous) return std::move(**previous);

  auto tokens = FillTokens(command);
  if (!tokens) return std::unexpected(tokens.error());
  const auto* bulk = std::get_if<domain::InviteMembers>(&command);
  CommandOutcome outcome;
  if (!bulk && !tokens->empty()) outcome.invitation_token = std::move(tokens->front());
  std::vector<std::optional<domain::Rejection>> verdicts;  // InviteMembers: by entry
  const std::string stream = eventstore::codec::OrgStream(org);
  for (int attempt = 0; attempt <= options_.max_conflict_retries; ++attempt) {
    const domain::Time now = clock_.Now();
    domain::Decision decision;
    {
      std::shared_lock lock(a->state_mu);
      if (bulk != nullptr) {
        // Entry by entry: the refused ones are answered, the accepted ones appended together.
        auto decided = domain::DecideInviteMembers(a->state, ctx.actor, *bulk, now);
        if (decided) {
          verdicts = std::move(decided->entries);
          decision = std::move(decided->events);
        } else {
          decision = std::unexpected(decided.error());
        }
      } else {
        decision = domain::Decide(a->state, ctx.actor, command, now);
      }
    }
    if ((!decision || decision->empty()) && options_.shared_log) {
      // Decided on what this node knew: another node may have changed the organization since.
      auto newer = CatchUp(org, *a);
      if (!newer) return std::unexpected(newer.error());
      if (*newer) continue;
    }
    outcome.position = a->last_position;
    outcome.version = a->version;
    if (!decision || decision->empty()) {
      if (!decision) outcome.rejection = decision.error();
      outcome.invitation_token.clear();
      if (decision && bulk != nullptr) outcome.entries = BulkEntries(Refused(verdicts), {}, {});
      RecordOutcome(org, ctx, outcome);
      return outcome;
    }
    eventstore::AppendRequest request;
    request.stream = stream;
    request.expected = a->version == eventstore::kNoStreamVersion
                           ? ExpectedVersion::NoStream()
                           : ExpectedVersion::Exactly(a->version);
    request.metadata = Metadata(ctx, now);
    for (const domain::Event& e : *decision) request.events.push_back(codec_.Encode(e));
    auto appended = log_.Append(std::move(request));
    if (!appended) {
      if (appended.error().code == eventstore::ErrorCode::kWrongExpectedVersion) {
        // Someone else wrote to the stream: this copy of the aggregate is stale.
        if (auto loaded = Load(org, *a); !loaded) return std::unexpected(loaded.error());
        continue;
      }
      if (appended.error().code == eventstore::ErrorCode::kCommandIdReused) {
        outcome.rejection =
            domain::Rejection{domain::ErrorCode::kConflict, appended.error().message};
        outcome.invitation_token.clear();
        return outcome;
      }
      return std::unexpected(AppendFailed(appended.error()));
    }
    if (appended->duplicate) {
      // The log already holds this command (its outcome record was lost): report that one.
      auto events = ReadEvents(appended->first_position, appended->last_position);
      if (!events) return std::unexpected(events.error());
      if (auto loaded = Load(org, *a); !loaded) return std::unexpected(loaded.error());
      outcome.events = std::move(*events);
      outcome.duplicate = true;
      outcome.position = appended->last_position;
      outcome.version = appended->last_version;
      outcome.invitation_token.clear();
      // Which entries the first decision refused is in its outcome row, which was lost.
      if (bulk != nullptr) outcome.entries = BulkEntriesFromLog(*bulk, outcome.events);
      return outcome;
    }
    {
      std::unique_lock lock(a->state_mu);
      for (const domain::Event& e : *decision) domain::Apply(a->state, e);
      a->version = appended->last_version;
      a->last_position = appended->last_position;
    }
    outcome.events = std::move(*decision);
    outcome.position = appended->last_position;
    outcome.version = appended->last_version;
    if (bulk != nullptr) outcome.entries = BulkEntries(Refused(verdicts), outcome.events, *tokens);
    RecordOutcome(org, ctx, outcome);
    MaybeSnapshot(org, *a);
    return outcome;
  }
  return Fail("CONFLICT", "organization " + org.value +
                              " kept changing while the command was decided; retry it");
}

Result<CommandOutcome> CommandService::ExecuteActivity(const domain::OrgId& org,
                                                       domain::ActivityCommand command,
                                                       const CommandContext& ctx) {
  if (ctx.command_id.size() > kMaxCommandId || ctx.correlation_id.size() > kMaxCommandId) {
    return Fail("INVALID_ARGUMENT", "command and correlation ids are limited to 256 bytes");
  }
  std::shared_ptr<Aggregate> a = cache_.Get(org);
  if (!a->loaded) {
    std::lock_guard command_lock(a->command_mu);
    if (auto loaded = EnsureLoaded(org, *a); !loaded) return std::unexpected(loaded.error());
  }
  auto previous = FindOutcome(org, ctx);
  if (!previous) return std::unexpected(previous.error());
  if (*previous) return std::move(**previous);

  const domain::Time now = clock_.Now();
  CommandOutcome outcome;
  auto decide = [&] {
    std::shared_lock lock(a->state_mu);
    std::lock_guard activity_lock(a->activity_mu);
    domain::Decision decision =
        domain::DecideActivity(a->state, a->activity, ctx.actor, command, now, options_.activity);
    // Remember it before the append so that a burst of marks coalesces at once.
    if (decision) {
      for (const domain::Event& e : *decision) domain::ApplyActivity(a->activity, e);
    }
    return decision;
  };
  domain::Decision decision = decide();
  if (!decision && options_.shared_log) {
    // E.g. a login of a member another node has just added: decided again on the newer state.
    std::lock_guard command_lock(a->command_mu);
    auto newer = CatchUp(org, *a);
    if (!newer) return std::unexpected(newer.error());
    if (*newer) decision = decide();
  }
  if (!decision || decision->empty()) {
    if (!decision) outcome.rejection = decision.error();
    outcome.position = log_.LastPosition();
    RecordOutcome(org, ctx, outcome);
    return outcome;
  }
  eventstore::AppendRequest request;
  request.stream = eventstore::codec::ActivityStream(org);
  request.expected = ExpectedVersion::Any();
  request.metadata = Metadata(ctx, now);
  for (const domain::Event& e : *decision) request.events.push_back(codec_.Encode(e));
  auto appended = log_.Append(std::move(request));
  if (!appended) return std::unexpected(AppendFailed(appended.error()));
  outcome.position = appended->last_position;
  outcome.version = appended->last_version;
  outcome.duplicate = appended->duplicate;
  if (appended->duplicate) {
    auto events = ReadEvents(appended->first_position, appended->last_position);
    if (!events) return std::unexpected(events.error());
    outcome.events = std::move(*events);
  } else {
    outcome.events = std::move(*decision);
    RecordOutcome(org, ctx, outcome);
  }
  return outcome;
}

Result<domain::OrganizationState> CommandService::State(const domain::OrgId& org) {
  std::shared_ptr<Aggregate> a = cache_.Get(org);
  {
    std::lock_guard command_lock(a->command_mu);
    if (auto loaded = EnsureLoaded(org, *a); !loaded) return std::unexpected(loaded.error());
    // Other nodes append to a shared log: read what they wrote, so that a listing shows it.
    if (options_.shared_log) {
      if (auto caught = CatchUp(org, *a); !caught) return std::unexpected(caught.error());
    }
  }
  std::shared_lock lock(a->state_mu);
  return a->state;
}

}  // namespace roster::api::service
