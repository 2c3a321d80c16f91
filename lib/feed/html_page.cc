// Autodiscovery in a page: gumbo builds the HTML5 tree; an iterative walk reads <base>, <title>,
// <link rel="alternate"> and <a href>. gumbo frees its tree recursively (a page of nested <div>s
// would overflow the stack), so its memory comes from a heap of ours that frees every block in a
// loop and gumbo_destroy_output is never called.
#include "feed/html_page.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <unordered_set>

#include "feed/charset.h"
#include "feed/links.h"
#include "feed/text.h"

namespace veille::feed {
namespace {

// Every block gumbo allocates, in one doubly linked list: freed by gumbo one by one while it
// parses, and all at once (iteratively) at the end.
class TrackedHeap {
 public:
  TrackedHeap() = default;
  TrackedHeap(const TrackedHeap&) = delete;
  TrackedHeap& operator=(const TrackedHeap&) = delete;
  ~TrackedHeap() {
    while (head_.next != &head_) {
      Block* b = head_.next;
      Unlink(b);
      std::free(b);
    }
  }

  GumboOptions Options() {
    GumboOptions options = kGumboDefaultOptions;
    options.allocator = &Allocate;
    options.deallocator = &Deallocate;
    options.userdata = this;
    options.max_errors = 0;  // parse errors are not kept
    return options;
  }

 private:
  struct alignas(alignof(std::max_align_t)) Block {
    Block* prev;
    Block* next;
  };

  static void* Allocate(void* userdata, std::size_t size) {
    auto* self = static_cast<TrackedHeap*>(userdata);
    auto* b = static_cast<Block*>(std::malloc(sizeof(Block) + size));
    if (b == nullptr) std::abort();  // gumbo does not check; as with its default malloc
    b->prev = &self->head_;
    b->next = self->head_.next;
    self->head_.next->prev = b;
    self->head_.next = b;
    return b + 1;
  }
  static void Deallocate(void* /*userdata*/, void* ptr) {
    if (ptr == nullptr) return;
    Block* b = static_cast<Block*>(ptr) - 1;
    Unlink(b);
    std::free(b);
  }
  static void Unlink(Block* b) {
    b->prev->next = b->next;
    b->next->prev = b->prev;
  }

  Block head_{&head_, &head_};
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool HasToken(std::string_view list, std::string_view token) {
  std::string lower = Lower(list);
  std::size_t i = 0;
  while (i < lower.size()) {
    while (i < lower.size() && IsSpace(lower[i])) ++i;
    std::size_t start = i;
    while (i < lower.size() && !IsSpace(lower[i])) ++i;
    if (std::string_view(lower).substr(start, i - start) == token) return true;
  }
  return false;
}

const char* Attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a == nullptr ? nullptr : a->value;
}

const GumboVector* ChildrenOf(const GumboNode* node) {
  if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
  if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
    return &node->v.element.children;
  }
  return nullptr;
}

// The text below `node`, at most 256 bytes read from at most 64 nodes (an anchor's label).
std::string TextBelow(const GumboNode* node) {
  std::string text;
  std::vector<const GumboNode*> stack{node};
  std::size_t visited = 0;
  while (!stack.empty() && text.size() < 256 && visited++ < 64) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
      text += n->v.text.text;
      text += ' ';
      continue;
    }
    if (const GumboVector* children = ChildrenOf(n)) {
      for (unsigned i = children->length; i > 0; --i) {
        stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
      }
    }
  }
  if (text.size() > 256) text.resize(256);
  return CollapseText(text).value_or("");
}

std::string TypeOf(const char* type) {
  if (type == nullptr) return "";
  std::string t = Lower(type);
  t = t.substr(0, t.find(';'));
  while (!t.empty() && IsSpace(t.back())) t.pop_back();
  while (!t.empty() && IsSpace(t.front())) t.erase(0, 1);
  return t;
}

