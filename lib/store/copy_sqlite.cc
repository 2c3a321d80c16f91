// CopySide on an SQLite file (copy_side.h).
#include <charconv>
#include <optional>
#include <string>

#include "common/entry_text.h"
#include "store/copy_side.h"
#include "store/internal.h"

namespace veille::store {
namespace {

constexpr int kBatchRows = 500;

Result<std::int64_t> Scalar(Database& db, const std::string& sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? stmt->Int(0) : 0;
}

class SqliteReader final : public CopyReader {
 public:
  SqliteReader(Statement stmt, int columns) : stmt_(std::move(stmt)), columns_(columns) {}
  Result<std::vector<CopyRow>> Next() override {
    std::vector<CopyRow> rows;
    // Stepping a finished statement would run it again from the start.
    while (!done_ && rows.size() < kBatchRows) {
      auto more = stmt_.Step();
      if (!more) return tl::unexpected(more.error());
      if (!*more) {
        done_ = true;
        break;
      }
      CopyRow row;
      row.reserve(columns_);
      for (int c = 0; c < columns_; ++c) row.push_back(stmt_.OptText(c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

 private:
  Statement stmt_;
  int columns_;
  bool done_ = false;
};

class SqliteWriter final : public CopyWriter {
 public:
  SqliteWriter(Statement stmt, std::vector<CopyColumn> columns)
      : stmt_(std::move(stmt)), columns_(std::move(columns)) {}
  Result<void> Add(const CopyRow& row) override {
    stmt_.Reset();
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const int index = static_cast<int>(c) + 1;
      if (!row[c]) {
        stmt_.BindNull(index);
      } else if (columns_[c].integer) {
        std::int64_t value = 0;
        const std::string& text = *row[c];
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
          return Fail(ErrorCode::kInvalidArgument,
                      "column " + columns_[c].name + ": '" + text + "' is not an integer");
        }
        stmt_.Bind(index, value);
      } else {
        stmt_.Bind(index, *row[c]);
      }
    }
    return stmt_.Run();
  }
  Result<void> Flush() override { return {}; }

 private:
  Statement stmt_;
  std::vector<CopyColumn> columns_;
};

class SqliteSide final : public CopySide {
 public:
  explicit SqliteSide(Database& db) : db_(db) {}

  Result<std::vector<std::string>> Tables() override {
    auto stmt = db_.Prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'entries_fts%' ORDER BY name");
    if (!stmt) return tl::unexpected(stmt.error());
    std::vector<std::string> out;
    for (;;) {
      auto row = stmt->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back(stmt->Text(0));
    }
  }

  Result<std::vector<CopyColumn>> Columns(const std::string& table) override {
    auto stmt = db_.Prepare("SELECT name, upper(type) FROM pragma_table_info(?1) ORDER BY cid");
    if (!stmt) return tl::unexpected(stmt.error());
    stmt->Bind(1, table);
    std::vector<CopyColumn> out;
    for (;;) {
      auto row = stmt->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back({stmt->Text(0), stmt->Text(1).find("INT") != std::string::npos});
    }
  }

  Result<std::int64_t> Count(const std::string& table) override {
    return Scalar(db_, "SELECT COUNT(*) FROM " + table);
  }

  Result<void> BeginRead() override { return db_.Exec("BEGIN"); }
  Result<void> BeginWrite() override { return db_.Exec("BEGIN IMMEDIATE"); }
  Result<void> Commit() override { return db_.Exec("COMMIT"); }
  void Rollback() override {
    if (db_.InTransaction()) (void)db_.Exec("ROLLBACK");
  }

  Result<std::unique_ptr<CopyReader>> Read(const std::string& table,
                                           const std::vector<CopyColumn>& columns) override {
    auto stmt = db_.Prepare("SELECT " + ColumnList(columns) + " FROM " + table);
    if (!stmt) return tl::unexpected(stmt.error());
    return std::unique_ptr<CopyReader>(
        new SqliteReader(std::move(*stmt), static_cast<int>(columns.size())));
  }

  Result<std::unique_ptr<CopyWriter>> Write(const std::string& table,
                                            const std::vector<CopyColumn>& columns) override {
    std::string values;
    for (std::size_t c = 1; c <= columns.size(); ++c) {
      values += (c == 1 ? "?" : ", ?") + std::to_string(c);
    }
    auto stmt = db_.Prepare("INSERT INTO " + table + " (" + ColumnList(columns) + ") VALUES (" +
                            values + ")");
    if (!stmt) return tl::unexpected(stmt.error());
    return std::unique_ptr<CopyWriter>(new SqliteWriter(std::move(*stmt), columns));
  }

  // The full-text rows of the copied entries, as the commit writes them (stories.cc).
  Result<void> AfterTable(const std::string& table) override {
    if (table != "entries") return {};
    auto entries = db_.Prepare("SELECT id, title, summary, content FROM entries");
    if (!entries) return tl::unexpected(entries.error());
    auto insert = db_.Prepare("INSERT INTO entries_fts (rowid, title, text) VALUES (?1, ?2, ?3)");
    if (!insert) return tl::unexpected(insert.error());
    for (;;) {
      auto row = entries->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return {};
      insert->Reset();
      insert->Bind(1, entries->Int(0))
          .Bind(2, entries->OptText(1).value_or(""))
          .Bind(3, IndexedEntryText(entries->OptText(2), entries->OptText(3)));
      VEILLE_TRY(insert->Run());
    }
  }

  Result<void> Check() override {
    auto violations = Scalar(db_, "SELECT COUNT(*) FROM pragma_foreign_key_check");
    if (!violations) return tl::unexpected(violations.error());
    if (*violations != 0) {
      return Fail(ErrorCode::kInternal, std::to_string(*violations) +
                                            " rows of the copy point at rows that are not "
                                            "there (foreign_key_check); nothing copied");
    }
    return {};
  }

  Result<void> AfterCommit() override { return {}; }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<CopySide> SqliteCopySide(Store& store) {
  return std::make_unique<SqliteSide>(DatabaseOf(store));
}

}  // namespace veille::store
