// veille stats: mentions per rule and per category over time, as Unicode sparklines and bars,
// with the share of voice between `brand` and `competitor` rules.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "common/redact.h"
#include "daemon/cli_archive.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/language_names.h"
#include "i18n/translator.h"
#include "report/charts_data.h"
#include "store/stats.h"

namespace veille::cli {
namespace {

struct StatsArgs {
  std::string since = "30d";
  std::string until;
  std::string by = "day";
  std::string by_date = "entry";
  std::string category;
  std::string lang;
  std::string format = "table";
  bool json = false;
};

// Eight levels, from U+2581 to U+2588; a zero is a low dot so that gaps stay visible.
std::string Sparkline(const std::vector<std::int64_t>& counts, std::size_t width) {
  static const char* kLevels[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                  "\u2585", "\u2586", "\u2587", "\u2588"};
  // Too many buckets for the width: sum neighbours so the line fits.
  std::vector<std::int64_t> values = counts;
  if (width > 0 && values.size() > width) {
    const std::size_t per = (values.size() + width - 1) / width;
    std::vector<std::int64_t> folded;
    for (std::size_t i = 0; i < values.size(); i += per) {
      std::int64_t sum = 0;
      for (std::size_t j = i; j < std::min(values.size(), i + per); ++j) sum += values[j];
      folded.push_back(sum);
    }
    values = std::move(folded);
  }
  std::int64_t max = 0;
  for (auto v : values) max = std::max(max, v);
  std::string out;
  for (auto v : values) {
    if (v == 0 || max == 0) {
      out += "\u00b7";
    } else {
      const auto level = static_cast<std::size_t>((v * 7 + max - 1) / max);
      out += kLevels[std::min<std::size_t>(level, 7)];
    }
  }
  return out;
}

// A horizontal bar of `width` cells with eighth-cell precision.
std::string Bar(double fraction, std::size_t width) {
  static const char* kEighths[] = {"",       "\u258f", "\u258e", "\u258d",
                                   "\u258c", "\u258b", "\u258a", "\u2589"};
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto eighths =
      static_cast<std::size_t>(std::lround(fraction * static_cast<double>(width) * 8));
  std::string out;
  for (std::size_t i = 0; i < eighths / 8; ++i) out += "\u2588";
  out += kEighths[eighths % 8];
  return out;
}

std::string Percent(double share) { return i18n::ProcessTranslator().Percent(share * 100.0, 1); }

std::string Pad(const std::string& s, std::size_t width) {
  const std::size_t w = DisplayWidth(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string PadLeft(const std::string& s, std::size_t width) {
  const std::size_t w = DisplayWidth(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

int Run(const GlobalOptions& global, const StatsArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const auto format = ParseFormat(args.json ? "json" : args.format);
  if (!format || *format == Format::kCsv || *format == Format::kNdjson) {
    std::cerr << "veille: --format: expected table or json\n";
    return 2;
  }
  store::StatsQuery query;
  query.now = Now();
  const auto period = ParsePeriod(args.since, args.until, query.now);
  if (!period) return ReportError(period.error());
  query.since = period->since.value_or(query.now - 30 * 86400);
  query.until = period->until;
  query.bucket = args.by == "week"    ? store::Bucket::kWeek
                 : args.by == "month" ? store::Bucket::kMonth
                                      : store::Bucket::kDay;
  query.category = args.category;
  if (!args.lang.empty()) {
    auto lang = ParseLanguageFilter(args.lang);
    if (!lang) return ReportError(lang.error());
    query.language = *lang;
  }
  query.count_by =
      args.by_date == "detected" ? store::CountBy::kDetected : store::CountBy::kEntryDate;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  if (!args.category.empty()) {
    if (auto ok = CheckCategory(*store, *config, args.category); !ok) {
      return ReportError(ok.error());
    }
  }
  auto volume = store::MentionVolume(*store, query);
  if (!volume) {
    std::cerr << "veille: " << volume.error().message << "\n";
    return 1;
  }
  auto sources = store::TopSources(*store, query, 10);
  if (!sources) {
    std::cerr << "veille: " << sources.error().message << "\n";
    return 1;
  }
  auto voice = store::ShareOfVoice(*store, query, report::RuleEntities(config->rules));
  if (!voice) {
    std::cerr << "veille: " << voice.error().message << "\n";
    return 1;
  }
  auto languages = store::MentionLanguages(*store, query);
  if (!languages) {
    std::cerr << "veille: " << languages.error().message << "\n";
    return 1;
  }

  if (*format == Format::kJson) {
    nlohmann::json out;
    out["since"] = FormatIso8601(query.since);
    out["until"] = FormatIso8601(query.until.value_or(query.now));
    out["by"] = args.by;
    out["by_date"] = args.by_date;
    if (!query.language.empty()) out["lang"] = query.language;
    out["total"] = volume->total;
    out["buckets"] = nlohmann::json::array();
    for (auto b : volume->buckets) out["buckets"].push_back(FormatIso8601(b));
    for (const char* key : {"rules", "categories"}) {
      out[key] = nlohmann::json::array();
      for (const auto& s : key == std::string("rules") ? volume->rules : volume->categories) {
        out[key].push_back(
            {{"name", s.name}, {"category", s.category}, {"total", s.total}, {"counts", s.counts}});
      }
    }
    out["share_of_voice"] = nlohmann::json::array();
    for (const auto& v : *voice) {
      out["share_of_voice"].push_back({{"entity", v.entity},
                                       {"category", v.category},
                                       {"rules", v.rules},
                                       {"stories", v.stories},
                                       {"mentions", v.mentions},
                                       {"share", v.share}});
    }
    out["top_sources"] = nlohmann::json::array();
    for (const auto& s : *sources) {
      out["top_sources"].push_back(
          {{"feed", s.feed_name}, {"url", RedactUrl(s.feed_url)}, {"mentions", s.mentions}});
    }
    out["languages"] = nlohmann::json::array();
    for (const auto& l : *languages) {
      out["languages"].push_back(
          {{"language", l.language.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.language)},
           {"mentions", l.mentions},
           {"stories", l.stories}});
    }
    std::cout << DumpJson(out, 2) << "\n";
    return 0;
  }

  const std::size_t width = TerminalWidth();
  const auto& tr = i18n::ProcessTranslator();
  const std::string by = args.by == "week"    ? tr.Tr("by week")
                         : args.by == "month" ? tr.Tr("by month")
                                              : tr.Tr("by day");
  std::cout << i18n::Format(args.by_date == "detected"
                                ? tr.Tr("Mentions {since} \u2192 {until} ({by} of detection, "
                                        "UTC): {total}")
                                : tr.Tr("Mentions {since} \u2192 {until} ({by} of the entries' "
                                        "dates, UTC): {total}"),
                            {{"since", ShortTime(query.since).substr(0, 10)},
                             {"until", ShortTime(query.until.value_or(query.now)).substr(0, 10)},
                             {"by", by},
                             {"total", tr.Integer(volume->total)}})
            << "\n";
  if (volume->total == 0) {
    std::cout << tr.Tr("No mentions in this period.") << "\n";
    return 0;
  }
  std::size_t name_width = 8;
  for (const auto& s : volume->rules)
    name_width = std::max(name_width, DisplayWidth(TerminalSafe(s.name)));
  // A category is named as in the rules' column: brand and competitor in the reader's language.
  for (const auto& s : volume->categories)
    name_width = std::max(name_width, DisplayWidth(TerminalSafe(tr.TrP("rule category", s.name))));
  for (const auto& v : *voice)
    name_width = std::max(name_width, DisplayWidth(TerminalSafe(v.entity)));
  name_width = std::min<std::size_t>(name_width, 24);
  const std::size_t chart = width > name_width + 30 ? width - name_width - 30 : 10;

  auto series_block = [&](const std::string& title, const std::vector<store::Series>& series,
                          bool show_category) {
    std::cout << "\n" << title << "\n";
    for (const auto& s : series) {
      const std::string name = show_category ? s.name : tr.TrP("rule category", s.name);
      std::cout << "  " << Pad(Ellipsize(TerminalSafe(name), name_width), name_width) << "  "
                << Pad(show_category
                           ? Ellipsize(TerminalSafe(tr.TrP("rule category", s.category)), 10)
                           : "",
                       show_category ? 10 : 0)
                << (show_category ? "  " : "") << PadLeft(tr.Integer(s.total), 6) << "  "
                << Sparkline(s.counts, show_category ? chart : chart + 12) << "\n";
    }
  };
  series_block(tr.TrP("heading", "PER RULE"), volume->rules, true);
  series_block(tr.TrP("heading", "PER CATEGORY"), volume->categories, false);

  if (!voice->empty()) {
    std::cout << "\n" << tr.TrP("heading", "SHARE OF VOICE (stories, brand vs competitor)") << "\n";
    const std::size_t bar = std::min<std::size_t>(chart, 40);
    for (const auto& v : *voice) {
      std::cout << "  " << Pad(Ellipsize(TerminalSafe(v.entity), name_width), name_width) << "  "
                << Pad(tr.TrP("rule category", v.category), 10) << "  "
                << PadLeft(Percent(v.share), 7) << "  " << Pad(Bar(v.share, bar), bar) << "  "
                << tr.Integer(v.stories) << "\n";
    }
  }
  if (!sources->empty()) {
    std::cout << "\n" << tr.TrP("heading", "TOP SOURCES") << "\n";
    const std::int64_t top = (*sources)[0].mentions;
    for (const auto& s : *sources) {
      std::cout << "  " << Pad(Ellipsize(TerminalSafe(s.feed_name), 28), 28) << "  "
                << PadLeft(tr.Integer(s.mentions), 6) << "  "
                << Bar(static_cast<double>(s.mentions) / static_cast<double>(top), 30) << "\n";
    }
  }
  if (query.language.empty() && !languages->empty()) {
    std::cout << "\n" << tr.TrP("heading", "LANGUAGES (mentions, stories)") << "\n";
    const std::int64_t top = std::max<std::int64_t>(1, (*languages)[0].mentions);
    for (const auto& l : *languages) {
      std::cout << "  " << Pad(Ellipsize(TerminalSafe(i18n::LanguageName(tr, l.language)), 20), 20)
                << "  " << Pad(l.language.empty() ? "-" : TerminalSafe(l.language), 6) << "  "
                << PadLeft(tr.Integer(l.mentions), 6) << "  " << PadLeft(tr.Integer(l.stories), 6)
                << "  " << Bar(static_cast<double>(l.mentions) / static_cast<double>(top), 30)
                << "\n";
    }
  }
  return 0;
}

void AddStatsCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "Mentions per rule and category over time, share of voice, top sources");
  cmd->add_option("--since", args->since, "Start of the period (default 30d; or a date)");
  cmd->add_option("--until", args->until, "End of the period (default now)");
  cmd->add_option("--by", args->by, "Bucket size: day (default), week or month")
      ->check(CLI::IsMember({"day", "week", "month"}));
  cmd->add_option("--by-date", args->by_date,
                  "Count mentions by the entry's date (entry, default: published, else "
                  "updated, else first seen) or by detection time (detected)")
      ->check(CLI::IsMember({"entry", "detected"}));
  cmd->add_option("--category", args->category, "Only rules of this category");
  cmd->add_option("--lang", args->lang,
                  "Only mentions of entries in this language (fr: fr, fr-FR, fr-CA...), declared "
                  "or detected");
  cmd->add_option("--format", args->format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--json", args->json, "Same as --format json");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("stats", AddStatsCommand);

}  // namespace veille::cli
