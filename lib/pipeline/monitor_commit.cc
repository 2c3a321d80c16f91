// The monitor's group commit: finished polls are staged, committed together (store::CommitBatch)
// and only then applied to the feeds' memory and logged (docs/storage.md, "Group commit").
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "common/redact.h"
#include "common/url.h"
#include "fetch/redirects.h"
#include "pipeline/monitor.h"
#include "pipeline/monitor_internal.h"
#include "pipeline/poll_record.h"
#include "schedule/policy.h"

namespace veille::pipeline {

using detail::Add;

namespace {

// Entries edited by their publisher (RELIABILITY.md C4): one line each, for the first few of a
// document (a feed that rewrites all its items at once says so in one more line).
void LogEdits(const std::string& feed, const std::vector<store::EditedEntry>& edited) {
  constexpr std::size_t kLines = 5;
  for (std::size_t i = 0; i < edited.size() && i < kLines; ++i) {
    spdlog::info(
        "feed {}: entry {} (key {}) edited by the publisher: its new title \"{}\" and "
        "text stored; no new alert unless a rule matches it now that did not before",
        feed, edited[i].entry_id, edited[i].key, edited[i].title.value_or(""));
  }
  if (edited.size() > kLines) {
    spdlog::info("feed {}: {} more entries edited by the publisher", feed, edited.size() - kLines);
  }
}

}  // namespace

void Monitor::Stage(fetch::FetchResult result, ParsedDocument* doc) {
  const auto id = static_cast<std::int64_t>(result.tag);
  auto it = slots_.find(id);
  if (it == slots_.end()) return;  // the feed left the config while in flight
  Slot& slot = it->second;
  const UnixSeconds now = clock_();

  PendingWrite w;
  w.staged_at = now;
  w.outcome = result.outcome;
  w.error = result.error;
  w.retry_after_s = result.retry_after_s;
  w.ms = SteadyMs() - slot.started_ms;
  const feed::Feed* parsed = nullptr;
  if (doc && doc->feed) {
    parsed = &*doc->feed;
  } else if (doc) {
    w.outcome = Outcome::kParse;
    w.error = doc->feed.error().message;
  }

  schedule::Bounds bounds;
  bounds.interval_s = slot.feed.interval_s.value_or(config_.polling.interval_s);
  bounds.min_interval_s = config_.polling.min_interval_s;
  bounds.max_interval_s = config_.polling.max_interval_s;
  bounds.high_priority = slot.feed.high_priority;
  bounds.honor_publisher_interval =
      slot.feed.honor_publisher_interval.value_or(config_.polling.honor_publisher_interval);
  schedule::FeedHistory history;
  history.consecutive_failures = slot.consecutive_failures;
  if (slot.first_polled_at) {
    // The cadence counts what arrived after the first poll (its backlog says nothing about how
    // often the feed publishes), over at most the last week.
    const UnixSeconds since = std::max(now - 7 * 86400, *slot.first_polled_at + 1);
    history.observed_s = now - since;
    if (auto n = store_->CountEntriesSince(id, since)) history.new_entries = *n;
  }
  schedule::PollResult poll;
  poll.outcome = w.outcome;
  poll.retry_after_s = result.retry_after_s;
  poll.publisher_hint_s = result.max_age_s;
  if (parsed && parsed->ttl_seconds) {
    poll.publisher_hint_s = std::max(poll.publisher_hint_s.value_or(0), *parsed->ttl_seconds);
  }
  w.decision = schedule::NextPoll(bounds, history, poll, now, rng_);

  FeedMemory memory;
  memory.feed_id = id;
  memory.configured_url = slot.feed.url;
  memory.consecutive_failures = slot.consecutive_failures;
  memory.failing_since = slot.failing_since;
  memory.redirect = slot.redirect;
  memory.sent_validators = slot.sent_validators;
  memory.answering = slot.answering;
  PollFacts facts;
  facts.outcome = w.outcome;
  facts.error = w.error;
  facts.http_status = result.http_status;
  facts.permanent_target = fetch::PermanentTarget(result.redirects);
  if (parsed) {
    facts.document = PollFacts::Document{
        result.etag,  result.last_modified, result.fingerprint,      parsed->title,
        parsed->link, parsed->recovered,    parsed->encoding_suspect};
  }
  RecordedPoll recorded =
      RecordPoll(memory, facts, w.decision, now, config_.polling.broken_after_s);
  w.commit.feed = std::move(recorded.update);
  w.redirect = recorded.redirect;

  if (parsed) {
    w.commit.alerts_enabled = slot.feed.backfill_alerts || slot.first_polled_at.has_value();
    w.recovered = parsed->recovered;
    w.entry_count = doc->entry_count;
    w.warnings = parsed->warnings;
    if (!doc->records) {
      // The stored keys could not be read: nothing of this document can be written.
      const Error error = doc->records.error();
      Finish(w, tl::unexpected(error));
      ReleaseUnstored();
      return;
    }
    w.commit.entries = std::move(*doc->records);
  }
  if (batch_.empty()) batch_opened_ms_ = SteadyMs();
  batch_.push_back(std::move(w));
  spdlog::debug("staged: {} ({} in the open batch)", slot.feed.name, batch_.size());
}

std::int64_t Monitor::BatchTimeLeftMs() const {
  if (batch_.empty()) return std::numeric_limits<std::int64_t>::max();
  if (batch_.size() >= static_cast<std::size_t>(std::max(config_.daemon.commit_batch, 1))) return 0;
  return std::max<std::int64_t>(0,
                                batch_opened_ms_ + config_.daemon.commit_interval_ms - SteadyMs());
}

CycleSummary Monitor::Flush() {
  CycleSummary total;
  if (batch_.empty()) return total;
  std::vector<PendingWrite> batch = std::move(batch_);
  batch_.clear();
  std::vector<store::DocumentCommit> writes;
  writes.reserve(batch.size());
  for (PendingWrite& w : batch) writes.push_back(std::move(w.commit));
  const std::int64_t started_ms = SteadyMs();
  auto results = store_->CommitBatch(writes);
  spdlog::debug("commit: {} polls in {} ms{}", writes.size(), SteadyMs() - started_ms,
                results ? "" : " (failed)");
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].commit = std::move(writes[i]);
    if (!results) {
      Add(total, Finish(batch[i], tl::unexpected(results.error())));
    } else {
      Add(total, Finish(batch[i], (*results)[i]));
    }
  }
  ReleaseUnstored();
  return total;
}

