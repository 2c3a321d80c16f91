// The SQLite side of store_backend.h: a file in a directory of its own per test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "store/internal.h"
#include "store_backend.h"

namespace veille::store::testing {
namespace {

class Sqlite final : public StoreBackend {
 public:
  std::string name() const override { return "sqlite"; }
  std::string Create(const std::string& test) const override {
    // A parameterised test's name ends in "/sqlite": one directory level, not two (Remove
    // deletes the database's own directory only).
    std::string leaf = test;
    std::replace(leaf.begin(), leaf.end(), '/', '-');
    const auto dir =
        std::filesystem::temp_directory_path() /
        ("veille-store-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
         std::to_string(::getpid()) + "-" + leaf);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return (dir / "veille.db").string();
  }
  std::string CreateEmpty(const std::string& test) const override { return Create(test); }
  void Remove(const std::string& location) const override {
    std::filesystem::remove_all(std::filesystem::path(location).parent_path());
  }
  Result<std::int64_t> Run(Store& store, const std::string&,
                           const std::string& sql) const override {
    auto stmt = DatabaseOf(store).Prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    return *row ? stmt->Int(0) : 0;
  }
  std::string PoisonSql() const override {
    return "CREATE TEMP TRIGGER poison BEFORE INSERT ON main.entries WHEN NEW.entry_key = "
           "'poison' BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END";
  }
  std::string UnpoisonSql() const override { return "DROP TRIGGER temp.poison"; }
  std::string SetSchemaVersionSql(int version) const override {
    return "PRAGMA user_version = " + std::to_string(version);
  }
  std::string CountFullTextSql() const override { return "SELECT COUNT(*) FROM entries_fts"; }
};

}  // namespace

const StoreBackend* SqliteBackendForTests() {
  static const Sqlite backend;
  return &backend;
}

}  // namespace veille::store::testing
