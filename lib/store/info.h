// Small lookups for the command line: what the database holds (veille db info), the feeds'
// names and addresses (--feed), whether a rule or category has stored mentions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::store {

struct DatabaseInfo {
  std::string backend;     // "sqlite" or "postgresql"
  int schema_version = 0;  // the database's, which may differ from SchemaVersion()
  std::int64_t feeds = 0;
  std::int64_t entries = 0;
  std::int64_t stories = 0;
  std::int64_t mentions = 0;
  std::int64_t outbox = 0;
  // The file's pages and free pages (SQLite); nullopt on a backend without them.
  std::optional<std::int64_t> pages;
  std::optional<std::int64_t> free_pages;
};
[[nodiscard]] Result<DatabaseInfo> ReadDatabaseInfo(Store& store);

// `database` (a config's [daemon] database) as the CLI may print it: a PostgreSQL URL with its
// passwords hidden (pg::RedactConninfo), a path as it is.
std::string ShownLocation(std::string_view database);

// A feed as the CLI names it (--feed takes a name, its URL or the URL it moved to).
struct FeedIdentity {
  std::int64_t id = 0;
  std::string name;
  std::string url;
  std::optional<std::string> fetch_url;
};
// Every feed, in id order (no counts: cheaper than Store::ListFeeds).
[[nodiscard]] Result<std::vector<FeedIdentity>> FeedIdentities(Store& store);

enum class MentionLabel { kRule, kCategory };
// Whether any stored mention carries `value` as its rule (or category).
[[nodiscard]] Result<bool> MentionLabelStored(Store& store, MentionLabel label,
                                              std::string_view value);

}  // namespace veille::store
