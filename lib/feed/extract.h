// Field extraction shared by every format: which element feeds which field (see
// docs/feed-parsing.md). RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 share one element table because real
// feeds mix them (atom:link in RSS, dc:creator in Atom), as the reference parser allows.
#pragma once

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "feed/feed.h"

namespace veille::feed {

class DocumentIndex;

struct ExtractContext {
  Format format = Format::kUnknown;
  std::string_view document_base;  // the fetch URL ("" = none)
  bool utf8_document = true;       // the bytes were UTF-8 (enables the double-encoding repair)
  const DocumentIndex* index = nullptr;  // namespaces and bases resolved once (xml_tree.h)
  bool IsAtom() const { return format == Format::kAtom03 || format == Format::kAtom10; }
};

// The reference's per-field clean-up of character data before any HTML handling: UTF-8 that was
// read as Latin-1 ("CafÃ©") is repaired in UTF-8 documents, and C1 controls U+0080-U+009F
// become their windows-1252 characters.
void FixCharacterData(const ExtractContext& context, std::string* text);

// A text construct (title, summary, description, content...) turned into contract text:
// honours type= (text, html, xhtml, MIME types), Atom 0.3 mode= (escaped, xml, base64), and
// guesses HTML for RSS plain-text fields that look like it. `default_type` is the element's
// default ("text/plain", "text/html", "application/xhtml+xml"). nullopt when empty, or for
// `is_content` when the type is not textual (an image as content); other elements with an odd
// type are read as plain text.
std::optional<std::string> TextConstruct(pugi::xml_node element, std::string_view default_type,
                                         const ExtractContext& context, bool is_content = false);

// The display name in an RSS author string: "jdoe@example.com (John Doe)" -> "John Doe";
// an address alone gives the address.
std::optional<std::string> AuthorFromString(std::string_view text);

// Link fix-up of the reference: "&amp;" -> "&", "&name;" -> "&name" (query strings that were
// taken for entity references).
std::string FixLinkText(std::string text);

// What a <link> or <atom:link> element says about the page link. With an href (or url, uri)
// attribute it counts only as rel="alternate" (the default) with an HTML type (text/html by
// default); without, its text is the link. `url` is resolved against the element's base and
// may be null (an empty <link></link> still counts, and hides a permalink guid).
struct LinkValue {
  bool counts = false;
  std::optional<std::string> url;
};
LinkValue ReadLink(pugi::xml_node element, const ExtractContext& context);

// Everything of one <item>/<entry> (links resolved against `base` chain of the element).
Entry ExtractEntry(pugi::xml_node item, const ExtractContext& context);

// The feed-level fields and every entry of the document under `feed_element`.
void ExtractDocument(pugi::xml_node feed_element, const ExtractContext& context,
                     std::size_t max_entries, Feed* feed);

}  // namespace veille::feed
