// ParallelFor: runs fn(0) .. fn(n - 1) on this thread and, when there is more than one item, a
// second one; each thread takes the next unclaimed index, so items given largest first balance
// well. Used where a rebuild's work splits into independent pieces (staging each model's rows,
// writing each table's file). Returns when every item is done.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

namespace roster::projections::internal {

template <class Fn>
void ParallelFor(size_t n, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  if (n > 1) {
    std::thread second(work);
    work();
    second.join();
  } else {
    work();
  }
}

}  // namespace roster::projections::internal
