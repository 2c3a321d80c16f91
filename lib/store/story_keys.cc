#include "store/story_keys.h"

#include <algorithm>

#include "common/hash.h"

namespace veille::store {

std::uint64_t StoryKeys::Hash(std::string_view key) { return Fnv1a64(key); }

void StoryKeys::Add(Map& map, std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  auto& list = map[hash];
  list.push_back({entry_id, seen});
  if (list.size() > kMaxPerKey) list.erase(list.begin());
}

std::vector<std::int64_t> StoryKeys::Get(const Map& map, std::uint64_t hash) {
  std::vector<std::int64_t> out;
  if (auto it = map.find(hash); it != map.end()) {
    for (auto s = it->second.rbegin(); s != it->second.rend(); ++s) out.push_back(s->entry_id);
  }
  return out;
}

void StoryKeys::AddLink(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  Add(links_, hash, entry_id, seen);
}

void StoryKeys::AddTitle(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  Add(titles_, hash, entry_id, seen);
}

std::vector<std::int64_t> StoryKeys::Links(std::uint64_t hash) const { return Get(links_, hash); }

std::vector<std::int64_t> StoryKeys::Titles(std::uint64_t hash) const { return Get(titles_, hash); }

void StoryKeys::Evict(UnixSeconds before) {
  for (Map* map : {&links_, &titles_}) {
    for (auto it = map->begin(); it != map->end();) {
      auto& list = it->second;
      list.erase(std::remove_if(list.begin(), list.end(),
                                [before](const Seen& s) { return s.seen < before; }),
                 list.end());
      it = list.empty() ? map->erase(it) : std::next(it);
    }
  }
}

void StoryKeys::Merge(const StoryKeys& other) {
  // Entry ids grow with time, so appending keeps each list newest last.
  for (const auto& [hash, list] : other.links_) {
    for (const Seen& s : list) Add(links_, hash, s.entry_id, s.seen);
  }
  for (const auto& [hash, list] : other.titles_) {
    for (const Seen& s : list) Add(titles_, hash, s.entry_id, s.seen);
  }
}

void StoryKeys::Clear() {
  links_.clear();
  titles_.clear();
}

}  // namespace veille::store
