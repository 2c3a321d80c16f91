// The server-rendered pages of the web inbox (for now: sign-in and home), written through the
// one escaping module (common/escape.h) and the gettext catalogs. Every page links the embedded
// stylesheet and script (no inline style or script: the Content-Security-Policy forbids them).
#pragma once

#include <string>

#include "i18n/translator.h"

namespace veille::web {

// What every page shows around its content.
struct PageFrame {
  const i18n::Translator* tr = nullptr;
  std::string user;     // the signed-in user; "" on the sign-in page
  std::string csrf;     // the session's token for the forms of the page
  std::string version;  // veille's version, in the footer
  bool can_log_out = false;
};

// The sign-in form. `ask_user`: the password file names people (else one shared account).
// `error`: "" or a message shown above the form (already translated, escaped here).
std::string LoginPage(const PageFrame& frame, bool ask_user, const std::string& error);

// The home page: who is signed in and which veille serves it. The inbox pages come next.
std::string HomePage(const PageFrame& frame);

// A short page for an error status ("Forbidden", "Not found" ...), `message` escaped.
std::string ErrorPage(const PageFrame& frame, const std::string& heading,
                      const std::string& message);

// The page around `body` (the head with the stylesheet and script, the header, the footer with
// its language switch), for the pages of other files (archive_pages.h).
std::string PageLayout(const PageFrame& frame, const std::string& title, const std::string& body);

// The hidden field carrying the session's CSRF token, for a form of such a page.
std::string CsrfInput(const PageFrame& frame);

}  // namespace veille::web
