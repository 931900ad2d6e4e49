// The memory verdict: rosterd's peak resident memory must not grow with the run's length.
//
// The run is cut into buckets (a minute each for runs of 10 minutes or more; an eighth of the
// run, at least 10 s, for shorter ones), and each bucket's peak is the largest sample in it:
// samples every few seconds plus each killed rosterd's own peak (VmHWM) taken just before the
// kill, so restarts, which empty the memory, do not hide a peak. The first two buckets are
// warm-up (RocksDB's block caches and memtables fill, the read models load). The peak of the
// last three buckets may exceed the peak of the three buckets after the warm-up by at most
// `long_factor` in runs of 10 minutes or more. In a shorter run the two windows are close (in
// a 2-minute run, 30-75 s against 75-120 s) and the data directory is young, so what grows
// with it (memtables, caches, read models) is a large share of the memory; `short_factor`
// there catches only gross growth. A long run is the real test of memory.
#pragma once

#include <string>
#include <vector>

#include "tools/soak/monitor.h"

namespace roster::tools::soak {

struct RssVerdict {
  double bucket_s = 0;
  std::vector<double> bucket_peak_mib;  // 0: no sample in that bucket
  double early_mib = 0;                 // peak of the first three buckets after the warm-up
  double late_mib = 0;                  // peak of the last three buckets
  double ratio = 0;
  double factor = 0;    // the limit that applied
  bool judged = false;  // false when the run is too short for two separate windows
  bool ok = true;
};

double RssBucketSeconds(double run_s);
RssVerdict JudgeRss(const std::vector<RssSample>& samples, double run_s, double long_factor,
                    double short_factor);

}  // namespace roster::tools::soak
