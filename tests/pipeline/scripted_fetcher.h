// A fetch::Fetcher for monitor tests that test no HTTP: no socket, no thread, no clock. The
// requests the monitor submits wait until the test answers them (status and body as the test
// says); Poll hands back what was answered and never waits, so time moves only when the test
// moves its clocks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fetch/fetcher.h"
#include "pipeline/monitor.h"

namespace veille::test_support {

// What the test sees and does; shared by every fetcher the factory builds (a reload may build a
// new one). Thread-safe, though the monitor drives its fetcher from one thread.
class FetchScript {
 public:
  // A 200 with `body` (an RSS or Atom document goes to the parse pool), or another outcome.
  static fetch::FetchResult Ok(std::string body, std::string etag = "") {
    fetch::FetchResult r;
    r.outcome = Outcome::kOk;
    r.http_status = 200;
    r.body = std::move(body);
    r.decoded_bytes = r.body.size();
    r.content_type = "application/rss+xml";
    r.etag = std::move(etag);
    return r;
  }
  static fetch::FetchResult NotModified() {
    fetch::FetchResult r;
    r.outcome = Outcome::kNotModified;
    r.http_status = 304;
    return r;
  }
  static fetch::FetchResult Status(long status, Outcome outcome = Outcome::kHttp5xx) {
    fetch::FetchResult r;
    r.outcome = outcome;
    r.http_status = status;
    r.error = "HTTP " + std::to_string(status);
    return r;
  }

  // Answers the oldest unanswered request for `url`; false when there is none. The answer comes
  // back from the fetcher's next Poll.
  bool Answer(const std::string& url, fetch::FetchResult result) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (it->url != url) continue;
      result.tag = it->tag;
      if (result.effective_url.empty()) result.effective_url = url;
      ready_.push_back(std::move(result));
      waiting_.erase(it);
      return true;
    }
    return false;
  }

  // Every request submitted so far, in order (the answered ones too).
  std::vector<fetch::FetchRequest> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // The URLs submitted and not answered yet.
  std::vector<std::string> Waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> urls;
    for (const auto& r : waiting_) urls.push_back(r.url);
    return urls;
  }

  // The fetcher side (ScriptedFetcher).
  void Submit(fetch::FetchRequest request) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    waiting_.push_back(std::move(request));
  }
  std::vector<fetch::FetchResult> TakeReady() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<fetch::FetchResult> out(std::make_move_iterator(ready_.begin()),
                                        std::make_move_iterator(ready_.end()));
    ready_.clear();
    return out;
  }
  std::size_t Pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_.size() + ready_.size();
  }
  void AbortAll() {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_.clear();
    ready_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<fetch::FetchRequest> requests_;
  std::deque<fetch::FetchRequest> waiting_;
  std::deque<fetch::FetchResult> ready_;
};

class ScriptedFetcher : public fetch::Fetcher {
 public:
  explicit ScriptedFetcher(std::shared_ptr<FetchScript> script) : script_(std::move(script)) {}

  void Submit(fetch::FetchRequest request) override { script_->Submit(std::move(request)); }
  // Never waits: what the test answered, or nothing.
  std::vector<fetch::FetchResult> Poll(std::chrono::milliseconds /*max_wait*/) override {
    return script_->TakeReady();
  }
  [[nodiscard]] std::size_t pending() const override { return script_->Pending(); }
  void AbortAll() override { script_->AbortAll(); }
  // CancelQueued keeps the base's answer (none): every request counts as started.

 private:
  std::shared_ptr<FetchScript> script_;
};

// A factory for pipeline::MonitorParts::make_fetcher: every fetcher it builds follows `script`.
inline pipeline::FetcherFactory ScriptedFetchers(std::shared_ptr<FetchScript> script) {
  return [script](const fetch::FetchOptions&) -> Result<std::unique_ptr<fetch::Fetcher>> {
    return std::unique_ptr<fetch::Fetcher>(std::make_unique<ScriptedFetcher>(script));
  };
}

// A monotonic clock and a wall clock that move only when the test moves them (together, so
// that the monitor sees no wall-clock jump). Advance is meant for one thread (the test's, or
// the loop's in an on_tick); the clocks may be read from any.
class ManualClocks {
 public:
  pipeline::Clocks Clocks() {
    return {[this] { return wall_s_.load(); }, [this] { return steady_ms_.load(); }};
  }
  // Moves the monotonic clock by `ms` (never back) and the wall clock by the whole seconds
  // that crossed.
  void Advance(std::int64_t ms) {
    const std::int64_t before_s = steady_ms_ / 1000;
    steady_ms_ += ms;
    wall_s_ += steady_ms_ / 1000 - before_s;
  }
  [[nodiscard]] UnixSeconds wall() const { return wall_s_; }

 private:
  std::atomic<UnixSeconds> wall_s_{1'800'000'000};
  std::atomic<std::int64_t> steady_ms_{5'000'000};  // any origin: only differences count
};

}  // namespace veille::test_support
