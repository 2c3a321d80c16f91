// Text rules of the parse contract: HTML to text, entity decoding, whitespace collapsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace veille::feed {

// Decodes character references as HTML5 does (named with or without ';', decimal, hex).
std::string UnescapeHtml(std::string_view text);

// HTML fragment to text: tags dropped, <script>/<style> bodies dropped, a space at block-level
// tags and <br>, references decoded. A streaming tokenizer: no tree, no recursion.
std::string HtmlToText(std::string_view html);

// HtmlToText followed by CollapseText, in one pass (the hot path of the parser).
std::optional<std::string> HtmlToCollapsedText(std::string_view html);

// Deletes C0 controls (but TAB, LF, CR) and DEL, turns every Unicode whitespace run (NBSP and
// NNBSP included) into one space, trims; "" becomes nullopt.
std::optional<std::string> CollapseText(std::string_view text);

// feedparser's guess for RSS plain-text fields: a close tag or an entity reference, with only
// common HTML tags and known entities.
bool LooksLikeHtml(std::string_view text);

// Replaces C1 controls U+0080-U+009F with their windows-1252 characters (U+0092 -> ’).
void MapC1ToWindows1252(std::string* text);

// Repairs text that is UTF-8 read as Latin-1 ("CafÃ©" -> "Café"); returns false if not such text.
bool RepairDoubleEncodedUtf8(std::string* text);

}  // namespace veille::feed
