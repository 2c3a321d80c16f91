#include "web/pages.h"

#include <sstream>

#include "common/escape.h"
#include "web/assets.h"
#include "web/html.h"

namespace veille::web {
namespace {

using i18n::Format;

// One button per language, each a POST (a language choice is a change of state).
std::string LanguageSwitch(const PageFrame& frame) {
  std::ostringstream out;
  out << "<form method=\"post\" action=\"/language\">" << CsrfField(frame);
  const std::pair<const char*, const char*> kChoices[] = {{"en", "English"}, {"fr", "Français"}};
  for (const auto& [code, name] : kChoices) {
    const bool current = frame.tr->language() == code;
    out << " <button class=\"link\" type=\"submit\" name=\"language\" value=\"" << code
        << "\" lang=\"" << code << "\"" << (current ? " aria-current=\"true\" disabled" : "") << ">"
        << name << "</button>";
  }
  out << "</form>";
  return out.str();
}

std::string Frame(const PageFrame& frame, const std::string& title, const std::string& body) {
  const i18n::Translator& tr = *frame.tr;
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"" << Html(tr.language()) << "\"><head>"
       << "<meta charset=\"utf-8\">"
       << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
       << "<meta name=\"referrer\" content=\"no-referrer\">"
       << "<title>" << Html(title) << " \u00b7 veille</title>"
       << "<link rel=\"stylesheet\" href=\"" << Html(Stylesheet().path) << "\">"
       << "<script src=\"" << Html(Script().path) << "\" defer></script>"
       << "</head><body><header class=\"top\"><div class=\"bar\">"
       << "<a class=\"brand\" href=\"/\">veille</a>";
  if (!frame.user.empty()) {
    // Every section of the inbox (docs/web.md, "Pages"), the current one marked.
    const std::pair<const char*, std::string> kSections[] = {{"/inbox", tr.Tr("Inbox")},
                                                             {"/dashboard", tr.Tr("Dashboard")},
                                                             {"/feeds", tr.Tr("Feeds")},
                                                             {"/alerts", tr.Tr("Alerts")},
                                                             {"/tester", tr.Tr("Rule tester")}};
    html << "<nav class=\"sections\" aria-label=\"" << Html(tr.Tr("Sections")) << "\">";
    for (const auto& [path, name] : kSections) {
      html << "<a href=\"" << path << "\""
           << (frame.section == path ? " aria-current=\"page\"" : "") << ">" << Html(name)
           << "</a>";
    }
    html << "</nav>";
  }
  if (!frame.user.empty()) {
    html << "<span class=\"user\" id=\"user\">"
         << Html(Format(tr.Tr("Signed in as {user}"), {{"user", frame.user}})) << "</span>";
  }
  if (frame.can_log_out) {
    html << "<form method=\"post\" action=\"/logout\">" << CsrfField(frame)
         << "<button type=\"submit\" id=\"logout\">" << Html(tr.Tr("Sign out"))
         << "</button></form>";
  }
  html << "</div></header><main>" << body << "</main><footer>"
       << Html(Format(tr.Tr("veille {version} \u00b7 self-hosted brand monitoring"),
                      {{"version", frame.version}}));
  if (!frame.csrf.empty()) html << " \u00b7 " << LanguageSwitch(frame);
  html << "</footer></body></html>\n";
  return html.str();
}

}  // namespace

std::string LoginPage(const PageFrame& frame, bool ask_user, const std::string& error) {
  const i18n::Translator& tr = *frame.tr;
  std::ostringstream body;
  body << "<section class=\"card login\"><h1>" << Html(tr.Tr("Sign in")) << "</h1>";
  if (!error.empty()) body << "<p class=\"error\" id=\"error\">" << Html(error) << "</p>";
  body << "<form method=\"post\" action=\"/login\">" << CsrfField(frame);
  if (ask_user) {
    body << "<label for=\"user\">" << Html(tr.Tr("User name")) << "</label>"
         << "<input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" "
            "autocapitalize=\"none\" spellcheck=\"false\" required>";
  }
  body << "<label for=\"password\">" << Html(tr.Tr("Password")) << "</label>"
       << "<input type=\"password\" id=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required>"
       << "<button type=\"submit\" id=\"sign-in\">" << Html(tr.Tr("Sign in")) << "</button>"
       << "</form></section>";
  return Frame(frame, tr.Tr("Sign in"), body.str());
}

std::string HomePage(const PageFrame& frame) {
  const i18n::Translator& tr = *frame.tr;
  std::ostringstream body;
  body << "<h1>" << Html(tr.Tr("Web inbox")) << "</h1><section class=\"card\">"
       << "<dl class=\"facts\"><dt>" << Html(tr.Tr("Signed in as")) << "</dt><dd id=\"home-user\">"
       << Html(frame.user) << "</dd><dt>" << Html(tr.Tr("Version")) << "</dt><dd id=\"version\">"
       << Html(frame.version) << "</dd></dl></section>";
  return Frame(frame, tr.Tr("Web inbox"), body.str());
}

std::string Page(const PageFrame& frame, const std::string& title, const std::string& body_html) {
  return Frame(frame, title, body_html);
}

std::string CsrfField(const PageFrame& frame) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Html(frame.csrf) + "\">";
}

std::string ErrorPage(const PageFrame& frame, const std::string& heading,
                      const std::string& message) {
  std::string body = "<section class=\"card\"><h1>" + Html(heading) + "</h1><p>" + Html(message) +
                     "</p></section>";
  return Frame(frame, heading, body);
}

}  // namespace veille::web
