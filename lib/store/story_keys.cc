#include "store/story_keys.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <stdexcept>

#include "common/hash.h"

namespace veille::store {
namespace {

// FNV-1a's low bits are poorly mixed; a multiply spreads every bit into the high ones, which
// pick the slot (Fibonacci hashing).
constexpr std::uint64_t kSlotMix = 0x9e3779b97f4a7c15ULL;

std::uint32_t Tag(std::uint64_t hash) { return static_cast<std::uint32_t>(hash); }

}  // namespace

std::uint64_t StoryKeys::Hash(std::string_view key) { return Fnv1a64(key); }

std::size_t StoryKeys::Table::Home(std::uint64_t hash) const {
  return static_cast<std::size_t>((hash * kSlotMix) >> shift_);
}

void StoryKeys::Table::Add(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  if (2 * (live_ + 1) > slots_.size()) Rebuild(std::numeric_limits<UnixSeconds>::min(), 1);
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = Tag(hash);
  std::size_t count = 0;
  std::size_t oldest_pos = 0;
  std::uint32_t oldest = kNoEntry;
  std::size_t pos = Home(hash);
  for (; slots_[pos].entry != kNoEntry; pos = (pos + 1) & mask) {
    const Slot& slot = slots_[pos];
    if (slot.tag != tag || entries_[slot.entry].hash != hash) continue;
    ++count;
    if (slot.entry < oldest) {
      oldest = slot.entry;
      oldest_pos = pos;
    }
  }
  const auto index = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back({hash, entry_id, seen});
  dropped_.push_back(false);
  if (count < kMaxPerKey) {
    slots_[pos] = {index, tag};
    ++live_;
    if (count == 0) ++keys_;
    return;
  }
  dropped_[oldest] = true;
  slots_[oldest_pos].entry = index;
  // A hot key adds a hole per entry: squeeze them out before they outnumber the entries.
  if (entries_.size() - live_ > std::max(live_, kMinSlots)) {
    Rebuild(std::numeric_limits<UnixSeconds>::min(), 0);
  }
}

std::vector<std::int64_t> StoryKeys::Table::Get(std::uint64_t hash) const {
  std::vector<std::int64_t> out;
  if (slots_.empty()) return out;
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = Tag(hash);
  // Slots of one key are in no particular order; entries_ is in the order added. An insertion
  // sort as they are found, newest first (std::sort on so small an array trips GCC 12's
  // -Warray-bounds at -O2).
  std::array<std::uint32_t, kMaxPerKey> found{};
  std::size_t n = 0;
  for (std::size_t pos = Home(hash); slots_[pos].entry != kNoEntry; pos = (pos + 1) & mask) {
    const Slot& slot = slots_[pos];
    if (slot.tag != tag || entries_[slot.entry].hash != hash || n == found.size()) continue;
    std::size_t at = n++;
    for (; at > 0 && found[at - 1] < slot.entry; --at) found[at] = found[at - 1];
    found[at] = slot.entry;
  }
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(entries_[found[i]].entry_id);
  return out;
}

void StoryKeys::Table::Rebuild(UnixSeconds before, std::size_t room) {
  auto keep = [&](std::size_t i) { return !dropped_[i] && entries_[i].seen >= before; };
  std::size_t kept = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) kept += keep(i) ? 1 : 0;
  const std::size_t want = kept + room;
  std::size_t slots = kMinSlots;
  while (slots < 2 * want) slots *= 2;
  // Shrinks only a mostly empty table, so that an hourly eviction does not shrink a table the
  // next commits grow again.
  if (slots < slots_.size() && 8 * want > slots_.size()) slots = slots_.size();
  // Slots hold 32-bit entry indexes; entries, holes included, stay about as many as the slots.
  if (slots > (std::size_t{1} << 31)) throw std::length_error("StoryKeys: too many keys");

  std::size_t next = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (keep(i)) entries_[next++] = entries_[i];
  }
  entries_.resize(kept);
  live_ = kept;
  if (entries_.capacity() > slots) {
    entries_.shrink_to_fit();
    dropped_.shrink_to_fit();
  }
  entries_.reserve(slots / 2);
  dropped_.assign(kept, false);
  slots_.assign(slots, Slot{kNoEntry, 0});
  shift_ = 64 - std::countr_zero(slots);
  keys_ = 0;
  const std::size_t mask = slots - 1;
  for (std::size_t i = 0; i < kept; ++i) {
    const std::uint64_t hash = entries_[i].hash;
    const std::uint32_t tag = Tag(hash);
    bool known = false;
    std::size_t pos = Home(hash);
    for (; slots_[pos].entry != kNoEntry; pos = (pos + 1) & mask) {
      const Slot& slot = slots_[pos];
      if (slot.tag == tag && entries_[slot.entry].hash == hash) known = true;
    }
    slots_[pos] = {static_cast<std::uint32_t>(i), tag};
    if (!known) ++keys_;
  }
}

void StoryKeys::Table::Evict(UnixSeconds before) {
  bool stale = entries_.size() != live_;
  for (std::size_t i = 0; i < entries_.size() && !stale; ++i) stale = entries_[i].seen < before;
  if (stale) Rebuild(before, 0);
}

void StoryKeys::Table::Merge(const Table& other) {
  if (&other == this) {
    const Table copy = other;
    Merge(copy);
    return;
  }
  if (2 * (live_ + other.live_) > slots_.size()) {
    Rebuild(std::numeric_limits<UnixSeconds>::min(), other.live_);
  }
  // In other's order, so each key's entries stay in the order they were added.
  for (std::size_t i = 0; i < other.entries_.size(); ++i) {
    if (other.dropped_[i]) continue;
    const Entry& e = other.entries_[i];
    Add(e.hash, e.entry_id, e.seen);
  }
}

void StoryKeys::Table::Clear() {
  entries_.clear();
  dropped_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{kNoEntry, 0});
  live_ = 0;
  keys_ = 0;
}

void StoryKeys::AddLink(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  links_.Add(hash, entry_id, seen);
}

void StoryKeys::AddTitle(std::uint64_t hash, std::int64_t entry_id, UnixSeconds seen) {
  titles_.Add(hash, entry_id, seen);
}

std::vector<std::int64_t> StoryKeys::Links(std::uint64_t hash) const { return links_.Get(hash); }

std::vector<std::int64_t> StoryKeys::Titles(std::uint64_t hash) const { return titles_.Get(hash); }

void StoryKeys::Evict(UnixSeconds before) {
  links_.Evict(before);
  titles_.Evict(before);
}

void StoryKeys::Merge(const StoryKeys& other) {
  links_.Merge(other.links_);
  titles_.Merge(other.titles_);
}

void StoryKeys::Clear() {
  links_.Clear();
  titles_.Clear();
}

}  // namespace veille::store
