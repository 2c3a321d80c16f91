// Webhook bodies: veille's versioned JSON schema (docs/alerts.md) and ready-made formats for
// Slack-compatible, Discord and Microsoft Teams incoming webhooks. Pure: time is an argument.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alert/transport.h"
#include "common/time.h"
#include "i18n/translator.h"

namespace veille::alert {

inline constexpr int kPayloadVersion = 1;

enum class WebhookFormat { kJson, kSlack, kDiscord, kTeams };

// "json" | "slack" | "discord" | "teams"; nullopt otherwise.
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name);

// The "mention.created" event of schema version 1.
nlohmann::json MentionPayload(const Alert& alert);

// The "digest" event: { ..., "mentions": [<mention objects without envelope>] }.
nlohmann::json DigestPayload(const std::vector<Alert>& alerts, const std::string& digest_key,
                             const std::string& channel, UnixSeconds now);

// The exact bytes to POST for one alert / one digest in `format` (compact JSON, UTF-8; invalid
// bytes in feed text replaced). The chat formats write their own words in the language of `tr`;
// the JSON format is the same in every language.
std::string WebhookBody(WebhookFormat format, const Alert& alert,
                        const i18n::Translator& tr = i18n::Translator());
std::string DigestBody(WebhookFormat format, const std::vector<Alert>& alerts,
                       const std::string& digest_key, const std::string& channel, UnixSeconds now,
                       const i18n::Translator& tr = i18n::Translator());

// An operator event: {"version":1, "type":"spike.detected"|"feed.unhealthy", "id", "channel",
// "created_at", "title", "text", "details":{...}} in json format; title and text otherwise.
std::string EventBody(WebhookFormat format, const EventMessage& event,
                      const i18n::Translator& tr = i18n::Translator());

}  // namespace veille::alert
