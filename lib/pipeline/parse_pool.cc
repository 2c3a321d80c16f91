#include "pipeline/parse_pool.h"

#include <algorithm>
#include <utility>

namespace veille::pipeline {

ParsedDocument ParseAndMatch(ParseJob job, store::Store& reader) {
  ParsedDocument out;
  out.feed_id = job.feed_id;
  out.feed = feed::ParseFeed(job.result.body, job.options);
  job.result.body = std::string();  // the parsed entries hold the text from here on
  out.result = std::move(job.result);
  if (!out.feed) return out;
  if (job.options.cancelled && job.options.cancelled()) {
    out.feed = Fail(ErrorCode::kInternal, "parse cancelled");
    return out;
  }
  feed::Feed& parsed = *out.feed;
  out.entry_count = parsed.entries.size();
  std::vector<std::string> keys;
  keys.reserve(parsed.entries.size());
  for (const auto& e : parsed.entries) keys.push_back(e.key);
  auto known = store::StoredEntryHashes(reader, job.feed_id, keys);
  if (known) {
    out.records = TakeNewEntryRecords(parsed, *known, job.feed, *job.matcher, *job.routing);
  } else {
    out.records = tl::unexpected(known.error());
  }
  parsed.entries.clear();
  parsed.entries.shrink_to_fit();
  return out;
}

ParsePool::ParsePool(std::string database, int threads, std::function<void()> on_done)
    : database_(std::move(database)), on_done_(std::move(on_done)) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Work(); });
}

ParsePool::~ParsePool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cancel_.store(true);
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

int ParsePool::DefaultThreads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1, 4);
}

void ParsePool::Submit(ParseJob job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
    ++outstanding_;
  }
  work_cv_.notify_one();
}

std::vector<ParsedDocument> ParsePool::TakeDone() {
  std::lock_guard lock(mu_);
  std::vector<ParsedDocument> out = std::move(done_);
  done_.clear();
  outstanding_ -= out.size();
  return out;
}

void ParsePool::WaitDone(std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mu_);
  done_cv_.wait_for(lock, max_wait, [this] { return !done_.empty() || outstanding_ == 0; });
}

std::size_t ParsePool::outstanding() const {
  std::lock_guard lock(mu_);
  return outstanding_;
}

void ParsePool::Clear() {
  std::lock_guard lock(mu_);
  outstanding_ -= queue_.size() + done_.size();
  queue_.clear();
  done_.clear();
}

void ParsePool::Work() {
  // Each worker reads the stored entry keys through its own read-only connection.
  auto reader = store::Store::Open(database_, store::Access::kRead);
  for (;;) {
    ParseJob job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.options.cancelled = [this] { return cancel_.load(std::memory_order_relaxed); };
    ParsedDocument doc;
    if (reader) {
      doc = ParseAndMatch(std::move(job), **reader);
    } else {
      doc.feed_id = job.feed_id;
      doc.result = std::move(job.result);
      doc.result.body = std::string();
      doc.records = tl::unexpected(reader.error());
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      done_.push_back(std::move(doc));
    }
    done_cv_.notify_all();
    if (on_done_) on_done_();
  }
}

}  // namespace veille::pipeline
