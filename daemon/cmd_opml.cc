// veille opml export: the configured feeds as an OPML 2.0 outline, for other readers.
// veille opml import FILE: the feeds of another reader's OPML as [[feed]] blocks, printed or
// appended to a config file; bad outlines and duplicate URLs are skipped with one warning each.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "common/escape.h"
#include "common/redact.h"
#include "config/opml.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

int Export(const GlobalOptions& global, bool with_secrets) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  std::cout << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            << "<opml version=\"2.0\">\n  <head>\n    <title>veille feeds</title>\n"
            << "    <dateCreated>" << FormatIso8601(Now()) << "</dateCreated>\n  </head>\n"
            << "  <body>\n";
  for (const auto& f : config->feeds) {
    std::cout << "    <outline type=\"rss\" text=\"" << EscapeMarkup(f.name) << "\" title=\""
              << EscapeMarkup(f.name) << "\" xmlUrl=\""
              << EscapeMarkup(with_secrets ? f.url : RedactUrl(f.url)) << "\"";
    if (!f.tags.empty()) {
      std::string tags;
      for (const auto& t : f.tags) tags += (tags.empty() ? "" : ",") + t;
      std::cout << " category=\"" << EscapeMarkup(tags) << "\"";
    }
    std::cout << "/>\n";
  }
  std::cout << "  </body>\n</opml>\n";
  return 0;
}

struct ImportArgs {
  std::string file;
  std::string append;  // a config file to append to, else print
};

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// Why an xmlUrl cannot become a feed, or "".
std::string UrlProblem(const std::string& url) {
  std::string lower = url.substr(0, 8);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!lower.starts_with("http://") && !lower.starts_with("https://")) {
    return i18n::Format(i18n::Tr("xmlUrl must be an http or https URL, not '{url}'"),
                        {{"url", TerminalSafe(url)}});
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return i18n::Format(i18n::Tr("xmlUrl '{url}' contains spaces or control characters"),
                          {{"url", TerminalSafe(url)}});
    }
  }
  return "";
}

// Writes `text` to `path` through a temporary file in the same directory and a rename, keeping
// the file's mode: a crash leaves the old config or the new one, never half of it.
std::string ReplaceFile(const std::string& path, const std::string& text) {
  struct stat st {};
  const bool existed = ::stat(path.c_str(), &st) == 0;
  const std::string tmp = path + ".veille-import.tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return "cannot create " + tmp + ": " + std::strerror(errno);
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
                       std::fflush(f) == 0 && ::fsync(fileno(f)) == 0 &&
                       (!existed || ::fchmod(fileno(f), st.st_mode & 07777) == 0);
  const int saved = errno;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    return "cannot write " + tmp + ": " + std::strerror(written ? errno : saved);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    std::remove(tmp.c_str());
    return "cannot replace " + path + ": " + error;
  }
  return "";
}

