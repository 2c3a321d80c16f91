// The one sanitiser for text that leaves the process: log lines, CLI tables, error lines stored
// in the database, alert bodies. Whatever a feed or a server sent, what comes out is valid UTF-8
// with no control character that a terminal, a log viewer or a mail client would act on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace veille {

// Valid UTF-8 (each invalid sequence, including a lone byte 0x80-0xFF, becomes U+FFFD) without
// C0 controls other than tab and newline, DEL, or C1 controls (U+0080-U+009F: the 8-bit CSI
// U+009B and its kind), which are dropped. Tab and newline are kept.
std::string SanitizeText(std::string_view text);

// SanitizeText on one line: CR, LF and tab become spaces, runs of spaces collapse to one, no
// space leads or trails; the bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069), which reorder what a reader sees, are dropped too. At most `max_bytes`
// bytes, cut between characters.
std::string SanitizeLine(std::string_view text, std::size_t max_bytes = std::string_view::npos);

// Length of the valid UTF-8 sequence at text[i] (1 to 4), or 0 when it is not one (overlong
// forms, surrogates and values past U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i);

}  // namespace veille
