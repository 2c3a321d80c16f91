// Helpers over pugixml's tree: namespace-aware element names, text and markup of an element,
// xml:base. pugixml is not namespace-aware; prefixes are resolved here, bound to any name.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace veille::feed {

// Namespace URIs the parser knows, by the canonical prefix it gives their elements.
namespace ns {
inline constexpr std::string_view kAtom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
}  // namespace ns

// "prefix:local" with the canonical prefix of the element's namespace: "" for RSS (no
// namespace, RSS 1.0, RSS 0.90, UserLand), "atom", "dc", "dcterms", "content", "xhtml", "media",
// "itunes", "rdf", "sy"; an unknown namespace keeps the document's prefix; an undeclared prefix
// is kept as written.
std::string CanonicalName(pugi::xml_node node);

// The namespace URI bound to the element's prefix ("" when none is declared).
std::string_view NamespaceOf(pugi::xml_node node);

// The element's name after the prefix.
std::string_view LocalName(pugi::xml_node node);

// Attribute by local name, ignoring any prefix and case ("isPermaLink" == "ispermalink").
pugi::xml_attribute FindAttribute(pugi::xml_node node, std::string_view local_name);

// Concatenated character data (text and CDATA) of the direct children.
std::string DirectText(pugi::xml_node node);

// The element's content as a string: its text when it has only character data, otherwise its
// children serialized as markup ("naked" HTML), iteratively. With `escape_text`, character data
// is escaped (for HTML consumers); without, it is copied as decoded (for plain-text fields).
std::string InnerMarkup(pugi::xml_node node, bool escape_text);

// True when the element has element children.
bool HasElementChildren(pugi::xml_node node);

// The effective base URL of `node`: `document_base` resolved by each enclosing xml:base, outermost
// first.
std::string BaseUrlOf(pugi::xml_node node, std::string_view document_base);

}  // namespace veille::feed
