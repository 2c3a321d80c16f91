#include "store/checkpointer.h"

#include <sqlite3.h>

namespace veille::store {

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          Database& writer) {
  auto own = Database::Open(path, OpenMode::kReadWrite, 0, /*create=*/false);
  if (!own) return tl::unexpected(own.error());
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(*own), writer));
}

Checkpointer::Checkpointer(std::unique_ptr<Database> own, Database& writer)
    : own_(std::move(own)), writer_(writer) {
  thread_ = std::thread([this] { Run(); });
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::Hook, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_.handle(), kWakePages);  // SQLite's own hook again
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::Hook(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= kInlinePages) {
    // The thread is behind (a reader pins the log, or its checkpoints fail): do what SQLite's
    // automatic checkpoint does, on the writer's thread, so the log stays bounded.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard lock(c->mu_);
    ++c->stats_.inline_runs;
    return SQLITE_OK;
  }
  if (pages >= kWakePages) {
    {
      std::lock_guard lock(c->mu_);
      c->wanted_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks the
    // writer. A log that was copied whole is restarted by the writer's next transaction (and
    // truncated to journal_size_limit).
    const int rc = sqlite3_wal_checkpoint_v2(own_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             nullptr, nullptr);
    std::string error;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      error = SqliteError(own_->handle(), "checkpoint").message;
    lock.lock();
    ++stats_.runs;
    stats_.last_error = std::move(error);
  }
}

Checkpointer::Stats Checkpointer::stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace veille::store
