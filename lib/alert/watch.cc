#include "alert/watch.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "alert/event_text.h"
#include "common/redact.h"
#include "store/outbox_repo.h"

namespace veille::alert {
namespace {

// The stored title and text of an event: English, from its details (the log and the JSON
// webhook say them; email and chat channels say them again in their language).
void SetWords(store::EventRecord& e) {
  if (auto words = DescribeEvent(e.kind, e.payload, i18n::Translator())) {
    e.title = std::move(words->title);
    e.text = std::move(words->text);
  } else {
    e.title = "[veille] " + e.kind;  // unreachable: the details were written just above
  }
}

}  // namespace

SpikeCheck DetectSpike(const std::vector<int>& baseline, int current, const SpikeOptions& options) {
  SpikeCheck c;
  c.count = current;
  if (!baseline.empty()) {
    double sum = 0;
    for (int v : baseline) sum += v;
    c.mean = sum / static_cast<double>(baseline.size());
    double sq = 0;
    for (int v : baseline) sq += (v - c.mean) * (v - c.mean);
    c.stddev = std::sqrt(sq / static_cast<double>(baseline.size()));
  }
  c.threshold =
      std::max(static_cast<double>(options.min_count), c.mean + options.sigmas * c.stddev);
  c.spike = current >= c.threshold && current > c.mean;
  return c;
}

FeedHealthCheck AssessFeed(const store::FeedRow& feed, int entries_last_30d, UnixSeconds now,
                           const FeedHealthOptions& options) {
  FeedHealthCheck c;
  // An episode ends with a success, so the last success time names it.
  const std::string episode = std::to_string(feed.last_success_at.value_or(0));
  if (feed.state == FeedState::kGone) {
    c.unhealthy = true;
    c.state = "gone";
    c.last_error = feed.last_error.value_or("HTTP 410");
    c.reason = "the feed is gone (" + c.last_error + "); polling stopped";
    c.window_key = "gone-" + episode;
    return c;
  }
  if (feed.consecutive_failures >= options.broken_after_failures) {
    c.unhealthy = true;
    c.state = "broken";
    c.last_error = feed.last_error.value_or(feed.last_outcome.value_or("unknown"));
    c.reason = std::to_string(feed.consecutive_failures) +
               " polls failed in a row; last error: " + c.last_error;
    c.window_key = "broken-" + episode;
    return c;
  }
  if (feed.last_new_entry_at && entries_last_30d >= 3) {
    const double gap = 30.0 * 86400 / entries_last_30d;
    const auto limit = std::max<std::int64_t>(
        options.min_silence_s, static_cast<std::int64_t>(gap * options.silence_factor));
    const std::int64_t silent_for = now - *feed.last_new_entry_at;
    if (silent_for > limit) {
      c.unhealthy = true;
      c.state = "silent";
      c.silent_for_s = silent_for;
      c.usual_gap_s = static_cast<std::int64_t>(gap);
      c.reason = "no new entry for " + FormatDuration(silent_for) + " (usually one every " +
                 FormatDuration(static_cast<std::int64_t>(gap)) + ")";
      c.window_key = "silent-" + std::to_string(*feed.last_new_entry_at);
    }
  }
  return c;
}

Result<std::vector<std::string>> RunWatches(store::Store& store, const WatchConfig& config,
                                            UnixSeconds now) {
  std::vector<std::string> notices;
  struct Window {
    const char* name;
    std::int64_t seconds;
  };
  static constexpr Window kWindows[] = {{"hour", 3600}, {"day", 86400}};
  auto earliest = store::EarliestMention(store);
  if (!earliest) return tl::unexpected(earliest.error());
  const bool enough_history =
      *earliest && now - **earliest >= config.spike.min_history_days * 86400;
  for (const auto& [rule, channels] : config.spike_channels) {
    if (channels.empty() || !enough_history) continue;
    for (const Window& w : kWindows) {
      const UnixSeconds start = now - w.seconds;
      const UnixSeconds base_from = start - config.spike.baseline_days * 86400;
      auto baseline = store::MentionCounts(store, rule, base_from, start, w.seconds);
      if (!baseline) return tl::unexpected(baseline.error());
      auto current = store::MentionCounts(store, rule, start, now, w.seconds);
      if (!current) return tl::unexpected(current.error());
      const int count = current->empty() ? 0 : current->front();
      const SpikeCheck check = DetectSpike(*baseline, count, config.spike);
      if (!check.spike) continue;
      store::EventRecord e;
      e.kind = "spike";
      e.subject = rule;
      // At most one spike alert per rule and clock window.
      e.window_key = std::string(w.name) + "-" + std::to_string(now / w.seconds);
      e.payload = nlohmann::json({{"rule", rule},
                                  {"window", w.name},
                                  {"count", count},
                                  {"mean", check.mean},
                                  {"stddev", check.stddev},
                                  {"threshold", check.threshold},
                                  {"baseline_days", config.spike.baseline_days}})
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      SetWords(e);
      e.created_at = now;
      auto added = store::RecordEvent(store, e, channels);
      if (!added) return tl::unexpected(added.error());
      if (*added) notices.push_back(e.title);
    }
  }
  if (config.health_channels.empty()) return notices;
  auto feeds = store.ListFeeds();
  if (!feeds) return tl::unexpected(feeds.error());
  for (const store::FeedRow& feed : *feeds) {
    if (std::find(config.feed_urls.begin(), config.feed_urls.end(), feed.url) ==
        config.feed_urls.end()) {
      continue;
    }
    auto recent = store.CountEntriesSince(feed.id, now - 30 * 86400);
    if (!recent) return tl::unexpected(recent.error());
    const FeedHealthCheck check = AssessFeed(feed, *recent, now, config.health);
    if (!check.unhealthy) continue;
    store::EventRecord e;
    e.kind = "feed_health";
    e.subject = feed.url;
    e.window_key = check.window_key;
    nlohmann::json details = {{"feed", {{"name", feed.name}, {"url", RedactUrl(feed.url)}}},
                              {"state", check.state},
                              {"reason", check.reason},
                              {"consecutive_failures", feed.consecutive_failures}};
    if (check.state == "silent") {
      details["silent_for_s"] = check.silent_for_s;
      details["usual_gap_s"] = check.usual_gap_s;
    } else {
      details["last_error"] = check.last_error;
    }
    e.payload = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    SetWords(e);
    e.created_at = now;
    auto added = store::RecordEvent(store, e, config.health_channels);
    if (!added) return tl::unexpected(added.error());
    if (*added) notices.push_back(e.title);
  }
  return notices;
}

}  // namespace veille::alert
