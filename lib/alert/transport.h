// A delivery channel's transport: one or two methods, so tests can put a fake beside the real
// ones (log, email over SMTP, webhook).
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "config/entities.h"
#include "store/store.h"

namespace veille::alert {

struct Delivery {
  // kDisable: the endpoint asked never to be called again (webhook 410): the dispatcher disables
  // the channel's endpoint and stops every pending alert for it.
  enum class Status { kDelivered, kRetry, kDead, kDisable };
  Status status = Status::kDelivered;
  std::string error;  // one line, when not delivered
  // The failure concerns the whole channel (server down, authentication refused, rate limited):
  // the dispatcher holds the channel's other alerts until the next attempt instead of trying
  // each of them (no retry storm).
  bool channel_wide = false;
  // The receiver's Retry-After (seconds): no attempt on this channel before it.
  std::optional<std::int64_t> retry_after_s;
  // The receiver may have accepted the message (a timeout or reset after it was sent, RFC 1047):
  // the retry reuses the same id so the receiver can drop the copy.
  bool ambiguous = false;
};

// What a transport needs to say about one article on one channel: one alert per entry, listing
// every rule that matched it (their outbox rows travel together).
struct Alert {
  // The first row: its idempotency key is the message's id (Message-ID, webhook-id), the same
  // for every attempt (docs/alerts.md, "One alert per article").
  store::OutboxRow outbox;
  store::MentionRow mention;  // the entry, and the first rule that matched it
  // The other rules that matched the same entry for this channel, in row order, with their
  // rows. Empty when one rule matched.
  std::vector<store::OutboxRow> more_rows;
  std::vector<store::MentionRow> more_mentions;
  std::optional<std::string> canonical_link;
  // Who each rule is about, as configured when the alert was loaded (the dispatcher's current
  // configuration: a reload applies to the alerts loaded after it). Null: none known.
  std::shared_ptr<const config::RuleEntities> entities;
  UnixSeconds now = 0;         // wall time of this attempt (Date, webhook-timestamp)
  std::int64_t budget_ms = 0;  // time left for this attempt (0: the transport's own timeout)

  // Every mention of the alert, the first one included.
  [[nodiscard]] std::vector<const store::MentionRow*> Mentions() const {
    std::vector<const store::MentionRow*> all = {&mention};
    for (const auto& m : more_mentions) all.push_back(&m);
    return all;
  }
  // The rules that matched, in row order: "marque, crise".
  [[nodiscard]] std::string RuleNames() const {
    std::string names = mention.rule;
    for (const auto& m : more_mentions) names += ", " + m.rule;
    return names;
  }
  // The entity of one of the alert's mentions (config::EntityOf); nullopt for a rule no longer
  // in the configuration.
  [[nodiscard]] std::optional<std::string> EntityOf(const store::MentionRow& m) const {
    if (!entities) return std::nullopt;
    return config::EntityOf(*entities, m.rule);
  }
  // The entities of the alert's rules that say more than the rule's own name (an `entity` key
  // other than the name), each once, in row order: what the email shows beside the rules.
  [[nodiscard]] std::vector<std::string> NamedEntities() const {
    std::vector<std::string> named;
    for (const store::MentionRow* m : Mentions()) {
      const std::optional<std::string> e = EntityOf(*m);
      if (e && *e != m->rule && std::find(named.begin(), named.end(), *e) == named.end()) {
        named.push_back(*e);
      }
    }
    return named;
  }
  // The rules, then who they are about when that says more ("marque, crise (Alpéa)"): the
  // heading of an email's subject and of a chat message, where a team sorts its alerts by brand.
  [[nodiscard]] std::string RulesAndEntities() const {
    std::string text = RuleNames();
    const std::vector<std::string> named = NamedEntities();
    for (std::size_t i = 0; i < named.size(); ++i) text += (i == 0 ? " (" : ", ") + named[i];
    return named.empty() ? text : text + ")";
  }
  // The terms found by every rule, each once, in order of first appearance.
  [[nodiscard]] std::vector<std::string> Terms() const {
    std::vector<std::string> terms;
    for (const store::MentionRow* m : Mentions()) {
      for (const auto& t : m->terms) {
        if (std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(t);
      }
    }
    return terms;
  }
};

// Several alerts of one channel in one message (digest or burst summary).
struct Digest {
  std::string key;  // stable id of this digest (Message-ID, webhook-id)
  std::string channel;
  std::vector<Alert> alerts;
  UnixSeconds now = 0;
  std::int64_t budget_ms = 0;
};

// An operator event (spike, feed health) on one channel.
struct EventMessage {
  std::string key;  // stable id (Message-ID, webhook-id)
  std::string channel;
  std::string kind;     // "spike" | "feed_health"
  std::string title;    // one line
  std::string text;     // plain text
  std::string payload;  // JSON object with the details
  UnixSeconds created_at = 0;
  UnixSeconds now = 0;
  std::int64_t budget_ms = 0;
};

// One attempt running on the delivery thread's libcurl multi handle (alert/delivery_worker.h):
// the transport prepares the easy handle on the dispatcher's thread, the delivery thread drives
// it, then asks the transfer what the outcome means. The transfer may refer to its transport's
// options: the dispatcher keeps the transport alive until the outcome is recorded.
class Transfer {
 public:
  virtual ~Transfer() = default;
  // The prepared easy handle, owned by the transfer.
  virtual CURL* easy() = 0;
  // Classifies the finished transfer (`code` from CURLMSG_DONE).
  virtual Delivery Finish(CURLcode code) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers one alert, blocking; must not throw. Called from the dispatcher's thread only.
  virtual Delivery Deliver(const Alert& alert) = 0;
  // The same attempt, prepared for the delivery thread so that many run at once and the
  // dispatcher's thread never waits on the peer.
  // nullptr: this transport only delivers synchronously (log, test fakes).
  virtual std::unique_ptr<Transfer> Start(const Alert& /*alert*/) { return nullptr; }
  // Delivers several alerts as one message; must not throw.
  virtual Delivery DeliverDigest(const Digest& digest) = 0;
  // Delivers an operator event (spike, feed health); must not throw.
  virtual Delivery DeliverEvent(const EventMessage& event) = 0;
  // The same two, prepared for the delivery thread (nullptr: synchronous only).
  virtual std::unique_ptr<Transfer> StartDigest(const Digest& /*digest*/) { return nullptr; }
  virtual std::unique_ptr<Transfer> StartEvent(const EventMessage& /*event*/) { return nullptr; }
  // What identifies the receiving endpoint (a webhook URL), so that disabling it after a 410 is
  // undone by configuring another URL. Empty when the channel cannot be disabled.
  virtual std::string Endpoint() const { return {}; }
};

}  // namespace veille::alert
