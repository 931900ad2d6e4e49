// Running a query from a subcommand: the consistency token, the call, the exit code. Used by
// queries.cc and history_queries.cc.
#pragma once

#include <functional>
#include <iostream>
#include <string>

#include "tools/cli/cli.h"
#include "tools/cli/output.h"

namespace roster::tools::cli {

// Sends a query; on success calls `print` with the response (already checked not to be an
// error) and returns kOk, else the exit code.
inline int RunQuery(Cli& cli, uint64_t consistency_token,
                    const std::function<void(api::wire::Query::Builder)>& fill,
                    const std::function<int(api::wire::Response::Reader)>& print) {
  auto reply = cli.Call([&](api::wire::Request::Builder request) {
    auto query = request.initQuery();
    query.setConsistencyToken(consistency_token);
    fill(query);
  });
  if (!reply) return reply.error();
  return print(reply->get());
}

// "next page: --cursor N" under a table when there is more.
inline void PrintNextCursor(uint64_t next) {
  if (next != 0) std::cout << "(more: --cursor " << next << ")\n";
}

}  // namespace roster::tools::cli
