#include "projections/testing/feed.h"

#include "eventstore/codec/streams.h"
#include "eventstore/testing/store_helpers.h"

namespace roster::projections::testing {
namespace {

// Applies puts and deletes to Rows, as a write batch does to a table.
class RowsSink final : public RowSink {
 public:
  explicit RowsSink(Rows& rows) : rows_(rows) {}
  void Put(std::string_view key, std::string_view value) override {
    rows_.insert_or_assign(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override { rows_.erase(std::string(key)); }

 private:
  Rows& rows_;
};

}  // namespace

Feed& Feed::In(std::string_view org) {
  org_ = org;
  return *this;
}

Feed& Feed::By(std::string_view actor) {
  actor_ = actor;
  return *this;
}

Feed& Feed::At(domain::Time time) {
  time_ = time;
  return *this;
}

void Feed::Add(const domain::Event& event) {
  const domain::OrgId org(org_);
  eventstore::EventMetadata metadata;
  metadata.actor = actor_;
  metadata.correlation_id = "corr";
  metadata.source = "projection-test";
  metadata.time_us = domain::ToMicros(time_);
  const std::string stream = domain::IsActivityEvent(event) ? eventstore::codec::ActivityStream(org)
                                                            : eventstore::codec::OrgStream(org);
  eventstore::Record record;
  if (log_ == nullptr) {
    record.position = position_ + 1;
    record.stream = stream;
    record.type = domain::EventType(event);
    record.metadata = std::move(metadata);
  } else {
    eventstore::AppendRequest request;
    request.stream = stream;
    request.events.push_back(codec_->Encode(event));
    request.metadata = std::move(metadata);
    auto appended = log_->Append(std::move(request));
    ASSERT_TRUE(appended.has_value()) << appended.error().message;
    auto records = log_->ReadAll(appended->last_position, 1);
    ASSERT_TRUE(records.has_value() && records->size() == 1u);
    record = std::move(records->front());
  }
  position_ = record.position;
  projection_.Apply(EventContext{record, event, org});
}

Rows Flushed(Projection& projection, Rows rows) {
  RowsSink sink(rows);
  projection.Flush(sink);
  return rows;
}

Rows FlushedAll(Projection& projection) {
  Rows rows;
  RowsSink sink(rows);
  projection.FlushAll(sink);
  return rows;
}

RowsOnDisk::RowsOnDisk(const Rows& rows)
    : views_(std::move(ViewStore::Open(dir_.Sub("views")).value())),
      table_(views_->OpenTable("test@1").value()) {
  ViewBatch batch;
  for (const auto& [key, value] : rows) batch.Put(*table_, key, value);
  auto written = views_->Write(batch);
  EXPECT_TRUE(written.has_value()) << written.error().message;
}

RowsOnDisk::~RowsOnDisk() = default;

LogAndViews::LogAndViews()
    : log_(eventstore::testing::OpenOrDie(dir_.Sub("log"))),
      views_(std::move(ViewStore::Open(dir_.Sub("views")).value())),
      table_(views_->OpenTable("test@1").value()) {}

LogAndViews::~LogAndViews() = default;

void LogAndViews::Flush(Projection& projection) {
  ViewBatch batch;
  BatchSink sink(batch, *table_);
  projection.Flush(sink);
  auto written = views_->Write(batch);
  ASSERT_TRUE(written.has_value()) << written.error().message;
}

}  // namespace roster::projections::testing
