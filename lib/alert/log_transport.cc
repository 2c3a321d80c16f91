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

std::string FormatLogLine(const Alert& alert) {
  const auto& m = alert.mention;
  // entity= only while the rule is configured (a pending alert may outlive its rule).
  const std::optional<std::string> entity = alert.EntityOf(m);
  return "mention rule=" + Quote(m.rule) + (entity ? " entity=" + Quote(*entity) : "") +
         " category=" + Quote(m.category) + " feed=" + Quote(m.feed_name) +
         " title=" + Quote(m.title.value_or("")) + " link=" + Quote(RedactUrl(m.link.value_or("")));
}

Delivery LogTransport::Deliver(const Alert& alert) {
  sink_(FormatLogLine(alert));
  return Delivery{};
}

Delivery LogTransport::DeliverDigest(const Digest& digest) {
  for (const Alert& alert : digest.alerts) sink_(FormatLogLine(alert));
  sink_("digest channel=" + Quote(digest.channel) +
        " mentions=" + std::to_string(digest.alerts.size()));
  return Delivery{};
}

Delivery LogTransport::DeliverEvent(const EventMessage& event) {
  sink_("event kind=" + Quote(event.kind) + " title=" + Quote(event.title) +
        " text=" + Quote(event.text));
  return Delivery{};
}

}  // namespace veille::alert
