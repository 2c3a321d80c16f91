// Byte-level encodings for alert messages: base64, quoted-printable, RFC 2047 encoded-words,
// header hygiene and HTML escaping. Pure functions; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace veille::alert {

// Standard base64 (RFC 4648 section 4) with padding, no line breaks.
std::string Base64Encode(std::string_view bytes);

// Decodes standard base64 (padding optional, no whitespace). nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

// Quoted-printable (RFC 2045 section 6.7) of UTF-8 text: lines end in CRLF, encoded lines are
// at most 76 characters (soft breaks "=" CRLF), trailing spaces and tabs encoded, "=" and
// non-ASCII bytes as =XX. Any of CR, LF or CRLF in the input is a line break.
std::string QuotedPrintable(std::string_view text);

// One line of header text (common/sanitize.h SanitizeLine): CR, LF and tab become spaces, other
// C0 and C1 controls are dropped, invalid UTF-8 becomes U+FFFD, runs of whitespace collapse,
// leading and trailing whitespace is trimmed. Feed text never creates a header line.
std::string OneLine(std::string_view text);

// A header value as RFC 2047 encoded-words when it is not plain printable ASCII, or when a word
// is too long to fold ("=?UTF-8?B?...?=" chunks of at most 75 characters, split between UTF-8
// characters, joined by CRLF SP folding). Plain ASCII comes back as OneLine(text) folded at
// spaces. `first_line_used` is the length of "Name: ". Every line of the result is within 78
// characters, whatever the input.
std::string EncodeHeaderText(std::string_view text, std::size_t first_line_used = 9);

// `text` as encoded-words even when it is plain ASCII (same folding as above).
std::string EncodedWords(std::string_view text, std::size_t first_line_used);

// At most `max_chars` code points: longer text is cut (at a space in its last quarter when there
// is one) and ends with "…". `max_chars` must be at least 1.
std::string ShortenText(std::string_view text, std::size_t max_chars);

}  // namespace veille::alert
