// The HTML5 named character references (the WHATWG table), for entity repair and HTML to text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace veille::feed {

// The UTF-8 expansion of an entity name as written after '&', with its ';' when present
// ("eacute;" -> "é", "amp" -> "&"). nullopt for names that are not in the table.
std::optional<std::string_view> LookupEntity(std::string_view name);

// Longest table name that is a prefix of `text` (which starts just after '&'), HTML5 style:
// "notit;" matches "not". Returns the matched length (0 when none) and sets *expansion.
std::size_t MatchEntityPrefix(std::string_view text, std::string_view* expansion);

// Appends the UTF-8 encoding of `code_point` (which must be a valid scalar value).
void AppendUtf8(std::string* out, char32_t code_point);

// The character a numeric reference stands for, with HTML5's fixes: 0x80-0x9F read as
// windows-1252, 0, surrogates and values past U+10FFFF become U+FFFD.
char32_t FixNumericReference(unsigned long value);

}  // namespace veille::feed
