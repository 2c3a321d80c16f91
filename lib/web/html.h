// Small pieces of HTML shared by the inbox pages, every one escaping what it is given: feed
// text (titles, names, snippets, links) is hostile until EscapeMarkup or SafeHref says otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "archive/snippet.h"
#include "common/time.h"

namespace veille::web {

// Text and quoted attribute values (common/escape.h EscapeMarkup).
std::string Html(std::string_view text);

// The snippet around its first hit (archive::FocusSnippet, `lead` characters before it), every
// piece escaped and each hit in <mark>; offsets out of order or out of range are skipped.
std::string MarkedSnippet(std::string_view snippet, const archive::Marks& highlights,
                          std::size_t lead);

// <a href="link" rel="noopener noreferrer nofollow">text</a> when `link` is an absolute http(s)
// URL (common/escape.h SafeHref), else the text alone. `text_html` is already escaped.
std::string ExternalLink(std::string_view link, const std::string& text_html);

// application/x-www-form-urlencoded for a query string value.
std::string UrlEncode(std::string_view text);

// "2026-11-25 20:33" (UTC), and "2026-11-25" (the date filters' form).
std::string HtmlTime(UnixSeconds t);
std::string DayOf(UnixSeconds t);
// "2026-11-25" to the start of that day (UTC); nullopt for anything else.
std::optional<UnixSeconds> ParseDay(std::string_view day);

// A local address to go back to after a POST: a path starting with one "/" (no scheme, no
// "//host", no backslash, no control character), else "/".
std::string SafeBack(std::string_view back);

}  // namespace veille::web
