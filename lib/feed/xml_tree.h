// Helpers over pugixml's tree: namespace-aware element names, text and markup of an element,
// xml:base. pugixml is not namespace-aware; prefixes are resolved here, bound to any name.
#pragma once

#include <cstdint>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace veille::feed {

// Namespace URIs the parser knows, by the canonical prefix it gives their elements.
namespace ns {
inline constexpr std::string_view kAtom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
}  // namespace ns

// What the extraction asks of every element, resolved in one pass over the document: the
// namespace URI bound to its prefix and where its effective xml:base comes from. Without it each
// lookup walks the ancestors and all their attributes, quadratic on a root with 100,000
// attributes (security review, finding 3). Lookups are O(log n); BaseUrl resolves each xml:base
// once when asked in document order (it keeps the chain of the last element asked).
// Single-threaded: one index per parse.
class DocumentIndex {
 public:
  DocumentIndex(pugi::xml_node root, std::string_view document_base);

  // Whether `element` was indexed (every element under the root given).
  bool Has(pugi::xml_node element) const { return Find(element) != nullptr; }
  // The URI bound to the element's prefix; nullptr when the prefix is undeclared.
  const char* NamespaceUri(pugi::xml_node element) const;
  // The effective base URL of `element` (document base resolved by each enclosing xml:base).
  std::string BaseUrl(pugi::xml_node element) const;

 private:
  struct Row {
    const void* node;
    const char* uri;     // nullptr: undeclared prefix
    std::int32_t owner;  // nearest ancestor-or-self row with a usable xml:base, or -1
  };
  struct Owner {
    const char* base;     // the xml:base value
    std::int32_t parent;  // the owner enclosing this one, or -1
  };
  const Row* Find(pugi::xml_node element) const;

  std::string document_base_;
  std::vector<Row> rows_;  // sorted by node
  std::vector<Owner> owners_;
  mutable std::vector<std::pair<std::int32_t, std::string>>
      chain_;  // resolved owners, outermost first
};

// "prefix:local" with the canonical prefix of the element's namespace: "" for RSS (no
// namespace, RSS 1.0, RSS 0.90, UserLand), "atom", "dc", "dcterms", "content", "xhtml", "media",
// "itunes", "rdf", "sy"; an unknown namespace keeps the document's prefix; an undeclared prefix
// is kept as written.
// With `index`, the namespace comes from it (O(log n)); without, from a walk over the ancestors.
std::string CanonicalName(pugi::xml_node node, const DocumentIndex* index = nullptr);

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
// first. With `index` (built with the same document base), resolved through it.
std::string BaseUrlOf(pugi::xml_node node, std::string_view document_base,
                      const DocumentIndex* index = nullptr);

}  // namespace veille::feed
