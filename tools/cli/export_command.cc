// roster export: the audit export over the API (admin and auditor tokens). The server sends
// the file in parts and they are written as they arrive, so neither side holds the whole file;
// the bytes are those `roster-admin export` writes for the same range, and
// `roster-admin verify-export` checks them.
#include <cstdio>
#include <fstream>
#include <memory>

#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Request;

struct ExportOptions {
  std::string org, from, to, format = "jsonl", output = "-";
};

int RunExport(Cli& cli, const ExportOptions& o) {
  const std::optional<int64_t> from =
      o.from.empty() ? std::nullopt : std::optional<int64_t>(ParseTimeUs(o.from));
  const std::optional<int64_t> to =
      o.to.empty() ? std::nullopt : std::optional<int64_t>(ParseTimeUs(o.to));
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (o.output != "-") {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "roster: cannot write " << o.output << "\n";
      return kUsage;
    }
    out = &file;
  }
  bool write_failed = false, complete = false;
  std::optional<api::client::Reply> last;
  const int code = cli.CallStreamed(
      [&](Request::Builder request) {
        auto q = request.initQuery().initAuditExport();
        q.setOrg(o.org);
        if (from) q.setFromTimeUs(*from);
        if (to) q.setToTimeUs(*to);
        q.setFormat(o.format == "csv" ? api::wire::ExportFormat::CSV
                                      : api::wire::ExportFormat::JSONL);
      },
      [&](api::client::Reply& part) {
        auto response = part.get();
        if (!response.isAuditExport()) {
          std::cerr << "roster: unexpected answer to an export\n";
          return false;
        }
        auto data = response.getAuditExport().getData();
        out->write(reinterpret_cast<const char*>(data.begin()),
                   static_cast<std::streamsize>(data.size()));
        if (!*out) {
          write_failed = true;
          return false;  // no point reading the rest
        }
        if (!response.getMore()) {
          complete = true;
          last.emplace(std::move(part));
        }
        return true;
      });
  out->flush();
  if (code == kOk && (write_failed || !*out)) {
    std::cerr << "roster: writing the export to " << o.output << " failed\n";
  } else if (code == kOk && !complete) {
    std::cerr << "roster: the export ended before its last part\n";
  }
  const bool ok = code == kOk && complete && !write_failed && *out;
  if (!ok) {
    if (o.output != "-") {
      file.close();
      std::remove(o.output.c_str());  // never leave a partial file that looks like an export
    }
    return code != kOk ? code : int{kRejected};
  }
  auto chunk = last->get().getAuditExport();
  std::cerr << "export: " << chunk.getEntries() << " entries (positions "
            << chunk.getFirstPosition() << ".." << chunk.getLastPosition() << "), head "
            << chunk.getHeadHash().cStr() << "\n";
  return kOk;
}

}  // namespace

void RegisterExport(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<ExportOptions>();
  auto* sub = app.add_subcommand(
      "export",
      "the audit export (the activity log with its hash chain) as JSON Lines or CSV, the same "
      "file roster-admin export writes; check it with roster-admin verify-export");
  sub->add_option("--org", o->org, "only this organization");
  sub->add_option("--from", o->from, "from this time, inclusive (UTC date/time or microseconds)");
  sub->add_option("--to", o->to, "until this time, exclusive");
  sub->add_option("--format", o->format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  sub->add_option("-o,--output", o->output, "file to write, - for stdout")->capture_default_str();
  sub->callback([o, &cli] { cli.exit_code = RunExport(cli, *o); });
}

}  // namespace roster::tools::cli
