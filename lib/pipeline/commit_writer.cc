#include "pipeline/commit_writer.h"

namespace veille::pipeline {

CommitWriter::CommitWriter(std::function<void()> on_done) : on_done_(std::move(on_done)) {
  thread_ = std::thread([this] { Run(); });
}

CommitWriter::~CommitWriter() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return writes_ == nullptr; });  // a commit under way ends first
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CommitWriter::Start(store::Store& store, const std::vector<store::DocumentCommit>& writes) {
  {
    std::lock_guard lock(mu_);
    store_ = &store;
    writes_ = &writes;
    results_.reset();
    busy_ = true;
  }
  cv_.notify_all();
}

bool CommitWriter::busy() const {
  std::lock_guard lock(mu_);
  return busy_;
}

std::optional<CommitWriter::Results> CommitWriter::TryTake() {
  std::lock_guard lock(mu_);
  if (!results_) return std::nullopt;
  std::optional<Results> out = std::move(results_);
  results_.reset();
  busy_ = false;
  return out;
}

CommitWriter::Results CommitWriter::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return results_.has_value(); });
  Results out = std::move(*results_);
  results_.reset();
  busy_ = false;
  return out;
}

void CommitWriter::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return writes_ != nullptr || stop_; });
    if (writes_ == nullptr) return;  // stopping, nothing left to commit
    store::Store* store = store_;
    const std::vector<store::DocumentCommit>* writes = writes_;
    lock.unlock();
    Results results = store->CommitBatch(*writes);
    lock.lock();
    results_ = std::move(results);
    writes_ = nullptr;
    cv_.notify_all();
    if (on_done_) {
      lock.unlock();
      on_done_();
      lock.lock();
    }
  }
}

}  // namespace veille::pipeline
