// The JSON of a mention, a search hit and a rule's explanation: the fields documented in
// docs/cli.md, the one schema of `veille mentions/search/test-rule --json` and the web inbox.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "archive/search.h"
#include "common/time.h"
#include "match/explain.h"
#include "store/entry_date.h"
#include "store/store.h"

namespace veille::archive {

nlohmann::json MentionJson(const store::MentionRow& m);
nlohmann::json HitJson(const SearchHit& hit);

// {matched, excluded, query: {matched, terms: [...], near: [...]}, exclude: {...} | null}
nlohmann::json ExplanationJson(const match::Explanation& e);

// The date a stored entry is shown, sorted and counted by (store/entry_date.h).
store::EntryDate EntryDateOf(const store::StoredEntry& e);

}  // namespace veille::archive
