#include "tools/soak/report.h"

#include <cstdio>
#include <sstream>

namespace roster::tools::soak {
namespace {

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Rows printed in the table and written in the JSON line, in order.
class Rows {
 public:
  void Number(const std::string& key, double value, const std::string& note) {
    char v[64];
    std::snprintf(v, sizeof v, "%.15g", value);
    Add(key, v, v, note);
  }
  void Text(const std::string& key, const std::string& value, const std::string& note) {
    Add(key, value, Quoted(value), note);
  }
  void Raw(const std::string& key, const std::string& shown, const std::string& json,
           const std::string& note) {
    Add(key, shown, json, note);
  }
  void Print() const {
    for (const Row& r : rows_) {
      std::printf("  %-28s %-16s %s\n", r.key.c_str(), r.shown.c_str(), r.note.c_str());
    }
    std::string json = "{\"soak\":{";
    for (size_t i = 0; i < rows_.size(); ++i) {
      json += (i ? "," : "") + Quoted(rows_[i].key) + ":" + rows_[i].json;
    }
    std::printf("%s}}\n", json.c_str());
  }

 private:
  struct Row {
    std::string key;
    std::string shown;
    std::string json;
    std::string note;
  };
  void Add(const std::string& key, std::string shown, std::string json, const std::string& note) {
    rows_.push_back(Row{key, std::move(shown), std::move(json), note});
  }
  std::vector<Row> rows_;
};

}  // namespace

void PrintReport(const Figures& f, const std::vector<std::string>& first_failures) {
  std::printf("\nroster-soak: %s\n", f.pass ? "PASS" : "FAIL");
  if (!first_failures.empty()) {
    std::printf("first failures (%llu in all):\n", static_cast<unsigned long long>(f.failures));
    for (const auto& line : first_failures) std::printf("  - %s\n", line.c_str());
  }
  Rows rows;
  rows.Text("result", f.pass ? "pass" : "fail", "");
  rows.Number("minutes", f.minutes, "requested duration of the load");
  rows.Raw("seed", std::to_string(f.seed), std::to_string(f.seed),
           "ROSTER_SOAK_SEED replays the load and the kill times");
  rows.Number("load_seconds", f.load_seconds, "time under load");
  rows.Number("total_seconds", f.total_seconds, "with the final checks");
  rows.Text("threads",
            std::to_string(f.writers) + "/" + std::to_string(f.checkers) + "/" +
                std::to_string(f.queriers) + "/" + std::to_string(f.subscribers),
            "writers/checkers/queriers/subscribers");
  rows.Number("commands_acknowledged", static_cast<double>(f.commands_acknowledged),
              "commands answered (appended + no change + rejected)");
  rows.Number("commands_appended", static_cast<double>(f.commands_appended),
              "acknowledged with events: each must be in the log exactly once");
  rows.Number("commands_no_change", static_cast<double>(f.commands_no_change),
              "accepted, nothing to record (coalesced activity marks)");
  rows.Number("commands_rejected", static_cast<double>(f.commands_rejected),
              "rejected as the mix meant (rules broken on purpose)");
  rows.Number("commands_resent", static_cast<double>(f.commands_resent),
              "answer lost with a connection (a kill), sent again with the same id");
  rows.Number("resent_found_applied", static_cast<double>(f.resent_found_applied),
              "... and answered as a duplicate: it had taken effect before the kill");
  rows.Number("orgs_created", static_cast<double>(f.orgs_created), "");
  rows.Number("orgs_deleted", static_cast<double>(f.orgs_deleted), "");
  rows.Number("checks", static_cast<double>(f.checks), "permission checks answered");
  rows.Number("queries", static_cast<double>(f.queries), "queries answered");
  rows.Number("queries_refused", static_cast<double>(f.queries_refused),
              "of which PERMISSION_DENIED for a viewer, or a deleted org");
  rows.Number("subscription_records", static_cast<double>(f.subscription_records), "");
  rows.Number("subscriptions_reconnected", static_cast<double>(f.subscriptions_reconnected),
              "closed on purpose and resumed from the last position");
  rows.Number("subscriptions_broken", static_cast<double>(f.subscriptions_broken),
              "cut by a kill and resumed from the last position");
  rows.Number("kills", static_cast<double>(f.kills), "SIGKILL, then a start on the same data");
  rows.Number("crashes", static_cast<double>(f.crashes), "rosterd exited on its own; must be 0");
  rows.Number("longest_start_s", f.longest_start_s, "from exec to listening");
  rows.Number("bad_garbage", static_cast<double>(f.bad_garbage), "garbage connections");
  rows.Number("bad_stalled", static_cast<double>(f.bad_stalled), "connections stalled mid-frame");
  rows.Number("bad_silent", static_cast<double>(f.bad_silent), "connections that never spoke");
  rows.Number("acks_checked_after_kills", static_cast<double>(f.acks_checked_after_kills),
              "acknowledged commands retried after the kill that followed them");
  rows.Number("final_retried", static_cast<double>(f.final_retried),
              "every acknowledged command retried at the end");
  rows.Number("log_records", static_cast<double>(f.log_records), "records read back at the end");
  rows.Number("log_commands", static_cast<double>(f.log_commands), "commands among them");
  rows.Number("lost", static_cast<double>(f.lost), "must be 0");
  rows.Number("twice", static_cast<double>(f.twice), "commands in the log twice; must be 0");
  rows.Number("unacknowledged", static_cast<double>(f.unacknowledged),
              "commands in the log no writer got acknowledged; must be 0");
  rows.Number("listings_compared", static_cast<double>(f.listings_compared),
              "members, invitations, activity of each org; orgs of each owner");
  rows.Number("listings_differ", static_cast<double>(f.listings_differ),
              "from a rebuild; must be 0");
  rows.Text("verify", f.verify_line, f.verify_ok ? "roster-admin verify" : "FAILED");
  rows.Number("longest_wait_s", f.longest_wait_s,
              "longest a well-behaved client waited while rosterd was up (" +
                  f.longest_wait_worker + "); limit " +
                  std::to_string(static_cast<int>(f.window_s)));
  rows.Number("up_seconds", f.up_seconds, "time rosterd was up under load");
  std::string shown;
  std::string json = "[";
  for (size_t i = 0; i < f.rss.bucket_peak_mib.size(); ++i) {
    std::ostringstream v;
    v.precision(1);
    v << std::fixed << f.rss.bucket_peak_mib[i];
    shown += (i ? " " : "") + v.str();
    json += (i ? "," : "") + v.str();
  }
  rows.Raw("rss_peak_mib", shown, json + "]",
           "rosterd's peak per " + std::to_string(static_cast<int>(f.rss.bucket_s)) + " s");
  rows.Number("rss_bucket_s", f.rss.bucket_s, "");
  rows.Number("rss_early_mib", f.rss.early_mib, "peak of the 3 buckets after the warm-up");
  rows.Number("rss_late_mib", f.rss.late_mib, "peak of the last 3 buckets");
  rows.Number("rss_ratio", f.rss.ratio,
              f.rss.judged ? "limit " + std::to_string(f.rss.factor).substr(0, 4)
                           : "not judged: run too short");
  rows.Number("failures", static_cast<double>(f.failures), "");
  rows.Print();
  std::fflush(stdout);
}

}  // namespace roster::tools::soak
