#include "daemon/commands.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "config/suggest.h"

namespace veille::cli {
namespace {

std::vector<std::pair<const char*, AddCommandFn>>& Registry() {
  static std::vector<std::pair<const char*, AddCommandFn>> registry;
  return registry;
}

}  // namespace

bool RegisterCommand(const char* name, AddCommandFn add) {
  Registry().emplace_back(name, add);
  return true;
}

void AddAllCommands(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto commands = Registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return std::string_view(a.first) < b.first; });
  for (const auto& [name, add] : commands) add(app, global, exit_code);
}

namespace {

const CLI::App* FindSubcommand(const CLI::App& parent, const std::string& name) {
  auto found = parent.get_subcommands([&](const CLI::App* s) { return s->check_name(name); });
  return found.empty() ? nullptr : found.front();
}

std::string Unknown(const CLI::App& parent, const std::string& word, const char* what) {
  std::vector<std::string> names;
  for (const CLI::App* sub : parent.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  const std::string closest = config::ClosestMatch(word, views);
  std::string message = std::string("unknown ") + what + " '" + word + "'";
  if (!closest.empty()) {
    message += " (did you mean '" + closest + "'?)";
  } else {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    message += "; expected one of: " + list;
  }
  return message;
}

}  // namespace

std::string UnknownSubcommand(const CLI::App& app, const std::vector<std::string>& args) {
  std::size_t i = 0;
  // Global options before the subcommand: -c/--config take a value; the others do not.
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return "";
    if (a == "-c" || a == "--config") {
      ++i;
      continue;
    }
    if (a.starts_with("-")) continue;
    break;
  }
  if (i >= args.size()) return "";
  const CLI::App* sub = FindSubcommand(app, args[i]);
  if (sub == nullptr) return Unknown(app, args[i], "subcommand");
  // A command with subcommands and no positional argument of its own (db, opml, outbox): a word
  // right after it must name one of them.
  if (i + 1 >= args.size()) return "";
  const bool has_subcommands = !sub->get_subcommands([](const CLI::App*) { return true; }).empty();
  const bool has_positionals =
      !sub->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
  if (!has_subcommands || has_positionals) return "";
  const std::string& next = args[i + 1];
  if (next.starts_with("-") || FindSubcommand(*sub, next) != nullptr) return "";
  return Unknown(*sub, next, (sub->get_name() + " subcommand").c_str());
}

}  // namespace veille::cli
