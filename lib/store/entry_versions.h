// Which version of an entry is stored (RELIABILITY.md C4): a hash of its stored text, so that a
// poll tells an entry it already has from the same entry edited by its publisher (same key, new
// title or text) without reading the stored text. The hash lives in the covering index
// entries_key_hash (migration 14): a poll reads (key, hash) pairs from the index alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::store {

// The version of what EntryContentHash reads, kept in the hash's top byte. A release that
// changes the text the parser extracts (or the stored bounds) bumps it: an entry whose stored
// hash is of another version is then hashed again quietly, instead of reading as an edit of
// every stored entry (which could alert old articles that now match a rule).
inline constexpr std::uint64_t kContentHashVersion = 1;

// The hash (XXH3, 56 bits of it) of an entry's title, summary and content as stored (bounded:
// pipeline/ingest.h). A missing field hashes like an empty one. Stable across builds and
// machines (XXH3's output is fixed since xxHash 0.8.0): stored values depend on it.
std::int64_t EntryContentHash(std::string_view title, std::string_view summary,
                              std::string_view content);

// True when `stored` was made by this EntryContentHash (same kContentHashVersion).
bool IsCurrentContentHash(std::int64_t stored);

// Stored keys of one feed -> their content hash (nullopt: stored before migration 14).
using StoredHashes = std::unordered_map<std::string, std::optional<std::int64_t>>;

// The entries of `keys` that `store` holds for the feed, with their hashes: one lookup per key
// in entries_key_hash, never the entry rows themselves.
[[nodiscard]] Result<StoredHashes> StoredEntryHashes(Store& store, std::int64_t feed_id,
                                                     const std::vector<std::string>& keys);

}  // namespace veille::store
