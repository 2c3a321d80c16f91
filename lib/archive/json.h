// The JSON of a mention, a search hit and a rule's explanation: the fields documented in
// docs/cli.md, the one schema of `veille mentions/search/test-rule --json` and the web inbox.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "archive/search.h"
#include "common/time.h"
#include "config/config.h"
#include "config/entities.h"
#include "match/explain.h"
#include "store/entry_date.h"
#include "store/store.h"

namespace veille::archive {

// Who each configured rule is about (config/entities.h, the one lookup the alerts use too). A
// mention of a rule no longer in the config has no entity (`null`, an empty cell).
using config::EntitiesOf;
using config::RuleEntities;

nlohmann::json MentionJson(const store::MentionRow& m, const RuleEntities& entities);
nlohmann::json HitJson(const SearchHit& hit);

// {matched, excluded, query: {matched, terms: [...], near: [...]}, exclude: {...} | null}
nlohmann::json ExplanationJson(const match::Explanation& e);

// The date a stored entry is shown, sorted and counted by (store/entry_date.h).
store::EntryDate EntryDateOf(const store::StoredEntry& e);

}  // namespace veille::archive
