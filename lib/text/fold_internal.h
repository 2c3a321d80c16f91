// Folding of single codepoints, shared by the BMP table and the slow path (internal header).
#pragma once

#include <string>

#include "text/normalize.h"

namespace veille::text::internal {

// The folded form of one codepoint (empty for separators and for marks that `fold` strips).
std::string FoldCodepoint(char32_t cp, Fold fold);

}  // namespace veille::text::internal
