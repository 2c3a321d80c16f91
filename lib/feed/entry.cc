// One <item>/<entry>: an iterative walk over its descendants, each element dispatched by its
// canonical (namespace-resolved, lower-case) name. Rules follow the reference parser: see
// docs/feed-parsing.md, "Which element feeds which field".
#include <algorithm>
#include <string>

#include "feed/dates.h"
#include "feed/extract.h"
#include "feed/links.h"
#include "feed/text.h"
#include "feed/xml_tree.h"

namespace veille::feed {
namespace {

std::string LowerName(pugi::xml_node node, const ExtractContext& context) {
  std::string name = CanonicalName(node, context.index);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Fields deeper than this inside an entry are not looked for (media:group/media:content/... is
// depth 3); it bounds the namespace lookups, which walk up the ancestors.
constexpr int kMaxEntryDepth = 24;

constexpr std::string_view kItunesScheme = "http://www.itunes.com/";
constexpr std::string_view kMediaCategoryScheme = "http://search.yahoo.com/mrss/category_schema";

struct EntryState {
  Entry entry;
  int title_depth = -1;
  int summary_depth = -1;  // a deeper summary-like element never replaces a shallower one
  bool summary_seen = false;
  bool has_content = false;
  bool link_seen = false;
  std::optional<std::string> guid_link;
};

void AddCategory(std::optional<std::string> term, Entry* entry) {
  if (!term) return;
  if (std::find(entry->categories.begin(), entry->categories.end(), *term) ==
      entry->categories.end()) {
    entry->categories.push_back(std::move(*term));
  }
}

std::optional<std::string> PersonName(pugi::xml_node person, const ExtractContext& context) {
  if (HasElementChildren(person)) {
    std::optional<std::string> name;
    std::optional<std::string> email;
    for (pugi::xml_node c = person.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view local = LocalName(c);
      std::string text = DirectText(c);
      FixCharacterData(context, &text);
      if (local == "name" && !name) name = CollapseText(text);
      if (local == "email" && !email) email = CollapseText(text);
    }
    return name ? name : email;
  }
  std::string text = DirectText(person);
  FixCharacterData(context, &text);
  return AuthorFromString(text);
}

// Returns true when the element's subtree was consumed (do not descend).
bool HandleElement(pugi::xml_node el, const std::string& name, int depth,
                   const ExtractContext& context, EntryState* state) {
  Entry& entry = state->entry;
  if (OneOf(name, {"title", "atom:title", "dc:title"})) {
    if (state->title_depth == -1 || depth < state->title_depth) {
      auto value = TextConstruct(el, "text/plain", context);
      if (value) {
        entry.title = std::move(value);
        state->title_depth = depth;
      }
    }
    return true;
  }
  if (name == "media:title") {
    if (state->title_depth == -1 || depth < state->title_depth) {
      if (auto value = TextConstruct(el, "text/plain", context)) entry.title = std::move(value);
    }
    return true;
  }
  if (OneOf(name, {"description", "dc:description", "media:description", "summary", "atom:summary",
                   "itunes:summary"})) {
    if (!state->summary_seen || (state->has_content && depth <= state->summary_depth)) {
      state->summary_depth = depth;
      bool html_default = OneOf(name, {"description", "dc:description", "media:description"});
      entry.summary = TextConstruct(el, html_default ? "text/html" : "text/plain", context);
      state->summary_seen = true;
    } else {
      // A second summary-like element is filed as content by the reference, which then lets
      // a third one replace the summary; it is not real content, so it is dropped.
      state->has_content = true;
    }
    return true;
  }
  if (OneOf(name,
            {"content:encoded", "atom:content", "content", "xhtml:body", "body", "fullitem"})) {
    state->has_content = true;
    if (!entry.content) {
      std::string_view type = name == "content:encoded" || name == "fullitem" ? "text/html"
                              : (name == "xhtml:body" || name == "body") ? "application/xhtml+xml"
                                                                         : "text/plain";
      entry.content = TextConstruct(el, type, context, /*is_content=*/true);
    }
    return true;
  }
  if (OneOf(name, {"link", "atom:link"})) {
    LinkValue link = ReadLink(el, context);
    if (link.counts) {
      entry.link = std::move(link.url);
      state->link_seen = true;
    }
    return true;
  }
  if (OneOf(name, {"guid", "id", "atom:id"})) {
    pugi::xml_attribute permalink = FindAttribute(el, "ispermalink");
    bool guid_is_link = !permalink || std::string_view(permalink.value()) == "true";
    auto value = CollapseText(DirectText(el));
    if (value && guid_is_link)
      value = ResolveUrl(BaseUrlOf(el, context.document_base, context.index), *value);
    entry.id = value;
    if (guid_is_link && !state->link_seen && !context.IsAtom()) state->guid_link = value;
    return true;
  }
  if (OneOf(name, {"pubdate", "published", "atom:published", "issued", "atom:issued",
                   "dcterms:issued"})) {
    entry.published = ParseFeedDate(DirectText(el));
    return true;
  }
  if (OneOf(name, {"updated", "atom:updated", "modified", "atom:modified", "dc:date",
                   "dcterms:modified", "lastbuilddate"})) {
    entry.updated = ParseFeedDate(DirectText(el));
    return true;
  }
  if (OneOf(name, {"author", "atom:author", "dc:creator", "dc:author", "itunes:author"})) {
    if (!entry.author) entry.author = PersonName(el, context);
    return true;
  }
  if (OneOf(name, {"category", "atom:category", "dc:subject", "keywords"})) {
    pugi::xml_attribute scheme = el.attribute("scheme");
    if (!scheme) scheme = el.attribute("domain");
    std::string_view scheme_value = scheme ? scheme.value() : "";
    if (scheme_value == kItunesScheme || scheme_value == kMediaCategoryScheme) return true;
    pugi::xml_attribute term = el.attribute("term");
    std::optional<std::string> value;
    if (term) value = CollapseText(term.value());
    if (!value) {
      std::string text = DirectText(el);
      FixCharacterData(context, &text);
      value = CollapseText(text);
    }
    if (!value && el.attribute("label")) value = CollapseText(el.attribute("label").value());
    AddCategory(std::move(value), &entry);
    return true;
  }
  if (name == "media:keywords") {
    std::string text = DirectText(el);
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t comma = text.find(',', start);
      std::string part =
          text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      AddCategory(CollapseText(part), &entry);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return true;
  }
  if (name == "media:category") {
    pugi::xml_attribute scheme = el.attribute("scheme");
    if (scheme && std::string_view(scheme.value()) != kMediaCategoryScheme) {
      AddCategory(CollapseText(DirectText(el)), &entry);
    }
    return true;
  }
  if (OneOf(name, {"source", "atom:source", "image", "textinput"})) {
    state->title_depth = -1;  // a later title at any depth may replace the current one
    return true;
  }
  if (OneOf(name, {"itunes:category", "itunes:keywords"})) return true;
  if (OneOf(name, {"dc:language", "language"})) {
    if (auto value = CollapseText(DirectText(el))) entry.language = std::move(value);
    return true;
  }
  return false;
}

}  // namespace

Entry ExtractEntry(pugi::xml_node item, const ExtractContext& context) {
  EntryState state;
  if (pugi::xml_attribute about = item.attribute("rdf:about")) {
    state.entry.id = CollapseText(about.value());
  }
  if (pugi::xml_attribute lang = item.attribute("xml:lang")) {
    state.entry.language = CollapseText(lang.value());
  }
  // Iterative pre-order walk over the descendants of `item`.
  int depth = 1;
  pugi::xml_node n = item.first_child();
  while (n && n != item) {
    bool descend = false;
    if (n.type() == pugi::node_element) {
      descend = !HandleElement(n, LowerName(n, context), depth, context, &state);
    }
    if (descend && n.first_child() && depth < kMaxEntryDepth) {
      n = n.first_child();
      ++depth;
      continue;
    }
    while (n != item && !n.next_sibling()) {
      n = n.parent();
      --depth;
    }
    if (n == item) break;
    n = n.next_sibling();
  }
  if (!state.entry.link && !state.link_seen && state.guid_link) state.entry.link = state.guid_link;
  return std::move(state.entry);
}

}  // namespace veille::feed