// The rank of a declared type among feed types (lower first), or -1 when it is no feed type.
// application/json is last: sites declare their REST API with it (WordPress's wp-json).
int FeedTypeRank(const std::string& type) {
  static constexpr std::array<std::string_view, 7> kTypes = {
      "application/rss+xml", "application/atom+xml", "application/feed+json",
      "application/rdf+xml", "application/xml",      "text/xml",
      "application/json"};
  for (std::size_t i = 0; i < kTypes.size(); ++i) {
    if (type == kTypes[i]) return static_cast<int>(i);
  }
  return -1;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ContainsWord(std::string_view lower_text, std::string_view word) {
  for (std::size_t at = lower_text.find(word); at != std::string_view::npos;
       at = lower_text.find(word, at + 1)) {
    auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    bool left = at == 0 || !is_letter(lower_text[at - 1]);
    std::size_t end = at + word.size();
    bool right = end >= lower_text.size() || !is_letter(lower_text[end]);
    if (left && right) return true;
  }
  return false;
}

// An <a> that points at a feed: by its path (the usual feed names and extensions), by its query
// (?feed=rss2, ?format=rss), or by its label ("Flux RSS", "Atom") with a path that says feed.
bool FeedLookingAnchor(std::string_view url, std::string_view label) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos) return false;
  std::string rest = Lower(url.substr(path_start));
  std::size_t q = rest.find('?');
  std::string path = rest.substr(0, q);
  std::string query = q == std::string::npos ? "" : rest.substr(q + 1);
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  std::string_view last = p.substr(p.rfind('/') + 1);
  static constexpr std::array<std::string_view, 12> kNames = {
      "feed",     "rss",       "atom",      "rss2",      "feed.xml", "rss.xml",
      "atom.xml", "index.xml", "feed.json", "index.rss", "rss.php",  "feed.php"};
  if (std::find(kNames.begin(), kNames.end(), last) != kNames.end()) return true;
  if (EndsWith(last, ".rss") || EndsWith(last, ".atom") || EndsWith(last, ".rdf")) return true;
  for (std::string_view key : {"feed=rss", "feed=atom", "format=rss", "format=atom", "type=rss"}) {
    if (query.find(key) != std::string::npos) return true;
  }
  std::string lower_label = Lower(label);
  if (ContainsWord(lower_label, "rss") || ContainsWord(lower_label, "atom")) {
    return EndsWith(last, ".xml") || path.find("rss") != std::string::npos ||
           path.find("feed") != std::string::npos || path.find("atom") != std::string::npos;
  }
  return false;
}

// Elements that never nest (void) or whose end tag is optional: gumbo closes them itself, so they
// do not count towards the nesting bound below.
bool UncountedTag(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 32> kNames = {
      "area",  "base",  "br",    "col",      "embed",    "hr",  "img",    "input",
      "link",  "meta",  "param", "source",   "track",    "wbr", "keygen", "p",
      "li",    "dt",    "dd",    "option",   "optgroup", "tr",  "td",     "th",
      "tbody", "thead", "tfoot", "colgroup", "rb",       "rt",  "rp",     "rtc"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

// The length of the prefix of `html` whose elements nest at most `max_depth` deep, by a rough
// count of start and end tags. gumbo checks scopes by walking its stack of open elements, so a
// page of 400,000 nested <div>s costs it minutes (quadratic); cutting the page where the nesting
// passes the bound keeps it linear. The count is rough on purpose (a bound, not a parse): it may
// cut a malformed page early, never let a deep one through.
std::size_t BoundedNestingPrefix(std::string_view html, std::size_t max_depth) {
  std::size_t depth = 0;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    std::size_t tag_start = i;
    if (html.substr(i, 4) == "<!--") {
      std::size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    bool end_tag = i + 1 < html.size() && html[i + 1] == '/';
    std::size_t name_start = i + (end_tag ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < html.size() && name_end - name_start < 16 &&
           ((html[name_end] >= 'a' && html[name_end] <= 'z') ||
            (html[name_end] >= 'A' && html[name_end] <= 'Z') ||
            (html[name_end] >= '0' && html[name_end] <= '9'))) {
      ++name_end;
    }
    i = name_start;
    if (name_end == name_start) continue;
    std::string name = Lower(html.substr(name_start, name_end - name_start));
    std::size_t close = html.find('>', name_end);
    if (close == std::string_view::npos) break;
    i = close + 1;
    if (UncountedTag(name)) continue;
    if (end_tag) {
      if (depth > 0) --depth;
      continue;
    }
    if (html[close - 1] == '/') continue;  // <x/>
    if (name == "script" || name == "style" || name == "textarea" || name == "title") {
      std::size_t end = html.find("</", i);  // raw text: its '<' are not tags
      while (end != std::string_view::npos && Lower(html.substr(end + 2, name.size())) != name) {
        end = html.find("</", end + 2);
      }
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (++depth > max_depth) return tag_start;
  }
  return html.size();
}

// Elements nested deeper than this in a page are not read (see BoundedNestingPrefix).
constexpr std::size_t kMaxHtmlDepth = 256;

struct RawLink {
  std::string href;
  std::string type;
  std::string title;
  int rank = 0;
};

struct PageWalk {
  std::optional<std::string> base;
  std::optional<std::string> title;
  std::vector<RawLink> declared;
  std::vector<RawLink> anchors;
};

constexpr std::size_t kMaxRawLinks = 4096;  // links looked at, of each kind

void Visit(const GumboNode* node, PageWalk* walk) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_BASE:
      if (!walk->base) {
        if (const char* href = Attribute(node, "href")) walk->base = href;
      }
      break;
    case GUMBO_TAG_TITLE:
      if (!walk->title) walk->title = TextBelow(node);
      break;
    case GUMBO_TAG_LINK: {
      const char* rel = Attribute(node, "rel");
      const char* href = Attribute(node, "href");
      if (rel == nullptr || href == nullptr || walk->declared.size() >= kMaxRawLinks) break;
      std::string type = TypeOf(Attribute(node, "type"));
      int rank = FeedTypeRank(type);
      bool alternate = HasToken(rel, "alternate") && rank >= 0;
      bool feed_rel = HasToken(rel, "feed");  // HTML5's short-lived rel="feed"
      if (!alternate && !feed_rel) break;
      const char* title = Attribute(node, "title");
      walk->declared.push_back(
          {href, type, CollapseText(title ? title : "").value_or(""), rank < 0 ? 100 : rank});
      break;
    }
    case GUMBO_TAG_A: {
      const char* href = Attribute(node, "href");
      if (href == nullptr || walk->anchors.size() >= kMaxRawLinks) break;
      walk->anchors.push_back({href, "", TextBelow(node), 0});
      break;
    }
    default:
      break;
  }
}

// Iterative pre-order walk over the elements (template contents are skipped).
void WalkTree(const GumboNode* document, PageWalk* walk) {
  const GumboNode* node = document;
  while (node != nullptr) {
    if (node->type == GUMBO_NODE_ELEMENT) Visit(node, walk);
    const GumboVector* children = node->type == GUMBO_NODE_TEMPLATE ? nullptr : ChildrenOf(node);
    if (children != nullptr && children->length > 0) {
      node = static_cast<const GumboNode*>(children->data[0]);
      continue;
    }
    while (node != document) {
      const GumboNode* parent = node->parent;
      const GumboVector* siblings = ChildrenOf(parent);
      std::size_t next = node->index_within_parent + 1;
      if (siblings != nullptr && next < siblings->length) {
        node = static_cast<const GumboNode*>(siblings->data[next]);
        break;
      }
      node = parent;
    }
    if (node == document) break;
  }
}

}  // namespace

