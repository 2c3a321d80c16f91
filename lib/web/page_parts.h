// Small pieces shared by the archive pages (page_dashboard.cc, page_feeds.cc, page_alerts.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "i18n/translator.h"
#include "web/html.h"
#include "web/http_server.h"
#include "web/pages.h"

namespace veille::web::parts {

// "12:03 UTC, 5 December 2026" as the report writes a moment; an em dash when unknown.
inline std::string Moment(std::optional<UnixSeconds> t, const i18n::Translator& tr) {
  if (!t) return "\u2014";
  return i18n::Format(tr.Tr("{datetime} UTC"), {{"datetime", tr.DateTime(*t)}});
}

// A moment in a table cell, short enough not to crowd the row: "8 Dec, 00:23" this year (as
// of `now`), "8 Dec 2025" otherwise, with the full moment as its tooltip. Returns HTML.
inline std::string MomentCell(std::optional<UnixSeconds> t, UnixSeconds now,
                              const i18n::Translator& tr) {
  if (!t) return "\u2014";
  const std::string shown = ToCivil(*t).year == ToCivil(now).year
                                ? i18n::Format(tr.TrP("date and time", "{date}, {time}"),
                                               {{"date", tr.ShortDate(*t)}, {"time", tr.Time(*t)}})
                                : tr.Date(*t);
  return "<time datetime=\"" + FormatIso8601(*t) + "\" title=\"" + Html(Moment(t, tr)) + "\">" +
         Html(shown) + "</time>";
}

// An error page with `status` (a store that failed, a bad form).
inline Response ErrorResponse(const PageFrame& frame, int status, const std::string& heading,
                              const std::string& message) {
  Response r;
  r.status = status;
  r.body = ErrorPage(frame, heading, message);
  return r;
}

// A whole non-negative decimal number from a form or query field ("" or anything else: nullopt).
inline std::optional<std::int64_t> Id(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// A query parameter, or "".
inline const std::string& Query(const Request& request, const std::string& name) {
  static const std::string kEmpty;
  const auto it = request.query.find(name);
  return it == request.query.end() ? kEmpty : it->second;
}

}  // namespace veille::web::parts
