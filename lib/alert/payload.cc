#include "alert/payload.h"

#include <map>

#include "alert/encoding.h"
#include "alert/event_text.h"
#include "common/links.h"
#include "common/redact.h"
#include "common/sanitize.h"
#include "common/url.h"
#include "store/entry_date.h"

namespace veille::alert {
namespace {

using nlohmann::json;

json OptString(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return SanitizeText(*s);
}

json OptTime(const std::optional<UnixSeconds>& t) {
  if (!t) return nullptr;
  return FormatIso8601(*t);
}

json Highlights(const store::MentionRow& m) {
  json highlights = json::array();
  for (const auto& [b, e] : m.highlights) highlights.push_back({b, e});
  return highlights;
}

json Strings(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& i : items) out.push_back(SanitizeText(i));
  return out;
}

// A rule as the payload names it: {name, category, entity}; `entity` (added within version 1) is
// null for a rule no longer in the configuration.
json RuleObject(const Alert& alert, const store::MentionRow& r) {
  return {{"name", SanitizeText(r.rule)},
          {"category", SanitizeText(r.category)},
          {"entity", OptString(alert.EntityOf(r))}};
}

// The article and every rule that matched it (shared by the single event and the digest).
// `rule`, `snippet` and `terms` keep their version-1 meaning (the first rule; every term);
// `rules` lists each rule with its own terms and snippet.
json MentionObject(const Alert& alert) {
  const store::MentionRow& m = alert.mention;
  json rules = json::array();
  for (const store::MentionRow* r : alert.Mentions()) {
    json rule = RuleObject(alert, *r);
    rule["terms"] = Strings(r->terms);
    rule["snippet"] = {{"text", SanitizeText(r->snippet)}, {"highlights", Highlights(*r)}};
    rules.push_back(std::move(rule));
  }
  return {
      {"id", alert.outbox.idempotency_key},
      {"detected_at", FormatIso8601(m.created_at)},
      {"rule", RuleObject(alert, m)},
      {"rules", rules},
      {"entry",
       {{"title", OptString(m.title)},
        {"title_derived", m.title_derived},
        {"link", OptString(m.link)},
        {"canonical_link", OptString(alert.canonical_link)},
        {"published", OptTime(store::FeedDate(m.published_at, m.updated_at))},
        {"date_source",
         store::DateSourceName(store::DateOf(m.published_at, m.updated_at, m.created_at).source)},
        {"author", OptString(m.author)}}},
      {"feed", {{"name", SanitizeText(m.feed_name)}, {"url", RedactUrl(m.feed_url)}}},
      {"snippet", {{"text", SanitizeText(m.snippet)}, {"highlights", Highlights(m)}}},
      {"terms", Strings(alert.Terms())},
  };
}

// Slack mrkdwn: &, < and > are control characters.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : OneLine(SanitizeText(text))) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Discord and Teams markdown: a backslash before every formatting character (CommonMark escapes
// any ASCII punctuation this way); "{" and "}" too, so feed text never forms a Teams {{DATE()}}.
std::string MarkdownEscape(std::string_view text) {
  std::string out;
  for (char c : OneLine(SanitizeText(text))) {
    if (std::string_view("\\*_~`|>#[]()<@:{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string Cut(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// A link as a chat link target: every byte that is not an RFC 3986 unreserved character or one of
// ":/?#@!$&'*+,;=%" becomes %XX. That takes out what closes or splits a link in some format (")"
// and "]" in Markdown, "|" and ">" in Slack's <url|text>), spaces, controls and raw UTF-8, and
// leaves the URL meaning the same thing to the server.
std::string LinkTarget(std::string_view link) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : link) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
        std::string_view("-._~:/?#@!$&'*+,;=%").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// A link when it is an http(s) URL (WebLink, the one safe-link check), made safe as a chat link
// target.
std::optional<std::string> ChatLink(const std::optional<std::string>& link) {
  if (!link) return std::nullopt;
  const std::optional<std::string> href = WebLink(*link);
  if (!href) return std::nullopt;
  return LinkTarget(*href);
}

// Slack: <url|text>; the url has no "|" or ">" left (LinkTarget) and "&" is written "&amp;".
// The link is the canonical one where known (ChooseLinks), the original after it.
std::string SlackLine(const Alert& a, const i18n::Translator& tr) {
  const store::MentionRow& m = a.mention;
  const ShownLinks links = ChooseLinks(m.link, a.canonical_link);
  const std::string title = SlackEscape(m.title.value_or(tr.Tr("(untitled)")));
  const std::optional<std::string> primary = ChatLink(links.primary);
  std::string line = primary ? "<" + SlackEscape(*primary) + "|" + title + ">" : title;
  if (const std::optional<std::string> original = ChatLink(links.original)) {
    line += " (<" + SlackEscape(*original) + "|" + SlackEscape(tr.Tr("original link")) + ">)";
  }
  return line + "\n> " + SlackEscape(Cut(m.snippet, 500));
}

// Discord and Teams: [text](url); the url has no ")", "(", space or "<" left (LinkTarget).
std::string MarkdownLine(const Alert& a, const i18n::Translator& tr) {
  const store::MentionRow& m = a.mention;
  const ShownLinks links = ChooseLinks(m.link, a.canonical_link);
  const std::string title = MarkdownEscape(m.title.value_or(tr.Tr("(untitled)")));
  const std::optional<std::string> primary = ChatLink(links.primary);
  std::string line = primary ? "[" + title + "](" + *primary + ")" : title;
  if (const std::optional<std::string> original = ChatLink(links.original)) {
    line += " ([" + MarkdownEscape(tr.Tr("original link")) + "](" + *original + "))";
  }
  return line + "\n" + MarkdownEscape(Cut(m.snippet, 300));
}

// "*[veille] marque*: <link|title>": the punctuation between them is the language's
// ("[veille] marque : …" in French).
std::string Heading(const i18n::Translator& tr, const std::string& heading,
                    const std::string& alert) {
  // TRANSLATORS: a chat alert: {heading} is "[veille] marque, crise" (in bold), {alert} the
  // article's title, link and snippet.
  return i18n::Format(tr.Tr("{heading}: {alert}"), {{"heading", heading}, {"alert", alert}});
}

json Discord(const std::string& content) {
  // allowed_mentions with no parse types: feed text can never ping @everyone or a role.
  return {{"content", Cut(content, 1900)}, {"allowed_mentions", {{"parse", json::array()}}}};
}

json Teams(const std::string& title, const std::string& text) {
  json card = {
      {"type", "AdaptiveCard"},
      {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
      {"version", "1.4"},
      {"body",
       json::array({{{"type", "TextBlock"}, {"text", title}, {"weight", "Bolder"}, {"wrap", true}},
                    {{"type", "TextBlock"}, {"text", text}, {"wrap", true}}})},
  };
  return {{"type", "message"},
          {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                        {"content", card}}})}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name) {
  if (name == "json") return WebhookFormat::kJson;
  if (name == "slack") return WebhookFormat::kSlack;
  if (name == "discord") return WebhookFormat::kDiscord;
  if (name == "teams") return WebhookFormat::kTeams;
  return std::nullopt;
}

json MentionPayload(const Alert& alert) {
  json j = {{"version", kPayloadVersion}, {"type", "mention.created"}};
  j.update(MentionObject(alert));
  j["channel"] = alert.outbox.channel;
  return j;
}

json DigestPayload(const std::vector<Alert>& alerts, const std::string& digest_key,
                   const std::string& channel, UnixSeconds now) {
  json mentions = json::array();
  for (const Alert& a : alerts) mentions.push_back(MentionObject(a));
  return {{"version", kPayloadVersion},
          {"type", "digest"},
          {"id", digest_key},
          {"channel", channel},
          {"sent_at", FormatIso8601(now)},
          {"mentions", mentions}};
}

std::string WebhookBody(WebhookFormat format, const Alert& alert, const i18n::Translator& tr) {
  const std::string rules = alert.RulesAndEntities();
  switch (format) {
    case WebhookFormat::kJson:
      return Dump(MentionPayload(alert));
    case WebhookFormat::kSlack:
      return Dump(
          {{"text", Heading(tr, "*[veille] " + SlackEscape(rules) + "*", SlackLine(alert, tr))}});
    case WebhookFormat::kDiscord:
      return Dump(Discord(
          Heading(tr, "**[veille] " + MarkdownEscape(rules) + "**", MarkdownLine(alert, tr))));
    case WebhookFormat::kTeams:
      return Dump(Teams("[veille] " + MarkdownEscape(rules), MarkdownLine(alert, tr)));
  }
  return {};
}

std::string DigestBody(WebhookFormat format, const std::vector<Alert>& alerts,
                       const std::string& digest_key, const std::string& channel, UnixSeconds now,
                       const i18n::Translator& tr) {
  if (format == WebhookFormat::kJson) return Dump(DigestPayload(alerts, digest_key, channel, now));
  // Each article once, under the rules that matched it and who they are about.
  std::map<std::string, std::vector<const Alert*>> by_rules;
  for (const Alert& a : alerts) by_rules[a.RulesAndEntities()].push_back(&a);
  const std::string head = i18n::Format(
      tr.TrN("[veille] digest: {n} article", "[veille] digest: {n} articles", alerts.size()),
      {{"n", tr.Integer(static_cast<std::int64_t>(alerts.size()))}});
  std::string slack = "*" + SlackEscape(head) + "*";
  std::string markdown;
  for (const auto& [rules, group] : by_rules) {
    slack += "\n\n*" + SlackEscape(rules) + "*";
    markdown += "\n\n**" + MarkdownEscape(rules) + "**";
    for (const Alert* a : group) {
      slack += "\n" + SlackLine(*a, tr);
      markdown += "\n" + MarkdownLine(*a, tr);
    }
  }
  switch (format) {
    case WebhookFormat::kSlack:
      return Dump({{"text", Cut(slack, 35000)}});
    case WebhookFormat::kDiscord:
      return Dump(Discord("**" + MarkdownEscape(head) + "**" + markdown));
    case WebhookFormat::kTeams:
      return Dump(Teams(MarkdownEscape(head), Cut(markdown, 20000)));
    case WebhookFormat::kJson:
      break;
  }
  return {};
}

std::string EventBody(WebhookFormat format, const EventMessage& event, const i18n::Translator& tr) {
  // Chat formats say the event again in the channel's language from its details; the JSON
  // format keeps the stored English title and text (machine output).
  const EventWords words =
      DescribeEvent(event.kind, event.payload, tr).value_or(EventWords{event.title, event.text});
  switch (format) {
    case WebhookFormat::kJson: {
      json details = json::parse(event.payload, nullptr, false);
      if (details.is_discarded()) details = json::object();
      return Dump({{"version", kPayloadVersion},
                   {"type", event.kind == "spike" ? "spike.detected" : "feed.unhealthy"},
                   {"id", event.key},
                   {"channel", event.channel},
                   {"created_at", FormatIso8601(event.created_at)},
                   {"title", SanitizeText(event.title)},
                   {"text", SanitizeText(event.text)},
                   {"details", details}});
    }
    case WebhookFormat::kSlack:
      return Dump({{"text", "*" + SlackEscape(words.title) + "*\n" + SlackEscape(words.text)}});
    case WebhookFormat::kDiscord:
      return Dump(
          Discord("**" + MarkdownEscape(words.title) + "**\n" + MarkdownEscape(words.text)));
    case WebhookFormat::kTeams:
      return Dump(Teams(MarkdownEscape(words.title), MarkdownEscape(words.text)));
  }
  return {};
}

}  // namespace veille::alert
