// ParseFeed: decode -> repair -> pugixml -> extract -> identity. Each step is its own file.
#include "feed/parse.h"

#include <pugixml.hpp>
#include <string>

#include "feed/charset.h"
#include "feed/extract.h"
#include "feed/format.h"
#include "feed/html_page.h"
#include "feed/identity.h"
#include "feed/json_feed.h"
#include "feed/links.h"
#include "feed/repair.h"
#include "feed/xml_tree.h"

namespace veille::feed {
namespace {

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

// The error for an HTML page where a feed was expected: it names the feed the page declares (or
// links to), and the command that lists them all.
std::string HtmlPageError(std::string_view body, const ParseOptions& options) {
  HtmlPage page = ReadHtmlPage(body, options.content_type, options.base_url);
  std::optional<std::string> self = ResolveRequestUrl("", options.base_url);
  std::string command = "veille discover " + (self ? *self : std::string("URL"));
  const std::vector<FeedLink>& found = page.declared.empty() ? page.anchors : page.declared;
  if (found.empty()) {
    return "not a feed: an HTML page that declares no feed (" + command +
           " tries its links and the usual feed paths)";
  }
  std::string message = std::string("not a feed: an HTML page; it ") +
                        (page.declared.empty() ? "links to " : "declares ") + found[0].url;
  if (found.size() > 1) message += " and " + std::to_string(found.size() - 1) + " more";
  return message + " (" + command + ")";
}

}  // namespace

Result<Feed> ParseFeed(std::string_view body, const ParseOptions& options) {
  if (body.size() > options.max_bytes) {
    return Fail(ErrorCode::kParse, "document too large: " + std::to_string(body.size()) +
                                       " bytes, the limit is " + std::to_string(options.max_bytes));
  }
  if (IsBlank(body)) return Fail(ErrorCode::kParse, "empty body");

  const auto cancelled = [&options] { return options.cancelled && options.cancelled(); };
  const auto cancel_error = [] { return Fail(ErrorCode::kInternal, "parse cancelled"); };
  Feed feed;
  DecodedText decoded = DecodeToUtf8(body, CharsetFromContentType(options.content_type));
  for (auto& w : decoded.warnings) feed.warnings.push_back(std::move(w));
  if (!decoded.suspect.empty()) feed.encoding_suspect = std::move(decoded.suspect);
  if (cancelled()) return cancel_error();

  if (LooksLikeJson(DecodedView(decoded, body), options.content_type)) {
    auto parsed = ParseJsonFeed(DecodedView(decoded, body), options, decoded.encoding == "utf-8",
                                std::move(feed));
    if (parsed) AssignEntryKeys(&*parsed);
    return parsed;
  }

  RepairStats stats;
  std::string xml = RepairXml(DecodedView(decoded, body), &stats, options.max_elements);
  if (stats.over_element_limit) {
    return Fail(ErrorCode::kParse,
                "document has more than " + std::to_string(options.max_elements) + " elements");
  }
  std::string decoded_encoding = decoded.encoding;
  decoded.utf8 = std::string();  // release the decoded copy early: memory stays ~2x the body
  if (cancelled()) return cancel_error();

  pugi::xml_document doc;
  constexpr unsigned kParseFlags =
      pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_ws_pcdata;
  pugi::xml_parse_result parsed =
      doc.load_buffer_inplace(xml.data(), xml.size(), kParseFlags, pugi::encoding_utf8);
  if (!parsed) {
    // The repair produces well-formed XML by construction; this is a last resort.
    feed.recovered = true;
    feed.warnings.push_back(std::string("XML error after repair: ") + parsed.description() +
                            " at offset " + std::to_string(parsed.offset));
  }
  if (cancelled()) return cancel_error();
  Format format = Format::kUnknown;
  pugi::xml_node feed_element =
      FindFeedElement(doc, std::string_view(xml).substr(0, 4096), &format);
  if (!feed_element) {
    if (LooksLikeHtmlPage(body, options.content_type)) {
      return Fail(ErrorCode::kParse, HtmlPageError(body, options));
    }
    pugi::xml_node root = doc.document_element();
    if (!root) return Fail(ErrorCode::kParse, "not a feed: no XML element found");
    return Fail(ErrorCode::kParse, std::string("not a feed: root element <") + root.name() + ">");
  }
  feed.format = format;
  if (stats.too_deep > 0) {
    feed.warnings.push_back(std::to_string(stats.too_deep) + " elements nested deeper than " +
                            std::to_string(kMaxDepth) + " were dropped (their text is kept)");
  }
  if (stats.truncated || stats.tags_closed > 0) {
    feed.recovered = true;
    feed.warnings.push_back(stats.truncated
                                ? "document is truncated or not well-formed; entries after the "
                                  "error were dropped"
                                : "document is not well-formed; " +
                                      std::to_string(stats.tags_closed) + " tags rebalanced");
  }
  if (stats.entities_replaced > 0) {
    feed.warnings.push_back(std::to_string(stats.entities_replaced) +
                            " HTML entity references undefined in XML were decoded");
  }
  if (stats.bare_ampersands > 0 || stats.stray_brackets > 0) {
    feed.warnings.push_back(std::to_string(stats.bare_ampersands + stats.stray_brackets) +
                            " bare '&' or '<' characters were escaped");
  }

  if (cancelled()) return cancel_error();
  ExtractContext context;
  context.format = format;
  context.document_base = options.base_url;
  context.utf8_document = decoded_encoding == "utf-8";
  DocumentIndex index(doc.document_element(), options.base_url);
  context.index = &index;
  ExtractDocument(feed_element, context, options.max_entries, &feed);
  AssignEntryKeys(&feed);
  return feed;
}

}  // namespace veille::feed
