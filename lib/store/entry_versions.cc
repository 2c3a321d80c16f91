#include "store/entry_versions.h"

#include "common/hash.h"

namespace veille::store {
namespace {

constexpr int kVersionShift = 56;

// Each field with its length first, so that no two splits of the same bytes hash alike.
std::uint64_t HashField(std::string_view field, std::uint64_t h) {
  char length[8];
  std::uint64_t n = field.size();
  for (char& c : length) {
    c = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return Fnv1a64(field, Fnv1a64(std::string_view(length, sizeof length), h));
}

}  // namespace

std::int64_t EntryContentHash(std::string_view title, std::string_view summary,
                              std::string_view content) {
  const std::uint64_t h = HashField(content, HashField(summary, HashField(title, Fnv1a64(""))));
  // 56 bits of hash under the version byte; positive as a signed 64-bit SQLite integer.
  return static_cast<std::int64_t>((kContentHashVersion << kVersionShift) |
                                   (h & ((std::uint64_t{1} << kVersionShift) - 1)));
}

bool IsCurrentContentHash(std::int64_t stored) {
  return (static_cast<std::uint64_t>(stored) >> kVersionShift) == kContentHashVersion;
}

Result<StoredHashes> StoredEntryHashes(Database& db, std::int64_t feed_id,
                                       const std::vector<std::string>& keys) {
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
