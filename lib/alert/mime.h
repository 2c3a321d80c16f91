// Email messages for alerts: RFC 5322 headers and a MIME multipart/alternative body (text and
// HTML, UTF-8, quoted-printable). Pure: the date comes in as an argument.
#pragma once

#include <string>
#include <vector>

#include "alert/transport.h"
#include "common/time.h"
#include "i18n/translator.h"

namespace veille::alert {

struct EmailMessage {
  std::string from;             // "veille <veille@example.org>" or "veille@example.org"
  std::vector<std::string> to;  // addresses as configured
  std::string subject;          // any UTF-8; encoded as RFC 2047 when needed
  std::string message_id;       // without angle brackets: "v1-...@veille.example.org"
  UnixSeconds date = 0;
  std::string text;  // plain-text part (UTF-8)
  std::string html;  // HTML part (UTF-8, already escaped by the composer)
};

// The whole message, CRLF line endings, ready for SMTP DATA. Header values pass through
// OneLine/EncodeHeaderText so no feed text can start a new header; the subject is cut to 120
// characters with an ellipsis; every header line made from text is within 78 characters and
// every body line within 76 (quoted-printable), so no line comes near SMTP's 998.
std::string RenderEmail(const EmailMessage& message);

// "Wed, 25 Nov 2026 20:50:10 +0000" (RFC 5322 section 3.3), always in UTC.
std::string Rfc5322Date(UnixSeconds t);

// The bare address of "Name <addr>" or "addr".
std::string AddressOf(const std::string& mailbox);

// "<key>@<domain of from>", the Message-ID of an alert: the same for every attempt.
std::string MessageIdFor(const std::string& idempotency_key, const std::string& from);

// The composers write in the language of `tr` (English by default). Feed text is never
// translated.

// One message per article: subject "[veille] <rules>: <title>" naming every rule that matched
// ("marque, crise"), the snippets, the terms, the canonical link and the original one.
EmailMessage ComposeMentionEmail(const Alert& alert, const std::string& from,
                                 const std::vector<std::string>& to, UnixSeconds now,
                                 const i18n::Translator& tr = i18n::Translator());

// One message for many articles, each once, grouped by the rules that matched it.
EmailMessage ComposeDigestEmail(const std::vector<Alert>& alerts, const std::string& digest_key,
                                const std::string& channel, const std::string& from,
                                const std::vector<std::string>& to, UnixSeconds now,
                                const i18n::Translator& tr = i18n::Translator());

// An operator event: subject = the event's title, its text, and the same text as HTML.
EmailMessage ComposeEventEmail(const EventMessage& event, const std::string& from,
                               const std::vector<std::string>& to, UnixSeconds now,
                               const i18n::Translator& tr = i18n::Translator());

}  // namespace veille::alert