CycleSummary Monitor::Finish(PendingWrite& w, const Result<store::CommitStats>& written) {
  const std::int64_t id = w.commit.feed.feed_id;
  CycleSummary summary = Apply(w, written);
  if (cycle_pending_.erase(id) > 0) {
    Add(cycle_, summary);
    if (cycle_pending_.empty()) {
      // The daemon's first pass over its feeds (at start, or the feeds a reload added) says
      // what it did in one line, like `veilled --once`.
      spdlog::info("{}", CycleLine(cycle_));
      if (const std::string line = NotSentLine(cycle_); !line.empty()) spdlog::info("{}", line);
      cycle_ = {};
    }
  }
  return summary;
}

CycleSummary Monitor::Apply(PendingWrite& w, const Result<store::CommitStats>& written) {
  CycleSummary summary;
  const store::FeedUpdate& update = w.commit.feed;
  const std::int64_t id = update.feed_id;
  auto it = slots_.find(id);
  if (it == slots_.end()) return summary;  // the feed left the config while in flight
  Slot& slot = it->second;
  slot.in_flight = false;
  slot.leased = false;  // the commit ended the lease (or it expires: a failed commit)
  ++summary.feeds_polled;
  const UnixSeconds now = update.fetched_at;
  // Only now that the commit returned: nothing derived from a document leaves the process
  // before it (RELIABILITY.md decision 1), not even a log line.
  for (const auto& warning : w.warnings) spdlog::debug("feed {}: {}", slot.feed.name, warning);
  if (w.recovered) {
    spdlog::warn("feed {}: damaged document, kept {} complete entries; will refetch in full",
                 slot.feed.name, w.entry_count);
  }
  if (!written) {
    // Nothing of this poll was committed: keep the old state and retry the same content soon.
    spdlog::error("poll {} outcome=storage error=\"{}\" (nothing committed, retry in {}s)",
                  slot.feed.name, written.error().message, store::kStorageRetrySeconds);
    ++summary.feeds_failed;
    Schedule(slot, clock_() + store::kStorageRetrySeconds);
    if (shared_) unstored_.push_back(id);  // its lease is given back (ReleaseUnstored)
    return summary;
  }
  const int new_entries = written->new_entries;
  const int new_mentions = written->new_mentions;
  const int not_sent = written->alerts_not_sent;
  LogEdits(slot.feed.name, written->edited);
  if (update.encoding_suspect) {
    // Each document sets or clears the mark (RELIABILITY.md B6); the log says when it changes,
    // not at every poll.
    const bool suspect = !update.encoding_suspect->empty();
    if (suspect && !slot.encoding_suspect) {
      spdlog::warn(
          "feed {} is encoding suspect: {} (stored as valid UTF-8; `veille feeds` shows "
          "the mark until a document decodes as it declares)",
          slot.feed.name, *update.encoding_suspect);
    } else if (!suspect && slot.encoding_suspect) {
      spdlog::info(
          "feed {}: its document decodes as it declares again (no longer encoding "
          "suspect)",
          slot.feed.name);
    }
    slot.encoding_suspect = suspect;
  }

  const bool was_failing = slot.consecutive_failures > 0;
  slot.consecutive_failures = w.decision.consecutive_failures;
  slot.rate_limited = w.outcome == Outcome::kRateLimited;
  slot.gone = w.decision.stop;
  slot.failing_since = update.failing_since;
  slot.redirect = w.redirect;
  if (update.unconditional_at) slot.last_unconditional = update.unconditional_at;
  if (update.store_validators) {
    slot.etag = update.etag.value_or("");
    slot.last_modified = update.last_modified.value_or("");
    slot.fingerprint = update.body_fingerprint.value_or("");
    if (!slot.first_polled_at) slot.first_polled_at = now;
  }
  if (update.moved_to) {
    spdlog::warn("feed {} moved permanently to {} (was {}); polling the new URL", slot.feed.name,
                 RedactUrl(*update.moved_to), RedactUrl(slot.fetch_url));
    slot.fetch_url = *update.moved_to;
    slot.host = HostPortOf(slot.fetch_url);
  }
  if (w.outcome == Outcome::kRateLimited) {
    host_limits_.RecordRateLimited(slot.host, static_cast<std::uint64_t>(id), now, w.retry_after_s);
    OnRateLimited(slot.host, now);
  } else {
    host_limits_.RecordOther(slot.host, static_cast<std::uint64_t>(id));
  }
  if (IsSuccess(w.outcome)) {
    ++summary.feeds_ok;
    if (was_failing) spdlog::info("feed {} recovered", slot.feed.name);
    const std::string edits =
        written->edited.empty() ? "" : fmt::format(" edited_entries={}", written->edited.size());
    if (not_sent > 0) {
      spdlog::info(
          "poll {} outcome={} new_entries={} new_mentions={} ms={} alerts_not_sent={}{} (first "
          "poll; backfill_alerts = false)",
          slot.feed.name, OutcomeName(w.outcome), new_entries, new_mentions, w.ms, not_sent, edits);
    } else {
      spdlog::info("poll {} outcome={} new_entries={} new_mentions={} ms={}{}", slot.feed.name,
                   OutcomeName(w.outcome), new_entries, new_mentions, w.ms, edits);
    }
  } else {
    ++summary.feeds_failed;
    const std::string line = fmt::format("poll {} outcome={} error=\"{}\" failures={} next_in={}s",
                                         slot.feed.name, OutcomeName(w.outcome), RedactUrl(w.error),
                                         slot.consecutive_failures, w.decision.next_due - now);
    if (!was_failing || slot.gone) {
      spdlog::warn("{}", line);  // the state change is logged once at warn
    } else {
      spdlog::info("{}", line);
    }
  }
  summary.new_entries = new_entries;
  summary.new_mentions = new_mentions;
  summary.alerts_not_sent = not_sent;
  summary.first_poll_feeds = not_sent > 0 ? 1 : 0;
  // A `veille poll` request that came in while this poll was under way gets its own poll.
  const bool again = slot.poll_again && !slot.gone && !slot.rate_limited;
  slot.poll_again = false;
  // The decision was counted when the poll was staged (Stage), maybe before a clock jump.
  if (again) {
    Schedule(slot, clock_());
  } else {
    Schedule(slot, w.decision.next_due, w.staged_at);
  }
  return summary;
}

namespace detail {

void Add(CycleSummary& total, const CycleSummary& part) {
  total.feeds_polled += part.feeds_polled;
  total.feeds_ok += part.feeds_ok;
  total.feeds_failed += part.feeds_failed;
  total.new_entries += part.new_entries;
  total.new_mentions += part.new_mentions;
  total.alerts_not_sent += part.alerts_not_sent;
  total.first_poll_feeds += part.first_poll_feeds;
}

}  // namespace detail
}  // namespace veille::pipeline
