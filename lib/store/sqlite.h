// A thin RAII layer over SQLite: one connection, prepared statements, transactions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace veille::store {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding is 1-based, as in SQLite. Empty optionals bind NULL.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);
  Statement& BindNull(int index);

  // Steps once: true when a row is available, false when done; errors become Error values.
  [[nodiscard]] Result<bool> Step();
  // Runs to completion (for statements without rows).
  [[nodiscard]] Result<void> Run();
  void Reset();

  [[nodiscard]] std::int64_t Int(int column) const;
  [[nodiscard]] double Double(int column) const;
  [[nodiscard]] std::string Text(int column) const;
  [[nodiscard]] std::optional<std::string> OptText(int column) const;
  [[nodiscard]] std::optional<std::int64_t> OptInt(int column) const;
  [[nodiscard]] bool IsNull(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

enum class OpenMode { kReadWrite, kReadOnly };

class Database {
 public:
  // Opens the file (creating it with `create`); for kReadWrite sets WAL, synchronous=FULL; always
  // foreign_keys and the busy timeout. Fails with kNotFound when the file does not exist and
  // `create` is false.
  [[nodiscard]] static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                              OpenMode mode, int busy_timeout_ms,
                                                              bool create = true);
  // A connection to no database that refuses every statement with kStorageUnavailable and
  // `reason` (the repositories on a PostgreSQL store that have no PostgreSQL implementation yet).
  [[nodiscard]] static std::unique_ptr<Database> Unavailable(std::string reason);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[nodiscard]] Result<Statement> Prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the life of the connection
  // (the writer's per-document statements: preparing them again for every commit cost about
  // 5% of it). Returned reset, with no bindings; the caller resets it after use as usual.
  [[nodiscard]] Result<Statement*> Cached(std::string_view sql);
  [[nodiscard]] Result<void> Exec(std::string_view sql);
  [[nodiscard]] std::int64_t LastInsertId() const;
  // True inside a transaction; false once SQLite rolled one back on its own (SQLITE_FULL,
  // SQLITE_IOERR and a few others end the whole transaction, not only the statement).
  [[nodiscard]] bool InTransaction() const;
  [[nodiscard]] int Changes() const;
  // Rows changed since the connection opened (sqlite3_total_changes64).
  [[nodiscard]] std::int64_t TotalChanges() const;
  // True when the main database file was deleted, renamed or replaced by another file since
  // the connection opened it (SQLITE_FCNTL_HAS_MOVED: a stat() of the path, never an open(),
  // which would cancel SQLite's POSIX locks). RELIABILITY.md E6.
  [[nodiscard]] Result<bool> FileHasMoved() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  [[nodiscard]] tl::unexpected<Error> Refused() const;
  sqlite3* db_;
  std::string unavailable_;  // why there is no connection (Unavailable)
  // Looked up by the caller's string_view, without building a std::string per call.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>()(sql);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// Maps the connection's current error to an Error (kStorageFull, kStorageBusy or kStorage).
Error SqliteError(sqlite3* db, std::string_view what);

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  [[nodiscard]] Result<void> Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace veille::store
