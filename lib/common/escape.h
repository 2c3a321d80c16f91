// Escaping text for HTML and XML output (email HTML parts, the HTML report, OPML).
#pragma once

#include <string>
#include <string_view>

namespace veille {

// & < > " ' become entities (&#39; for the apostrophe, valid in HTML and XML); C0 control
// characters other than tab and newline, and DEL, are dropped (XML 1.0 forbids them).
std::string EscapeMarkup(std::string_view text);

}  // namespace veille