std::string_view FeedLinkKindName(FeedLinkKind kind) {
  switch (kind) {
    case FeedLinkKind::kDeclared:
      return "declared";
    case FeedLinkKind::kAnchor:
      return "link";
    case FeedLinkKind::kUsualPath:
      return "guess";
  }
  return "declared";
}

bool LooksLikeHtmlPage(std::string_view body, std::string_view content_type) {
  std::string type = TypeOf(std::string(content_type).c_str());
  if (type == "text/html" || type == "application/xhtml+xml") return true;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  body = body.substr(0, 4096);
  for (;;) {
    while (!body.empty() && IsSpace(body.front())) body.remove_prefix(1);
    if (body.substr(0, 4) != "<!--") break;
    std::size_t end = body.find("-->");
    if (end == std::string_view::npos) return false;
    body.remove_prefix(end + 3);
  }
  std::string head = Lower(body.substr(0, 14));
  return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0;
}

HtmlPage ReadHtmlPage(std::string_view body, std::string_view content_type,
                      std::string_view page_url) {
  DecodedText decoded =
      DecodeToUtf8(body.substr(0, kMaxHtmlPageBytes), CharsetFromContentType(content_type));
  std::string_view text = DecodedView(decoded, body.substr(0, kMaxHtmlPageBytes));
  text = text.substr(0, BoundedNestingPrefix(text, kMaxHtmlDepth));

  PageWalk walk;
  {
    TrackedHeap heap;
    GumboOptions options = heap.Options();
    GumboOutput* output = gumbo_parse_with_options(&options, text.data(), text.size());
    if (output != nullptr) WalkTree(output->document, &walk);
    // No gumbo_destroy_output: the heap frees every block when it goes out of scope.
  }

  HtmlPage page;
  page.title = walk.title;
  if (page.title && page.title->empty()) page.title.reset();
  std::string base(page_url);
  if (walk.base) {
    if (auto resolved = ResolveRequestUrl(page_url, *walk.base)) base = *resolved;
  }
  std::unordered_set<std::string> seen;
  std::stable_sort(walk.declared.begin(), walk.declared.end(),
                   [](const RawLink& a, const RawLink& b) { return a.rank < b.rank; });
  for (const RawLink& raw : walk.declared) {
    if (page.declared.size() >= kMaxFeedLinks) break;
    auto url = ResolveRequestUrl(base, raw.href);
    if (!url || !seen.insert(*url).second) continue;
    page.declared.push_back({*url, FeedLinkKind::kDeclared, raw.type, raw.title});
  }
  if (auto self = ResolveRequestUrl("", page_url)) seen.insert(*self);
  for (const RawLink& raw : walk.anchors) {
    if (page.anchors.size() >= kMaxFeedLinks) break;
    auto url = ResolveRequestUrl(base, raw.href);
    if (!url || !FeedLookingAnchor(*url, raw.title) || !seen.insert(*url).second) continue;
    page.anchors.push_back({*url, FeedLinkKind::kAnchor, "", raw.title});
  }
  return page;
}

std::vector<FeedLink> UsualFeedUrls(std::string_view page_url) {
  std::vector<FeedLink> out;
  for (std::string_view path :
       {"/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/?feed=rss2"}) {
    if (auto url = ResolveRequestUrl(page_url, path)) {
      out.push_back({*url, FeedLinkKind::kUsualPath, "", ""});
    }
  }
  return out;
}

}  // namespace veille::feed
