// Liberal recovery: rewrites not-well-formed feed text into well-formed XML before pugixml sees it.
#pragma once

#include <string>
#include <string_view>

namespace veille::feed {

// The name of the marker element the repair appends inside elements still open at the end of a
// truncated document; an entry that contains it is incomplete and dropped.
inline constexpr std::string_view kTruncatedMarker = "veille-truncated";

// Elements nested deeper than this are dropped (their text is kept): no feed needs more, and it
// bounds the repair's stack.
inline constexpr std::size_t kMaxDepth = 512;

struct RepairStats {
  std::size_t entities_replaced = 0;  // HTML named references turned into characters
  std::size_t bare_ampersands = 0;    // '&' that started no reference, escaped
  std::size_t stray_brackets = 0;     // '<' that started no markup, escaped
  std::size_t tags_closed = 0;        // end tags added or dropped to balance the tree
  std::size_t elements = 0;           // start tags written
  std::size_t too_deep = 0;           // start tags dropped past kMaxDepth
  bool over_element_limit = false;    // more than max_elements start tags: output incomplete
  bool truncated = false;             // elements were still open at the end of the text
  bool doctype_dropped = false;
};

// Rewrites UTF-8 feed text into well-formed XML: drops junk before the first '<', the DOCTYPE
// (no DTD entity is ever expanded) and processing instructions; replaces HTML named references
// (the full HTML5 table) with their characters and escapes bare '&' and '<'; quotes attribute
// values; closes or drops end tags so that elements nest; closes what is open at the end.
// Comments and CDATA sections are copied verbatim. One pass, memory O(size + depth).
// After `max_elements` start tags the rest of the document is dropped and
// stats->over_element_limit is set (callers reject such a document).
std::string RepairXml(std::string_view text, RepairStats* stats,
                      std::size_t max_elements = static_cast<std::size_t>(-1));

}  // namespace veille::feed
