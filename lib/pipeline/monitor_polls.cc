// The monitor's polls: submitting due feeds, scheduling them, collecting what finished.
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/secret.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"
#include "schedule/health.h"

namespace veille::pipeline {

using detail::Add;

void Monitor::Submit(Slot& slot, bool conditional) {
  fetch::FetchRequest request;
  request.tag = static_cast<std::uint64_t>(slot.id);
  request.url = slot.fetch_url;
  const UnixSeconds now = clock_();
  if (!slot.last_unconditional) slot.last_unconditional = now;  // first poll: count from here
  conditional = conditional && schedule::SendValidators(slot.last_unconditional, now);
  slot.sent_validators = conditional;
  const config::FeedEntry& f = slot.feed;
  request.user_agent = f.user_agent;
  request.headers = f.headers;
  request.ca_file = f.ca_file;
  request.proxy = f.proxy;
  if (f.timeout_s) request.timeout_s = *f.timeout_s;
  if (!f.username.empty()) {
    request.username = f.username;
    if (!f.password_file.empty()) {
      auto password = ReadSecret(f.password_file);
      if (!password) {
        spdlog::warn("feed {}: {}; polling without credentials", f.name, password.error().message);
      }
      request.password = password.value_or("");
    }
  }
  // The same bytes as the last committed document come back as not_modified, unparsed.
  request.fingerprint = slot.fingerprint;
  if (conditional) {
    request.etag = slot.etag;
    request.last_modified = slot.last_modified;
  }
  slot.in_flight = true;
  slot.fetching = true;
  slot.started_ms = SteadyMs();
  slot.answering = slot.request_seen;
  fetcher_->Submit(std::move(request));
}

void Monitor::Schedule(Slot& slot, UnixSeconds next_due, std::optional<UnixSeconds> counted_at) {
  slot.next_due = next_due;
  slot.counted_at = counted_at.value_or(clock_());
  if (slot.gone || (shared_ && !slot.leased)) {
    due_.Remove(static_cast<std::uint64_t>(slot.id));
  } else {
    due_.Schedule(static_cast<std::uint64_t>(slot.id), next_due);
  }
}

bool Monitor::HasRoom() const {
  // Documents fetched or parsed at once: twice `concurrency`, so that the fetcher starts the
  // next queued request inside the same poll (one `concurrency` deep was 9 % slower on a cycle
  // of 304s), plus one per worker. That bounds the bodies held in memory when parsing is the
  // slower side (the memory cap of RELIABILITY.md B; faults scorecard, memory check).
  return Room() > 0;
}

std::size_t Monitor::Room() const {
  const std::size_t limit =
      2 * static_cast<std::size_t>(std::max(config_.polling.concurrency, 1)) + parser_->threads();
  const std::size_t held = fetcher_->pending() + parser_->outstanding();
  return held < limit ? limit - held : 0;
}

void Monitor::OnFetched(fetch::FetchResult result) {
  const auto id = static_cast<std::int64_t>(result.tag);
  auto it = slots_.find(id);
  if (it == slots_.end()) return;  // the feed left the config while in flight
  it->second.fetching = false;
  if (result.outcome != Outcome::kOk) {
    Stage(std::move(result), nullptr);
    return;
  }
  const Slot& slot = it->second;
  ParseJob job;
  job.feed_id = id;
  job.options.base_url = result.effective_url.empty() ? slot.feed.url : result.effective_url;
  job.options.content_type = result.content_type;
  job.options.max_bytes = config_.polling.max_body;
  job.options.max_entries = config_.polling.max_entries;
  job.result = std::move(result);
  job.feed = slot.feed;
  job.matcher = matcher_;
  job.routing = routing_;
  parser_->Submit(std::move(job));
}

bool Monitor::Idle() const { return fetcher_->pending() == 0 && parser_->outstanding() == 0; }

CycleSummary Monitor::Collect(std::chrono::milliseconds max_wait) {
  CycleSummary total;
  // An open batch closes on time even when nothing else happens.
  max_wait = std::chrono::milliseconds(std::min<std::int64_t>(max_wait.count(), BatchTimeLeftMs()));
  if (fetcher_->pending() > 0) {
    // A finished parse wakes this poll up (the pool's on_done calls Wakeup).
    for (auto& result : fetcher_->Poll(max_wait)) {
      OnFetched(std::move(result));
      if (BatchTimeLeftMs() == 0) Add(total, Flush());
    }
  } else if (parser_->outstanding() > 0) {
    parser_->WaitDone(max_wait);
  } else if (batch_.empty()) {
    // Nothing in flight: sleep here (poll(2) returns early on a signal, so SIGTERM and SIGHUP
    // are seen promptly).
    ::poll(nullptr, 0, static_cast<int>(max_wait.count()));
  }
  for (auto& doc : parser_->TakeDone()) {
    Stage(std::move(doc.result), &doc);
    if (BatchTimeLeftMs() == 0) Add(total, Flush());
  }
  // A batch closes at its size or age bound (`[daemon] commit_batch`, `commit_interval`), and
  // as soon as nothing is in flight: a quiet daemon never holds a finished poll back.
  if (!batch_.empty() && (BatchTimeLeftMs() == 0 || Idle())) Add(total, Flush());
  return total;
}

}  // namespace veille::pipeline
