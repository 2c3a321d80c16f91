#include "daemon/cli_filters.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "config/suggest.h"
#include "daemon/cli_support.h"
#include "i18n/translator.h"
#include "store/info.h"
#include "text/language.h"
#include "text/normalize.h"

namespace veille::cli {
namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<void> CheckLabel(store::Store& store, const char* kind, store::MentionLabel label,
                        std::string_view value, const std::vector<std::string>& configured) {
  if (std::find(configured.begin(), configured.end(), value) != configured.end()) return {};
  auto stored = store::MentionLabelStored(store, label, value);
  if (!stored) return tl::unexpected(stored.error());
  if (*stored) return {};
  return Fail(ErrorCode::kInvalidArgument, UnknownWithSuggestion(kind, value, configured));
}

}  // namespace

Result<Period> ParsePeriod(std::string_view since, std::string_view until, UnixSeconds now) {
  Period p;
  for (const auto& [flag, text, target] :
       {std::tuple<const char*, std::string_view, std::optional<UnixSeconds>*>{"--since", since,
                                                                               &p.since},
        {"--until", until, &p.until}}) {
    if (text.empty()) continue;
    *target = ParseSinceArgument(text, now);
    if (!*target) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(flag) + " " + std::string(text) +
                      ": expected a duration back from now (7d, 24h) or a date (2026-11-01)");
    }
  }
  if (p.since && p.until && *p.until <= *p.since) {
    return Fail(ErrorCode::kInvalidArgument,
                "--until " + std::string(until) + " (" + ShortTime(*p.until) +
                    " UTC) is not after --since " + std::string(since) + " (" +
                    ShortTime(*p.since) + " UTC); durations count back from now, so " +
                    "--since 7d --until 1d is the week before yesterday");
  }
  return p;
}

std::string FeedNameKey(std::string_view name) {
  std::string key;
  for (const std::string& w : text::Words(name)) key += (key.empty() ? "" : " ") + w;
  return key;
}

Result<std::vector<std::int64_t>> ResolveFeed(store::Store& store, std::string_view text) {
  auto feeds = store::FeedIdentities(store);
  if (!feeds) return tl::unexpected(feeds.error());
  const std::string key = FeedNameKey(text);
  const std::string lower = LowerAscii(text);
  std::vector<std::int64_t> ids;
  std::vector<std::string> names;
  for (const store::FeedIdentity& feed : *feeds) {
    const std::string& name = feed.name;
    const bool by_name = !key.empty() && FeedNameKey(name) == key;
    const bool by_url =
        LowerAscii(feed.url) == lower || LowerAscii(feed.fetch_url.value_or("")) == lower;
    if (by_name || by_url) ids.push_back(feed.id);
    if (!name.empty()) names.push_back(name);
  }
  if (!ids.empty()) return ids;
  // The suggestion compares folded names, so that only spelling differences count.
  std::vector<std::string> keys;
  for (const auto& n : names) keys.push_back(FeedNameKey(n));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  const std::string closest = config::ClosestMatch(key, views);
  std::string message = "unknown feed '" + std::string(text) + "'";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!closest.empty() && keys[i] == closest) {
      return Fail(ErrorCode::kInvalidArgument, message + " (did you mean '" + names[i] + "'?)");
    }
  }
  // No close spelling: a feed whose name contains every word given is a likely intent.
  std::vector<std::string> containing;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!key.empty() && (" " + keys[i] + " ").find(" " + key + " ") != std::string::npos) {
      containing.push_back(names[i]);
    }
  }
  if (!containing.empty()) {
    std::string list;
    for (const auto& n : containing) list += (list.empty() ? "'" : ", '") + n + "'";
    return Fail(ErrorCode::kInvalidArgument, message + " (did you mean " + list + "?)");
  }
  return Fail(ErrorCode::kInvalidArgument, names.empty()
                                               ? message + "; no feed has been polled yet"
                                               : message + "; `veille feeds` lists the names");
}

Result<void> CheckRule(store::Store& store, const config::Config& config, std::string_view rule) {
  std::vector<std::string> names;
  for (const auto& r : config.rules) names.push_back(r.name);
  return CheckLabel(store, "rule", store::MentionLabel::kRule, rule, names);
}

Result<void> CheckCategory(store::Store& store, const config::Config& config,
                           std::string_view category) {
  std::vector<std::string> names;
  for (const auto& r : config.rules) {
    if (std::find(names.begin(), names.end(), r.category) == names.end()) {
      names.push_back(r.category);
    }
  }
  return CheckLabel(store, "category", store::MentionLabel::kCategory, category, names);
}

Result<std::string> ParseLanguageFilter(std::string_view value) {
  if (auto tag = text::CanonicalLanguageTag(value)) return *tag;
  return Fail(ErrorCode::kInvalidArgument,
              "--lang: expected a language code such as fr or en-US, got \"" +
                  TerminalSafe(std::string(value)) + "\"");
}

int ReportError(const Error& error) {
  std::cerr << "veille: " << error.message << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

std::string UnknownWithSuggestion(std::string_view kind, std::string_view word,
                                  const std::vector<std::string>& known) {
  std::vector<std::string_view> views(known.begin(), known.end());
  const std::string closest = config::ClosestMatch(word, views);
  std::string message = "unknown " + std::string(kind) + " '" + std::string(word) + "'";
  if (!closest.empty()) return message + " (did you mean '" + closest + "'?)";
  if (known.empty()) return message;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return message + "; known: " + list;
}

std::string DescribeFilters(const std::vector<std::pair<std::string, std::string>>& given) {
  // The filters' names, in the language of the messages.
  static constexpr const char* kNames[] = {
      i18n::NC_("filter", "rule"),   i18n::NC_("filter", "category"), i18n::NC_("filter", "feed"),
      i18n::NC_("filter", "search"), i18n::NC_("filter", "since"),    i18n::NC_("filter", "until")};
  std::string out;
  for (const auto& [what, value] : given) {
    if (value.empty()) continue;
    std::string name = what;
    for (const char* known : kNames) {
      if (what == known) name = i18n::TrP("filter", known);
    }
    const std::string shown =
        what == "since" || what == "until"
            ? value
            // TRANSLATORS: a filter's value quoted in a message: rule 'marque'.
            : i18n::Format(i18n::TrP("quoted filter value", "'{value}'"), {{"value", value}});
    out += (out.empty() ? "" : ", ") + name + " " + shown;
  }
  return out.empty() ? "" : " (" + out + ")";
}

}  // namespace veille::cli
