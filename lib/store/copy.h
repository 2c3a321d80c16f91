// veille db copy: a whole archive copied from one database to another, SQLite to PostgreSQL or
// PostgreSQL to SQLite (docs/storage.md, "Moving between SQLite and PostgreSQL").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::store {

struct CopiedTable {
  std::string table;
  std::int64_t rows = 0;
};

struct CopyReport {
  std::vector<CopiedTable> tables;  // in the order they were copied
};

// Called after every batch of rows: the table and the rows copied of it so far.
using CopyProgress = std::function<void(std::string_view table, std::int64_t rows)>;

// Copies every table of `source` into `target`, which must hold the same schema version
// (opened with Access::kMigrate, it does) and no rows. All or nothing: the source is read in one
// snapshot (a daemon may go on writing to it), the target written in one transaction, which
// commits only when every table of the target holds as many rows as the source's snapshot (and,
// on SQLite, PRAGMA foreign_key_check finds nothing); on any error it rolls back and the target
// stays empty. Row ids are kept, so that mention and story numbers stay the same; PostgreSQL's
// id sequences continue after the highest copied id, SQLite's full-text index is rebuilt from
// the entries, PostgreSQL's is computed by the server. The daemon's heartbeat (daemon_status)
// is not copied: the daemon that runs on the target writes its own.
[[nodiscard]] Result<CopyReport> CopyArchive(Store& source, Store& target,
                                             const CopyProgress& progress = {});

}  // namespace veille::store
