// The frame of every server-rendered page of the web inbox, sign-in and the error pages, written
// through the one escaping module (common/escape.h) and the gettext catalogs. Every page links the
// embedded stylesheet and script (no inline style or script: the Content-Security-Policy forbids
// them).
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
  std::string section;  // the navigation entry of the page ("/inbox", "/dashboard"...), if any
};

// A whole page: the header (brand, navigation when signed in, user, sign-out), `body_html`
// (already escaped by its writer) and the footer (version, language switch).
std::string Page(const PageFrame& frame, const std::string& title, const std::string& body_html);

// The page "/" shows when the App has no archive (tests of the security model alone): who is
// signed in and which veille serves it.
std::string HomePage(const PageFrame& frame);

// The hidden field carrying the session's CSRF token, for every POST form.
std::string CsrfField(const PageFrame& frame);

// The sign-in form. `ask_user`: the password file names people (else one shared account).
// `error`: "" or a message shown above the form (already translated, escaped here).
std::string LoginPage(const PageFrame& frame, bool ask_user, const std::string& error);

// A short page for an error status ("Forbidden", "Not found" ...), `message` escaped.
std::string ErrorPage(const PageFrame& frame, const std::string& heading,
                      const std::string& message);

}  // namespace veille::web
