#include "store/sqlite.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

namespace veille::store {

Error SqliteError(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  switch (code & 0xff) {
    case SQLITE_FULL:
      return Error{ErrorCode::kStorageFull, message};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{ErrorCode::kStorageBusy, message};
    default:
      return Error{ErrorCode::kStorage, message};
  }
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  // SQLite binds NULL for a null pointer: an empty view (std::string_view() has none) is ''.
  const char* data = value.data() != nullptr ? value.data() : "";
  sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = SqliteError(db_, "step");
  sqlite3_reset(stmt_);
  return tl::unexpected(error);
}

Result<void> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
  }
  Reset();
  return {};
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<std::int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, OpenMode mode,
                                                 int busy_timeout_ms, bool create) {
  if (mode == OpenMode::kReadOnly || !create) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (ec) {
      return Fail(ErrorCode::kIo, "cannot access the database " + path + ": " + ec.message() +
                                      " (is your user in the veille group?)");
    }
    if (!exists) {
      return Fail(ErrorCode::kNotFound, "no database at " + path + " (has veilled run yet?)");
    }
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI |
                    (mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY
                     : create                    ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                                 : SQLITE_OPEN_READWRITE);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) {
    return tl::unexpected(SqliteError(raw, "cannot open database " + path));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (mode == OpenMode::kReadWrite) {
    // journal_size_limit: after a long reader lets go, the WAL shrinks back (RELIABILITY E5).
    // secure_delete=FAST: Debian builds SQLite with secure_delete on, which zeroes and writes
    // back every freed page; the full-text index frees pages at every merge, and those writes
    // were a fifth of each commit's (docs/decisions.md). FAST still zeroes deleted content on
    // the pages a commit writes anyway.
    // cache_size: 32 MiB (SQLite's default is 2 MiB), taken only as pages are used. A batch of
    // 64 documents dirtied more than 2 MiB, so SQLite spilled pages to the log in the middle of
    // the transaction and wrote them again at COMMIT (6 % of a cold cycle's CPU).
    if (auto r = db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                          "PRAGMA journal_size_limit=4194304; PRAGMA secure_delete=FAST; "
                          "PRAGMA cache_size=-32768;");
        !r) {
      return tl::unexpected(r.error());
    }
    // Test-only (docs/reliability.md, disk_full): cap the file at N pages to force SQLITE_FULL.
    if (const char* pages = std::getenv("VEILLE_TEST_MAX_PAGE_COUNT"); pages && *pages) {
      const long long n = std::strtoll(pages, nullptr, 10);
      if (n > 0) {
        if (auto r = db->Exec("PRAGMA max_page_count=" + std::to_string(n)); !r) {
          return tl::unexpected(r.error());
        }
      }
    }
  }
  if (auto r = db->Exec("PRAGMA foreign_keys=ON;"); !r) return tl::unexpected(r.error());
  return db;
}

std::unique_ptr<Database> Database::Unavailable(std::string reason) {
  std::unique_ptr<Database> db(new Database(nullptr));
  db->unavailable_ = std::move(reason);
  return db;
}

tl::unexpected<Error> Database::Refused() const {
  return Fail(ErrorCode::kStorageUnavailable, unavailable_);
}

Database::~Database() {
  cache_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Result<Statement> Database::Prepare(std::string_view sql) {
  if (!db_) return Refused();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return tl::unexpected(SqliteError(db_, "prepare"));
  }
  return Statement(db_, stmt);
}

Result<Statement*> Database::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto stmt = Prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(std::move(*stmt))).first;
  } else {
    it->second->Reset();
  }
  return it->second.get();
}

Result<void> Database::Exec(std::string_view sql) {
  if (!db_) return Refused();
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return tl::unexpected(SqliteError(db_, "exec"));
  }
  return {};
}

std::int64_t Database::LastInsertId() const { return db_ ? sqlite3_last_insert_rowid(db_) : 0; }

bool Database::InTransaction() const { return db_ && sqlite3_get_autocommit(db_) == 0; }

int Database::Changes() const { return db_ ? sqlite3_changes(db_) : 0; }

std::int64_t Database::TotalChanges() const { return db_ ? sqlite3_total_changes64(db_) : 0; }

Result<bool> Database::FileHasMoved() const {
  if (!db_) return Refused();
  int moved = 0;
  if (const int rc = sqlite3_file_control(db_, "main", SQLITE_FCNTL_HAS_MOVED, &moved);
      rc != SQLITE_OK) {
    return Fail(ErrorCode::kStorage,
                std::string("cannot check the database file: ") + sqlite3_errstr(rc));
  }
  return moved != 0;
}

Result<Transaction> Transaction::Begin(Database& db) {
  if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(r.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<void> Transaction::Commit() {
  auto r = db_->Exec("COMMIT");
  if (!r) return r;  // the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace veille::store
