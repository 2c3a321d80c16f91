#include "feed/charset.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "feed/entities.h"

namespace veille::feed {
namespace {

// A declared charset name as the warnings quote it: a hostile document's declaration may be
// long (it ends at "?>"), and the reason is stored with the feed (RELIABILITY.md B6).
std::string Quoted(std::string_view name) {
  constexpr std::size_t kMax = 40;
  if (name.size() <= kMax) return std::string(name);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + "...";
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

enum class Canonical { kUtf8, kWindows1252, kOther };

Canonical Classify(const std::string& name) {
  if (name.empty() || name == "utf-8" || name == "utf8" || name == "unicode-1-1-utf-8") {
    return Canonical::kUtf8;
  }
  if (name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" || name == "latin-1" ||
      name == "l1" || name == "windows-1252" || name == "cp1252" || name == "x-cp1252" ||
      name == "iso_8859-1" || name == "us-ascii" || name == "ascii" || name == "cp819" ||
      name == "ibm819" || name == "iso-ir-100" || name == "csisolatin1") {
    return Canonical::kWindows1252;
  }
  return Canonical::kOther;
}

// Transcodes with iconv; invalid input becomes U+FFFD. False if iconv does not know `from` or
// more than a few sequences were invalid (the declaration is then not trusted).
bool Iconv(std::string_view bytes, const std::string& from, std::string* out, bool strict) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string result;
  result.resize(bytes.size() * 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t used = 0;
  std::size_t errors = 0;
  while (in_left > 0) {
    char* dst = result.data() + used;
    std::size_t dst_left = result.size() - used;
    std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    used = result.size() - dst_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      result.resize(result.size() * 2);
    } else {  // EILSEQ or EINVAL: one bad byte
      ++errors;
      if (strict) {
        iconv_close(cd);
        return false;
      }
      std::string replacement;
      AppendUtf8(&replacement, 0xFFFD);
      if (result.size() - used < replacement.size()) result.resize(result.size() * 2);
      std::memcpy(result.data() + used, replacement.data(), replacement.size());
      used += replacement.size();
      ++in;
      --in_left;
    }
  }
  iconv_close(cd);
  result.resize(used);
  *out = std::move(result);
  return true;
}

// UTF-8 with windows-1252 for the bytes that are not part of a valid sequence.
void AppendMixedUtf8(std::string_view bytes, std::string* out) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t len = Utf8SequenceLength(bytes, i);
    if (len == 0) {
      AppendWindows1252(bytes.substr(i, 1), out);
      ++i;
    } else {
      out->append(bytes.substr(i, len));
      i += len;
    }
  }
}

struct Utf8Scan {
  bool valid = true;
  bool has_multibyte = false;
  std::size_t invalid_bytes = 0;
  std::size_t multibyte_sequences = 0;
};

Utf8Scan ScanUtf8(std::string_view bytes) {
  Utf8Scan scan;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* const end = p + bytes.size();
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
      scan.has_multibyte = true;  // the common two-byte case (accented Latin letters)
      ++scan.multibyte_sequences;
      p += 2;
      continue;
    }
    std::size_t i =
        static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(bytes.data()));
    std::size_t len = Utf8SequenceLength(bytes, i);
    if (len == 0) {
      scan.valid = false;
      ++scan.invalid_bytes;
      ++p;
    } else {
      scan.has_multibyte = true;
      ++scan.multibyte_sequences;
      p += len;
    }
  }
  return scan;
}

// True when one of the 8 bytes of `word` is below 0x20 (a control character).
bool HasByteBelow0x20(std::uint64_t word) {
  return ((word - 0x2020202020202020ULL) & ~word & 0x8080808080808080ULL) != 0;
}

bool IsRemovedControl(unsigned char b) { return b < 0x20 && b != '\t' && b != '\n' && b != '\r'; }

// Index of the first control character to remove, or text.size().
std::size_t FirstControl(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (!HasByteBelow0x20(word)) continue;
    for (std::size_t k = i; k < i + 8; ++k) {
      if (IsRemovedControl(static_cast<unsigned char>(text[k]))) return k;
    }
  }
  for (; i < text.size(); ++i) {
    if (IsRemovedControl(static_cast<unsigned char>(text[i]))) return i;
  }
  return text.size();
}

void RemoveControls(std::string* text) {
  std::size_t first = FirstControl(*text);
  if (first >= text->size()) return;
  std::size_t w = first;
  for (std::size_t r = first; r < text->size(); ++r) {
    auto b = static_cast<unsigned char>((*text)[r]);
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') continue;
    (*text)[w++] = static_cast<char>(b);
  }
  text->resize(w);
}

}  // namespace

std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void AppendWindows1252(std::string_view bytes, std::string* out) {
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out->push_back(ch);
    } else if (b < 0xA0) {
      AppendUtf8(out, kCp1252High[b - 0x80]);
    } else {
      AppendUtf8(out, b);
    }
  }
}

