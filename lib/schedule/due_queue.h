// The due queue: which feeds to poll next. Pure (time is an argument); one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace veille::schedule {

class DueQueue {
 public:
  // Sets (or moves) the due time of `feed`.
  void Schedule(std::uint64_t feed, UnixSeconds due);
  // Forgets `feed` (gone, or removed from the config).
  void Remove(std::uint64_t feed);
  // Removes and returns up to `max` feeds due at or before `now`, earliest first (ties by id).
  std::vector<std::uint64_t> PopDue(UnixSeconds now, std::size_t max);
  // The earliest due time, or nullopt when empty: how long the run loop may sleep.
  std::optional<UnixSeconds> NextDue();
  std::size_t size() const { return due_.size(); }
  bool contains(std::uint64_t feed) const { return due_.count(feed) > 0; }

 private:
  struct Item {
    UnixSeconds due;
    std::uint64_t feed;
    bool operator>(const Item& o) const { return due != o.due ? due > o.due : feed > o.feed; }
  };
  void DropStale();

  // A heap with lazy deletion: an item is live when due_ still maps its feed to its time.
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap_;
  std::unordered_map<std::uint64_t, UnixSeconds> due_;
};

}  // namespace veille::schedule
