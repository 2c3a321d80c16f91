#include "alert/mime.h"

#include <cctype>
#include <map>

#include "alert/encoding.h"
#include "common/hash.h"
#include "common/url.h"

namespace veille::alert {
namespace {

constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string Two(std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// A safe mailbox header value: one line; a non-ASCII display name is RFC 2047 encoded.
std::string MailboxHeader(const std::string& mailbox) {
  const std::string line = OneLine(mailbox);
  const auto lt = line.find('<');
  if (lt == std::string::npos || lt == 0) return line;
  std::string name = OneLine(line.substr(0, lt));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  bool ascii = true;
  for (char c : name) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string shown;
  if (ascii && name.size() <= 60) {
    shown = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') shown += '\\';
      shown += c;
    }
    shown += "\"";
  } else {
    shown = EncodedWords(name, 70);  // non-ASCII or long: encoded-words, folded
  }
  return shown + " " + line.substr(lt);
}

// Subjects longer than this many characters are cut with an ellipsis: a mail client shows
// about 70, and a feed title has no upper bound.
constexpr std::size_t kMaxSubjectChars = 120;

std::string Boundary(const std::string& message_id) {
  return "=_veille_" + Hex64(Fnv1a64(message_id)) + "_=";
}

std::string Snippet(const store::MentionRow& m) { return OneLine(ValidUtf8(m.snippet)); }

// The snippet as HTML with its highlights in <mark>, escaped piece by piece.
std::string SnippetHtml(const store::MentionRow& m) {
  const std::string& s = m.snippet;
  std::string out;
  std::size_t at = 0;
  for (const auto& [begin, end] : m.highlights) {
    if (begin < at || end > s.size() || begin >= end) continue;
    out += HtmlEscape(OneLine(ValidUtf8(s.substr(at, begin - at))));
    out += "<mark>" + HtmlEscape(OneLine(ValidUtf8(s.substr(begin, end - begin)))) + "</mark>";
    at = end;
  }
  if (at < s.size()) out += HtmlEscape(OneLine(ValidUtf8(s.substr(at))));
  return out;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// Only http(s) links become anchors (WebLink, the one safe-link check); anything else is shown
// as text.
std::string LinkHtml(const std::string& link, const std::string& label) {
  const std::optional<std::string> href = WebLink(link);
  if (!href) return HtmlEscape(label);
  return "<a href=\"" + HtmlEscape(*href) + "\">" + HtmlEscape(label) + "</a>";
}

constexpr const char* kHtmlHead =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
    "<body style=\"font-family: sans-serif\">\n";

std::string MentionText(const store::MentionRow& m) {
  std::string text;
  text += ValidUtf8(OneLine(m.title.value_or("(untitled)"))) + "\n";
  text += Snippet(m) + "\n";
  if (m.link) text += OneLine(*m.link) + "\n";
  text += "Feed: " + ValidUtf8(OneLine(m.feed_name)) + "\n";
  text += "Terms: " + ValidUtf8(OneLine(Join(m.terms, ", "))) + "\n";
  return text;
}

std::string MentionHtml(const store::MentionRow& m) {
  const std::string title = ValidUtf8(OneLine(m.title.value_or("(untitled)")));
  std::string html = "<h3>" + LinkHtml(m.link.value_or(""), title) + "</h3>\n";
  html += "<p>" + SnippetHtml(m) + "</p>\n";
  html += "<p style=\"color: #555\">" + HtmlEscape(ValidUtf8(OneLine(m.feed_name))) + " &middot; " +
          HtmlEscape(ValidUtf8(OneLine(Join(m.terms, ", ")))) + "</p>\n";
  return html;
}

}  // namespace

std::string Rfc5322Date(UnixSeconds t) {
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // Civil from days (Howard Hinnant's algorithm).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const std::int64_t wd = ((days % 7) + 7) % 7;
  return std::string(kDays[wd]) + ", " + Two(d) + " " + kMonths[m - 1] + " " + std::to_string(y) +
         " " + Two(secs / 3600) + ":" + Two(secs / 60 % 60) + ":" + Two(secs % 60) + " +0000";
}

std::string AddressOf(const std::string& mailbox) {
  const auto lt = mailbox.rfind('<');
  const auto gt = mailbox.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
    return OneLine(mailbox.substr(lt + 1, gt - lt - 1));
  }
  return OneLine(mailbox);
}

std::string MessageIdFor(const std::string& idempotency_key, const std::string& from) {
  const std::string address = AddressOf(from);
  const auto at = address.rfind('@');
  std::string domain = at == std::string::npos ? "veille.invalid" : address.substr(at + 1);
  std::string safe;
  for (char c : domain) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') safe += c;
  }
  if (safe.empty()) safe = "veille.invalid";
  std::string key;
  for (char c : idempotency_key) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') key += c;
  }
  return key + "@" + safe;
}

