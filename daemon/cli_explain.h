// test-rule --explain: a match::Explanation written for a person, or as the JSON `explain`
// object (docs/cli.md).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "archive/json.h"
#include "match/explain.h"

namespace veille::cli {

// Lines such as
//   query: matched
//     Alpéa: 2 hits: title 0-6 "Alpéa", text 10-15 "ALPEA"
//     NEAR/3: Alpéa … rappel: closest 6 words apart, more than 3
//   exclude (stage OR "offre d'emploi"): matched, the entry is vetoed
// each starting with `indent`. Feed text is made terminal-safe.
void PrintExplanation(const match::Explanation& e, const std::string& exclude,
                      const std::string& indent, std::ostream& out);

// The JSON `explain` object, shared with the web inbox's story page.
using archive::ExplanationJson;

}  // namespace veille::cli
