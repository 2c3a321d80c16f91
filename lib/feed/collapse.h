// Internal to lib/feed: the whitespace rules of the parse contract as a streaming writer, shared
// by CollapseText and the HTML tokenizer (html_text.cc) so that HTML becomes collapsed text in one
// pass.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace veille::feed::internal {

// Unicode whitespace as Python's str.isspace() sees it (after C0 controls are deleted).
// Returns the byte length of a whitespace character at s[i], or 0.
inline std::size_t WhitespaceLength(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b == ' ' || b == '\t' || b == '\n' || b == '\r') return 1;
  if (b < 0x80) return 0;
  std::size_t left = s.size() - i;
  auto b1 = left > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
  auto b2 = left > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
  if (b == 0xC2 && (b1 == 0x85 || b1 == 0xA0)) return 2;
  if (b == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;  // U+1680
  if (b == 0xE2 && b1 == 0x80 &&
      ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) {
    return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
  }
  if (b == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;  // U+205F
  if (b == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;  // U+3000
  return 0;
}

// Byte classes for collapsing: 0 copy, 1 ASCII whitespace, 2 deleted control, 3 lead byte of a
// multi-byte character that may be whitespace (decided by WhitespaceLength).
inline constexpr std::array<unsigned char, 256> kCollapseClass = [] {
  std::array<unsigned char, 256> table{};
  for (int b = 0; b < 0x20; ++b) table[static_cast<std::size_t>(b)] = 2;
  table['\t'] = table['\n'] = table['\r'] = table[' '] = 1;
  table[0x7F] = 2;
  table[0xC2] = table[0xE1] = table[0xE2] = table[0xE3] = 3;
  return table;
}();

// Writes text with the whitespace rules applied on the fly: controls (C0, DEL and C1) deleted,
// whitespace runs as one space, nothing leading or trailing. One pass, no intermediate string. True
// when the 8 bytes at p are visible ASCII or single spaces between them: no control, no DEL, no
// byte >= 0x80, no two spaces in a row, and the 8th byte is not a space (so a space never ends a
// run). Such a block needs no rewriting.
inline bool PlainAsciiBlock(const char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  if (x & kHigh) return false;                        // a byte >= 0x80
  if ((x - kOnes * 0x20) & ~x & kHigh) return false;  // a byte < 0x20 (x has no high bits)
  if (((x + kOnes) & kHigh) != 0) return false;       // 0x7F (DEL)
  std::uint64_t spaces = x ^ (kOnes * 0x20);          // zero bytes where x is a space
  std::uint64_t t = (spaces & kLow7) + kLow7;
  std::uint64_t is_space = ~(t | spaces | kLow7);        // high bit set exactly at spaces
  if (is_space & (is_space << 8)) return false;          // two spaces in a row
  if (is_space & (kHigh & ~(kHigh >> 8))) return false;  // the last byte is a space (little endian)
  return true;
}

class TextCollapser {
 public:
  explicit TextCollapser(std::size_t expected) { out_.resize(expected + 16); }

  void push_back(char c) {
    char one[1] = {c};
    append(std::string_view(one, 1));
  }

  void append(std::string_view text) {
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
      auto b = static_cast<unsigned char>(*p);
      unsigned char cls = kCollapseClass[b];
      if (cls == 0) {
        // A run of visible bytes, single spaces between words included (only runs of several
        // whitespace characters, or other whitespace, need rewriting).
        const char* q = p + 1;
        while (q < end) {
          if (end - q >= 9 && PlainAsciiBlock(q)) {
            q += 8;
            continue;
          }
          unsigned char c = kCollapseClass[static_cast<unsigned char>(*q)];
          if (c == 0) {
            ++q;
          } else if (*q == ' ' && q + 1 < end &&
                     kCollapseClass[static_cast<unsigned char>(q[1])] == 0) {
            q += 2;
          } else {
            break;
          }
        }
        Visible(p, q);
        p = q;
      } else if (cls == 1) {
        pending_space_ = true;
        ++p;
      } else if (cls == 2) {
        ++p;
      } else {
        std::size_t ws = WhitespaceLength(text, static_cast<std::size_t>(p - text.data()));
        if (ws != 0) {
          pending_space_ = true;
          p += ws;
        } else if (b == 0xC2 && end - p >= 2 && (static_cast<unsigned char>(p[1]) & 0xE0) == 0x80) {
          p += 2;  // a C1 control (U+0080-U+009F; U+0085 is whitespace above): deleted like C0
        } else {
          Visible(p, p + 1);
          ++p;
        }
      }
    }
  }

  std::optional<std::string> Finish() {
    if (size_ == 0) return std::nullopt;
    out_.resize(size_);
    return std::move(out_);
  }

 private:
  void Visible(const char* from, const char* to) {
    auto len = static_cast<std::size_t>(to - from);
    if (size_ + len + 1 > out_.size()) out_.resize(std::max(out_.size() * 2, size_ + len + 1));
    char* w = out_.data() + size_;
    if (pending_space_) {
      if (size_ != 0) {
        *w++ = ' ';
        ++size_;
      }
      pending_space_ = false;
    }
    std::memcpy(w, from, len);
    size_ += len;
  }

  std::string out_;  // sized ahead; size_ bytes are used
  std::size_t size_ = 0;
  bool pending_space_ = false;
};

}  // namespace veille::feed::internal
