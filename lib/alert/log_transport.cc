#include "alert/log_transport.h"

#include <optional>

#include "common/redact.h"

namespace veille::alert {
namespace {

// Quotes a value for a one-line log record: \" \\ and control characters escaped.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string FormatLogLine(const Alert& alert, const store::MentionRow& m) {
  // entity= only while the rule is configured (a pending alert may outlive its rule).
  const std::optional<std::string> entity = alert.EntityOf(m);
  return "mention rule=" + Quote(m.rule) + (entity ? " entity=" + Quote(*entity) : "") +
         " category=" + Quote(m.category) + " feed=" + Quote(m.feed_name) +
         " title=" + Quote(m.title.value_or("")) + " link=" + Quote(RedactUrl(m.link.value_or("")));
}

std::vector<std::string> FormatLogLines(const Alert& alert) {
  std::vector<std::string> lines;
  for (const store::MentionRow* m : alert.Mentions()) lines.push_back(FormatLogLine(alert, *m));
  return lines;
}

Delivery LogTransport::Deliver(const Alert& alert) {
  for (const std::string& line : FormatLogLines(alert)) sink_(line);
  return Delivery{};
}

Delivery LogTransport::DeliverDigest(const Digest& digest) {
  std::size_t mentions = 0;
  for (const Alert& alert : digest.alerts) {
    for (const std::string& line : FormatLogLines(alert)) sink_(line);
    mentions += alert.Mentions().size();
  }
  sink_("digest channel=" + Quote(digest.channel) + " mentions=" + std::to_string(mentions));
  return Delivery{};
}

Delivery LogTransport::DeliverEvent(const EventMessage& event) {
  sink_("event kind=" + Quote(event.kind) + " title=" + Quote(event.title) +
        " text=" + Quote(event.text));
  return Delivery{};
}

}  // namespace veille::alert
