// veille mentions: the newest mentions first, as a table, JSON, NDJSON or CSV; optionally
// grouped by story (one story published by several feeds is listed once with every source)
// and narrowed by a query in the rule language (--search).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/links.h"
#include "daemon/cli_archive.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct MentionsArgs {
  std::string since;
  std::string until;
  std::string rule;
  std::string category;
  std::string feed;
  std::string search;
  std::vector<std::string> statuses;
  std::string tag;
  std::string lang;
  std::string format = "table";
  int limit = 50;
  bool json = false;
  bool excel = false;
  bool story = false;
};

// Mentions grouped by story, in the order of each story's newest mention.
struct StoryGroup {
  std::int64_t story_id = 0;
  std::vector<const store::MentionRow*> mentions;
  std::vector<store::StoredEntry> sources;
};

// The link a table shows: the canonical one where known (a Google Alerts redirect unwrapped,
// tracking parameters removed), else the link as published (common/links.h, as alerts do).
std::string ShownLink(const std::optional<std::string>& link,
                      const std::optional<std::string>& canonical) {
  return ChooseLinks(link, canonical).primary.value_or("");
}

std::string JoinRules(const StoryGroup& g) {
  std::set<std::string> rules;
  for (const auto* m : g.mentions) rules.insert(m->rule);
  std::string out;
  for (const auto& r : rules) out += (out.empty() ? "" : ", ") + r;
  return out;
}

int PrintStories(store::Store& store, const std::vector<store::MentionRow>& mentions, Format format,
                 CsvDialect dialect, const RuleEntities& entities) {
  std::vector<StoryGroup> groups;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& m : mentions) {
    // A mention without a story (never after migration 3) is a story of its own.
    const std::int64_t key = m.story_id != 0 ? m.story_id : -m.id;
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back(StoryGroup{m.story_id, {}, {}});
    groups[it->second].mentions.push_back(&m);
  }
  for (auto& g : groups) {
    if (g.story_id == 0) continue;
    auto sources = store::StoryEntries(store, g.story_id);
    if (!sources) {
      std::cerr << "veille: " << sources.error().message << "\n";
      return 1;
    }
    g.sources = std::move(*sources);
  }
  auto story_json = [&entities](const StoryGroup& g) {
    const store::MentionRow& first = *g.mentions.front();
    nlohmann::json out = {
        {"story", g.story_id},
        {"title", first.title ? nlohmann::json(*first.title) : nullptr},
        {"title_derived", first.title_derived},
        {"link", first.link ? nlohmann::json(*first.link) : nullptr},
        {"canonical_link", first.canonical_link ? nlohmann::json(*first.canonical_link) : nullptr}};
    out["mentions"] = nlohmann::json::array();
    for (const auto* m : g.mentions) out["mentions"].push_back(MentionJson(*m, entities));
    out["sources"] = nlohmann::json::array();
    for (const auto& s : g.sources) {
      out["sources"].push_back(
          {{"feed", s.feed_name},
           {"link", s.link ? nlohmann::json(*s.link) : nullptr},
           {"canonical_link", s.canonical_link ? nlohmann::json(*s.canonical_link) : nullptr},
           {"title", s.title ? nlohmann::json(*s.title) : nullptr},
           {"title_derived", s.title_derived},
           {"first_seen", FormatIso8601(s.first_seen_at)}});
    }
    return out;
  };
  switch (format) {
    case Format::kJson: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& g : groups) out.push_back(story_json(g));
      std::cout << DumpJson(out, 2) << "\n";
      return 0;
    }
    case Format::kNdjson:
      for (const auto& g : groups) std::cout << DumpJson(story_json(g), -1) << "\n";
      return 0;
    case Format::kCsv:
      std::cout << CsvPreamble(dialect)
                << CsvRecord({"story", "detected", "title", "link", "canonical_link", "rules",
                              "mentions", "sources"},
                             dialect);
      for (const auto& g : groups) {
        const auto& first = *g.mentions.front();
        std::string sources;
        for (const auto& s : g.sources) sources += (sources.empty() ? "" : " | ") + s.feed_name;
        std::cout << CsvRecord(
            {std::to_string(g.story_id), FormatIso8601(first.created_at), first.title.value_or(""),
             first.link.value_or(""), first.canonical_link.value_or(""), JoinRules(g),
             std::to_string(g.mentions.size()), sources},
            dialect);
      }
      return 0;
    case Format::kTable:
      break;
  }
  const std::size_t width = TerminalWidth();
  for (const auto& g : groups) {
    const auto& first = *g.mentions.front();
    std::cout << Ellipsize(ShortTime(first.created_at) + "  " +
                               TerminalSafe(first.title.value_or(i18n::Tr("(no title)"))),
                           width)
              << "\n";
    const std::size_t sources = std::max<std::size_t>(g.sources.size(), 1);
    std::cout << Ellipsize("    " + TerminalSafe(JoinRules(g)) + " · " +
                               i18n::Format(i18n::TrN("{n} source", "{n} sources", sources),
                                            {{"n", std::to_string(sources)}}),
                           width)
              << "\n";
    if (g.sources.empty()) {
      std::cout << Ellipsize("    - " + TerminalSafe(first.feed_name) + "  " +
                                 TerminalSafe(ShownLink(first.link, first.canonical_link)),
                             width)
                << "\n";
    }
    for (const auto& s : g.sources) {
      std::cout << Ellipsize("    - " + TerminalSafe(s.feed_name) + "  " +
                                 TerminalSafe(ShownLink(s.link, s.canonical_link)),
                             width)
                << "\n";
    }
  }
  return 0;
}

