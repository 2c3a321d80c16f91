// Webhook signatures: Standard Webhooks (HMAC-SHA256 over "id.timestamp.body") and GitHub's
// X-Hub-Signature-256, with OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace veille::alert {

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string HmacSha256(std::string_view key, std::string_view message);

// A Standard Webhooks secret "whsec_<base64>" -> the key bytes (the decoded base64). A secret
// without the prefix is accepted as base64 too. Errors: empty, malformed, shorter than 16 bytes.
[[nodiscard]] Result<std::string> ParseWebhookSecret(std::string_view secret);

// "v1,<base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
std::string StandardWebhookSignature(std::string_view key, std::string_view id,
                                     std::int64_t timestamp, std::string_view body);

// "sha256=<hex of HMAC-SHA256(key, body)>" as GitHub sends it.
std::string HubSignature256(std::string_view key, std::string_view body);

// Compares in time independent of where the strings differ (for receivers and tests).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace veille::alert
