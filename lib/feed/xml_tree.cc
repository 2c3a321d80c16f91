#include "feed/xml_tree.h"

#include <array>
#include <vector>

#include "feed/links.h"

namespace veille::feed {
namespace {

struct KnownNamespace {
  std::string_view uri;
  std::string_view prefix;
};

constexpr std::array<KnownNamespace, 26> kKnown = {{
    {"", ""},
    {ns::kRss10, ""},
    {ns::kRss090, ""},
    {"http://backend.userland.com/rss", ""},
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {"http://channel.netscape.com/rdf/simple/0.9/", ""},
    {ns::kAtom10, "atom"},
    {ns::kAtom03, "atom"},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/elements/1.0/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://www.itunes.com/DTDs/Podcast-1.0.dtd", "itunes"},
    {"http://example.com/DTDs/PodCast-1.0.dtd", "itunes"},
    {ns::kRdf, "rdf"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://webns.net/mvcb/", "admin"},
    {"http://wellformedweb.org/CommentAPI/", "wfw"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://www.w3.org/XML/1998/namespace", "xml"},
    {"http://www.google.com/schemas/reader/atom/", "gr"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Finds the URI bound to `prefix` ("" = default namespace) on `node` or its ancestors.
bool LookupNamespace(pugi::xml_node node, std::string_view prefix, std::string_view* uri) {
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      if (name.substr(0, 5) != "xmlns") continue;
      std::string_view bound = name.size() == 5 ? std::string_view()
                               : name[5] == ':' ? name.substr(6)
                                                : std::string_view("\x01");
      if (bound == prefix) {
        *uri = a.value();
        return true;
      }
    }
  }
  return false;
}

std::string_view Trim(std::string_view s) {
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

}  // namespace

std::string_view LocalName(pugi::xml_node node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view NamespaceOf(pugi::xml_node node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  std::string_view prefix =
      colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  std::string_view uri;
  if (LookupNamespace(node, prefix, &uri)) return Trim(uri);
  return {};
}

std::string CanonicalName(pugi::xml_node node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  std::string_view prefix =
      colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  std::string_view uri;
  if (!LookupNamespace(node, prefix, &uri)) {
    // Undeclared: the prefix as written (feedparser's tolerant parser does the same).
    return prefix.empty() ? std::string(local) : std::string(prefix) + ":" + std::string(local);
  }
  uri = Trim(uri);
  for (const auto& known : kKnown) {
    if (EqualsIgnoreCase(known.uri, uri)) {
      return known.prefix.empty() ? std::string(local)
                                  : std::string(known.prefix) + ":" + std::string(local);
    }
  }
  if (prefix.empty()) return std::string(local);
  return std::string(prefix) + ":" + std::string(local);
}

pugi::xml_attribute FindAttribute(pugi::xml_node node, std::string_view local_name) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    std::size_t colon = name.find(':');
    if (colon != std::string_view::npos) {
      if (name.substr(0, colon) == "xmlns") continue;
      name = name.substr(colon + 1);
    }
    if (EqualsIgnoreCase(name, local_name)) return a;
  }
  return {};
}

std::string DirectText(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out.append(c.value());
  }
  return out;
}

bool HasElementChildren(pugi::xml_node node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

namespace {

void AppendEscaped(std::string_view text, bool attribute, std::string* out) {
  for (char ch : text) {
    if (ch == '<') {
      out->append("&lt;");
    } else if (ch == '&') {
      out->append("&amp;");
    } else if (ch == '>') {
      out->append("&gt;");
    } else if (attribute && ch == '"') {
      out->append("&quot;");
    } else {
      out->push_back(ch);
    }
  }
}

void AppendStartTag(pugi::xml_node n, std::string* out) {
  out->push_back('<');
  out->append(LocalName(n));
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    if (name.substr(0, 5) == "xmlns") continue;
    out->push_back(' ');
    out->append(name);
    out->append("=\"");
    AppendEscaped(a.value(), true, out);
    out->push_back('"');
  }
  out->push_back('>');
}

}  // namespace

std::string InnerMarkup(pugi::xml_node node, bool escape_text) {
  if (!HasElementChildren(node)) return DirectText(node);
  std::string out;
  // Iterative pre-order walk; an end tag is written when leaving an element.
  pugi::xml_node n = node.first_child();
  while (n && n != node) {
    if (n.type() == pugi::node_element) {
      AppendStartTag(n, &out);
      if (n.first_child()) {
        n = n.first_child();
        continue;
      }
      out.append("</").append(LocalName(n)).append(">");
    } else if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      if (escape_text) {
        AppendEscaped(n.value(), false, &out);
      } else {
        out.append(n.value());
      }
    }
    while (n != node && !n.next_sibling()) {
      n = n.parent();
      if (n != node) out.append("</").append(LocalName(n)).append(">");
    }
    if (n == node) break;
    n = n.next_sibling();
  }
  return out;
}

std::string BaseUrlOf(pugi::xml_node node, std::string_view document_base) {
  std::vector<std::string_view> bases;
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    pugi::xml_attribute a = n.attribute("xml:base");
    if (a) bases.emplace_back(a.value());
  }
  std::string base(document_base);
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) {
    std::string_view b = Trim(*it);
    if (b.substr(0, 11) == "javascript:") continue;  // unsafe bases are ignored
    base = ResolveUrl(base, b);
  }
  return base;
}

}  // namespace veille::feed
