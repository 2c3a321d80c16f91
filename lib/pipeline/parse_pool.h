// Parsing and matching off the poll loop's thread. The loop fetches and commits; a few worker
// threads turn fetched bodies into entry records (parse, drop the entries already stored,
// match the rest). A document's commit still happens on the loop's thread, in one transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "feed/feed.h"
#include "feed/parse.h"
#include "fetch/fetcher.h"
#include "match/matcher.h"
#include "pipeline/ingest.h"
#include "store/store.h"

namespace veille::pipeline {

struct ParseJob {
  std::int64_t feed_id = 0;
  fetch::FetchResult result;  // outcome kOk, with its body
  feed::ParseOptions options;
  config::FeedEntry feed;  // its name and URL are matched by `feed:` terms
  std::shared_ptr<const match::Matcher> matcher;
  std::shared_ptr<const RuleRouting> routing;
};

struct ParsedDocument {
  std::int64_t feed_id = 0;
  fetch::FetchResult result;  // the body is released once parsed
  // The feed without its entries (title, link, ttl, recovered, warnings), or the parse error.
  Result<feed::Feed> feed;
  std::size_t entry_count = 0;  // entries in the document
  // The entries not stored yet and the edited ones, matched (NewEntryRecords); an error when
  // the stored keys could not be read.
  Result<std::vector<store::EntryRecord>> records;
};

// Parses `job`, reads which of its entries `reader` already stores and with which content hash
// (store::StoredEntryHashes), and matches the new and the edited ones (NewEntryRecords).
ParsedDocument ParseAndMatch(ParseJob job, store::Store& reader);

class ParsePool {
 public:
  // `threads` workers, each with its own read-only connection to `database` (opened by the
  // worker; the file must exist). `on_done` runs on a worker after each finished document
  // (the monitor wakes its fetcher's poll with it).
  ParsePool(std::string database, int threads, std::function<void()> on_done);
  // Drops queued jobs, cancels running ones at their parse's next stage, joins.
  ~ParsePool();
  ParsePool(const ParsePool&) = delete;
  ParsePool& operator=(const ParsePool&) = delete;

  void Submit(ParseJob job);
  // The finished documents, in completion order.
  [[nodiscard]] std::vector<ParsedDocument> TakeDone();
  // Waits until a document is finished or `max_wait` passed.
  void WaitDone(std::chrono::milliseconds max_wait);
  // Jobs submitted and not yet returned by TakeDone.
  [[nodiscard]] std::size_t outstanding() const;
  [[nodiscard]] std::size_t threads() const { return threads_.size(); }
  // Forgets queued jobs and finished documents (the daemon is stopping: nothing is committed).
  void Clear();

  // Workers for this machine: one per core beyond the loop's own, at least 1, at most 4.
  [[nodiscard]] static int DefaultThreads();

 private:
  void Work();

  const std::string database_;
  const std::function<void()> on_done_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<ParseJob> queue_;
  std::vector<ParsedDocument> done_;
  std::size_t outstanding_ = 0;
  bool stopping_ = false;
  // Read by a running parse between its stages (ParseOptions::cancelled), set on destruction:
  // a stop waits for one stage of one document, not for the whole of it (finding 3).
  std::atomic<bool> cancel_{false};
  std::vector<std::thread> threads_;
};

}  // namespace veille::pipeline
