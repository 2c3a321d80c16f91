#include "alert/mime.h"

#include <cctype>
#include <map>

#include "alert/encoding.h"
#include "alert/event_text.h"
#include "common/escape.h"
#include "common/hash.h"
#include "common/links.h"
#include "common/sanitize.h"
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

std::string Snippet(const store::MentionRow& m) { return OneLine(SanitizeText(m.snippet)); }

// A piece of a snippet as HTML: OneLine trims each piece, so the space between a highlight and
// its neighbours is put back ("la marque <mark>Orélia</mark> lance").
std::string PieceHtml(std::string_view piece) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  const std::string body = EscapeMarkup(OneLine(SanitizeText(piece)));
  if (body.empty()) return piece.empty() ? "" : " ";
  return (space(piece.front()) ? " " : "") + body + (space(piece.back()) ? " " : "");
}

// The snippet as HTML with its highlights in <mark>, escaped piece by piece.
std::string SnippetHtml(const store::MentionRow& m) {
  const std::string_view s = m.snippet;
  std::string out;
  std::size_t at = 0;
  for (const auto& [begin, end] : m.highlights) {
    if (begin < at || end > s.size() || begin >= end) continue;
    out += PieceHtml(s.substr(at, begin - at));
    out += "<mark>" + EscapeMarkup(OneLine(SanitizeText(s.substr(begin, end - begin)))) + "</mark>";
    at = end;
  }
  if (at < s.size()) out += PieceHtml(s.substr(at));
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

// Only http(s) links become anchors (SafeHref, the one safe-link check); anything else is shown
// as text.
std::string LinkHtml(const std::string& link, const std::string& label) {
  const std::string href = SafeHref(link);
  if (href.empty()) return EscapeMarkup(label);
  return "<a href=\"" + href + "\">" + EscapeMarkup(label) + "</a>";
}

constexpr const char* kHtmlHead =
    "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>"
    "<body style=\"font-family: sans-serif\">\n";

std::string HtmlHead(const i18n::Translator& tr) {
  return i18n::Format(kHtmlHead, {{"lang", tr.language()}});
}

std::string Title(const store::MentionRow& m, const i18n::Translator& tr) {
  return SanitizeText(OneLine(m.title.value_or(tr.Tr("(untitled)"))));
}

// The distinct snippets of the alert's mentions (rules often cut the same sentence).
std::vector<const store::MentionRow*> DistinctSnippets(const Alert& a) {
  std::vector<const store::MentionRow*> out;
  for (const store::MentionRow* m : a.Mentions()) {
    bool seen = false;
    for (const auto* o : out) seen = seen || o->snippet == m->snippet;
    if (!seen) out.push_back(m);
  }
  return out;
}

// "marque (brand), crise (crisis)": the categories veille names (brand, competitor) in the
// message's language ("marque (marque)" in French, as the web inbox and the report show them),
// the others as configured.
std::string RulesWithCategories(const Alert& a, const i18n::Translator& tr) {
  std::vector<std::string> parts;
  for (const store::MentionRow* m : a.Mentions()) {
    const std::string category = OneLine(m->category);
    parts.push_back(OneLine(m->rule) + " (" + tr.TrP("rule category", category) + ")");
  }
  return SanitizeText(Join(parts, ", "));
}

// "Published: 24 November 2026, 09:12 UTC" when the feed dated the article; empty otherwise.
std::string PublishedLine(const store::MentionRow& m, const i18n::Translator& tr) {
  if (!m.published_at) return {};
  // TRANSLATORS: in an alert email, when the article was published; {datetime} is "24 November
  // 2026, 09:12" ("24 novembre 2026 à 09:12").
  return i18n::Format(tr.Tr("Published: {datetime} UTC"),
                      {{"datetime", tr.DateTime(*m.published_at)}});
}

// "Entity: Alpéa" ("Entities: Alpéa, Orélia"): who the rules are about, when their `entity` says
// more than their names (as the web inbox shows it); empty otherwise.
std::string EntityLine(const std::vector<std::string>& entities, const i18n::Translator& tr) {
  if (entities.empty()) return {};
  // TRANSLATORS: under the rules of an alert email; {entities} is who the rules are about (their
  // `entity` key): "Alpéa" or "Alpéa, Orélia".
  return i18n::Format(tr.TrN("Entity: {entities}", "Entities: {entities}", entities.size()),
                      {{"entities", SanitizeText(OneLine(Join(entities, ", ")))}});
}

// One article: its title, snippets, the link to open (the canonical one where known) and the
// link as published when it differs, the feed, when it was published, the terms.
std::string AlertText(const Alert& a, const i18n::Translator& tr) {
  const store::MentionRow& m = a.mention;
  const ShownLinks links = ChooseLinks(m.link, a.canonical_link);
  std::string text = Title(m, tr) + "\n";
  for (const auto* s : DistinctSnippets(a)) text += Snippet(*s) + "\n";
  if (links.primary) text += OneLine(*links.primary) + "\n";
  if (links.original) {
    text +=
        i18n::Format(tr.Tr("Original link: {link}"), {{"link", OneLine(*links.original)}}) + "\n";
  }
  text +=
      i18n::Format(tr.Tr("Feed: {feed}"), {{"feed", SanitizeText(OneLine(m.feed_name))}}) + "\n";
  if (const std::string published = PublishedLine(m, tr); !published.empty()) {
    text += published + "\n";
  }
  text += i18n::Format(tr.Tr("Terms: {terms}"),
                       {{"terms", SanitizeText(OneLine(Join(a.Terms(), ", ")))}}) +
          "\n";
  return text;
}

std::string AlertHtml(const Alert& a, const i18n::Translator& tr) {
  const store::MentionRow& m = a.mention;
  const ShownLinks links = ChooseLinks(m.link, a.canonical_link);
  std::string html = "<h3>" + LinkHtml(links.primary.value_or(""), Title(m, tr)) + "</h3>\n";
  for (const auto* s : DistinctSnippets(a)) html += "<p>" + SnippetHtml(*s) + "</p>\n";
  html += "<p style=\"color: #555\">" + EscapeMarkup(SanitizeText(OneLine(m.feed_name)));
  if (const std::string published = PublishedLine(m, tr); !published.empty()) {
    html += " &middot; " + EscapeMarkup(published);
  }
  html += " &middot; " + EscapeMarkup(SanitizeText(OneLine(Join(a.Terms(), ", "))));
  if (links.original) {
    html += " &middot; " + LinkHtml(*links.original, tr.Tr("original link"));
  }
  html += "</p>\n";
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
  out +=
      "Subject: " +
      EncodeHeaderText(ShortenText(SanitizeText(OneLine(message.subject)), kMaxSubjectChars), 9) +
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
  out += QuotedPrintable(SanitizeText(message.text));
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(SanitizeText(message.html));
  out += "--" + boundary + "--\r\n";
  return out;
}

EmailMessage ComposeMentionEmail(const Alert& alert, const std::string& from,
                                 const std::vector<std::string>& to, UnixSeconds now,
                                 const i18n::Translator& tr) {
  const store::MentionRow& m = alert.mention;
  const std::size_t rules = alert.Mentions().size();
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  // TRANSLATORS: the subject of an alert email; {rules} is "marque" or "marque, crise", with
  // who they are about when a rule's entity says more: "marque, crise (Alpéa)".
  msg.subject = i18n::Format(tr.Tr("[veille] {rules}: {title}"),
                             {{"rules", alert.RulesAndEntities()}, {"title", Title(m, tr)}});
  msg.message_id = MessageIdFor(alert.outbox.idempotency_key, from);
  msg.date = now;
  const std::string heading = i18n::Format(tr.TrN("Rule {rules}", "Rules {rules}", rules),
                                           {{"rules", RulesWithCategories(alert, tr)}});
  const std::string entities = EntityLine(alert.NamedEntities(), tr);
  msg.text =
      heading + "\n" + (entities.empty() ? "" : entities + "\n") + "\n" + AlertText(alert, tr);
  msg.html = HtmlHead(tr) + "<p>" + EscapeMarkup(heading) +
             (entities.empty() ? "" : "<br>" + EscapeMarkup(entities)) + "</p>\n" +
             AlertHtml(alert, tr) + "</body></html>\n";
  return msg;
}

EmailMessage ComposeDigestEmail(const std::vector<Alert>& alerts, const std::string& digest_key,
                                const std::string& channel, const std::string& from,
                                const std::vector<std::string>& to, UnixSeconds now,
                                const i18n::Translator& tr) {
  // One entry per article, under the rules that matched it ("marque" or "marque, crise") and
  // who they are about.
  std::map<std::pair<std::string, std::vector<std::string>>, std::vector<const Alert*>> by_rules;
  for (const Alert& a : alerts) by_rules[{a.RuleNames(), a.NamedEntities()}].push_back(&a);
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  msg.subject = i18n::Format(
      tr.TrN("[veille] digest: {n} article", "[veille] digest: {n} articles", alerts.size()),
      {{"n", tr.Integer(static_cast<std::int64_t>(alerts.size()))}});
  msg.message_id = MessageIdFor(digest_key, from);
  msg.date = now;
  const std::string title = i18n::Format(tr.Tr("veille digest for {channel}"),
                                         {{"channel", SanitizeText(OneLine(channel))}});
  msg.text = title + "\n";
  msg.html = HtmlHead(tr) + "<h2>" + EscapeMarkup(title) + "</h2>\n";
  if (alerts.empty()) {
    msg.text += "\n" + tr.Tr("No new mentions.") + "\n";
    msg.html += "<p>" + EscapeMarkup(tr.Tr("No new mentions.")) + "</p>\n";
  }
  for (const auto& [heading, group] : by_rules) {
    const std::string& rules = heading.first;
    const std::string count = tr.Integer(static_cast<std::int64_t>(group.size()));
    msg.text += "\n== " + SanitizeText(OneLine(rules)) + " (" + count + ")\n";
    msg.html += "<h2>" + EscapeMarkup(SanitizeText(OneLine(rules))) + " (" + count + ")</h2>\n";
    if (const std::string entities = EntityLine(heading.second, tr); !entities.empty()) {
      msg.text += entities + "\n";
      msg.html += "<p>" + EscapeMarkup(entities) + "</p>\n";
    }
    for (const Alert* a : group) {
      msg.text += "\n" + AlertText(*a, tr);
      msg.html += AlertHtml(*a, tr);
    }
  }
  msg.html += "</body></html>\n";
  return msg;
}

EmailMessage ComposeEventEmail(const EventMessage& event, const std::string& from,
                               const std::vector<std::string>& to, UnixSeconds now,
                               const i18n::Translator& tr) {
  // Said again in the channel's language from the event's details; as stored when it cannot be.
  const EventWords words =
      DescribeEvent(event.kind, event.payload, tr).value_or(EventWords{event.title, event.text});
  EmailMessage msg;
  msg.from = from;
  msg.to = to;
  msg.subject = words.title;
  msg.message_id = MessageIdFor(event.key, from);
  msg.date = now;
  msg.text = SanitizeText(words.text) + "\n";
  msg.html =
      HtmlHead(tr) + "<p>" + EscapeMarkup(SanitizeText(words.text)) + "</p>\n</body></html>\n";
  return msg;
}

}  // namespace veille::alert
