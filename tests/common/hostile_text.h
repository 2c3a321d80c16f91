// Feed-provided text that tries to escape its context, shared by every test of an HTML
// output (the report, the web inbox, email HTML parts): each must come out as text, never as
// markup, an attribute break-out or a script link.
#pragma once

#include <string_view>

namespace veille::testing {

// Titles, names and snippets: none may reach the page with a raw '<', '"' or '\''.
inline constexpr std::string_view kHostileTitles[] = {
    "<script>alert(1)</script> Alpéa rappelle",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "</title><script>alert(document.cookie)</script>",
    "<svg/onload=alert(1)>",
    "&lt;b&gt;already escaped&lt;/b&gt; & more",
    "Alpéa\x01\x08\x7f control bytes",
    "<!-- comment --><style>body{display:none}</style>",
};

// Links: none may become an href.
inline constexpr std::string_view kHostileLinks[] = {
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/path",
    "file:///etc/passwd",
};

}  // namespace veille::testing
