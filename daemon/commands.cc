#include "daemon/commands.h"

#include <algorithm>
#include <utility>
#include <vector>

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

}  // namespace veille::cli
