// `veille serve`'s read connections to the archive, kept across requests (docs/web.md,
// "Connections to the archive"): a page takes one for the time of its request and gives it
// back, instead of opening a store (a PostgreSQL session, an SQLite file and its schema check)
// per request. A store serves one request at a time; at most `capacity` idle ones are kept (the
// server's thread count: more could never be in use at once). Before it is handed out again, an
// idle store is checked with store::Store::Revalidate: one that lost its connection (a server
// restart, pg_terminate_backend), whose SQLite file was replaced, or whose schema a `veille db
// migrate` changed, is closed and a new one opened in its place (which then says what is wrong,
// as every open did before the pool). A store given back inside a transaction is closed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::web {

class StorePool;

// One request's store: given back to its pool when destroyed (closed when it has none).
class PooledStore {
 public:
  PooledStore() = default;
  PooledStore(std::unique_ptr<store::Store> store, StorePool* pool)
      : store_(std::move(store)), pool_(pool) {}
  PooledStore(PooledStore&& other) noexcept = default;
  PooledStore& operator=(PooledStore&& other) noexcept;
  ~PooledStore();
  PooledStore(const PooledStore&) = delete;
  PooledStore& operator=(const PooledStore&) = delete;

  store::Store& operator*() const { return *store_; }
  store::Store* operator->() const { return store_.get(); }

 private:
  void GiveBack();
  std::unique_ptr<store::Store> store_;
  StorePool* pool_ = nullptr;
};

class StorePool {
 public:
  using Opener = std::function<Result<std::unique_ptr<store::Store>>()>;

  // `open` opens a new store (store::Access::kRead); `capacity` (>= 1) bounds the idle ones.
  StorePool(Opener open, int capacity);

  // An idle store that passed Revalidate, else a new one (open's error when that fails).
  [[nodiscard]] Result<PooledStore> Acquire();

  // What the pool did so far (tests).
  struct Counts {
    std::int64_t opened = 0;   // new stores opened
    std::int64_t reused = 0;   // requests served by an idle store
    std::int64_t dropped = 0;  // stores closed: failed Revalidate, given back in a
                               // transaction, or beyond the capacity
    std::int64_t idle = 0;     // idle now
  };
  [[nodiscard]] Counts counts() const;

 private:
  friend class PooledStore;
  void Release(std::unique_ptr<store::Store> store);

  Opener open_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<store::Store>> idle_;  // the most recently used last
  Counts counts_;
};

}  // namespace veille::web
