// CopySide on a PostgreSQL database (store/copy_side.h): the source read through a cursor in
// one REPEATABLE READ snapshot, the target written with multi-row INSERTs in one transaction.
#include <optional>
#include <string>

#include "store/copy_side.h"
#include "store/internal.h"
#include "store/pg/store_backend.h"

namespace veille::store {
namespace {

constexpr int kFetchRows = 1000;
// Rows per INSERT: fewer round trips, and well under the protocol's 65,535 parameters.
constexpr std::size_t kInsertRows = 200;

class PgReader final : public CopyReader {
 public:
  PgReader(pg::Connection& conn, int columns) : conn_(conn), columns_(columns) {}
  Result<std::vector<CopyRow>> Next() override {
    std::vector<CopyRow> out;
    if (done_) return out;
    auto rows = Lift(conn_.Exec("FETCH " + std::to_string(kFetchRows) + " FROM veille_copy"));
    if (!rows) return tl::unexpected(rows.error());
    for (int r = 0; r < rows->size(); ++r) {
      CopyRow row;
      row.reserve(columns_);
      for (int c = 0; c < columns_; ++c) row.push_back(rows->OptText(r, c));
      out.push_back(std::move(row));
    }
    if (out.empty()) {
      done_ = true;
      VEILLE_TRY(Lift(conn_.ExecScript("CLOSE veille_copy")));
    }
    return out;
  }

 private:
  pg::Connection& conn_;
  int columns_;
  bool done_ = false;
};

class PgWriter final : public CopyWriter {
 public:
  PgWriter(pg::Connection& conn, std::string table, std::vector<CopyColumn> columns)
      : conn_(conn), table_(std::move(table)), columns_(std::move(columns)) {}
  Result<void> Add(const CopyRow& row) override {
    pending_.push_back(row);
    if (pending_.size() == kInsertRows) return Flush();
    return {};
  }
  Result<void> Flush() override {
    if (pending_.empty()) return {};
    std::string sql = "INSERT INTO " + table_ + " (" + ColumnList(columns_) + ") VALUES ";
    std::vector<pg::Param> params;
    params.reserve(pending_.size() * columns_.size());
    for (std::size_t r = 0; r < pending_.size(); ++r) {
      sql += r == 0 ? "(" : ", (";
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        params.emplace_back(pending_[r][c]);
        sql += (c == 0 ? "$" : ", $") + std::to_string(params.size());
      }
      sql += ")";
    }
    // A full batch has the same text every time: prepared once.
    auto done =
        pending_.size() == kInsertRows ? conn_.ExecCached(sql, params) : conn_.Exec(sql, params);
    pending_.clear();
    return Lift(std::move(done)).map([](const pg::Rows&) {});
  }

 private:
  pg::Connection& conn_;
  std::string table_;
  std::vector<CopyColumn> columns_;
  std::vector<CopyRow> pending_;
};

class PgSide final : public CopySide {
 public:
  explicit PgSide(pg::Connection& conn) : conn_(conn) {}

  Result<std::vector<std::string>> Tables() override {
    auto rows = Lift(conn_.Exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'veille_schema' "
        "ORDER BY table_name"));
    if (!rows) return tl::unexpected(rows.error());
    std::vector<std::string> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back(rows->Text(r, 0));
    return out;
  }

  Result<std::vector<CopyColumn>> Columns(const std::string& table) override {
    auto rows = Lift(conn_.Exec(
        "SELECT column_name, data_type IN ('bigint', 'integer', 'smallint') FROM "
        "information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 "
        "AND is_generated = 'NEVER' ORDER BY ordinal_position",
        {table}));
    if (!rows) return tl::unexpected(rows.error());
    std::vector<CopyColumn> out;
    for (int r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Text(r, 0), rows->View(r, 1) == "t"});
    }
    return out;
  }

  Result<std::int64_t> Count(const std::string& table) override {
    auto rows = Lift(conn_.Exec("SELECT COUNT(*) FROM " + table));
    if (!rows) return tl::unexpected(rows.error());
    return rows->Int(0, 0);
  }

  Result<void> BeginRead() override { return Begin(pg::Transaction::Isolation::kRepeatableRead); }
  Result<void> BeginWrite() override { return Begin(pg::Transaction::Isolation::kReadCommitted); }
  Result<void> Commit() override {
    if (!tx_) return Fail(ErrorCode::kInternal, "no transaction to commit");
    auto done = Lift(tx_->Commit());
    tx_.reset();
    return done;
  }
  void Rollback() override { tx_.reset(); }  // the transaction's destructor rolls back

  Result<std::unique_ptr<CopyReader>> Read(const std::string& table,
                                           const std::vector<CopyColumn>& columns) override {
    VEILLE_TRY(Lift(conn_.ExecScript("DECLARE veille_copy NO SCROLL CURSOR FOR SELECT " +
                                     ColumnList(columns) + " FROM " + table)));
    return std::unique_ptr<CopyReader>(new PgReader(conn_, static_cast<int>(columns.size())));
  }

  Result<std::unique_ptr<CopyWriter>> Write(const std::string& table,
                                            const std::vector<CopyColumn>& columns) override {
    return std::unique_ptr<CopyWriter>(new PgWriter(conn_, table, columns));
  }

  // Rows were inserted with their ids: the identity goes on after the highest one.
  Result<void> AfterTable(const std::string& table) override {
    auto sequence = Lift(conn_.Exec(
        "SELECT pg_get_serial_sequence($1::text, 'id') FROM information_schema.columns WHERE "
        "table_schema = current_schema() AND table_name = $1::text AND column_name = 'id' AND "
        "is_identity = 'YES'",
        {table}));
    if (!sequence) return tl::unexpected(sequence.error());
    if (sequence->empty() || sequence->IsNull(0, 0)) return {};
    return Lift(conn_.Exec("SELECT setval($1::regclass, COALESCE((SELECT MAX(id) FROM " + table +
                               "), 0) + 1, false)",
                           {sequence->Text(0, 0)}))
        .map([](const pg::Rows&) {});
  }

  // Foreign keys are checked by the server row by row.
  Result<void> Check() override { return {}; }
  Result<void> AfterCommit() override { return Lift(conn_.ExecScript("ANALYZE")); }

 private:
  Result<void> Begin(pg::Transaction::Isolation isolation) {
    auto tx = pg::Transaction::Begin(conn_, isolation);
    if (!tx) return tl::unexpected(tx.error().ToError());
    tx_.emplace(std::move(*tx));
    return {};
  }

  pg::Connection& conn_;
  std::optional<pg::Transaction> tx_;
};

}  // namespace

std::unique_ptr<CopySide> PostgresCopySide(pg::Connection& conn) {
  return std::make_unique<PgSide>(conn);
}

}  // namespace veille::store
