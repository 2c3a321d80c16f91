// A GNU gettext message catalog (.mo, as msgfmt writes it) held in memory: immutable once
// loaded, so one catalog serves every thread without locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "i18n/plural.h"

namespace veille::i18n {

class Catalog {
 public:
  // An empty catalog: every lookup misses (the source language).
  Catalog() = default;

  // Reads the bytes of a .mo file (either byte order, revision 0 or 1). The catalog must be
  // UTF-8 (its header's Content-Type charset); its Plural-Forms, if any, must parse. Errors
  // (kParse) say what is wrong; offsets outside the file are refused, never followed.
  [[nodiscard]] static Result<Catalog> Parse(std::string_view mo);

  // Reads and parses a .mo file (kIo when it cannot be read).
  [[nodiscard]] static Result<Catalog> Load(const std::string& path);

  // The translation of `msgid` in `context` ("" = none); nullopt when the catalog has none (or
  // an empty one).
  [[nodiscard]] std::optional<std::string_view> Find(std::string_view context,
                                                     std::string_view msgid) const;

  // The plural form of `msgid` (the singular, as in msgid) for `n`; nullopt when untranslated.
  [[nodiscard]] std::optional<std::string_view> FindPlural(std::string_view context,
                                                           std::string_view msgid,
                                                           std::uint64_t n) const;

  [[nodiscard]] std::size_t size() const { return messages_.size(); }

 private:
  // "context\x04msgid" (or "msgid") -> msgstr; plural msgstrs keep their NUL separators.
  std::unordered_map<std::string, std::string> messages_;
  PluralRule plural_;
};

}  // namespace veille::i18n
