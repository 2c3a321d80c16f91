// Redaction of secrets in URLs before they reach a log line, the CLI or an error message.
#pragma once

#include <string>
#include <string_view>

namespace veille {

// Replaces URL user-info ("https://user:pass@host" -> "https://***@host") and the values of
// query parameters whose name looks like a secret (token, key, sig, signature, secret,
// password, passwd, pwd, auth, access_token, api_key, apikey, session, code; case-insensitive)
// with "***". Anything that is not a URL comes back unchanged.
std::string RedactUrl(std::string_view url);

}  // namespace veille
