// Field extraction shared by every format: which element feeds which field (see
// docs/feed-parsing.md). RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 share one element table because real
// feeds mix them (atom:link in RSS, dc:creator in Atom), as the reference parser allows.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "feed/feed.h"

namespace veille::feed {

struct ExtractContext {
  Format format = Format::kUnknown;
  std::string_view document_base;  // the fetch URL ("" = none)
  bool IsAtom() const { return format == Format::kAtom03 || format == Format::kAtom10; }
};

// A text construct (title, summary, description, content...) turned into contract text:
// honours type= (text, html, xhtml, MIME types), Atom 0.3 mode= (escaped, xml, base64), and
// guesses HTML for RSS plain-text fields that look like it. `default_type` is the element's
// default ("text/plain", "text/html", "application/xhtml+xml"). nullopt when empty or when
// the type is not textual (an image as content).
std::optional<std::string> TextConstruct(pugi::xml_node element, std::string_view default_type,
                                         const ExtractContext& context);

// The display name in an RSS author string: "jdoe@example.com (John Doe)" -> "John Doe";
// an address alone gives the address.
std::optional<std::string> AuthorFromString(std::string_view text);

// Link fix-up of the reference: "&amp;" -> "&", "&name;" -> "&name" (query strings that were
// taken for entity references).
std::string FixLinkText(std::string text);

// Everything of one <item>/<entry> (links resolved against `base` chain of the element).
Entry ExtractEntry(pugi::xml_node item, const ExtractContext& context);

// The feed-level fields and every entry of the document under `feed_element`.
void ExtractDocument(pugi::xml_node feed_element, const ExtractContext& context,
                     std::size_t max_entries, Feed* feed);

}  // namespace veille::feed
