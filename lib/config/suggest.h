// "Did you mean": the closest known word to a misspelt key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace veille::config {

// The candidate closest to `word` by edit distance, when the distance is at most a third of the
// word's length (at least 1); "" otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace veille::config
