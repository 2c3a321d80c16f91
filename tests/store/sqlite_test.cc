// The SQLite wrapper (store/sqlite.h): what a binding stores.
#include "store/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace veille::store {
namespace {

// sqlite3_bind_text64 binds NULL for a null pointer, and std::string_view() has one: an empty
// view must still be stored as the empty text it is (it was NULL, found in session 29).
TEST(SqliteStatementTest, AnEmptyViewBindsEmptyTextNotNull) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "veille-sqlite-empty-view.db";
  std::filesystem::remove(path);
  {
    auto db = Database::Open(path.string(), OpenMode::kReadWrite, 1000);
    ASSERT_TRUE(db) << db.error().message;
    auto stmt = (*db)->Prepare("SELECT ?1 IS NULL, ?2 IS NULL, length(?2)");
    ASSERT_TRUE(stmt);
    stmt->Bind(1, std::string_view()).Bind(2, std::string_view("", 0));
    auto row = stmt->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(stmt->Int(0), 0) << "std::string_view() is '', not NULL";
    EXPECT_EQ(stmt->Int(1), 0);
    EXPECT_EQ(stmt->Int(2), 0);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace veille::store
