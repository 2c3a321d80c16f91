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

Result<void> CheckLabel(store::Store& store, UnknownKind kind, store::MentionLabel label,
                        std::string_view value, const std::vector<std::string>& configured) {
  if (std::find(configured.begin(), configured.end(), value) != configured.end()) return {};
  auto stored = store::MentionLabelStored(store, label, value);
  if (!stored) return tl::unexpected(stored.error());
  if (*stored) return {};
  return Fail(ErrorCode::kInvalidArgument, UnknownWithSuggestion(kind, value, configured));
}

// 'name' in English, « name » in French.
std::string Quoted(const i18n::Translator& tr, std::string_view name) {
  // TRANSLATORS: a rule, category or feed name quoted in a message ("unknown rule 'x'").
  return i18n::Format(tr.Tr("'{name}'"), {{"name", std::string(name)}});
}

// "<message> (did you mean 'x'?)", "<message> (did you mean 'x', 'y'?)".
std::string DidYouMean(const i18n::Translator& tr, const std::string& message,
                       const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + Quoted(tr, TerminalSafe(n));
  // TRANSLATORS: {message} is "unknown rule 'x'"; {names} one or more quoted names.
  return i18n::Format(tr.Tr("{message} (did you mean {names}?)"),
                      {{"message", message}, {"names", list}});
}

}  // namespace

Result<Period> ParsePeriod(std::string_view since, std::string_view until, UnixSeconds now) {
  const auto& tr = i18n::ProcessTranslator();
  Period p;
  for (const auto& [flag, text, target] :
       {std::tuple<const char*, std::string_view, std::optional<UnixSeconds>*>{"--since", since,
                                                                               &p.since},
        {"--until", until, &p.until}}) {
    if (text.empty()) continue;
    *target = ParseSinceArgument(text, now);
    if (!*target) {
      return Fail(
          ErrorCode::kInvalidArgument,
          // TRANSLATORS: {option} is --since or --until; {value} what was given.
          i18n::Format(tr.Tr("{option} {value}: expected a duration back from now (7d, 24h) or "
                             "a date (2026-11-01)"),
                       {{"option", flag}, {"value", TerminalSafe(std::string(text))}}));
    }
  }
  if (p.since && p.until && *p.until <= *p.since) {
    return Fail(ErrorCode::kInvalidArgument,
                i18n::Format(tr.Tr("--until {until} ({until_time} UTC) is not after --since "
                                   "{since} ({since_time} UTC); durations count back from now, "
                                   "so --since 7d --until 1d is the week before yesterday"),
                             {{"until", TerminalSafe(std::string(until))},
                              {"until_time", ShortTime(*p.until)},
                              {"since", TerminalSafe(std::string(since))},
                              {"since_time", ShortTime(*p.since)}}));
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
  const auto& tr = i18n::ProcessTranslator();
  const std::string message = i18n::Format(tr.Tr("unknown feed {name}"),
                                           {{"name", Quoted(tr, TerminalSafe(std::string(text)))}});
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!closest.empty() && keys[i] == closest) {
      return Fail(ErrorCode::kInvalidArgument, DidYouMean(tr, message, {names[i]}));
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
    return Fail(ErrorCode::kInvalidArgument, DidYouMean(tr, message, containing));
  }
  return Fail(ErrorCode::kInvalidArgument,
              i18n::Format(names.empty() ? tr.Tr("{message}; no feed has been polled yet")
                                         : tr.Tr("{message}; `veille feeds` lists the names"),
                           {{"message", message}}));
}

Result<void> CheckRule(store::Store& store, const config::Config& config, std::string_view rule) {
  std::vector<std::string> names;
  for (const auto& r : config.rules) names.push_back(r.name);
  return CheckLabel(store, UnknownKind::kRule, store::MentionLabel::kRule, rule, names);
}

Result<void> CheckCategory(store::Store& store, const config::Config& config,
                           std::string_view category) {
  std::vector<std::string> names;
  for (const auto& r : config.rules) {
    if (std::find(names.begin(), names.end(), r.category) == names.end()) {
      names.push_back(r.category);
    }
  }
  return CheckLabel(store, UnknownKind::kCategory, store::MentionLabel::kCategory, category, names);
}

Result<std::string> ParseLanguageFilter(std::string_view value) {
  if (auto tag = text::CanonicalLanguageTag(value)) return *tag;
  const auto& tr = i18n::ProcessTranslator();
  return Fail(ErrorCode::kInvalidArgument,
              i18n::Format(tr.Tr("--lang: expected a language code such as fr or en-US, got "
                                 "\"{value}\""),
                           {{"value", TerminalSafe(std::string(value))}}));
}

int ReportError(const Error& error) {
  std::cerr << "veille: " << error.message << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

std::string UnknownWithSuggestion(UnknownKind kind, std::string_view word,
                                  const std::vector<std::string>& known) {
  const auto& tr = i18n::ProcessTranslator();
  std::vector<std::string_view> views(known.begin(), known.end());
  const std::string closest = config::ClosestMatch(word, views);
  const std::string name = Quoted(tr, TerminalSafe(std::string(word)));
  const std::string message =
      kind == UnknownKind::kRule ? i18n::Format(tr.Tr("unknown rule {name}"), {{"name", name}})
                                 : i18n::Format(tr.Tr("unknown category {name}"), {{"name", name}});
  if (!closest.empty()) return DidYouMean(tr, message, {closest});
  if (known.empty()) return message;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + TerminalSafe(k);
  // TRANSLATORS: {message} is "unknown rule 'x'" or "unknown category 'x'"; {names} the
  // configured ones.
  return i18n::Format(tr.Tr("{message}; known: {names}"), {{"message", message}, {"names", list}});
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