std::string RenderEmail(const EmailMessage& message) {
  const std::string boundary = Boundary(message.message_id);
  std::string to;
  for (const auto& addr : message.to) {
    if (!to.empty()) to += ",\r\n ";
    to += MailboxHeader(addr);
  }
  std::string out;
  out += "Date: " + Rfc5322Date(message.date) + "\r\n";
  out += "From: " + MailboxHeader(message.from) + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " +
         EncodeHeaderText(ShortenText(ValidUtf8(OneLine(message.subject)), kMaxSubjectChars), 9) +
         "\r\n";
  out += "Message-ID: <" + OneLine(message.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "X-Mailer: veille\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  out += "\r\n";
  out += "This is a MIME message with a text and an HTML version.\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(ValidUtf8(message.text));
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(ValidUtf8(message.html));
  out += "--" + boundary + "--\r\n";
  return out;
}

EmailMessage ComposeMentionEmail(const Alert& alert, const std::string& from,
                                 const std::vector<std::string>& to, UnixSeconds now) {
  const store::MentionRow& m = alert.mention;
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  msg.subject = "[veille] " + m.rule + ": " + m.title.value_or("(untitled)");
  msg.message_id = MessageIdFor(alert.outbox.idempotency_key, from);
  msg.date = now;
  msg.text = "Rule " + OneLine(m.rule) + " (" + OneLine(m.category) + ")\n\n" + MentionText(m);
  msg.html = std::string(kHtmlHead) + "<p>Rule <b>" + HtmlEscape(OneLine(m.rule)) + "</b> (" +
             HtmlEscape(OneLine(m.category)) + ")</p>\n" + MentionHtml(m) + "</body></html>\n";
  return msg;
}

EmailMessage ComposeDigestEmail(const std::vector<Alert>& alerts, const std::string& digest_key,
                                const std::string& channel, const std::string& from,
                                const std::vector<std::string>& to, UnixSeconds now) {
  std::map<std::string, std::vector<const store::MentionRow*>> by_rule;
  for (const Alert& a : alerts) by_rule[a.mention.rule].push_back(&a.mention);
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  msg.subject = "[veille] digest: " + std::to_string(alerts.size()) +
                (alerts.size() == 1 ? " mention" : " mentions");
  msg.message_id = MessageIdFor(digest_key, from);
  msg.date = now;
  msg.text = "veille digest for " + OneLine(channel) + "\n";
  msg.html = std::string(kHtmlHead) + "<h2>veille digest</h2>\n";
  if (alerts.empty()) {
    msg.text += "\nNo new mentions.\n";
    msg.html += "<p>No new mentions.</p>\n";
  }
  for (const auto& [rule, mentions] : by_rule) {
    msg.text += "\n== " + OneLine(rule) + " (" + std::to_string(mentions.size()) + ")\n";
    msg.html +=
        "<h2>" + HtmlEscape(OneLine(rule)) + " (" + std::to_string(mentions.size()) + ")</h2>\n";
    for (const store::MentionRow* m : mentions) {
      msg.text += "\n" + MentionText(*m);
      msg.html += MentionHtml(*m);
    }
  }
  msg.html += "</body></html>\n";
  return msg;
}

EmailMessage ComposeEventEmail(const EventMessage& event, const std::string& from,
                               const std::vector<std::string>& to, UnixSeconds now) {
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  msg.subject = event.title;
  msg.message_id = MessageIdFor(event.key, from);
  msg.date = now;
  msg.text = ValidUtf8(event.text) + "\n";
  msg.html =
      std::string(kHtmlHead) + "<p>" + HtmlEscape(ValidUtf8(event.text)) + "</p>\n</body></html>\n";
  return msg;
}

}  // namespace veille::alert
