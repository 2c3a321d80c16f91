#include "alert/event_text.h"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace veille::alert {
namespace {

using nlohmann::json;

std::optional<std::string> String(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<double> Number(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// "3 days and 4 hours", "2 hours and 5 minutes", "40 minutes": the two largest units, in
// words (the config's "3d4h" is not how a sentence says it).
std::string Duration(std::int64_t seconds, const i18n::Translator& tr) {
  auto words = [&](int unit, std::int64_t n) {
    const auto count = static_cast<std::uint64_t>(n);
    const std::string pattern = unit == 0   ? tr.TrN("{n} day", "{n} days", count)
                                : unit == 1 ? tr.TrN("{n} hour", "{n} hours", count)
                                            : tr.TrN("{n} minute", "{n} minutes", count);
    return i18n::Format(pattern, {{"n", tr.Integer(n)}});
  };
  static constexpr std::int64_t kUnits[] = {86400, 3600, 60};
  std::vector<std::string> parts;
  std::int64_t left = seconds < 60 ? 60 : seconds;
  for (int unit = 0; unit < 3 && parts.size() < 2; ++unit) {
    const std::int64_t n = left / kUnits[unit];
    left %= kUnits[unit];
    if (n == 0 && parts.empty()) continue;
    if (n == 0) break;  // "3 days", not "3 days and 0 hours"; the minutes would be noise
    parts.push_back(words(unit, n));
  }
  if (parts.size() == 1) return parts[0];
  // TRANSLATORS: two parts of a duration: "3 days and 4 hours".
  return i18n::Format(tr.Tr("{larger} and {smaller}"),
                      {{"larger", parts[0]}, {"smaller", parts[1]}});
}

// How often something usually happens, rounded as people say it: "every 5 minutes", "every 45
// minutes", "every hour" (50 to 75 minutes), "every 3 hours", "every day" (22 to 36 hours),
// "every 4 days". The whole phrase is translated: French says "toutes
// les heures" but "tous les jours".
std::string Cadence(std::int64_t seconds, const i18n::Translator& tr) {
  const double minutes = static_cast<double>(seconds < 60 ? 60 : seconds) / 60.0;
  auto n_of = [](double v, double step) {
    const auto n = static_cast<std::int64_t>(std::llround(v / step) * static_cast<long long>(step));
    return n < 1 ? std::int64_t{1} : n;
  };
  std::int64_t n = 0;
  std::string pattern;
  if (minutes < 50 || (minutes >= 75 && minutes < 100)) {
    n = n_of(minutes, minutes < 10 ? 1 : 5);
    pattern =
        tr.TrNP("cadence", "every minute", "every {n} minutes", static_cast<std::uint64_t>(n));
  } else if (minutes < 22 * 60) {  // 22 hours and more read as "every day"
    n = n_of(minutes / 60, 1);
    pattern = tr.TrNP("cadence", "every hour", "every {n} hours", static_cast<std::uint64_t>(n));
  } else {
    n = n_of(minutes / 1440, 1);
    pattern = tr.TrNP("cadence", "every day", "every {n} days", static_cast<std::uint64_t>(n));
  }
  return i18n::Format(pattern, {{"n", tr.Integer(n)}});
}

std::optional<EventWords> Spike(const json& d, const i18n::Translator& tr) {
  const auto rule = String(d, "rule");
  const auto window = String(d, "window");
  const auto count = Number(d, "count");
  const auto mean = Number(d, "mean");
  const auto stddev = Number(d, "stddev");
  const auto threshold = Number(d, "threshold");
  const auto days = Number(d, "baseline_days");
  if (!rule || !window || !count || !mean || !stddev || !threshold || !days) return std::nullopt;
  std::string span;
  if (*window == "hour") {
    span = tr.Tr("the last hour");
  } else if (*window == "day") {
    span = tr.Tr("the last day");
  } else {
    return std::nullopt;
  }
  const auto n = static_cast<std::int64_t>(*count);
  const std::string shown = tr.Integer(n);
  EventWords w;
  w.title = i18n::Format(tr.TrN("[veille] spike: {rule}: {count} mention in {window}",
                                "[veille] spike: {rule}: {count} mentions in {window}",
                                static_cast<std::uint64_t>(n < 0 ? 0 : n)),
                         {{"rule", *rule}, {"count", shown}, {"window", span}});
  w.text = i18n::Format(
      tr.TrN("Rule {rule} has {count} mention in {window}; over the previous {days} days it "
             "averaged {mean} (standard deviation {stddev}, alert threshold {threshold}).",
             "Rule {rule} has {count} mentions in {window}; over the previous {days} days it "
             "averaged {mean} (standard deviation {stddev}, alert threshold {threshold}).",
             static_cast<std::uint64_t>(n < 0 ? 0 : n)),
      {{"rule", *rule},
       {"count", shown},
       {"window", span},
       {"days", tr.Integer(static_cast<std::int64_t>(*days))},
       {"mean", tr.Decimal(*mean, 1)},
       {"stddev", tr.Decimal(*stddev, 1)},
       {"threshold", tr.Decimal(*threshold, 1)}});
  return w;
}

std::optional<EventWords> FeedHealth(const json& d, const i18n::Translator& tr) {
  const auto feed_it = d.find("feed");
  if (feed_it == d.end() || !feed_it->is_object()) return std::nullopt;
  const auto name = String(*feed_it, "name");
  const auto url = String(*feed_it, "url");
  const auto state = String(d, "state");
  if (!name || !url || !state) return std::nullopt;
  std::string state_word;
  std::string reason;
  if (*state == "gone") {
    const auto error = String(d, "last_error");
    if (!error) return std::nullopt;
    // TRANSLATORS: the state of a feed in an alert title: "[veille] feed gone: Presse".
    state_word = tr.TrP("feed state", "gone");
    reason =
        i18n::Format(tr.Tr("the feed is gone ({error}); polling stopped"), {{"error", *error}});
  } else if (*state == "broken") {
    const auto error = String(d, "last_error");
    const auto failures = Number(d, "consecutive_failures");
    if (!error || !failures) return std::nullopt;
    const auto n = static_cast<std::int64_t>(*failures);
    state_word = tr.TrP("feed state", "broken");
    reason = i18n::Format(tr.TrN("{count} poll failed in a row; last error: {error}",
                                 "{count} polls failed in a row; last error: {error}",
                                 static_cast<std::uint64_t>(n < 0 ? 0 : n)),
                          {{"count", tr.Integer(n)}, {"error", *error}});
  } else if (*state == "silent") {
    const auto silent = Number(d, "silent_for_s");
    const auto gap = Number(d, "usual_gap_s");
    if (!silent || !gap) return std::nullopt;
    state_word = tr.TrP("feed state", "silent");
    reason = i18n::Format(tr.Tr("no new entry for {silent} (usually about one {cadence})"),
                          {{"silent", Duration(static_cast<std::int64_t>(*silent), tr)},
                           {"cadence", Cadence(static_cast<std::int64_t>(*gap), tr)}});
  } else {
    return std::nullopt;
  }
  EventWords w;
  w.title = i18n::Format(tr.Tr("[veille] feed {state}: {feed}"),
                         {{"state", state_word}, {"feed", *name}});
  w.text = i18n::Format(tr.Tr("Feed {feed} ({url}): {reason}."),
                        {{"feed", *name}, {"url", *url}, {"reason", reason}});
  return w;
}

}  // namespace

std::optional<EventWords> DescribeEvent(const std::string& kind, const std::string& payload,
                                        const i18n::Translator& tr) {
  const json details = json::parse(payload, nullptr, false);
  if (details.is_discarded() || !details.is_object()) return std::nullopt;
  if (kind == "spike") return Spike(details, tr);
  if (kind == "feed_health") return FeedHealth(details, tr);
  return std::nullopt;
}

}  // namespace veille::alert
