// Character encodings: detection (BOM, HTTP charset, XML declaration, UTF-8, windows-1252) and
// transcoding to UTF-8 with iconv.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace veille::feed {

struct DecodedText {
  std::string utf8;  // valid UTF-8, NUL and C0 controls (but TAB, LF, CR) removed
  // True when `utf8` was left empty because the input bytes were already clean UTF-8 (no BOM,
  // no control character): read them directly, no copy is made. See DecodedView().
  bool input_is_clean = false;
  std::string encoding;  // the encoding finally used, lower case ("utf-8", "windows-1252", ...)
  std::vector<std::string> warnings;
  // Why the bytes were not read as they declared (the HTTP charset, the XML declaration, a UTF-8
  // BOM, or UTF-8 when nothing is declared): RELIABILITY.md B6's "encoding suspect". Empty when
  // they were. It is also the first of `warnings`.
  std::string suspect;
};

// The charset= parameter of a Content-Type header, lower case ("" when absent).
std::string CharsetFromContentType(std::string_view content_type);

// The encoding="..." of an ASCII-compatible XML declaration at the start of `text` ("" if none).
std::string DeclaredEncoding(std::string_view text);

// Order: BOM, then `http_charset`, then the XML declaration, then UTF-8 with windows-1252 for the
// bytes that are not UTF-8. ISO-8859-1 and US-ASCII are read as windows-1252. A Latin-1 or
// windows-1252 declaration on bytes that are valid, non-ASCII UTF-8 is treated as UTF-8.
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view http_charset);

// The decoded text: `decoded.utf8`, or `bytes` itself when they needed no change.
inline std::string_view DecodedView(const DecodedText& decoded, std::string_view bytes) {
  return decoded.input_is_clean ? bytes : std::string_view(decoded.utf8);
}

// windows-1252 bytes to UTF-8 (the five undefined bytes keep their C1 code points).
void AppendWindows1252(std::string_view bytes, std::string* out);

// Length of a valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when the bytes are not UTF-8.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

}  // namespace veille::feed
