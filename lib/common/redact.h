// Redaction of secrets in URLs before they reach a log line, the CLI, the database or an error
// message. URLs are read by the URL module (common/url.h), the parser libcurl uses.
#pragma once

#include <string>
#include <string_view>

namespace veille {

// Every URL in `text` ("scheme://..." up to the next space, quote or angle bracket) with its
// user-info hidden ("https://user:pass@host" -> "https://***@host") and the values of query
// parameters whose name looks like a secret (token, key, sig, signature, secret, password,
// passwd, pwd, auth, access_token, api_key, apikey, session, code, credentials, and names
// containing token, secret, password, apikey, api_key or signature; case-insensitive) replaced
// with "***". A URL the parser refuses is shown as its scheme only ("http://…"): what cannot be
// parsed cannot be redacted. Text without "://" comes back unchanged.
std::string RedactUrl(std::string_view text);

// A URL that is a secret as a whole (webhook URLs carry their token in the path): scheme and
// host only, "https://discord.com/…" (the port too when it is not the default). A URL that
// does not parse is "(unparseable URL)".
std::string RedactSecretUrl(std::string_view url);

}  // namespace veille
