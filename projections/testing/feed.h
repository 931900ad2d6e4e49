// Test helpers for the read models: given events, then answers and rows.
//
//   MembersProjection members;
//   Feed(members).Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
//   EXPECT_EQ(members.ActiveMember("org-1", "ana")->role, "Member");
//   auto reloaded = Loaded<MembersProjection>(Flushed(members));  // the same answers
//
// Feed applies each event as the engine does: as a record at the next log position on its
// organization's stream (the activity stream for logins and last-active marks), stamped with
// the feed's organization, actor and time. Models that answer from memory need no log: the
// records are made up. Models that read records back at query time (activity_log, logins) are
// fed through LogAndViews, which appends every event to a real log and writes their rows to a
// real table. Test-only code; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/testing/given.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "eventstore/testing/temp_dir.h"
#include "projections/projection.h"
#include "projections/view_store.h"

namespace roster::projections::testing {

// A projection's rows as its table would hold them, in key order (the order LoadRow gets them).
using Rows = std::map<std::string, std::string>;

class Feed {
 public:
  // Makes up the records, at positions 1, 2, ... Borrows the projection: it must outlive the
  // feed.
  explicit Feed(Projection& projection) : projection_(projection) {}
  // Appends each event to `log` and applies the record read back. Borrows the log and codec:
  // they must outlive the feed.
  Feed(Projection& projection, eventstore::EventLog& log,
       const eventstore::codec::EventCodec& codec)
      : projection_(projection), log_(&log), codec_(&codec) {}

  // The organization, actor and time of the events fed next: "org-1", "owner" and kT0 until
  // changed. Record times must not go back (the log keeps them in order).
  Feed& In(std::string_view org);
  Feed& By(std::string_view actor);
  Feed& At(domain::Time time);

  // Applies the events in order; each part is an event or a vector of events (as OrgCreated
  // gives).
  template <class... Parts>
  Feed& Given(const Parts&... parts) {
    (Add(parts), ...);
    return *this;
  }

  // The position of the last event fed; 0 before the first.
  eventstore::Position position() const { return position_; }

 private:
  void Add(const domain::Event& event);
  void Add(const std::vector<domain::Event>& events) {
    for (const domain::Event& e : events) Add(e);
  }

  Projection& projection_;
  eventstore::EventLog* log_ = nullptr;
  const eventstore::codec::EventCodec* codec_ = nullptr;
  std::string org_ = "org-1";
  std::string actor_ = "owner";
  domain::Time time_ = domain::testing::kT0;
  eventstore::Position position_ = 0;
};

// What `projection` stages on Flush (the rows changed since its last flush), applied to `rows`.
Rows Flushed(Projection& projection, Rows rows = {});
// What `projection` stages on FlushAll: every row, as the end of a rebuild writes them.
Rows FlushedAll(Projection& projection);

// A view store in a temporary directory with one table holding `rows`.
class RowsOnDisk {
 public:
  explicit RowsOnDisk(const Rows& rows);
  ~RowsOnDisk();
  const std::shared_ptr<Table>& table() const { return table_; }

 private:
  eventstore::testing::TempDir dir_{"roster-projection-rows"};
  std::unique_ptr<ViewStore> views_;
  std::shared_ptr<Table> table_;
};

// A fresh model on a table holding `rows`, loaded as the engine loads one at start: every row
// through LoadRow in key order, then FinishLoad, when the model reads rows at start; the rest it
// reads from the table when used. A row the model refuses fails the test. The model owns the
// store its table is in.
template <class P>
std::shared_ptr<P> Loaded(const Rows& rows) {
  struct Owner {
    explicit Owner(const Rows& rows) : disk(rows) {}
    RowsOnDisk disk;  // declared first: goes after the model
    P model;
  };
  auto owner = std::make_shared<Owner>(rows);
  P& model = owner->model;
  model.Attach(owner->disk.table());
  if (model.NeedsRowsAtStart()) {
    for (const auto& [key, value] : rows) {
      EXPECT_TRUE(model.LoadRow(key, value)) << "row " << ::testing::PrintToString(key);
    }
    EXPECT_TRUE(model.FinishLoad());
  }
  return std::shared_ptr<P>(owner, &model);
}

// Feeds `history(feed, after_step)` to a model flushed after every step, as live batches are
// (each flush rewrites only what changed), and checks that the rows load back into a fresh
// model with the same answers (`answers(model)`, more than `min_answers` of them).
template <class P, class HistoryFn, class AnswersFn>
void ExpectRowsLoadBack(HistoryFn history, AnswersFn answers, size_t min_answers) {
  P live;
  Feed feed(live);
  Rows rows;
  history(feed, [&] { rows = Flushed(live, std::move(rows)); });
  const auto expected = answers(live);
  EXPECT_GT(expected.size(), min_answers);
  EXPECT_EQ(answers(*Loaded<P>(rows)), expected);
}

// Feeds the same history to a live model and to one in bulk mode (a rebuild): the rebuild must
// write the rows the live model holds and answer the same.
template <class P, class HistoryFn, class AnswersFn>
void ExpectBulkRebuildMatchesLive(HistoryFn history, AnswersFn answers) {
  P live;
  Feed live_feed(live);
  history(live_feed, [] {});
  P rebuilt;
  rebuilt.SetBulk(true);
  Feed rebuilt_feed(rebuilt);
  history(rebuilt_feed, [] {});
  rebuilt.EndBulk();
  EXPECT_EQ(FlushedAll(rebuilt), Flushed(live));
  EXPECT_EQ(answers(rebuilt), answers(live));
}

// A log and a view store in a temporary directory, for the models that keep positions in their
// table and read the records back from the log at query time.
class LogAndViews {
 public:
  LogAndViews();
  ~LogAndViews();

  eventstore::EventLog& log() { return *log_; }
  const eventstore::codec::EventCodec& codec() const { return codec_; }
  // A feed that appends to this log.
  Feed FeedOf(Projection& projection) { return Feed(projection, *log_, codec_); }
  // Gives `projection` this store's table (one table: models attached here share it). The
  // projection must go before the store, which owns what the table reads.
  void Attach(Projection& projection) { projection.Attach(table_); }
  // Writes what `projection` flushes to the table in one batch, as a live batch does.
  void Flush(Projection& projection);

 private:
  eventstore::testing::TempDir dir_{"roster-projection-test"};
  eventstore::codec::EventCodec codec_;
  std::unique_ptr<eventstore::EventLog> log_;
  std::unique_ptr<ViewStore> views_;
  std::shared_ptr<Table> table_;
};

}  // namespace roster::projections::testing
