#include "store/entry_versions.h"

#include <xxhash.h>

#include "store/internal.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

constexpr int kVersionShift = 56;

// Each field hashed on its own, seeded with the hash of the fields before it: field boundaries
// are part of the result, so no two splits of the same bytes hash alike.
std::uint64_t AddField(std::string_view field, std::uint64_t seed) {
  return XXH3_64bits_withSeed(field.data(), field.size(), seed);
}

}  // namespace

std::int64_t EntryContentHash(std::string_view title, std::string_view summary,
                              std::string_view content) {
  // XXH3 (as the fetcher's body fingerprint): every poll that parses a document hashes each
  // entry's text, up to 129 KiB of it; XXH3 reads ~10x faster than a byte-wise FNV.
  const std::uint64_t h = AddField(content, AddField(summary, AddField(title, 0)));
  // 56 bits of hash under the version byte; positive as a signed 64-bit SQLite integer.
  return static_cast<std::int64_t>((kContentHashVersion << kVersionShift) |
                                   (h & ((std::uint64_t{1} << kVersionShift) - 1)));
}

bool IsCurrentContentHash(std::int64_t stored) {
  return (static_cast<std::uint64_t>(stored) >> kVersionShift) == kContentHashVersion;
}

Result<StoredHashes> StoredEntryHashes(Store& store, std::int64_t feed_id,
                                       const std::vector<std::string>& keys) {
  auto ready = ReadyPostgres(store);
  if (!ready) return tl::unexpected(ready.error());
  if (pg::Connection* conn = *ready) {
    StoredHashes found;
    for (const std::string& key : keys) {
      auto rows = Lift(
          conn->ExecCached("SELECT content_hash FROM entries WHERE feed_id = $1 AND entry_key = $2",
                           {feed_id, key}));
      if (!rows) return tl::unexpected(rows.error());
      if (!rows->empty()) found.emplace(key, rows->OptInt(0, 0));
    }
    return found;
  }
  Database& db = DatabaseOf(store);
  // INDEXED BY: the unique (feed_id, entry_key) index would find the row as fast, then read it
  // for the hash, and a row with a long text spills onto overflow pages that SQLite walks.
  auto stmt = db.Cached(
      "SELECT content_hash FROM entries INDEXED BY entries_key_hash "
      "WHERE feed_id = ?1 AND entry_key = ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  StoredHashes found;
  for (const std::string& key : keys) {
    (*stmt)->Bind(1, feed_id).Bind(2, key);
    auto row = (*stmt)->Step();
    if (!row) {
      (*stmt)->Reset();
      return tl::unexpected(row.error());
    }
    if (*row) found.emplace(key, (*stmt)->OptInt(0));
    (*stmt)->Reset();  // never left stepped: that would pin a read snapshot
  }
  return found;
}

}  // namespace veille::store
