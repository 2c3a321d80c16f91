#include "i18n/catalog.h"

#include <fstream>
#include <sstream>

namespace veille::i18n {
namespace {

constexpr std::uint32_t kMagic = 0x950412de;
constexpr std::uint32_t kMagicSwapped = 0xde120495;
constexpr char kContextSeparator = '\x04';

std::uint32_t Word(std::string_view bytes, std::size_t at, bool swapped) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const auto b = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i]));
    v |= swapped ? b << (8 * (3 - i)) : b << (8 * i);
  }
  return v;
}

// The string of table entry `index` (length, offset), checked against the file's bounds.
std::optional<std::string_view> TableString(std::string_view mo, std::uint32_t table,
                                            std::uint32_t index, bool swapped) {
  const std::uint64_t entry = std::uint64_t{table} + std::uint64_t{index} * 8;
  if (entry + 8 > mo.size()) return std::nullopt;
  const std::uint32_t length = Word(mo, entry, swapped);
  const std::uint32_t offset = Word(mo, entry + 4, swapped);
  if (std::uint64_t{offset} + length >= mo.size()) return std::nullopt;  // + its NUL
  return mo.substr(offset, length);
}

// The value of header field `name` ("Plural-Forms") in the catalog's metadata entry.
std::optional<std::string_view> HeaderField(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find('\n', at);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view line = header.substr(at, end - at);
    if (line.size() > name.size() && line.substr(0, name.size()) == name &&
        line[name.size()] == ':') {
      std::string_view value = line.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return value;
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::string Key(std::string_view context, std::string_view msgid) {
  if (context.empty()) return std::string(msgid);
  std::string key(context);
  key += kContextSeparator;
  key += msgid;
  return key;
}

}  // namespace

Result<Catalog> Catalog::Parse(std::string_view mo) {
  if (mo.size() < 28) return Fail(ErrorCode::kParse, "not a .mo catalog (too short)");
  const std::uint32_t magic = Word(mo, 0, false);
  if (magic != kMagic && magic != kMagicSwapped) {
    return Fail(ErrorCode::kParse, "not a .mo catalog (bad magic number)");
  }
  const bool swapped = magic == kMagicSwapped;
  const std::uint32_t revision = Word(mo, 4, swapped);
  if ((revision >> 16) > 1) {
    return Fail(ErrorCode::kParse, "unsupported .mo revision " + std::to_string(revision >> 16));
  }
  const std::uint32_t count = Word(mo, 8, swapped);
  const std::uint32_t originals = Word(mo, 12, swapped);
  const std::uint32_t translations = Word(mo, 16, swapped);
  if (std::uint64_t{count} * 16 > mo.size()) {
    return Fail(ErrorCode::kParse, ".mo catalog: message count larger than the file");
  }
  Catalog catalog;
  catalog.messages_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto msgid = TableString(mo, originals, i, swapped);
    const auto msgstr = TableString(mo, translations, i, swapped);
    if (!msgid || !msgstr) {
      return Fail(ErrorCode::kParse,
                  ".mo catalog: message " + std::to_string(i) + " lies outside the file");
    }
    if (msgid->empty()) {  // the metadata entry
      const auto content_type = HeaderField(*msgstr, "Content-Type");
      if (content_type) {
        const auto charset = content_type->find("charset=");
        if (charset != std::string_view::npos) {
          std::string name(content_type->substr(charset + 8));
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (name != "utf-8" && name != "utf8" && name != "ascii" && name != "us-ascii") {
            return Fail(ErrorCode::kParse, ".mo catalog: charset " + name + " (expected UTF-8)");
          }
        }
      }
      if (const auto forms = HeaderField(*msgstr, "Plural-Forms")) {
        auto rule = PluralRule::Parse(*forms);
        if (!rule) return tl::unexpected(rule.error());
        catalog.plural_ = std::move(*rule);
      }
      continue;
    }
    // A plural entry's msgid is "singular\0plural": the key is the singular.
    std::string_view key = *msgid;
    if (const auto nul = key.find('\0'); nul != std::string_view::npos) key = key.substr(0, nul);
    if (msgstr->empty()) continue;
    catalog.messages_.emplace(std::string(key), std::string(*msgstr));
  }
  return catalog;
}

Result<Catalog> Catalog::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot read the catalog " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto catalog = Parse(bytes.str());
  if (!catalog) return Fail(catalog.error().code, path + ": " + catalog.error().message);
  return catalog;
}

std::optional<std::string_view> Catalog::Find(std::string_view context,
                                              std::string_view msgid) const {
  const auto it = messages_.find(Key(context, msgid));
  if (it == messages_.end()) return std::nullopt;
  const std::string_view msgstr = it->second;
  return msgstr.substr(0, msgstr.find('\0'));  // a plural entry: its first form
}

std::optional<std::string_view> Catalog::FindPlural(std::string_view context,
                                                    std::string_view msgid, std::uint64_t n) const {
  const auto it = messages_.find(Key(context, msgid));
  if (it == messages_.end()) return std::nullopt;
  std::string_view forms = it->second;
  for (unsigned index = plural_.Index(n); index > 0; --index) {
    const auto nul = forms.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;  // fewer forms than nplurals
    forms.remove_prefix(nul + 1);
  }
  const std::string_view form = forms.substr(0, forms.find('\0'));
  if (form.empty()) return std::nullopt;
  return form;
}

}  // namespace veille::i18n
