// veille mentions: the newest mentions first, as a table or JSON.
#include <iostream>

#include <nlohmann/json.hpp>

#include "daemon/cli_support.h"
#include "daemon/commands.h"

namespace veille::cli {
namespace {

struct MentionsArgs {
  std::string since;
  std::string until;
  std::string rule;
  std::string category;
  std::string feed;
  int limit = 50;
  bool json = false;
};

nlohmann::json ToJson(const store::MentionRow& m) {
  auto opt = [](const auto& v) -> nlohmann::json {
    if (v) return *v;
    return nullptr;
  };
  nlohmann::json highlights = nlohmann::json::array();
  for (const auto& [b, e] : m.highlights) highlights.push_back({b, e});
  return {
      {"id", m.id},
      {"detected", FormatIso8601(m.created_at)},
      {"rule", m.rule},
      {"category", m.category},
      {"feed", m.feed_name},
      {"feed_url", m.feed_url},
      {"title", opt(m.title)},
      {"link", opt(m.link)},
      {"author", opt(m.author)},
      {"published", m.published_at ? nlohmann::json(FormatIso8601(*m.published_at)) : nullptr},
      {"terms", m.terms},
      {"snippet", m.snippet},
      {"highlights", highlights},
  };
}

int Run(const GlobalOptions& global, const MentionsArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  store::MentionFilter filter;
  const UnixSeconds now = Now();
  if (!args.since.empty()) {
    filter.since = ParseSinceArgument(args.since, now);
    if (!filter.since) {
      std::cerr << "veille: --since: expected a duration (7d, 24h) or a date (2026-11-01)\n";
      return 2;
    }
  }
  if (!args.until.empty()) {
    filter.until = ParseSinceArgument(args.until, now);
    if (!filter.until) {
      std::cerr << "veille: --until: expected a duration (7d, 24h) or a date (2026-11-01)\n";
      return 2;
    }
  }
  filter.rule = args.rule;
  filter.category = args.category;
  filter.feed = args.feed;
  filter.limit = args.limit;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  auto mentions = store->ListMentions(filter);
  if (!mentions) {
    std::cerr << "veille: " << mentions.error().message << "\n";
    return 1;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : *mentions) out.push_back(ToJson(m));
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (mentions->empty()) {
    std::cout << "No mentions" << (args.since.empty() ? "" : " since " + args.since)
              << ". Run `veilled --once` to poll the feeds.\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : *mentions) {
    rows.push_back({ShortTime(m.created_at), TerminalSafe(m.rule), TerminalSafe(m.feed_name),
                    TerminalSafe(m.title.value_or("(no title)")), TerminalSafe(m.link.value_or(""))});
  }
  PrintTable({"DETECTED (UTC)", "RULE", "FEED", "TITLE", "LINK"}, rows,
             {{4, 30}, {2, 16}, {3, 24}, {4, 12}}, TerminalWidth());
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
  cmd->add_option("--limit", args->limit, "At most N mentions (default 50; 0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print a JSON array");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("mentions", AddMentionsCommand);

}  // namespace veille::cli
