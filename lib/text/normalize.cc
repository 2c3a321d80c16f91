// The hot loop: ASCII bytes go through a 128-entry table, everything else through the BMP table
// built from utf8proc (codepoints.cc), so utf8proc itself is only called for the rare
// codepoints above U+FFFF.
#include "text/normalize.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "text/codepoints.h"
#include "text/fold_internal.h"
#include "text/normalize_internal.h"

namespace veille::text {
namespace {

// Per byte: the folded byte of an ASCII word character (always >= '0'), 0 for an ASCII
// separator, 1 for the first or later byte of a non-ASCII sequence.
constexpr std::array<char, 256> MakeAsciiTable() {
  std::array<char, 256> t{};
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = 1;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<char>(c - 'A' + 'a');
  return t;
}
constexpr std::array<char, 256> kAscii = MakeAsciiTable();

// Slack at the end of the output buffer; every ASCII byte writes at most two bytes (a space
// and the folded byte), and longer expansions reserve room before writing.
constexpr std::size_t kSlack = 64;

// Writes words into the output; shared by the scalar loop and the SSE2 block loop.
class Appender {
 public:
  Appender(std::string_view source, Normalized* out)
      : base_(reinterpret_cast<const unsigned char*>(source.data())),
        size_(source.size()),
        text_(out->text),
        words_(out->words),
        pos_(text_.size()),
        bmp_(internal::BmpTable::Get()) {
    // Invariant: text_.size() - pos_ >= 2 * (bytes left) + kSlack: every ASCII byte writes at
    // most two bytes, so only longer expansions need to check for room.
    text_.resize(pos_ + 2 * size_ + kSlack);
    d_ = text_.data();
  }
  ~Appender() { text_.resize(pos_); }
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // The reference loop: any bytes in [from, to), which must start and end on word boundaries.
  void Scalar(std::size_t from, std::size_t to);

  // Folds a word region [from, to) made only of ASCII letters and digits and two-byte Latin-1
  // letters that fold to one ASCII letter (é, À, ç, ô…), without a branch per byte. Returns
  // false, having written nothing, when the region holds anything else.
  bool Latin1Word(std::size_t from, std::size_t to);

#if defined(__SSE2__)
  // Blocks of 64 bytes: word regions found with bit masks, ASCII-only words copied whole,
  // regions holding non-ASCII bytes handed to Scalar(). Returns where the scalar tail starts.
  std::size_t Blocks();
#endif

 private:
  void StartWord(std::size_t at) {
    d_[pos_++] = ' ';
    word_begin_ = static_cast<std::uint32_t>(pos_);
    word_source_begin_ = static_cast<std::uint32_t>(at);
    in_word_ = true;
  }
  void EndWord(std::size_t at) {
    words_.push_back(Word{word_begin_, static_cast<std::uint32_t>(pos_), word_source_begin_,
                          static_cast<std::uint32_t>(at)});
    in_word_ = false;
  }

  const unsigned char* base_;
  std::size_t size_;
  std::string& text_;
  std::vector<Word>& words_;
  std::size_t pos_;
  char* d_ = nullptr;
  bool in_word_ = false;
  std::uint32_t word_begin_ = 0;
  std::uint32_t word_source_begin_ = 0;
  const internal::BmpTable& bmp_;
};

void Appender::Scalar(std::size_t from, std::size_t to) {
  const unsigned char* p = base_ + from;
  const unsigned char* const end = base_ + to;
  while (p < end) {
    char ascii = kAscii[*p];
    if (ascii > 1) {  // a run of ASCII letters and digits
      if (!in_word_) StartWord(static_cast<std::size_t>(p - base_));
      do {
        d_[pos_++] = ascii;
        ++p;
      } while (p < end && (ascii = kAscii[*p]) > 1);
      continue;
    }
    if (ascii == 0) {  // ASCII separator
      if (in_word_) EndWord(static_cast<std::size_t>(p - base_));
      ++p;
      continue;
    }
    char32_t cp = 0;
    const int n = internal::DecodeUtf8(p, end, &cp);
    internal::CharClass cls;
    std::string_view folded;
    std::string slow;  // only for codepoints above the BMP
    if (cp < 0x10000) {
      const internal::CodepointInfo info = bmp_.Lookup(cp);
      cls = info.cls;
      folded = info.folded;
    } else {
      cls = internal::Classify(cp);
      if (cls == internal::CharClass::kWord) {
        slow = internal::FoldCodepoint(cp, Fold::kInsensitive);
        const std::size_t length = slow.size();
        slow.append(internal::BmpTable::kPadding, '\0');  // same padding as the table
        folded = std::string_view(slow).substr(0, length);
      }
    }
    if (cls == internal::CharClass::kSeparator) {
      if (in_word_) EndWord(static_cast<std::size_t>(p - base_));
    } else if (!folded.empty()) {
      const std::size_t need =
          folded.size() + 1 + 2 * static_cast<std::size_t>(base_ + size_ - p) + kSlack;
      if (text_.size() - pos_ < need) {
        text_.resize(2 * text_.size() + need);
        d_ = text_.data();
      }
      if (!in_word_) StartWord(static_cast<std::size_t>(p - base_));
      if (folded.size() <= internal::BmpTable::kPadding) {
        // Fixed-size copy (the table's pool is padded): no call to memcpy for 1-3 bytes.
        std::memcpy(d_ + pos_, folded.data(), internal::BmpTable::kPadding);
      } else {
        std::memcpy(d_ + pos_, folded.data(), folded.size());
      }
      pos_ += folded.size();
    }
    // A joiner, or a letter that folds to nothing, continues the current word (if any).
    p += n;
  }
  if (in_word_) EndWord(to);
}

bool Appender::Latin1Word(std::size_t from, std::size_t to) {
  const char* latin1 = bmp_.latin1_letters();
  std::size_t w = pos_ + 1;
  bool bad = false;
  unsigned char previous = 0;
  for (std::size_t i = from; i < to; ++i) {
    const unsigned char b = base_[i];
    const bool continuation = previous == 0xC3;
    const char latin = latin1[b & 0x3F];
    const char ascii = kAscii[b];  // a letter or digit; 1 for any byte >= 0x80
    const char folded = continuation ? latin : ascii;
    bad |= continuation ? ((b & 0xC0) != 0x80 || latin == 0) : (b >= 0x80 && b != 0xC3);
    d_[w] = folded;
    w += folded > 1 ? 1 : 0;
    previous = continuation ? 0 : b;
  }
  if (bad || previous == 0xC3) return false;
  d_[pos_] = ' ';
  words_.push_back(Word{static_cast<std::uint32_t>(pos_ + 1), static_cast<std::uint32_t>(w),
                        static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)});
  pos_ = w;
  return true;
}

#if defined(__SSE2__)

struct BlockMasks {
  std::uint64_t word = 0;  // ASCII letter or digit, or any byte >= 0x80
  std::uint64_t high = 0;  // byte >= 0x80
};

// Classifies 64 bytes and writes their ASCII-lowercased copy to `lower`.
inline BlockMasks Classify64(const unsigned char* p, unsigned char* lower) {
  BlockMasks m;
  const auto in_range = [](__m128i c, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(hi + 1)), c));
  };
  for (int k = 0; k < 4; ++k) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i upper = in_range(c, 'A', 'Z');
    const __m128i alnum =
        _mm_or_si128(_mm_or_si128(upper, in_range(c, 'a', 'z')), in_range(c, '0', '9'));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(lower + 16 * k),
                     _mm_add_epi8(c, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    const auto high = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(c)));
    const auto word =
        static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(alnum))) | high;
    m.word |= word << (16 * k);
    m.high |= high << (16 * k);
  }
  return m;
}

