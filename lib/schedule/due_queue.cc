#include "schedule/due_queue.h"

namespace veille::schedule {

void DueQueue::Schedule(std::uint64_t feed, UnixSeconds due) {
  due_[feed] = due;
  heap_.push({due, feed});
  // Keep the heap from growing without bound when feeds are rescheduled many times.
  if (heap_.size() > 2 * due_.size() + 64) {
    decltype(heap_) fresh;
    for (const auto& [id, when] : due_) fresh.push({when, id});
    heap_.swap(fresh);
  }
}

void DueQueue::Remove(std::uint64_t feed) { due_.erase(feed); }

void DueQueue::DropStale() {
  while (!heap_.empty()) {
    const Item& top = heap_.top();
    auto it = due_.find(top.feed);
    if (it != due_.end() && it->second == top.due) return;
    heap_.pop();
  }
}

std::vector<std::uint64_t> DueQueue::PopDue(UnixSeconds now, std::size_t max) {
  std::vector<std::uint64_t> out;
  while (out.size() < max) {
    DropStale();
    if (heap_.empty() || heap_.top().due > now) break;
    out.push_back(heap_.top().feed);
    due_.erase(heap_.top().feed);
    heap_.pop();
  }
  return out;
}

std::optional<UnixSeconds> DueQueue::NextDue() {
  DropStale();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

}  // namespace veille::schedule
