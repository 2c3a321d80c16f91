// The `log` channel: one line per mention through a caller-supplied sink (the daemon's logger).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "alert/transport.h"

namespace veille::alert {

// `mention rule="<rule>" entity="<entity>" category="<category>" feed="<feed>" title="<title>"
// link="<link>"` for one mention `m` of `alert` (entity= left out for a rule no longer
// configured); quotes and control characters in feed text are escaped so one mention is always
// one line.
std::string FormatLogLine(const Alert& alert, const store::MentionRow& m);
// One line per mention of the alert: an article that two rules matched is one alert (one email,
// one webhook request) and two lines, each with its own rule, entity and category.
std::vector<std::string> FormatLogLines(const Alert& alert);

class LogTransport : public Transport {
 public:
  explicit LogTransport(std::function<void(const std::string&)> sink) : sink_(std::move(sink)) {}
  Delivery Deliver(const Alert& alert) override;
  // One line per mention, then one summary line.
  Delivery DeliverDigest(const Digest& digest) override;
  // `event kind=<kind> title="<title>"`.
  Delivery DeliverEvent(const EventMessage& event) override;

 private:
  std::function<void(const std::string&)> sink_;
};

}  // namespace veille::alert
