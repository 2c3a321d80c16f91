// StorePool (store_pool.h): idle stores in a stack, checked before reuse.
#include "web/store_pool.h"

#include <algorithm>

#include "web/inbox.h"

namespace veille::web {

PooledStore& PooledStore::operator=(PooledStore&& other) noexcept {
  if (this != &other) {
    GiveBack();
    store_ = std::move(other.store_);
    pool_ = other.pool_;
  }
  return *this;
}

PooledStore::~PooledStore() { GiveBack(); }

void PooledStore::GiveBack() {
  if (store_ && pool_) pool_->Release(std::move(store_));
  store_.reset();
}

StorePool::StorePool(Opener open, int capacity)
    : open_(std::move(open)), capacity_(static_cast<std::size_t>(std::max(1, capacity))) {}

Result<PooledStore> StorePool::Acquire() {
  for (;;) {
    std::unique_ptr<store::Store> store;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      store = std::move(idle_.back());
      idle_.pop_back();
      counts_.idle = static_cast<std::int64_t>(idle_.size());
    }
    // Outside the lock: a round trip on PostgreSQL, and the store is this thread's alone now.
    if (store->Revalidate()) {
      std::lock_guard lock(mutex_);
      ++counts_.reused;
      return PooledStore(std::move(store), this);
    }
    std::lock_guard lock(mutex_);
    ++counts_.dropped;  // closed when `store` goes out of scope, outside the lock
  }
  auto store = open_();
  if (!store) return tl::unexpected(store.error());
  std::lock_guard lock(mutex_);
  ++counts_.opened;
  return PooledStore(std::move(*store), this);
}

void StorePool::Release(std::unique_ptr<store::Store> store) {
  // A transaction left open would hold its snapshot (and, on SQLite, the WAL) for the next
  // request: such a store is closed, which rolls it back.
  const bool reusable = !store->InTransaction();
  {
    std::lock_guard lock(mutex_);
    if (reusable && idle_.size() < capacity_) {
      idle_.push_back(std::move(store));
      counts_.idle = static_cast<std::int64_t>(idle_.size());
      return;
    }
    ++counts_.dropped;
  }
  store.reset();  // closed outside the lock
}

Result<PooledStore> ArchiveAccess::Borrow(store::Access access) const {
  if (pool && access == store::Access::kRead) return pool->Acquire();
  auto store = open(access);
  if (!store) return tl::unexpected(store.error());
  return PooledStore(std::move(*store), nullptr);
}

StorePool::Counts StorePool::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace veille::web
