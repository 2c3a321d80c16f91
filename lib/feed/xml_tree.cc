#include "feed/xml_tree.h"

#include <algorithm>
#include <array>
#include <unordered_map>
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

std::string CanonicalName(pugi::xml_node node, const DocumentIndex* index) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  std::string_view prefix =
      colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  std::string_view uri;
  bool declared = false;
  if (index != nullptr && index->Has(node)) {
    const char* found = index->NamespaceUri(node);
    declared = found != nullptr;
    if (declared) uri = found;
  } else {
    declared = LookupNamespace(node, prefix, &uri);
  }
  if (!declared) {
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

std::string BaseUrlOf(pugi::xml_node node, std::string_view document_base,
                      const DocumentIndex* index) {
  if (index != nullptr && index->Has(node)) return index->BaseUrl(node);
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

namespace {

// The prefix an xmlns attribute binds ("" for the default namespace); false when the attribute
// declares nothing.
bool DeclaredPrefix(std::string_view name, std::string_view* prefix) {
  if (name.substr(0, 5) != "xmlns") return false;
  if (name.size() == 5) {
    *prefix = std::string_view();
    return true;
  }
  if (name[5] != ':') return false;
  *prefix = name.substr(6);
  return true;
}

constexpr std::size_t kMaxBaseLength = 8192;

bool UsableBase(std::string_view base) { return Trim(base).substr(0, 11) != "javascript:"; }

}  // namespace

DocumentIndex::DocumentIndex(pugi::xml_node root, std::string_view document_base)
    : document_base_(document_base) {
  if (!root || root.type() != pugi::node_element) return;
  // Bindings in scope, by prefix (innermost last), and the owner of each open element.
  std::unordered_map<std::string_view, std::vector<const char*>> scopes;
  std::vector<std::int32_t> owner_stack;
  auto enter = [&](pugi::xml_node n) {
    std::int32_t owner = owner_stack.empty() ? -1 : owner_stack.back();
    bool base_seen = false;
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      std::string_view prefix;
      if (DeclaredPrefix(name, &prefix)) {
        scopes[prefix].push_back(a.value());
      } else if (!base_seen && name == "xml:base") {
        base_seen = true;  // the first one, as pugixml's attribute("xml:base") finds
        if (UsableBase(a.value())) {
          owners_.push_back({a.value(), owner});
          owner = static_cast<std::int32_t>(owners_.size() - 1);
        }
      }
    }
    owner_stack.push_back(owner);
    std::string_view element = n.name();
    std::size_t colon = element.find(':');
    std::string_view prefix =
        colon == std::string_view::npos ? std::string_view() : element.substr(0, colon);
    auto it = scopes.find(prefix);
    const char* uri = it == scopes.end() || it->second.empty() ? nullptr : it->second.back();
    rows_.push_back({n.internal_object(), uri, owner});
  };
  auto leave = [&](pugi::xml_node n) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view prefix;
      if (DeclaredPrefix(a.name(), &prefix)) scopes[prefix].pop_back();
    }
    owner_stack.pop_back();
  };
  // Iterative pre-order walk over the elements: `n` is the open element, `c` its next child.
  pugi::xml_node n = root;
  enter(n);
  pugi::xml_node c = n.first_child();
  for (;;) {
    while (c && c.type() != pugi::node_element) c = c.next_sibling();
    if (c) {
      enter(c);
      n = c;
      c = n.first_child();
      continue;
    }
    leave(n);
    if (n == root) break;
    c = n.next_sibling();
    n = n.parent();
  }
  std::sort(rows_.begin(), rows_.end(),
            [](const Row& a, const Row& b) { return std::less<const void*>()(a.node, b.node); });
}

const DocumentIndex::Row* DocumentIndex::Find(pugi::xml_node element) const {
  const void* key = element.internal_object();
  auto it = std::lower_bound(rows_.begin(), rows_.end(), key, [](const Row& row, const void* k) {
    return std::less<const void*>()(row.node, k);
  });
  return it != rows_.end() && it->node == key ? &*it : nullptr;
}

const char* DocumentIndex::NamespaceUri(pugi::xml_node element) const {
  const Row* row = Find(element);
  return row == nullptr ? nullptr : row->uri;
}

std::string DocumentIndex::BaseUrl(pugi::xml_node element) const {
  const Row* row = Find(element);
  if (row == nullptr || row->owner < 0) return document_base_;
  // The owners of this element, innermost first; the chain kept from the last call is reused
  // up to where the two differ, so asking in document order resolves each xml:base once.
  std::vector<std::int32_t> path;
  for (std::int32_t o = row->owner; o >= 0; o = owners_[static_cast<std::size_t>(o)].parent) {
    path.push_back(o);
  }
  std::size_t keep = 0;
  while (keep < chain_.size() && keep < path.size() &&
         chain_[keep].first == path[path.size() - 1 - keep]) {
    ++keep;
  }
  chain_.resize(keep);
  for (std::size_t k = keep; k < path.size(); ++k) {
    std::int32_t o = path[path.size() - 1 - k];
    const std::string& outer = chain_.empty() ? document_base_ : chain_.back().second;
    std::string resolved = ResolveUrl(outer, Trim(owners_[static_cast<std::size_t>(o)].base));
    // A base that would grow past any real URL is ignored: it bounds the chain's memory.
    if (resolved.size() > kMaxBaseLength) resolved = outer;
    chain_.emplace_back(o, std::move(resolved));
  }
  return chain_.back().second;
}

}  // namespace veille::feed
