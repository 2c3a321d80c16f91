#include "alert/encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/sanitize.h"

namespace veille::alert {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789ABCDEF";

std::size_t Utf8Length(std::string_view text, std::size_t i) { return Utf8SequenceLength(text, i); }

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
        static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto pos = kBase64.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  std::string line;  // the encoded current line
  auto flush_line = [&](bool hard) {
    // Trailing whitespace before a hard break must be encoded (RFC 2045 rule 3).
    if (hard && !line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      const char ws = line.back();
      line.pop_back();
      const std::string enc = {'=', kHex[(static_cast<unsigned char>(ws) >> 4) & 0xF],
                               kHex[static_cast<unsigned char>(ws) & 0xF]};
      if (line.size() + enc.size() > 75) {
        out += line + "=\r\n";
        line.clear();
      }
      line += enc;
    }
    out += line;
    out += hard ? "\r\n" : "=\r\n";
    line.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      flush_line(true);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    std::string piece;
    if ((u >= 33 && u <= 126 && c != '=') || c == ' ' || c == '\t') {
      piece = std::string(1, c);
    } else {
      piece = {'=', kHex[u >> 4], kHex[u & 0xF]};
    }
    // 76 characters per line including the soft-break "=".
    if (line.size() + piece.size() > 75) flush_line(false);
    line += piece;
  }
  if (!line.empty()) flush_line(true);
  return out;
}

std::string OneLine(std::string_view text) { return SanitizeLine(text); }

std::string EncodedWords(std::string_view text, std::size_t first_line_used) {
  const std::string clean = SanitizeText(OneLine(text));
  // "=?UTF-8?B?" + base64 + "?=" at most 75 characters, so at most 45 bytes of text per word
  // (60 base64 characters); never split a UTF-8 sequence. Each word after the first starts a
  // folded line (CRLF SP), so every line stays within 78 characters.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t i = 0;
  // The first word shares its line with "Name: ": fewer bytes when that leaves too little room.
  std::size_t budget = kMaxBytes;
  if (first_line_used + 12 + 60 > 78) {
    const std::size_t room = first_line_used + 12 + 8 <= 78 ? 78 - first_line_used - 12 : 8;
    budget = room / 4 * 3;
  }
  while (i < clean.size()) {
    std::size_t end = i;
    while (end < clean.size()) {
      std::size_t n = Utf8Length(clean, end);
      if (n == 0) n = 1;
      if (end + n - i > budget) break;
      end += n;
    }
    if (end == i) end = i + std::max<std::size_t>(Utf8Length(clean, i), 1);  // never stuck
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(std::string_view(clean).substr(i, end - i)) + "?=";
    i = end;
    budget = kMaxBytes;
  }
  return out;
}

std::string EncodeHeaderText(std::string_view text, std::size_t first_line_used) {
  const std::string clean = SanitizeText(OneLine(text));
  bool plain = clean.find("=?") == std::string::npos;  // it would be read as an encoded-word
  for (char c : clean) {
    if (static_cast<unsigned char>(c) >= 0x80) plain = false;
  }
  if (!plain) return EncodedWords(clean, first_line_used);
  // Fold plain ASCII at spaces so no line exceeds 78 characters. A word too long for a line of
  // its own cannot be folded: then the whole value becomes encoded-words, which split anywhere
  // (a 1,500-character word once made a 1,510-character Subject line that the server refused).
  std::string out;
  std::size_t used = first_line_used;
  std::size_t start = 0;
  while (start < clean.size()) {
    std::size_t end = clean.find(' ', start);
    if (end == std::string::npos) end = clean.size();
    const std::string_view word(clean.data() + start, end - start);
    if (!out.empty()) {
      if (used + 1 + word.size() > 78) {
        out += "\r\n ";
        used = 1;
      } else {
        out += ' ';
        ++used;
      }
    }
    if (used + word.size() > 78) return EncodedWords(clean, first_line_used);
    out += word;
    used += word.size();
    start = end + 1;
  }
  return out;
}

std::string ShortenText(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  std::size_t cut = text.size();
  std::size_t last_space = std::string_view::npos;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = Utf8Length(text, i);
    if (n == 0) n = 1;
    if (chars == max_chars - 1) cut = i;  // room for the ellipsis
    if (chars >= max_chars) {
      // Cut at a space in the last quarter when there is one, so no word is split.
      if (last_space != std::string_view::npos && last_space >= cut - cut / 4) cut = last_space;
      std::string out(text.substr(0, cut));
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\u2026";
    }
    if (text[i] == ' ' && chars < max_chars - 1) last_space = i;
    ++chars;
    i += n;
  }
  return std::string(text);
}

}  // namespace veille::alert
