// Who each configured rule is about: the one lookup of a rule's entity, shared by the archive's
// JSON and CSV (veille mentions, export), the web inbox and the alerts (webhook payload, email).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace veille::config {

// Rule name -> its `entity` key, else its name (the share of voice's grouping).
using RuleEntities = std::map<std::string, std::string, std::less<>>;
RuleEntities EntitiesOf(const std::vector<RuleEntry>& rules);

// The entity of the rule named `rule`; nullopt for a rule no longer in the configuration (a
// stored mention or a pending alert may outlive its rule): `null` in JSON, an empty cell in CSV.
std::optional<std::string> EntityOf(const RuleEntities& entities, std::string_view rule);

}  // namespace veille::config
