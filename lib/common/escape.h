// Escaping text for HTML and XML output (email HTML parts, the HTML report, the web inbox, OPML):
// the one module every front end renders feed-provided text through.
#pragma once

#include <string>
#include <string_view>

namespace veille {

// & < > " ' become entities (&#39; for the apostrophe, valid in HTML and XML); C0 control
// characters other than tab and newline, and DEL, are dropped (XML 1.0 forbids them). The
// result is safe as element text and as a quoted attribute value ("..." or '...').
std::string EscapeMarkup(std::string_view text);

// The value of an href attribute for `link`, escaped: the normalised link when it is an
// absolute http(s) URL with a host (common/url.h WebLink), else "" (javascript:, data:,
// vbscript:, relative, unparseable). A caller writes a link only when this is not empty, so
// a feed cannot turn its text into a script link.
std::string SafeHref(std::string_view link);

}  // namespace veille
