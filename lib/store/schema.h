// Ordered schema migrations, driven by PRAGMA user_version (docs/storage.md).
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/sqlite.h"

namespace veille::store {

// Migration i (1-based) takes a database from user_version i-1 to i.
const std::vector<std::string_view>& Migrations();

// Applies every migration above the current user_version, each in its own transaction.
// Fails when the database is newer than this binary knows.
[[nodiscard]] Result<void> Migrate(Database& db);

// The user_version this binary migrates to.
int SchemaVersion();

}  // namespace veille::store