std::string CharsetFromContentType(std::string_view content_type) {
  std::string lower = ToLower(content_type);
  std::size_t pos = lower.find("charset=");
  if (pos == std::string::npos) return "";
  std::string value = lower.substr(pos + 8);
  std::size_t end = value.find_first_of("; \t");
  if (end != std::string::npos) value.resize(end);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

std::string DeclaredEncoding(std::string_view text) {
  std::size_t start = text.find("<?xml");
  if (start == std::string_view::npos || start > 1024) return "";
  std::size_t end = text.find("?>", start);
  if (end == std::string_view::npos) return "";
  std::string_view decl = text.substr(start, end - start);
  std::size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return "";
  pos += 8;
  while (pos < decl.size() && (decl[pos] == ' ' || decl[pos] == '=' || decl[pos] == '\t')) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return "";
  char quote = decl[pos];
  std::size_t close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return "";
  return ToLower(decl.substr(pos + 1, close - pos - 1));
}

DecodedText DecodeToUtf8(std::string_view bytes, std::string_view http_charset) {
  DecodedText result;
  // Every departure from what the document declared is a warning, and the first one is why it
  // is suspect.
  auto suspect = [&result](std::string why) {
    if (result.suspect.empty()) result.suspect = why;
    result.warnings.push_back(std::move(why));
  };
  auto starts = [&](std::initializer_list<unsigned char> prefix) {
    if (bytes.size() < prefix.size()) return false;
    std::size_t i = 0;
    for (unsigned char b : prefix) {
      if (static_cast<unsigned char>(bytes[i++]) != b) return false;
    }
    return true;
  };
  std::string wide;  // a UTF-16/32 encoding found from a BOM or the first bytes
  std::size_t skip = 0;
  if (starts({0xEF, 0xBB, 0xBF})) {
    skip = 3;
    result.encoding = "utf-8";
  } else if (starts({0xFF, 0xFE, 0x00, 0x00})) {
    wide = "UTF-32LE", skip = 4;
  } else if (starts({0x00, 0x00, 0xFE, 0xFF})) {
    wide = "UTF-32BE", skip = 4;
  } else if (starts({0xFF, 0xFE})) {
    wide = "UTF-16LE", skip = 2;
  } else if (starts({0xFE, 0xFF})) {
    wide = "UTF-16BE", skip = 2;
  } else if (starts({0x3C, 0x00, 0x00, 0x00})) {
    wide = "UTF-32LE";
  } else if (starts({0x00, 0x00, 0x00, 0x3C})) {
    wide = "UTF-32BE";
  } else if (bytes.size() >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 &&
             bytes[3] == 0) {
    wide = "UTF-16LE";  // ASCII in UTF-16 without a BOM: "<\0?\0", "\n\0<\0"
  } else if (bytes.size() >= 4 && bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 &&
             bytes[3] != 0) {
    wide = "UTF-16BE";
  }
  std::string_view body = bytes.substr(skip);
  if (!wide.empty()) {
    Iconv(body, wide, &result.utf8, /*strict=*/false);
    result.encoding = ToLower(wide);
    RemoveControls(&result.utf8);
    return result;
  }
  if (result.encoding != "utf-8") {
    std::string declared =
        http_charset.empty() ? DeclaredEncoding(body) : std::string(http_charset);
    Canonical kind = Classify(declared);
    Utf8Scan scan = ScanUtf8(body);
    if (kind == Canonical::kOther) {
      if (declared.rfind("utf-16", 0) == 0 || declared.rfind("utf-32", 0) == 0 ||
          declared == "ucs-2" || declared == "ucs-4") {
        kind = Canonical::kUtf8;  // declared wide, but the bytes are not: read as ASCII-based
        suspect("document declared as " + Quoted(declared) +
                " but its bytes are not; read as ASCII-compatible");
      } else if (Iconv(body, declared, &result.utf8, /*strict=*/true)) {
        result.encoding = declared;
        RemoveControls(&result.utf8);
        return result;
      } else {
        suspect("document declared as " + Quoted(declared) +
                " but could not be decoded as such; read as UTF-8");
        kind = Canonical::kUtf8;
      }
    }
    if (kind == Canonical::kWindows1252) {
      if (scan.valid && scan.has_multibyte) {
        suspect("document declared as " + Quoted(declared) +
                " but its bytes are UTF-8; read as UTF-8");
      } else {
        result.encoding = "windows-1252";
        result.utf8.reserve(body.size() + body.size() / 8);
        AppendWindows1252(body, &result.utf8);
        RemoveControls(&result.utf8);
        return result;
      }
    }
    if (!scan.valid) {
      // Mostly single bytes that are not UTF-8: a windows-1252 document whose few valid
      // sequences are accidents ("doué »" is E9 A0 BB, valid UTF-8 for U+983B).
      if (scan.invalid_bytes > 2 * scan.multibyte_sequences) {
        result.encoding = "windows-1252";
        AppendWindows1252(body, &result.utf8);
      } else {
        result.encoding = "utf-8";
        AppendMixedUtf8(body, &result.utf8);
      }
      suspect("bytes that are not UTF-8 were read as windows-1252");
      RemoveControls(&result.utf8);
      return result;
    }
    result.encoding = "utf-8";
  } else if (!ScanUtf8(body).valid) {
    AppendMixedUtf8(body, &result.utf8);
    suspect("bytes that are not UTF-8 were read as windows-1252");
    RemoveControls(&result.utf8);
    return result;
  }
  if (skip == 0 && FirstControl(body) == body.size()) {
    result.input_is_clean = true;  // nothing to change: the caller reads the bytes directly
    return result;
  }
  result.utf8.assign(body);
  RemoveControls(&result.utf8);
  return result;
}

}  // namespace veille::feed
