// WAL checkpoints off the writer's thread. By default SQLite checkpoints inside the COMMIT that
// takes the write-ahead log past 1,000 pages: the writer reads every frame back and writes it
// into the database file before its commit returns (8 % of a cold cycle's CPU, on the daemon's
// critical thread). A Checkpointer replaces that automatic checkpoint with a wal hook that only
// wakes a thread of its own, which runs PASSIVE checkpoints over its own connection while the
// writer goes on (SQLite allows one checkpoint beside one writer; it never takes the write
// lock). docs/decisions.md, "WAL checkpoints on a thread of their own".
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "store/sqlite.h"

namespace veille::store {

class Checkpointer {
 public:
  // The WAL size, in pages, past which a commit wakes the thread (SQLite's own default).
  static constexpr int kWakePages = 1000;
  // Past this size the writer checkpoints inline again, as SQLite would have: the bound holds
  // even if the thread cannot keep up or its checkpoints keep failing.
  static constexpr int kInlinePages = 16 * kWakePages;

  // Opens a connection of its own to `path` and installs the hook on `writer`, which must
  // outlive the Checkpointer.
  [[nodiscard]] static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                                   Database& writer);
  // Restores SQLite's automatic checkpoint on the writer, then stops and joins the thread.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run so far by the thread, and the last one's error ("" when it succeeded).
  struct Stats {
    std::int64_t runs = 0;
    std::int64_t inline_runs = 0;
    std::string last_error;
  };
  [[nodiscard]] Stats stats();

 private:
  Checkpointer(std::unique_ptr<Database> own, Database& writer);
  static int Hook(void* self, sqlite3* db, const char* name, int pages);
  void Run();

  std::unique_ptr<Database> own_;  // used by the thread only
  Database& writer_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace veille::store
