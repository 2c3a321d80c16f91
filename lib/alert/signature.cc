#include "alert/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alert/encoding.h"

namespace veille::alert {

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

Result<std::string> ParseWebhookSecret(std::string_view secret) {
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' ||
                             secret.back() == ' ' || secret.back() == '\t')) {
    secret.remove_suffix(1);
  }
  if (secret.rfind("whsec_", 0) == 0) secret.remove_prefix(6);
  if (secret.empty()) return Fail(ErrorCode::kConfig, "the webhook secret is empty");
  auto key = Base64Decode(secret);
  if (!key) {
    return Fail(ErrorCode::kConfig,
                "the webhook secret must be \"whsec_\" followed by base64 (Standard Webhooks)");
  }
  if (key->size() < 16) {
    return Fail(ErrorCode::kConfig,
                "the webhook secret must decode to at least 16 bytes (24 or "
                "more recommended)");
  }
  return *key;
}

std::string StandardWebhookSignature(std::string_view key, std::string_view id,
                                     std::int64_t timestamp, std::string_view body) {
  std::string material;
  material.reserve(id.size() + body.size() + 24);
  material.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + Base64Encode(HmacSha256(key, material));
}

std::string HubSignature256(std::string_view key, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (char c : HmacSha256(key, body)) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0xF];
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace veille::alert
