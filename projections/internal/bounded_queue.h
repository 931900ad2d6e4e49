// BoundedQueue: hands items from one producer thread to one consumer, at most `capacity`
// waiting. The rebuild's reader thread uses it to stay a batch or two ahead of the appliers.
// The producer ends the stream with Finish(); either side may Close() it, which wakes and
// refuses the other. Thread-safe; a resource (not copyable).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace roster::projections::internal {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Blocks while the queue is full. False when the queue was closed (the item is dropped).
  bool Push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // No more items will come.
  void Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    not_empty_.notify_all();
  }

  // Stops both sides at once: Push refuses, Pop returns nullopt, waiting items are dropped.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    items_.clear();
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  // Blocks until an item comes; nullopt once the producer finished and everything was taken,
  // or when the queue was closed.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || finished_ || !items_.empty(); });
    if (closed_ || items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool finished_ = false;
  bool closed_ = false;
};

}  // namespace roster::projections::internal
