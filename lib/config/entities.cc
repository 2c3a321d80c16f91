#include "config/entities.h"

namespace veille::config {

RuleEntities EntitiesOf(const std::vector<RuleEntry>& rules) {
  RuleEntities out;
  for (const auto& r : rules) out.emplace(r.name, r.entity.empty() ? r.name : r.entity);
  return out;
}

std::optional<std::string> EntityOf(const RuleEntities& entities, std::string_view rule) {
  const auto found = entities.find(rule);
  if (found == entities.end()) return std::nullopt;
  return found->second;
}

}  // namespace veille::config
