// The hot loop: ASCII bytes go through a 128-entry table, everything else through the BMP table
// built from utf8proc (codepoints.cc), so utf8proc itself is only called for the rare
// codepoints above U+FFFF.
#include "text/normalize.h"

#include <array>
#include <cstring>

#include "text/codepoints.h"
#include "text/fold_internal.h"

namespace veille::text {
namespace {

// For ASCII: the folded byte of a word character, 0 for a separator.
constexpr std::array<char, 128> MakeAsciiTable() {
  std::array<char, 128> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<char>(c - 'A' + 'a');
  return t;
}
constexpr std::array<char, 128> kAscii = MakeAsciiTable();

// Slack at the end of the output buffer; every ASCII byte writes at most two bytes (a space
// and the folded byte), and longer expansions reserve room before writing.
constexpr std::size_t kSlack = 64;

}  // namespace

void AppendWords(std::string_view source, Normalized* out) {
  const auto* const begin = reinterpret_cast<const unsigned char*>(source.data());
  const auto* const end = begin + source.size();
  const auto* p = begin;
  std::string& text = out->text;
  std::size_t pos = text.size();
  // Invariant: text.size() - pos >= 2 * (end - p) + kSlack, so the ASCII path never checks.
  text.resize(pos + 2 * source.size() + kSlack);
  char* d = text.data();
  bool in_word = false;
  Word word;

  const auto start_word = [&](const unsigned char* at) {
    d[pos++] = ' ';
    word.begin = static_cast<std::uint32_t>(pos);
    word.source_begin = static_cast<std::uint32_t>(at - begin);
    in_word = true;
  };
  const auto end_word = [&](const unsigned char* at) {
    word.end = static_cast<std::uint32_t>(pos);
    word.source_end = static_cast<std::uint32_t>(at - begin);
    out->words.push_back(word);
    in_word = false;
  };

  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      const char folded = kAscii[c];
      if (folded != 0) {
        if (!in_word) start_word(p);
        d[pos++] = folded;
      } else if (in_word) {
        end_word(p);
      }
      ++p;
      continue;
    }
    char32_t cp = 0;
    const int n = internal::DecodeUtf8(p, end, &cp);
    internal::CharClass cls;
    std::string_view folded;
    std::string slow;  // only for codepoints above the BMP
    if (cp < 0x10000) {
      const internal::CodepointInfo info = internal::LookupBmp(cp);
      cls = info.cls;
      folded = info.folded;
    } else {
      cls = internal::Classify(cp);
      if (cls == internal::CharClass::kWord) {
        slow = internal::FoldCodepoint(cp, Fold::kInsensitive);
        folded = slow;
      }
    }
    if (cls == internal::CharClass::kSeparator) {
      if (in_word) end_word(p);
    } else if (!folded.empty()) {
      const std::size_t need = folded.size() + 1 + 2 * static_cast<std::size_t>(end - p) + kSlack;
      if (text.size() - pos < need) {
        text.resize(2 * text.size() + need);
        d = text.data();
      }
      if (!in_word) start_word(p);
      std::memcpy(d + pos, folded.data(), folded.size());
      pos += folded.size();
    }
    // A joiner, or a letter that folds to nothing, continues the current word (if any).
    p += n;
  }
  if (in_word) end_word(p);
  text.resize(pos);
}

Normalized Normalize(std::string_view source) {
  Normalized out;
  AppendWords(source, &out);
  return out;
}

std::vector<std::string> Words(std::string_view source, Fold fold) {
  const Normalized n = Normalize(source);
  std::vector<std::string> words;
  words.reserve(n.words.size());
  for (const Word& word : n.words) {
    if (fold == Fold::kInsensitive) {
      words.emplace_back(n.text.substr(word.begin, word.end - word.begin));
    } else {
      words.push_back(
          FoldWord(source.substr(word.source_begin, word.source_end - word.source_begin), fold));
    }
  }
  return words;
}

}  // namespace veille::text
