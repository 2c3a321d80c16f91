#include "store/copy.h"

#include <algorithm>
#include <array>
#include <set>

#include "store/copy_side.h"
#include "store/internal.h"

namespace veille::store {
namespace {

// Every table of the schema, parents before children (foreign keys), and whether it is copied.
// A table that either database has and this list lacks stops the copy: a new table must be
// added here (and to the test) before db copy can move it.
struct TablePlan {
  const char* name;
  bool copied;
};
constexpr std::array kTables = {
    TablePlan{"feeds", true},           TablePlan{"stories", true},
    TablePlan{"entries", true},         TablePlan{"mentions", true},
    TablePlan{"outbox", true},          TablePlan{"channel_state", true},
    TablePlan{"events", true},          TablePlan{"event_outbox", true},
    TablePlan{"triage", true},          TablePlan{"triage_tags", true},
    TablePlan{"daemon_status", false},   // the heartbeat: the target's daemon writes its own
    TablePlan{"daemon_configs", false},  // each daemon's config fingerprint: written at start
    TablePlan{"hosts", false},           // host leases and pauses of the source's daemons
};

Result<std::unique_ptr<CopySide>> SideOf(Store& store) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  return *conn != nullptr ? PostgresCopySide(**conn) : SqliteCopySide(store);
}

Result<void> KnownTables(CopySide& side, std::string_view which) {
  auto tables = side.Tables();
  if (!tables) return tl::unexpected(tables.error());
  for (const std::string& t : *tables) {
    const bool known = std::any_of(kTables.begin(), kTables.end(),
                                   [&](const TablePlan& p) { return t == p.name; });
    if (!known) {
      return Fail(ErrorCode::kInternal, "the " + std::string(which) + " database has a table '" +
                                            t + "' that db copy does not know; nothing copied");
    }
  }
  return {};
}

std::string Names(const std::vector<CopyColumn>& columns) {
  std::string out;
  for (const CopyColumn& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

// The columns of `table` on both sides: the same names and kinds, or an error saying how they
// differ (the two schemas are kept alike by their migrations; a difference is a bug).
Result<std::vector<CopyColumn>> CommonColumns(CopySide& source, CopySide& target,
                                              const std::string& table) {
  auto from = source.Columns(table);
  if (!from) return tl::unexpected(from.error());
  auto to = target.Columns(table);
  if (!to) return tl::unexpected(to.error());
  auto by_name = [](const CopyColumn& a, const CopyColumn& b) { return a.name < b.name; };
  std::vector<CopyColumn> a = *from;
  std::vector<CopyColumn> b = *to;
  std::sort(a.begin(), a.end(), by_name);
  std::sort(b.begin(), b.end(), by_name);
  const bool same = std::equal(a.begin(), a.end(), b.begin(), b.end(),
                               [](const CopyColumn& x, const CopyColumn& y) {
                                 return x.name == y.name && x.integer == y.integer;
                               });
  if (!same) {
    return Fail(ErrorCode::kInternal, "table " + table + " differs between the databases (" +
                                          Names(*from) + " / " + Names(*to) + "); nothing copied");
  }
  return *from;
}

Result<std::int64_t> CopyTable(CopySide& source, CopySide& target, const std::string& table,
                               const CopyProgress& progress) {
  auto columns = CommonColumns(source, target, table);
  if (!columns) return tl::unexpected(columns.error());
  auto reader = source.Read(table, *columns);
  if (!reader) return tl::unexpected(reader.error());
  auto writer = target.Write(table, *columns);
  if (!writer) return tl::unexpected(writer.error());
  std::int64_t rows = 0;
  for (;;) {
    auto batch = (*reader)->Next();
    if (!batch) return tl::unexpected(batch.error());
    if (batch->empty()) break;
    for (const CopyRow& row : *batch) VEILLE_TRY((*writer)->Add(row));
    VEILLE_TRY((*writer)->Flush());
    rows += static_cast<std::int64_t>(batch->size());
    if (progress) progress(table, rows);
  }
  VEILLE_TRY(target.AfterTable(table));
  return rows;
}

Result<CopyReport> CopyAll(CopySide& source, CopySide& target, const CopyProgress& progress) {
  VEILLE_TRY(KnownTables(source, "source"));
  VEILLE_TRY(KnownTables(target, "target"));
  CopyReport report;
  for (const TablePlan& plan : kTables) {
    if (!plan.copied) continue;
    const std::string table = plan.name;
    auto held = target.Count(table);
    if (!held) return tl::unexpected(held.error());
    if (*held != 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the target database is not empty (" + table + ": " + std::to_string(*held) +
                      " rows); db copy fills an empty database only; nothing copied");
    }
    auto rows = CopyTable(source, target, table, progress);
    if (!rows) {
      return Fail(rows.error().code, "copying " + table + ": " + rows.error().message);
    }
    auto expected = source.Count(table);
    if (!expected) return tl::unexpected(expected.error());
    auto stored = target.Count(table);
    if (!stored) return tl::unexpected(stored.error());
    if (*rows != *expected || *stored != *expected) {
      return Fail(ErrorCode::kInternal,
                  "table " + table + ": the source holds " + std::to_string(*expected) + " rows, " +
                      std::to_string(*rows) + " were read and the target holds " +
                      std::to_string(*stored) + "; nothing copied");
    }
    report.tables.push_back({table, *rows});
  }
  VEILLE_TRY(target.Check());
  return report;
}

}  // namespace

std::string ColumnList(const std::vector<CopyColumn>& columns) {
  std::string out;
  for (const CopyColumn& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

Result<CopyReport> CopyArchive(Store& source, Store& target, const CopyProgress& progress) {
  auto source_side = SideOf(source);
  if (!source_side) return tl::unexpected(source_side.error());
  auto target_side = SideOf(target);
  if (!target_side) return tl::unexpected(target_side.error());
  std::unique_ptr<CopySide>& from = *source_side;
  std::unique_ptr<CopySide>& to = *target_side;
  VEILLE_TRY(from->BeginRead());
  if (auto begun = to->BeginWrite(); !begun) {
    from->Rollback();
    return tl::unexpected(begun.error());
  }
  auto report = CopyAll(*from, *to, progress);
  from->Rollback();  // a snapshot: nothing to keep
  if (!report) {
    to->Rollback();
    return report;
  }
  VEILLE_TRY(to->Commit());
  // The copy is stored whatever this says: statistics the server would gather later anyway.
  (void)to->AfterCommit();
  return report;
}

}  // namespace veille::store
