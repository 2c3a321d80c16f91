// Ordered schema migrations, driven by PRAGMA user_version (docs/storage.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace veille::store {

// Migration i (1-based) takes a database from user_version i-1 to i.
const std::vector<std::string_view>& Migrations();

// Applies every migration above the current user_version, each in its own transaction.
// Fails when the database is newer than this binary knows.
[[nodiscard]] Result<void> Migrate(Database& db);

// Succeeds when the database at `location` has exactly this binary's schema version; otherwise
// says why not and what to do (connections other than the migrating one never migrate).
[[nodiscard]] Result<void> CheckSchema(Database& db, const std::string& location);

}  // namespace veille::store
