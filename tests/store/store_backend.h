// The databases the store tests run on (issue 18: one suite, both backends): an SQLite file
// (store_backend_sqlite.cc, in store_test) and a PostgreSQL database of the throwaway server
// (pg/store_backend_pg.cc, in store_pg_test). A parameterised suite takes a `const
// StoreBackend*` and instantiates itself once per binary with the backend that binary links.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/result.h"
#include "store/store.h"

namespace veille::store::testing {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  [[nodiscard]] virtual std::string name() const = 0;  // "sqlite" | "postgresql"
  [[nodiscard]] bool sqlite() const { return name() == "sqlite"; }
  // A new database for the test `test`, its location for Store::Open: empty (SQLite), or a copy
  // of a database this process migrated once (PostgreSQL, where the schema's DDL is the cost).
  // Either way, what Store::Open(kMigrate) leaves is the same.
  [[nodiscard]] virtual std::string Create(const std::string& test) const = 0;
  // A new database without any schema.
  [[nodiscard]] virtual std::string CreateEmpty(const std::string& test) const = 0;
  virtual void Remove(const std::string& location) const = 0;
  // `sql` (one statement; a query returns its first column of the first row, else 0) on the
  // database at `location`, over `store`'s connection (SQLite) or a connection of its own
  // (PostgreSQL: it sees what `store` committed).
  [[nodiscard]] virtual Result<std::int64_t> Run(Store& store, const std::string& location,
                                                 const std::string& sql) const = 0;

  // Backend-specific SQL for the suites.
  // Makes every insert of an entry with key 'poison' fail with "poisoned entry".
  [[nodiscard]] virtual std::string PoisonSql() const = 0;
  [[nodiscard]] virtual std::string UnpoisonSql() const = 0;
  // The stored schema version set to `version`.
  [[nodiscard]] virtual std::string SetSchemaVersionSql(int version) const = 0;
  // The number of entries in the full-text index.
  [[nodiscard]] virtual std::string CountFullTextSql() const = 0;
};

const StoreBackend* SqliteBackendForTests();
const StoreBackend* PostgresBackendForTests();

inline void PrintTo(const StoreBackend* backend, std::ostream* os) { *os << backend->name(); }

// For INSTANTIATE_TEST_SUITE_P's name generator.
struct BackendName {
  template <typename Info>
  std::string operator()(const Info& info) const {
    return info.param->name();
  }
};

}  // namespace veille::store::testing