int Run(const GlobalOptions& global, const MentionsArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const auto output = ChooseOutput(args.format, args.json, args.excel);
  if (!output) return ReportError(output.error());
  const Format format = output->format;
  const CsvDialect dialect = output->dialect;
  const auto period = ParsePeriod(args.since, args.until, Now());
  if (!period) return ReportError(period.error());
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  store::MentionFilter filter;
  filter.since = period->since;
  filter.until = period->until;
  filter.rule = args.rule;
  filter.category = args.category;
  for (const auto& s : args.statuses) {
    for (std::size_t at = 0;;) {
      const auto comma = s.find(',', at);
      const std::string name = s.substr(at, comma == std::string::npos ? comma : comma - at);
      auto status = store::ParseTriageStatus(name);
      if (!status) {
        std::cerr << "veille: --status: expected new, read, handled or ignored, got \""
                  << TerminalSafe(name) << "\"\n";
        return 2;
      }
      filter.statuses.push_back(*status);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  filter.tag = args.tag;
  if (!args.lang.empty()) {
    auto lang = ParseLanguageFilter(args.lang);
    if (!lang) return ReportError(lang.error());
    filter.language = *lang;
  }
  if (!args.rule.empty()) {
    if (auto ok = CheckRule(*store, *config, args.rule); !ok) return ReportError(ok.error());
  }
  if (!args.category.empty()) {
    if (auto ok = CheckCategory(*store, *config, args.category); !ok) {
      return ReportError(ok.error());
    }
  }
  if (!args.feed.empty()) {
    auto ids = ResolveFeed(*store, args.feed);
    if (!ids) return ReportError(ids.error());
    filter.feed_ids = std::move(*ids);
  }

  // --search: the mentions whose entry the query matches (lib/archive, as the web inbox).
  filter.limit = args.limit;
  auto listed = ListMatchingMentions(*store, filter, args.search);
  if (!listed) {
    const bool bad_query = listed.error().code == ErrorCode::kInvalidArgument;
    std::cerr << "veille: " << (bad_query ? "--search: " : "") << listed.error().message << "\n";
    return bad_query ? 2 : 1;
  }
  const std::vector<store::MentionRow>& mentions = *listed;

  const RuleEntities entities = EntitiesOf(config->rules);
  if (args.story) return PrintStories(*store, mentions, format, dialect, entities);
  switch (format) {
    case Format::kJson: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& m : mentions) out.push_back(MentionJson(m, entities));
      std::cout << DumpJson(out, 2) << "\n";
      return 0;
    }
    case Format::kNdjson:
      for (const auto& m : mentions) std::cout << DumpJson(MentionJson(m, entities), -1) << "\n";
      return 0;
    case Format::kCsv:
      std::cout << CsvPreamble(dialect) << CsvRecord(MentionCsvHeader(), dialect);
      for (const auto& m : mentions) std::cout << CsvRecord(MentionCsvCells(m, entities), dialect);
      return 0;
    case Format::kTable:
      break;
  }
  if (mentions.empty()) {
    const std::string filters = DescribeFilters({{"rule", args.rule},
                                                 {"category", args.category},
                                                 {"feed", args.feed},
                                                 {"lang", args.lang},
                                                 {"search", args.search},
                                                 {"since", args.since},
                                                 {"until", args.until}});
    std::cout << i18n::Format(i18n::Tr("No mentions{filters}."),
                              {{"filters", TerminalSafe(filters)}})
              << (filters.empty() ? i18n::Tr(" Run `veilled --once` to poll the feeds.") : "")
              << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> snippets;
  for (const auto& m : mentions) {
    snippets.push_back(HighlightedSnippet(m.snippet, m.highlights));
    rows.push_back({ShortTime(m.created_at), TerminalSafe(m.rule), TerminalSafe(m.feed_name),
                    TerminalSafe(m.title.value_or(i18n::Tr("(no title)"))),
                    TerminalSafe(ShownLink(m.link, m.canonical_link))});
  }
  PrintTable(
      {i18n::TrP("column", "DETECTED (UTC)"), i18n::TrP("column", "RULE"),
       i18n::TrP("column", "FEED"), i18n::TrP("column", "TITLE"), i18n::TrP("column", "LINK")},
      rows, {{4, 30}, {2, 16}, {3, 24}, {4, 12}}, TerminalWidth(), snippets);
  return 0;
}

void AddMentionsCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<MentionsArgs>();
  CLI::App* cmd = app.add_subcommand("mentions", "List stored mentions, newest first");
  cmd->add_option("--since", args->since, "Only mentions detected since (7d, 24h, 2026-11-01)");
  cmd->add_option("--until", args->until, "Only mentions detected before (duration ago or date)");
  cmd->add_option("--rule", args->rule, "Only this rule");
  cmd->add_option("--category", args->category, "Only this category (brand, competitor, ...)");
  cmd->add_option("--feed", args->feed, "Only this feed (name or URL)");
  cmd->add_option("--search", args->search,
                  "Only mentions whose entry matches this query (rule query language)");
  cmd->add_option("--status", args->statuses,
                  "Only mentions with this triage status: new, read, handled, ignored "
                  "(repeat, or \"new,read\")");
  cmd->add_option("--tag", args->tag, "Only mentions carrying this triage tag");
  cmd->add_option("--lang", args->lang,
                  "Only mentions of entries in this language (fr: fr, fr-FR, fr-CA...), declared "
                  "or detected");
  cmd->add_flag("--story", args->story,
                "Group by story: one story published by several feeds is listed once");
  cmd->add_option("--limit", args->limit, "At most N mentions (default 50; 0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", args->format, "table (default), json, ndjson or csv")
      ->check(CLI::IsMember({"table", "json", "ndjson", "csv"}));
  cmd->add_flag("--json", args->json, "Same as --format json");
  cmd->add_flag("--excel", args->excel,
                "CSV for spreadsheets (implies --format csv): UTF-8 byte order mark, ';' "
                "separator, CRLF line ends");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("mentions", AddMentionsCommand);

}  // namespace veille::cli
