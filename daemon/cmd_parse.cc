// veille parse FILE: parses one feed file and prints what the parser saw (the parse contract as
// JSON, or one TSV line per entry). The debugging tool for parser bugs and the interface of the
// conformance suite.
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/time.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "feed/parse.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct ParseArgs {
  std::string file;
  std::string base_url;
  std::string content_type;
  bool json = false;
  std::string format = "json";
  bool warnings = false;
};

nlohmann::ordered_json Optional(const std::optional<std::string>& value) {
  if (value) return *value;
  return nullptr;
}

nlohmann::ordered_json OptionalTime(const std::optional<UnixSeconds>& value) {
  if (value) return FormatIso8601(*value);
  return nullptr;
}

nlohmann::ordered_json ToJson(const feed::Feed& parsed, bool with_details) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const feed::Entry& e : parsed.entries) {
    nlohmann::ordered_json entry = {
        {"id", Optional(e.id)},
        {"title", Optional(e.title)},
        {"link", Optional(e.link)},
        {"published", OptionalTime(e.published)},
        {"updated", OptionalTime(e.updated)},
        {"author", Optional(e.author)},
        {"summary", Optional(e.summary)},
        {"content", Optional(e.content)},
        {"categories", e.categories},
    };
    if (with_details) entry["key"] = e.key;
    entries.push_back(std::move(entry));
  }
  nlohmann::ordered_json out = {
      {"format", std::string(feed::FormatName(parsed.format))},
      {"title", Optional(parsed.title)},
      {"link", Optional(parsed.link)},
      {"entries", std::move(entries)},
  };
  if (with_details) {
    out["recovered"] = parsed.recovered;
    out["warnings"] = parsed.warnings;
    out["language"] = Optional(parsed.language);
    out["ttl_seconds"] = parsed.ttl_seconds ? nlohmann::ordered_json(*parsed.ttl_seconds) : nullptr;
  }
  return out;
}

// TSV cells: tabs and newlines would break the columns.
std::string Cell(const std::optional<std::string>& value) {
  if (!value) return "";
  std::string out = *value;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void PrintTsv(const feed::Feed& parsed) {
  std::cout << "date\ttitle\tlink\tauthor\tid\n";
  for (const feed::Entry& e : parsed.entries) {
    std::optional<std::string> date;
    if (e.published) {
      date = FormatIso8601(*e.published);
    } else if (e.updated) {
      date = FormatIso8601(*e.updated);
    }
    std::cout << Cell(date) << '\t' << Cell(e.title) << '\t' << Cell(e.link) << '\t'
              << Cell(e.author) << '\t' << Cell(e.id) << '\n';
  }
}

int Run(const ParseArgs& args) {
  std::string body;
  if (args.file == "-") {  // stdin: `veille fetch URL --body | veille parse -`
    body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(args.file, std::ios::binary);
    if (!in) {
      std::cerr << "veille: " << i18n::Format(i18n::Tr("cannot read {file}"), {{"file", args.file}})
                << "\n";
      return 1;
    }
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      std::cerr << "veille: " << i18n::Format(i18n::Tr("cannot read {file}"), {{"file", args.file}})
                << "\n";
      return 1;
    }
  }
  feed::ParseOptions options;
  options.base_url = args.base_url;
  options.content_type = args.content_type;
  auto parsed = feed::ParseFeed(body, options);
  if (!parsed) {
    std::cerr << "veille: " << args.file << ": " << parsed.error().message << "\n";
    return 1;
  }
  std::string format = args.json ? "json" : args.format;
  if (format == "tsv") {
    PrintTsv(*parsed);
  } else {
    std::cout << DumpJson(ToJson(*parsed, args.warnings), -1) << "\n";
  }
  return 0;
}

void AddParseCommand(CLI::App& app, GlobalOptions& /*global*/, int* exit_code) {
  auto args = std::make_shared<ParseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Parse a feed file and print what the parser extracted (debugging, conformance)");
  cmd->add_option("FILE", args->file,
                  "Feed file to parse (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1); - reads "
                  "stdin")
      ->required();
  cmd->add_option("--base-url", args->base_url,
                  "URL the feed was fetched from: the base for relative links");
  cmd->add_option("--content-type", args->content_type,
                  "HTTP Content-Type header; its charset= wins over the XML declaration, a JSON "
                  "type reads bytes that do not start with < as JSON");
  cmd->add_flag("--json", args->json, "Print the parse contract as JSON (same as --format json)");
  cmd->add_option("--format", args->format,
                  "Output: json (default, UTF-8) or tsv (a header row, then one line per entry)")
      ->check(CLI::IsMember({"json", "tsv"}));
  cmd->add_flag("--details", args->warnings,
                "Add entry keys, recovered, warnings, language and ttl_seconds to the JSON");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("parse", AddParseCommand);

}  // namespace veille::cli