int Import(const ImportArgs& args) {
  std::string body;
  if (auto read = ReadFileBytes(args.file, &body); !read.empty()) {
    std::cerr << "veille: " << read << "\n";
    return 1;
  }
  std::set<std::string> known;
  std::string existing;
  if (!args.append.empty()) {
    auto config = config::LoadConfig(args.append);
    if (!config) {
      std::cerr << "veille: --append: " << config.error().message << "\n";
      return 2;
    }
    for (const auto& f : config->feeds) known.insert(f.url);
    if (auto read = ReadFileBytes(args.append, &existing); !read.empty()) {
      std::cerr << "veille: " << read << "\n";
      return 1;
    }
  }
  const config::OpmlDocument doc = config::ReadOpml(body);
  const auto warn = [&](int line, const std::string& what) {
    std::cerr << "veille: " << args.file << ":" << line << ": "
              << i18n::Format(i18n::Tr("skipped: {reason}"), {{"reason", what}}) << "\n";
  };
  for (const auto& p : doc.problems) warn(p.line, p.message);
  std::string blocks;
  int imported = 0;
  int skipped = static_cast<int>(doc.problems.size());
  for (const config::OpmlFeed& f : doc.feeds) {
    if (const std::string problem = UrlProblem(f.url); !problem.empty()) {
      warn(f.line, problem);
      ++skipped;
      continue;
    }
    if (!known.insert(f.url).second) {
      warn(f.line,
           args.append.empty()
               ? i18n::Format(i18n::Tr("duplicate feed {url} (listed earlier in the file)"),
                              {{"url", TerminalSafe(f.url)}})
               : i18n::Format(i18n::Tr("duplicate feed {url} (already in the file or in {config})"),
                              {{"url", TerminalSafe(f.url)}, {"config", args.append}}));
      ++skipped;
      continue;
    }
    std::vector<std::string> tags;
    for (const auto& group : {f.folders, f.categories}) {
      for (std::string t : group) {
        while (t.starts_with("/")) t.erase(0, 1);
        if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
      }
    }
    blocks += "\n[[feed]]\nurl = " + TomlString(f.url) + "\nname = " + TomlString(f.title) + "\n";
    if (!tags.empty()) {
      blocks += "tags = [";
      for (std::size_t i = 0; i < tags.size(); ++i) blocks += (i ? ", " : "") + TomlString(tags[i]);
      blocks += "]\n";
    }
    ++imported;
  }
  if (doc.feeds.empty()) {
    std::cerr << "veille: " << args.file << ": " << i18n::Tr("no <outline> with an xmlUrl") << "\n";
    return 1;
  }
  const std::string header =
      "\n# " +
      i18n::Format(i18n::Tr("Imported from {file} on {date} (veille opml import)"),
                   {{"file", std::filesystem::path(args.file).filename().string()},
                    {"date", FormatIso8601(Now()).substr(0, 10)}}) +
      "\n";
  // TRANSLATORS: outlines of the OPML file left out (each with a warning above).
  const std::string skipped_text =
      i18n::Format(i18n::TrN("{n} skipped", "{n} skipped", static_cast<std::uint64_t>(skipped)),
                   {{"n", std::to_string(skipped)}});
  if (args.append.empty()) {
    if (imported > 0) std::cout << header.substr(1) << blocks;
    std::cerr << "veille: "
              << i18n::Format(i18n::TrN("{n} feed to add", "{n} feeds to add",
                                        static_cast<std::uint64_t>(imported)),
                              {{"n", std::to_string(imported)}})
              << ", " << skipped_text << "\n";
    return 0;
  }
  if (imported == 0) {
    std::cout << i18n::Format(i18n::Tr("Nothing to append to {file} ({skipped})."),
                              {{"file", args.append}, {"skipped", skipped_text}})
              << "\n";
    return 0;
  }
  std::string text = existing;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += header + blocks;
  // The new file must load before it replaces the old one.
  if (auto check = config::ParseConfig(text, args.append); !check) {
    std::cerr << "veille: "
              << i18n::Format(i18n::Tr("the config would not load with these feeds, left "
                                       "unchanged: {error}"),
                              {{"error", check.error().message}})
              << "\n";
    return 1;
  }
  if (const std::string error = ReplaceFile(args.append, text); !error.empty()) {
    std::cerr << "veille: " << error << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::TrN("Appended {n} feed to {file} ({skipped}). Reload veilled to "
                                      "poll it (systemctl reload veille, or kill -HUP).",
                                      "Appended {n} feeds to {file} ({skipped}). Reload veilled to "
                                      "poll them (systemctl reload veille, or kill -HUP).",
                                      static_cast<std::uint64_t>(imported)),
                            {{"n", std::to_string(imported)},
                             {"file", args.append},
                             {"skipped", skipped_text}})
            << "\n";
  return 0;
}

void AddOpmlCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("opml", "OPML: export the configured feeds, import others");
  cmd->require_subcommand(1);
  CLI::App* out = cmd->add_subcommand("export", "Print the configured feeds as OPML 2.0");
  auto with_secrets = std::make_shared<bool>(false);
  out->add_flag("--with-secrets", *with_secrets,
                "Keep URL credentials and token parameters (redacted by default)");
  out->callback([&global, with_secrets, exit_code] { *exit_code = Export(global, *with_secrets); });
  CLI::App* in = cmd->add_subcommand(
      "import", "Print the feeds of an OPML file as [[feed]] blocks, or append them to a config");
  auto args = std::make_shared<ImportArgs>();
  in->add_option("FILE", args->file, "The OPML file (from another feed reader)")->required();
  in->add_option("--append", args->append,
                 "Append the new feeds to this config file (checked before it is replaced)");
  in->callback([args, exit_code] { *exit_code = Import(*args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("opml", AddOpmlCommand);

}  // namespace veille::cli
