// veille test-rule 'QUERY' --text 'TEXT': does this query match this text, with which terms,
// and what would the snippet look like. --rule NAME tests a configured rule (its query and its
// exclude) as the daemon runs it. Exit 0 on a match, 1 on no match, 2 on a query error.
// --file FEED.xml tests every entry of a feed file instead of one text; --since 30d replays the
// query over the entries already stored (a backtest).
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "archive/document.h"
#include "daemon/cli_backtest.h"
#include "daemon/cli_explain.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "feed/parse.h"
#include "i18n/translator.h"
#include "match/matcher.h"
#include "match/query.h"
#include "pipeline/ingest.h"

namespace veille::cli {
namespace {

struct TestRuleOptions {
  std::string query;
  std::string exclude;
  std::string rule;  // --rule NAME: the configured rule's query and exclude
  std::string text;
  std::string title;
  std::string author;
  std::string link;
  std::string lang;
  std::string file;
  std::string since;
  std::string feed;
  std::string sort = "date";
  bool json = false;
  bool explain = false;
};

// "column N: message" and a caret under column N of the query.
void ReportQueryError(std::string_view what, std::string_view query, std::string_view problem) {
  std::cerr << "veille test-rule: " << what << ": " << problem << "\n";
  const std::size_t prefix = std::string_view("column ").size();
  const std::size_t column = std::stoul(std::string(problem.substr(prefix)));
  std::cerr << "  " << TerminalSafe(query) << "\n  " << std::string(column - 1, ' ') << "^\n";
}

// The snippet with its highlights marked as every command marks them (cli_support.h).
std::string Marked(const match::Mention& m) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> marks;
  for (const match::Highlight& h : m.highlights) marks.emplace_back(h.begin, h.end);
  return HighlightedSnippet(m.snippet, marks);
}

nlohmann::json MentionJson(const match::Mention& m) {
  nlohmann::json highlights = nlohmann::json::array();
  for (const match::Highlight& h : m.highlights) highlights.push_back({h.begin, h.end});
  return {{"terms", m.terms}, {"snippet", m.snippet}, {"highlights", highlights}};
}

// The configured rule named `name`, else nullptr after "unknown rule 'x' (did you mean 'y'?)".
const config::RuleEntry* FindRule(const config::Config& config, const std::string& name) {
  std::vector<std::string> names;
  for (const config::RuleEntry& r : config.rules) {
    if (r.name == name) return &r;
    names.push_back(r.name);
  }
  std::cerr << "veille test-rule: " << UnknownWithSuggestion(UnknownKind::kRule, name, names)
            << "\n";
  return nullptr;
}

// Every entry of a feed file, matched as the daemon would match it.
int RunFile(const TestRuleOptions& o, const match::Matcher& matcher) {
  std::string body;
  if (auto read = ReadFileBytes(o.file, &body); !read.empty()) {
    std::cerr << "veille test-rule: " << read << "\n";
    return 2;
  }
  feed::ParseOptions options;
  options.base_url = config::ResolveFeedLocation(o.file, ".");
  auto parsed = feed::ParseFeed(body, options);
  if (!parsed) {
    std::cerr << "veille test-rule: " << o.file << ": " << parsed.error().message << "\n";
    return 2;
  }
  int matched = 0;
  nlohmann::json out = nlohmann::json::array();
  // One line per entry: the verdict in a column, the snippet and explanation under the title.
  // TRANSLATORS: the verdict of test-rule --file for one entry: it matches, or not.
  const std::string yes = i18n::TrP("entry verdict", "MATCH");
  const std::string no = i18n::TrP("entry verdict", "no");
  const std::size_t verdict_width = std::max(DisplayWidth(yes), DisplayWidth(no));
  const std::string indent(verdict_width + 3, ' ');
  for (const feed::Entry& e : parsed->entries) {
    const store::EntryRecord record = pipeline::EntryRecordFrom(e, *parsed);
    const std::string text = archive::MatchText(record);
    const match::Document doc =
        archive::DocumentOf(record, text, parsed->title.value_or(""), options.base_url);
    const auto mentions = matcher.Match(doc);
    matched += mentions.empty() ? 0 : 1;
    if (o.json) {
      nlohmann::json item = {{"title", record.title ? nlohmann::json(*record.title) : nullptr},
                             {"link", record.link ? nlohmann::json(*record.link) : nullptr},
                             {"match", !mentions.empty()}};
      if (!mentions.empty()) item.update(MentionJson(mentions[0]));
      if (o.explain) item["explain"] = ExplanationJson(matcher.Explain(doc, 0));
      out.push_back(item);
      continue;
    }
    const std::string& verdict = mentions.empty() ? no : yes;
    std::cout << "  " << verdict << std::string(verdict_width + 1 - DisplayWidth(verdict), ' ')
              << TerminalSafe(record.title.value_or(i18n::Tr("(no title)"))) << "\n";
    if (!mentions.empty()) std::cout << indent << Marked(mentions[0]) << "\n";
    if (o.explain) PrintExplanation(matcher.Explain(doc, 0), o.exclude, indent, std::cout);
  }
  if (o.json) {
    std::cout << DumpJson(out) << "\n";
  } else {
    // TRANSLATORS: the plural follows the number of entries that match ("2 of 5 entries
    // match"); English writes both forms alike.
    std::cout << i18n::Format(
                     i18n::TrN("{matched} of {n} entries match", "{matched} of {n} entries match",
                               static_cast<std::uint64_t>(matched)),
                     {{"matched", std::to_string(matched)},
                      {"n", std::to_string(parsed->entries.size())}})
              << "\n";
  }
  return matched > 0 ? 0 : 1;
}

int Run(const TestRuleOptions& o) {
  for (const auto& [what, query] :
       {std::pair<const char*, const std::string&>{"query", o.query}, {"exclude", o.exclude}}) {
    if (query.empty() && std::string_view(what) == "exclude") continue;
    if (const std::string problem = match::CheckQuery(query); !problem.empty()) {
      ReportQueryError(what, query, problem);
      return 2;
    }
  }
  auto matcher = match::Matcher::Compile(
      {match::RuleSpec{o.rule.empty() ? "test-rule" : o.rule, "", o.query, o.exclude}});
  if (!matcher) {
    std::cerr << "veille test-rule: " << matcher.error().message << "\n";
    return 2;
  }
  if (!o.file.empty()) return RunFile(o, **matcher);
  if (o.text.empty() && o.title.empty()) {
    std::cerr << "veille test-rule: " << i18n::Tr("give --text (and/or --title) or --file") << "\n";
    return 2;
  }
  match::Document doc;
  doc.title = o.title;
  doc.text = o.text;
  doc.author = o.author;
  doc.link = o.link;
  doc.language = o.lang;
  const std::vector<match::Mention> mentions = (*matcher)->Match(doc);
  const bool matched = !mentions.empty();

  if (o.json) {
    nlohmann::json out = {{"match", matched}};
    if (!o.rule.empty()) out["rule"] = o.rule;
    if (o.explain) {
      out["parsed"] = match::DebugString(*match::ParseQuery(o.query));
      out["explain"] = ExplanationJson((*matcher)->Explain(doc, 0));
    }
    if (matched) {
      const match::Mention& m = mentions[0];
      out["terms"] = m.terms;
      out["snippet"] = m.snippet;
      nlohmann::json highlights = nlohmann::json::array();
      for (const match::Highlight& h : m.highlights) highlights.push_back({h.begin, h.end});
      out["highlights"] = highlights;
    }
    std::cout << DumpJson(out) << "\n";
    return matched ? 0 : 1;
  }
  // Labels in the language of the messages, values aligned after the longest.
  const std::string labels[] = {i18n::TrP("test-rule", "rule:"), i18n::TrP("test-rule", "parsed:"),
                                i18n::TrP("test-rule", "match:"), i18n::TrP("test-rule", "terms:"),
                                i18n::TrP("test-rule", "snippet:")};
  std::size_t width = 0;
  for (const auto& l : labels) width = std::max(width, DisplayWidth(l));
  auto label = [&](int i) {
    return labels[i] + std::string(width + 1 - DisplayWidth(labels[i]), ' ');
  };
  if (!o.rule.empty()) std::cout << label(0) << TerminalSafe(o.rule) << "\n";
  if (o.explain) std::cout << label(1) << match::DebugString(*match::ParseQuery(o.query)) << "\n";
  std::cout << label(2) << (matched ? i18n::TrP("answer", "yes") : i18n::TrP("answer", "no"))
            << "\n";
  if (matched) {
    const match::Mention& m = mentions[0];
    std::string terms;
    for (const std::string& t : m.terms) terms += (terms.empty() ? "" : ", ") + t;
    std::cout << label(3) << TerminalSafe(terms) << "\n";
    std::cout << label(4) << Marked(m) << "\n";
  }
  if (o.explain) {
    std::cout << i18n::TrP("test-rule", "why:") << "\n";
    PrintExplanation((*matcher)->Explain(doc, 0), o.exclude, "  ", std::cout);
  }
  return matched ? 0 : 1;
}

}  // namespace

void AddTestRuleCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto o = std::make_shared<TestRuleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "test-rule",
      "Test a query or a configured rule against a text, a feed file or the archive: exit 0 on a "
      "match, 1 on no match, 2 on a query error");
  auto* query = cmd->add_option("query", o->query, "The query (see docs/query-language.md)");
  auto* rule = cmd->add_option(
      "--rule", o->rule, "Test this configured rule (its query and exclude) instead of a query");
  auto* exclude =
      cmd->add_option("--exclude", o->exclude, "Exclude query, as in a rule's `exclude`");
  rule->excludes(query);
  rule->excludes(exclude);
  auto* text = cmd->add_option("--text", o->text, "Entry text (summary + content) to test");
  auto* file = cmd->add_option("--file", o->file, "Test every entry of this feed file instead");
  text->excludes(file);
  file->excludes(text);
  cmd->add_option("--title", o->title, "Entry title");
  cmd->add_option("--author", o->author, "Entry author");
  cmd->add_option("--link", o->link, "Entry link (for link: and site:)");
  cmd->add_option("--lang", o->lang, "Entry language, such as fr or en-US (for lang:)");
  cmd->add_flag("--explain", o->explain,
                "Also say why: the query as parsed, each term's hits (field and byte offsets), "
                "NEAR distances against their limit, the exclude's veto");
  cmd->add_flag("--json", o->json, "Print {match, terms, snippet, highlights} as JSON");
  auto* since =
      cmd->add_option("--since", o->since,
                      "Backtest: replay the query over the entries stored since (30d, 2026-11-01)");
  cmd->add_option("--feed", o->feed, "With --since: only this feed (name or URL)");
  cmd->add_option("--sort", o->sort,
                  "With --since: list the matches by date (default), detected or relevance")
      ->check(CLI::IsMember({"date", "detected", "relevance"}));
  since->excludes(text);
  since->excludes(file);
  cmd->callback([o, &global, exit_code] {
    if (o->query.empty() && o->rule.empty()) {
      std::cerr << "veille test-rule: " << i18n::Tr("give a query or --rule NAME") << "\n";
      *exit_code = 2;
      return;
    }
    std::optional<config::Config> config;
    if (!o->rule.empty() || !o->since.empty()) {
      config = LoadConfigOrReport(global.config_path);
      if (!config) {
        *exit_code = 2;
        return;
      }
    }
    if (!o->rule.empty()) {
      const config::RuleEntry* entry = FindRule(*config, o->rule);
      if (entry == nullptr) {
        *exit_code = 2;
        return;
      }
      o->query = entry->query;
      o->exclude = entry->exclude;
    }
    // check-config's warnings (a lower-case "or" between terms...), on stderr.
    for (const auto& [what, written] :
         {std::pair<const char*, const std::string&>{"query", o->query}, {"exclude", o->exclude}}) {
      for (const match::QueryError& w : match::LintQuery(written)) {
        std::cerr << "veille test-rule: " << i18n::Tr("warning:") << " " << what << ": "
                  << w.ToString() << "\n";
      }
    }
    if (o->since.empty()) {
      *exit_code = Run(*o);
      return;
    }
    *exit_code = RunBacktest(
        *config, {o->query, o->exclude, o->since, o->feed, 10, o->json, o->sort, o->explain},
        std::cout, std::cerr);
  });
}

VEILLE_REGISTER_COMMAND("test-rule", AddTestRuleCommand);

}  // namespace veille::cli
