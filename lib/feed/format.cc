#include "feed/format.h"

#include <string>
#include <string_view>

#include "feed/xml_tree.h"

namespace veille::feed {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view TrimView(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool AnyNamespaceContains(pugi::xml_node node, std::string_view needle) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    if (!StartsWith(name, "xmlns")) continue;
    std::string value = a.value();
    for (char& c : value) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (value.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

namespace {

std::string LowerHead(std::string_view text_head) {
  std::string head(text_head.substr(0, 4096));
  for (char& c : head) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return head;
}

// FormatOfElement with the head already lower-cased: FindFeedElement asks it of every element
// of a document that is not a feed at its root, so the head is lowered once, not per element.
Format FormatOfLowered(pugi::xml_node root, std::string_view head) {
  std::string local(LocalName(root));
  for (char& c : local) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (local == "rss") {
    std::string_view version = TrimView(root.attribute("version").value());
    return StartsWith(version, "0.9") ? Format::kRss09x : Format::kRss20;
  }
  if (local == "rdf") {
    if (AnyNamespaceContains(root, "my.netscape.com/rdf/simple/0.9")) return Format::kRss09x;
    if (AnyNamespaceContains(root, "purl.org/rss/1.0")) return Format::kRss10;
    if (head.find("my.netscape.com/rdf/simple/0.9") != std::string::npos) return Format::kRss09x;
    if (head.find("purl.org/rss/1.0") != std::string::npos) return Format::kRss10;
    return Format::kUnknown;
  }
  if (local == "feed" || local == "entry") {
    std::string_view ns = TrimView(NamespaceOf(root));
    std::string lower(ns);
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (lower == "http://www.w3.org/2005/atom") return Format::kAtom10;
    if (StartsWith(lower, "http://purl.org/atom/ns") ||
        StartsWith(root.attribute("version").value(), "0.")) {
      return Format::kAtom03;
    }
    return Format::kAtom10;
  }
  return Format::kUnknown;
}

}  // namespace

Format FormatOfElement(pugi::xml_node root, std::string_view text_head) {
  return FormatOfLowered(root, LowerHead(text_head));
}

pugi::xml_node FindFeedElement(const pugi::xml_document& doc, std::string_view text_head,
                               Format* format) {
  pugi::xml_node root = doc.document_element();
  std::string head = LowerHead(text_head);
  *format = FormatOfLowered(root, head);
  if (*format != Format::kUnknown) return root;
  pugi::xml_node fallback;
  // Iterative pre-order walk for a feed element inside something else.
  for (pugi::xml_node n = root; n;) {
    if (n.type() == pugi::node_element) {
      Format f = FormatOfLowered(n, head);
      if (f != Format::kUnknown) {
        *format = f;
        return n;
      }
      std::string_view local = LocalName(n);
      if (!fallback && (local == "channel" || local == "item")) fallback = n.parent();
    }
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && !n.next_sibling()) n = n.parent();
    if (n) n = n.next_sibling();
  }
  *format = Format::kUnknown;
  return fallback;
}

}  // namespace veille::feed
