// What may be shown of a PostgreSQL connection string in a message, a log line or the CLI.
#pragma once

#include <string>
#include <string_view>

namespace veille::store::pg {

// `conninfo` with every password hidden, the rest as written. Both forms libpq reads:
//  - a URL (postgresql:// or postgres://): the password of the user-info ("user:secret@host"
//    -> "user:***@host") and the values of the `password` and `sslpassword` query parameters;
//  - key=value pairs: the values of `password` and `sslpassword`, quoted or not
//    ("password='a b'" -> "password=***").
// Text after a malformed key=value pair is dropped ("…"): what cannot be parsed cannot be
// redacted. Keys are compared without case. Pure; never fails.
std::string RedactConninfo(std::string_view conninfo);

// `text` (a message from libpq about `conninfo`, which may quote a piece of it) with every
// password RedactConninfo hides in `conninfo` replaced by "***".
std::string HideSecretsOf(std::string_view conninfo, std::string_view text);

// True when `conninfo` is a postgresql:// or postgres:// URL (case-insensitive scheme).
bool IsPostgresUrl(std::string_view conninfo);

}  // namespace veille::store::pg
