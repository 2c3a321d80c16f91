// veille opml export: the configured feeds as an OPML 2.0 outline, for other readers.
#include <iostream>

#include "common/escape.h"
#include "common/redact.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"

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

void AddOpmlCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("opml", "OPML: export the configured feeds");
  cmd->require_subcommand(1);
  CLI::App* out = cmd->add_subcommand("export", "Print the configured feeds as OPML 2.0");
  auto with_secrets = std::make_shared<bool>(false);
  out->add_flag("--with-secrets", *with_secrets,
                "Keep URL credentials and token parameters (redacted by default)");
  out->callback([&global, with_secrets, exit_code] { *exit_code = Export(global, *with_secrets); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("opml", AddOpmlCommand);

}  // namespace veille::cli
