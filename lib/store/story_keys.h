// The story lookup keys, held in memory by the writer. A new entry joins the story of a stored
// entry with the same canonical link, or the same title key published within 48 h. Looking those
// up through indexes on entries.canonical_link and entries.title_key made every document commit
// rewrite about one random index page per entry and per index (the keys are random), which was
// most of the cost of an insert into a large archive. Here the keys are 64-bit hashes of the
// link and title key, mapped to the ids of the entries that carry them; a candidate is checked
// against its entry row by primary key before it is used (hash collisions, pruned entries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
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
  // The number of distinct keys (links and titles).
  [[nodiscard]] std::size_t size() const { return links_.keys() + titles_.keys(); }
  void Clear();

 private:
  // A few candidates per key, newest last (a title key shared by many unrelated entries, such
  // as "photos", keeps only its latest ones).
  static constexpr std::size_t kMaxPerKey = 8;

  // One kind of key. A map of small vectors cost a node and a vector allocation per key, and
  // rehashes while a commit merged its keys into the long-lived table (100k to 1M keys): about
  // 5% of a commit, and ~100 bytes per entry. Here the entries sit in one array in the order
  // they were added, which is the order Get must return (newest last, exactly as appended, with
  // no sequence number to store), and an open-addressing index of 8-byte slots points into it.
  // A key's entries are separate slots of the same probe run (a multimap). A key over the cap
  // hands its oldest entry's slot to the new one and leaves a hole in the array, squeezed out
  // on the next rebuild.
  class Table {
   public:
    void Add(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen);
    [[nodiscard]] std::vector<std::int64_t> Get(std::uint64_t hash) const;
    void Evict(UnixSeconds before);
    void Merge(const Table& other);
    void Clear();
    [[nodiscard]] std::size_t keys() const { return keys_; }

   private:
    struct Entry {
      std::uint64_t hash;
      std::int64_t entry_id;
      UnixSeconds seen;
    };
    struct Slot {
      std::uint32_t entry;  // index in entries_, or kNoEntry for an empty slot
      std::uint32_t tag;    // low bits of the hash: most mismatches never read entries_
    };
    static constexpr std::uint32_t kNoEntry = 0xffffffffU;
    // A document's pending keys (~50 entries) fit without growing.
    static constexpr std::size_t kMinSlots = 128;

    [[nodiscard]] std::size_t Home(std::uint64_t hash) const;
    // Drops the holes and the entries seen before `before`, then re-indexes with room for
    // `room` more entries at a load of at most 1/2.
    void Rebuild(UnixSeconds before, std::size_t room);

    std::vector<Entry> entries_;  // in the order added, holes included
    std::vector<bool> dropped_;   // the holes: entries pushed out by the cap
    std::vector<Slot> slots_;     // a power of two, at most half full; empty until the first Add
    int shift_ = 64;              // 64 - log2(slots_.size())
    std::size_t live_ = 0;        // entries_ that are not holes, i.e. used slots
    std::size_t keys_ = 0;
  };

  Table links_;
  Table titles_;
};

}  // namespace veille::store
