#include "tools/soak/rss.h"

#include <algorithm>
#include <cmath>

namespace roster::tools::soak {
namespace {

constexpr size_t kWindowBuckets = 3;

}  // namespace

double RssBucketSeconds(double run_s) {
  if (run_s >= 600) return 60;
  return std::max(10.0, run_s / 8);
}

RssVerdict JudgeRss(const std::vector<RssSample>& samples, double run_s, double long_factor,
                    double short_factor) {
  RssVerdict v;
  v.bucket_s = RssBucketSeconds(run_s);
  v.factor = v.bucket_s >= 60 ? long_factor : short_factor;
  const size_t buckets = static_cast<size_t>(std::ceil(run_s / v.bucket_s));
  v.bucket_peak_mib.assign(buckets, 0);
  for (const RssSample& s : samples) {
    const size_t b = std::min(buckets - 1, static_cast<size_t>(s.at_s / v.bucket_s));
    v.bucket_peak_mib[b] = std::max(v.bucket_peak_mib[b], static_cast<double>(s.rss_kib) / 1024);
  }
  constexpr size_t warm_up = 2;
  if (buckets < warm_up + 2 * kWindowBuckets) return v;
  for (size_t b = warm_up; b < warm_up + kWindowBuckets; ++b) {
    v.early_mib = std::max(v.early_mib, v.bucket_peak_mib[b]);
  }
  for (size_t b = buckets - kWindowBuckets; b < buckets; ++b) {
    v.late_mib = std::max(v.late_mib, v.bucket_peak_mib[b]);
  }
  if (v.early_mib <= 0 || v.late_mib <= 0) return v;
  v.judged = true;
  v.ratio = v.late_mib / v.early_mib;
  v.ok = v.ratio <= v.factor;
  return v;
}

}  // namespace roster::tools::soak
