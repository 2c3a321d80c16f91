// The story lookup keys, held in memory by the writer. A new entry joins the story of a stored
// entry with the same canonical link, or the same title key published within 48 h. Looking those
// up through indexes on entries.canonical_link and entries.title_key made every document commit
// rewrite about one random index page per entry and per index (the keys are random), which was
// most of the cost of an insert into a large archive. Here the keys are 64-bit hashes of the
// link and title key, mapped to the ids of the entries that carry them; a candidate is checked
// against its entry row by primary key before it is used (hash collisions, pruned entries).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace veille::store {

// How long an entry's keys stay in memory after it was first seen: copies of one story arrive
// within hours or days; 30 days covers late syndication. Older entries still exist, they just
// no longer gather new copies.
inline constexpr std::int64_t kStoryKeyWindowSeconds = 30 * 86400;

class StoryKeys {
 public:
  static std::uint64_t Hash(std::string_view key);

  void AddLink(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen);
  void AddTitle(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen);
  // Entry ids carrying the key, newest first.
  [[nodiscard]] std::vector<std::int64_t> Links(std::uint64_t hash) const;
  [[nodiscard]] std::vector<std::int64_t> Titles(std::uint64_t hash) const;
  // Forgets the entries first seen before `before`.
  void Evict(UnixSeconds before);
  // Adds everything of `other` (the keys of a committed document).
  void Merge(const StoryKeys& other);
  [[nodiscard]] std::size_t size() const { return links_.size() + titles_.size(); }
  void Clear();

 private:
  struct Seen {
    std::int64_t entry_id;
    UnixSeconds seen;
  };
  // A few candidates per key, newest last (a title key shared by many unrelated entries, such
  // as "photos", keeps only its latest ones).
  static constexpr std::size_t kMaxPerKey = 8;
  using Map = std::unordered_map<std::uint64_t, std::vector<Seen>>;
  static void Add(Map& map, std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen);
  static std::vector<std::int64_t> Get(const Map& map, std::uint64_t hash);
  Map links_;
  Map titles_;
};

}  // namespace veille::store
