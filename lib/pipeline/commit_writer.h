// The writer thread: the monitor's group commits (store::Store::CommitBatch) run here, so that
// the loop goes on fetching and feeding the parse pool while a batch commits (docs/decisions.md,
// "The writer on a thread of its own"). One commit at a time; the store's connection is the
// writer's alone while it runs: the loop touches the store only when busy() is false, and
// applies a batch's results (logs, memory, schedule) only once Wait or TryTake returned them.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace veille::pipeline {

class CommitWriter {
 public:
  using Results = Result<std::vector<Result<store::CommitStats>>>;

  // `on_done` runs on the writer thread after each commit (the monitor wakes its fetcher's poll).
  explicit CommitWriter(std::function<void()> on_done);
  // Waits for the commit under way (its results are dropped), then joins.
  ~CommitWriter();
  CommitWriter(const CommitWriter&) = delete;
  CommitWriter& operator=(const CommitWriter&) = delete;

  // Commits `writes` into `store` on the thread. Both must stay untouched until the results are
  // taken. Only when !busy().
  void Start(store::Store& store, const std::vector<store::DocumentCommit>& writes);
  // A commit was started and its results not taken yet.
  [[nodiscard]] bool busy() const;
  // The results once the commit returned, else nothing (never waits).
  [[nodiscard]] std::optional<Results> TryTake();
  // Waits for the commit under way and returns its results. Only when busy().
  [[nodiscard]] Results Wait();

 private:
  void Run();

  const std::function<void()> on_done_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  store::Store* store_ = nullptr;
  const std::vector<store::DocumentCommit>* writes_ = nullptr;  // the job, until it runs
  std::optional<Results> results_;                              // until taken
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace veille::pipeline
