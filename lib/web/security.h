// The security primitives of the web inbox: random tokens, constant-time comparison, the
// session cookie's attributes and the headers every response carries (docs/web.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace veille::web {

// `bytes` random bytes from the kernel (getrandom), as lower-case hex (2 * bytes characters).
// Aborts if the kernel has no randomness to give: a predictable session id is worse than none.
std::string RandomToken(std::size_t bytes = 32);

// a == b in a time that depends on their lengths only, not on where they differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "veille_session";

// "veille_session=ID; Path=/; Max-Age=N; HttpOnly; SameSite=Strict" (+ "; Secure" when the
// request came over TLS). max_age_s 0 with an empty id deletes the cookie.
std::string SessionCookie(std::string_view id, std::int64_t max_age_s, bool secure);

// The headers of every response: a strict Content-Security-Policy (no inline script or style,
// frame-ancestors 'none', form-action 'self', base-uri 'none'), nosniff, no referrer, no
// framing. `cacheable` is for the embedded stylesheet and script (their URL carries their
// hash); everything else is no-store.
std::vector<std::pair<std::string, std::string>> SecurityHeaders(bool cacheable);

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

}  // namespace veille::web
