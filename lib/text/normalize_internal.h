// For tests only: the byte-at-a-time loop that the SSE2 block loop must agree with.
#pragma once

#include <string_view>

#include "text/normalize.h"

namespace veille::text::internal {

// AppendWords without the block loop (same output, slower).
void AppendWordsScalar(std::string_view source, Normalized* out);

}  // namespace veille::text::internal