std::size_t Appender::Blocks() {
  alignas(16) unsigned char lower[64 + 16];
  alignas(16) unsigned char padded[64];
  bool carry = false;            // a word region runs over from the previous block
  std::size_t region_start = 0;  // where that region starts
  std::size_t b = 0;
  for (; b < size_; b += 64) {
    const unsigned char* block = base_ + b;
    if (b + 64 > size_) {
      // The last partial block, padded with spaces: they end any region, so nothing is left
      // for the scalar loop. Regions are still read from the source itself.
      std::memset(padded, ' ', sizeof padded);
      std::memcpy(padded, block, size_ - b);
      block = padded;
    }
    const BlockMasks m = Classify64(block, lower);
    const std::uint64_t before = (m.word << 1) | (carry ? 1u : 0u);
    std::uint64_t starts = m.word & ~before;
    std::uint64_t ends = ~m.word & before;  // first byte after a region
    if (carry) {
      if (ends == 0) continue;  // the whole block is inside the region
      const auto e = static_cast<std::size_t>(__builtin_ctzll(ends));
      ends &= ends - 1;
      Scalar(region_start, b + e);
    }
    carry = false;
    while (starts != 0) {
      const auto s = static_cast<std::size_t>(__builtin_ctzll(starts));
      starts &= starts - 1;
      if (ends == 0) {  // runs into the next block
        carry = true;
        region_start = b + s;
        break;
      }
      const auto e = static_cast<std::size_t>(__builtin_ctzll(ends));
      ends &= ends - 1;
      const std::size_t len = e - s;
      if (((m.high >> s) & ((std::uint64_t{1} << len) - 1)) != 0) {
        if (!Latin1Word(b + s, b + e)) Scalar(b + s, b + e);
        continue;
      }
      d_[pos_] = ' ';
      if (len <= 16) {
        std::memcpy(d_ + pos_ + 1, lower + s, 16);  // fixed size: one store; pos_ moves by len
      } else {
        std::memcpy(d_ + pos_ + 1, lower + s, len);
      }
      words_.push_back(Word{static_cast<std::uint32_t>(pos_ + 1),
                            static_cast<std::uint32_t>(pos_ + 1 + len),
                            static_cast<std::uint32_t>(b + s), static_cast<std::uint32_t>(b + e)});
      pos_ += len + 1;
    }
  }
  return carry ? region_start : std::min(b, size_);
}

#endif

}  // namespace

// Text is mostly ASCII with a word boundary every three bytes or so; a byte-at-a-time loop
// spends most of its time on mispredicted branches at those boundaries. With SSE2 the words
// are found 64 bytes at a time from bit masks, which is about twice as fast.
void AppendWords(std::string_view source, Normalized* out) {
  Appender appender(source, out);
  std::size_t tail = 0;
#if defined(__SSE2__)
  tail = appender.Blocks();
#endif
  appender.Scalar(tail, source.size());
}

namespace internal {

void AppendWordsScalar(std::string_view source, Normalized* out) {
  Appender appender(source, out);
  appender.Scalar(0, source.size());
}

}  // namespace internal

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
