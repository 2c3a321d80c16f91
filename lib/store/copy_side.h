// Private to lib/store: one database as CopyArchive (copy.h) reads or writes it, whatever its
// backend. copy_sqlite.cc and pg/copy_pg.cc implement it; copy.cc holds what both share (the
// tables, their order, the checks).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::store {

namespace pg {
class Connection;
}

struct CopyColumn {
  std::string name;
  bool integer = false;  // INTEGER / bigint; otherwise text (the schemas hold nothing else)
};

// A row as text (integers in decimal), NULL as nullopt, in the order of the columns read.
using CopyRow = std::vector<std::optional<std::string>>;

class CopyReader {
 public:
  virtual ~CopyReader() = default;
  // The next rows (at most a batch of them); an empty vector at the end.
  [[nodiscard]] virtual Result<std::vector<CopyRow>> Next() = 0;
};

class CopyWriter {
 public:
  virtual ~CopyWriter() = default;
  [[nodiscard]] virtual Result<void> Add(const CopyRow& row) = 0;
  // Writes what Add kept back for a batch.
  [[nodiscard]] virtual Result<void> Flush() = 0;
};

class CopySide {
 public:
  virtual ~CopySide() = default;
  // The tables of the schema (without the backends' own: SQLite's full-text index,
  // PostgreSQL's veille_schema).
  [[nodiscard]] virtual Result<std::vector<std::string>> Tables() = 0;
  // The columns a copy writes (PostgreSQL's generated columns left out), in schema order.
  [[nodiscard]] virtual Result<std::vector<CopyColumn>> Columns(const std::string& table) = 0;
  [[nodiscard]] virtual Result<std::int64_t> Count(const std::string& table) = 0;

  // The source's snapshot (a read transaction), or the target's write transaction.
  [[nodiscard]] virtual Result<void> BeginRead() = 0;
  [[nodiscard]] virtual Result<void> BeginWrite() = 0;
  [[nodiscard]] virtual Result<void> Commit() = 0;
  virtual void Rollback() = 0;

  [[nodiscard]] virtual Result<std::unique_ptr<CopyReader>> Read(
      const std::string& table, const std::vector<CopyColumn>& columns) = 0;
  [[nodiscard]] virtual Result<std::unique_ptr<CopyWriter>> Write(
      const std::string& table, const std::vector<CopyColumn>& columns) = 0;

  // After a table's rows are written: what the backend derives from them (SQLite: the
  // full-text rows of the entries; PostgreSQL: the id sequence continues after the highest id).
  [[nodiscard]] virtual Result<void> AfterTable(const std::string& table) = 0;
  // Before the target commits: the backend's own consistency check (SQLite: foreign keys).
  [[nodiscard]] virtual Result<void> Check() = 0;
  // After the target committed (PostgreSQL: ANALYZE, so that the planner knows the new rows).
  [[nodiscard]] virtual Result<void> AfterCommit() = 0;
};

// "a, b, c": the columns' names for a SELECT or an INSERT (copy.cc).
std::string ColumnList(const std::vector<CopyColumn>& columns);

std::unique_ptr<CopySide> SqliteCopySide(Store& store);
// `conn`: the connection of a store on PostgreSQL (ReadyPostgres).
std::unique_ptr<CopySide> PostgresCopySide(pg::Connection& conn);

}  // namespace veille::store
