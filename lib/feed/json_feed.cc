// JSON Feed: nlohmann-json builds the tree through a bounded SAX handler (depth, value count,
// items completed so far), then the fields are read into the entry contract with the text rules
// of text.h. See docs/feed-parsing.md, "JSON Feed".
#include "feed/json_feed.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "feed/dates.h"
#include "feed/extract.h"
#include "feed/links.h"
#include "feed/text.h"

namespace veille::feed {
namespace {

using Json = nlohmann::json;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// nlohmann's own DOM builder, with three additions: values nested deeper than kMaxJsonDepth are
// skipped (not built), the parse stops after `max_values` values, and the values of the
// top-level "items" array are counted as they complete, so that a document cut in the middle of
// an item keeps the items before it. nlohmann's parser is iterative and its tree is freed
// iteratively, so no step recurses on the document's depth.
class BoundedBuilder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  BoundedBuilder(Json* root, std::size_t max_values)
      : dom_(*root, /*allow_exceptions_=*/false), max_values_(max_values) {}

  bool null() {
    return Scalar([&] { return dom_.null(); });
  }
  bool boolean(bool v) {
    return Scalar([&] { return dom_.boolean(v); });
  }
  bool number_integer(number_integer_t v) {
    return Scalar([&] { return dom_.number_integer(v); });
  }
  bool number_unsigned(number_unsigned_t v) {
    return Scalar([&] { return dom_.number_unsigned(v); });
  }
  bool number_float(number_float_t v, const string_t& s) {
    return Scalar([&] { return dom_.number_float(v, s); });
  }
  bool string(string_t& v) {
    return Scalar([&] { return dom_.string(v); });
  }
  bool binary(binary_t& v) {
    return Scalar([&] { return dom_.binary(v); });
  }

  bool start_object(std::size_t n) {
    if (!Open()) return !over_limit_;
    return dom_.start_object(n);
  }
  bool end_object() {
    if (Close()) return true;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (!Open()) return !over_limit_;
    if (depth_ == 2 && root_key_is_items_) {
      in_items_ = true;
      complete_items_ = 0;
    }
    return dom_.start_array(n);
  }
  bool end_array() {
    if (Close()) return true;
    if (depth_ == 1 && in_items_) in_items_ = false;  // Close() already left the array
    return dom_.end_array();
  }
  bool key(string_t& k) {
    if (skip_depth_ != 0) return true;
    if (depth_ == 1) root_key_is_items_ = k == "items";
    return dom_.key(k);
  }
  bool parse_error(std::size_t position, const std::string& last_token, const Json::exception& ex) {
    error_position_ = position;
    error_ = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ...;
    // last read: '<the token>'": the prefix is noise and the token is the document's own text
    // (hostile, and as long as a string can be), so neither reaches a log line.
    if (std::size_t cut = error_.find("] "); cut != std::string::npos) error_.erase(0, cut + 2);
    if (std::size_t cut = error_.find("; last read:"); cut != std::string::npos) error_.resize(cut);
    if (error_.size() > 200) error_.resize(200);
    if (error_.empty()) error_ = "syntax error";
    return dom_.parse_error(position, last_token, ex);
  }

  bool over_limit() const { return over_limit_; }
  std::size_t dropped_deep() const { return dropped_deep_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t error_position() const { return error_position_; }
  // Values of the top-level "items" array read completely (valid only after a failure).
  std::size_t complete_items() const { return complete_items_; }
  bool items_open() const { return in_items_; }

 private:
  bool Count() {
    if (++values_ > max_values_) {
      over_limit_ = true;
      return false;
    }
    return true;
  }
  template <typename Fn>
  bool Scalar(Fn forward) {
    if (!Count()) return false;
    if (skip_depth_ != 0) return true;
    if (in_items_ && depth_ == 2) ++complete_items_;
    return forward();
  }
  // A container starts. False when it is not to be built (too deep, or over the value limit).
  bool Open() {
    if (!Count()) return false;
    ++depth_;
    if (skip_depth_ == 0 && depth_ > kMaxJsonDepth) {
      skip_depth_ = depth_;
      ++dropped_deep_;
    }
    return skip_depth_ == 0;
  }
  // A container ends. True when it was skipped (nothing to forward).
  bool Close() {
    bool skipped = skip_depth_ != 0;
    if (skipped && depth_ == skip_depth_) skip_depth_ = 0;
    if (!skipped && in_items_ && depth_ == 3) ++complete_items_;
    --depth_;
    return skipped;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const std::size_t max_values_;
  std::size_t values_ = 0;
  std::size_t depth_ = 0;
  std::size_t skip_depth_ = 0;  // depth of the container being skipped, 0 = none
  std::size_t dropped_deep_ = 0;
  bool over_limit_ = false;
  bool root_key_is_items_ = false;
  bool in_items_ = false;
  std::size_t complete_items_ = 0;
  std::string error_;
  std::size_t error_position_ = 0;
};

const Json* Member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> StringMember(const Json& object, const char* key) {
  const Json* value = Member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

// Reads fields with the text rules of the parse contract.
class FieldReader {
 public:
  FieldReader(const ParseOptions& options, bool utf8_document) {
    context_.document_base = options.base_url;
    context_.utf8_document = utf8_document;
  }

  // A plain-text field (title, summary, tags, names): JSON Feed says plain text, but as for RSS
  // titles, text that looks like HTML (a close tag or an entity reference, only common tags and
  // known entities) is read as HTML.
  std::optional<std::string> Plain(std::optional<std::string> text) const {
    if (!text) return std::nullopt;
    FixCharacterData(context_, &*text);
    if (LooksLikeHtml(*text)) return HtmlToCollapsedText(*text);
    return CollapseText(*text);
  }
  std::optional<std::string> Html(std::optional<std::string> text) const {
    if (!text) return std::nullopt;
    FixCharacterData(context_, &*text);
    return HtmlToCollapsedText(*text);
  }
  // A URL, resolved against the document's URL.
  std::optional<std::string> Url(const std::optional<std::string>& text) const {
    if (!text) return std::nullopt;
    auto collapsed = CollapseText(*text);
    if (!collapsed) return std::nullopt;
    return CollapseText(ResolveUrl(context_.document_base, *collapsed));
  }
  std::optional<std::string> Person(const Json& person) const {
    if (person.is_string()) return Plain(person.get<std::string>());  // seen in the wild
    if (!person.is_object()) return std::nullopt;
    return Plain(StringMember(person, "name"));
  }
  // 1.1's "authors" (the first with a name), else 1.0's "author".
  std::optional<std::string> Author(const Json& object) const {
    if (const Json* authors = Member(object, "authors"); authors && authors->is_array()) {
      for (const Json& a : *authors) {
        if (auto name = Person(a)) return name;
      }
    }
    if (const Json* author = Member(object, "author")) return Person(*author);
    return std::nullopt;
  }

 private:
  ExtractContext context_;
};

// "id" is a string; a number (or another scalar) is coerced to its text, as the spec asks.
std::optional<std::string> IdOf(const Json& item) {
  const Json* id = Member(item, "id");
  if (id == nullptr) return std::nullopt;
  if (id->is_string()) return CollapseText(id->get<std::string>());
  if (id->is_number()) return id->dump();
  return std::nullopt;
}

Entry ReadItem(const Json& item, const FieldReader& read,
               const std::optional<std::string>& feed_author) {
  Entry e;
  e.id = IdOf(item);
  e.title = read.Plain(StringMember(item, "title"));
  e.link = read.Url(StringMember(item, "url"));
  if (!e.link) e.link = read.Url(StringMember(item, "external_url"));
  if (auto date = StringMember(item, "date_published")) e.published = ParseFeedDate(*date);
  if (auto date = StringMember(item, "date_modified")) e.updated = ParseFeedDate(*date);
  e.author = read.Author(item);
  if (!e.author) e.author = feed_author;  // 1.1: the feed's authors are the items' by default
  e.summary = read.Plain(StringMember(item, "summary"));
  e.content = read.Html(StringMember(item, "content_html"));
  if (!e.content) e.content = read.Plain(StringMember(item, "content_text"));
  if (const Json* tags = Member(item, "tags"); tags && tags->is_array()) {
    for (const Json& tag : *tags) {
      if (!tag.is_string()) continue;
      auto value = read.Plain(tag.get<std::string>());
      if (value &&
          std::find(e.categories.begin(), e.categories.end(), *value) == e.categories.end()) {
        e.categories.push_back(std::move(*value));
      }
    }
  }
  e.language = CollapseText(StringMember(item, "language").value_or(""));
  return e;
}

std::string_view KindOf(const Json& value) {
  if (value.is_array()) return "a JSON array";
  if (value.is_string()) return "a JSON string";
  if (value.is_number()) return "a JSON number";
  if (value.is_boolean()) return "a JSON boolean";
  return "JSON null";
}

// The format named by "version": 1 -> json10, 1.x -> json11; nullopt when it names no JSON Feed.
std::optional<Format> FormatOfVersion(const std::optional<std::string>& version) {
  if (!version) return std::nullopt;
  auto collapsed = CollapseText(*version);
  if (!collapsed) return std::nullopt;
  std::string v = Lower(*collapsed);
  for (std::string_view prefix :
       {"https://jsonfeed.org/version/", "http://jsonfeed.org/version/",
        "https://www.jsonfeed.org/version/", "http://www.jsonfeed.org/version/"}) {
    if (v.rfind(prefix, 0) != 0) continue;
    std::string number = v.substr(prefix.size());
    while (!number.empty() && number.back() == '/') number.pop_back();
    if (number == "1" || number == "1.0") return Format::kJson10;
    return Format::kJson11;  // 1.1 and any later minor version: read the same way
  }
  return std::nullopt;
}

}  // namespace

bool LooksLikeJson(std::string_view body, std::string_view content_type) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  std::size_t i = 0;
  while (i < body.size() && IsSpace(body[i])) ++i;
  if (i < body.size()) {
    if (body[i] == '{' || body[i] == '[') return true;
    if (body[i] == '<') return false;
  }
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && IsSpace(type.back())) type.pop_back();
  while (!type.empty() && IsSpace(type.front())) type.erase(0, 1);
  return type == "application/json" || type == "text/json" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

Result<Feed> ParseJsonFeed(std::string_view utf8, const ParseOptions& options, bool utf8_document,
                           Feed feed) {
  try {
    Json root;
    BoundedBuilder builder(&root, options.max_elements);
    Json::sax_parse(utf8.begin(), utf8.end(), &builder, nlohmann::detail::input_format_t::json,
                    /*strict=*/true, /*ignore_comments=*/false);
    if (builder.over_limit()) {
      return Fail(ErrorCode::kParse, "document has more than " +
                                         std::to_string(options.max_elements) + " JSON values");
    }
    if (!root.is_object()) {
      if (builder.failed()) {
        return Fail(ErrorCode::kParse, "not a feed: invalid JSON at byte " +
                                           std::to_string(builder.error_position()) + ": " +
                                           builder.error());
      }
      return Fail(ErrorCode::kParse,
                  "not a feed: " + std::string(KindOf(root)) + ", not a JSON Feed object");
    }
    std::optional<Format> format = FormatOfVersion(StringMember(root, "version"));
    const Json* items = Member(root, "items");
    if (!format && (items == nullptr || !items->is_array())) {
      if (builder.failed()) {
        return Fail(ErrorCode::kParse, "not a feed: invalid JSON at byte " +
                                           std::to_string(builder.error_position()) + ": " +
                                           builder.error());
      }
      return Fail(ErrorCode::kParse,
                  "not a feed: a JSON object without a JSON Feed \"version\" or \"items\"");
    }
    feed.format = format.value_or(Format::kUnknown);
    if (!format) {
      feed.warnings.push_back("no JSON Feed \"version\"; read as a JSON Feed for its \"items\"");
    }
    if (builder.failed()) {
      feed.recovered = true;
      feed.warnings.push_back("document is truncated or not well-formed JSON (byte " +
                              std::to_string(builder.error_position()) + ": " + builder.error() +
                              "); entries after the error were dropped");
    }
    if (builder.dropped_deep() > 0) {
      feed.warnings.push_back(std::to_string(builder.dropped_deep()) +
                              " JSON values nested deeper than " + std::to_string(kMaxJsonDepth) +
                              " were dropped");
    }

    FieldReader read(options, utf8_document);
    feed.title = read.Plain(StringMember(root, "title"));
    feed.link = read.Url(StringMember(root, "home_page_url"));
    feed.language = CollapseText(StringMember(root, "language").value_or(""));
    if (const Json* expired = Member(root, "expired");
        expired && expired->is_boolean() && expired->get<bool>()) {
      feed.warnings.push_back("the feed says it has expired (\"expired\": true)");
    }
    const std::optional<std::string> feed_author = read.Author(root);

    if (items != nullptr && items->is_array()) {
      std::size_t usable = items->size();
      // A broken document: only the items read completely before the error count.
      if (builder.failed() && builder.items_open()) {
        usable = std::min(usable, builder.complete_items());
      }
      std::size_t not_objects = 0;
      std::size_t dropped_limit = 0;
      for (std::size_t i = 0; i < usable; ++i) {
        const Json& item = (*items)[i];
        if (!item.is_object()) {
          ++not_objects;
        } else if (feed.entries.size() >= options.max_entries) {
          ++dropped_limit;
        } else {
          feed.entries.push_back(ReadItem(item, read, feed_author));
        }
      }
      if (not_objects > 0) {
        feed.warnings.push_back(std::to_string(not_objects) +
                                " items that are not JSON objects were ignored");
      }
      if (dropped_limit > 0) {
        feed.warnings.push_back(std::to_string(dropped_limit) + " entries beyond the limit of " +
                                std::to_string(options.max_entries) + " dropped");
      }
    }
    for (Entry& e : feed.entries) {
      if (!e.language) e.language = feed.language;
    }
    return feed;
  } catch (const std::exception& e) {
    // nlohmann reports errors through the handler; this is a last resort (allocation failure).
    return Fail(ErrorCode::kParse, std::string("JSON Feed: ") + e.what());
  }
}

}  // namespace veille::feed
