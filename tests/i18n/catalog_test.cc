#include "i18n/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace veille::i18n {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "msgid \"\"\n"
    "msgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\n";

// Compiles `po` with the real msgfmt (as the build does) and returns the .mo bytes.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("veille-catalog-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Compile(const std::string& po, const std::string& flags = "") {
    const fs::path in = dir_ / "in.po";
    const fs::path out = dir_ / "out.mo";
    std::ofstream(in, std::ios::binary) << po;
    const std::string command =
        "msgfmt " + flags + " -o '" + out.string() + "' '" + in.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream mo(out, std::ios::binary);
    std::ostringstream bytes;
    bytes << mo.rdbuf();
    return bytes.str();
  }

  fs::path dir_;
};

constexpr const char* kMessages =
    "msgid \"Rule {rule}\"\nmsgstr \"Règle {rule}\"\n\n"
    "msgctxt \"month\"\nmsgid \"May\"\nmsgstr \"mai\"\n\n"
    "msgid \"May\"\nmsgstr \"Peut\"\n\n"
    "msgid \"{count} mention\"\nmsgid_plural \"{count} mentions\"\n"
    "msgstr[0] \"{count} mention\"\nmsgstr[1] \"{count} mentions (fr)\"\n\n"
    "msgid \"untranslated\"\nmsgstr \"\"\n\n"
    "#, fuzzy\nmsgid \"fuzzy one\"\nmsgstr \"approximatif\"\n";

TEST_F(CatalogTest, FindsTranslationsContextsAndPluralsOfAMsgfmtCatalog) {
  auto catalog = Catalog::Parse(Compile(std::string(kHeader) + kMessages));
  ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
  EXPECT_EQ(catalog->Find("", "Rule {rule}").value_or("?"), "Règle {rule}");
  EXPECT_EQ(catalog->Find("month", "May").value_or("?"), "mai");
  EXPECT_EQ(catalog->Find("", "May").value_or("?"), "Peut");
  EXPECT_FALSE(catalog->Find("other", "May").has_value());
  EXPECT_FALSE(catalog->Find("", "untranslated").has_value());
  EXPECT_FALSE(catalog->Find("", "fuzzy one").has_value());  // msgfmt leaves fuzzy out
  // French plural rule from the header: 0 and 1 take the singular.
  EXPECT_EQ(catalog->FindPlural("", "{count} mention", 0).value_or("?"), "{count} mention");
  EXPECT_EQ(catalog->FindPlural("", "{count} mention", 1).value_or("?"), "{count} mention");
  EXPECT_EQ(catalog->FindPlural("", "{count} mention", 2).value_or("?"), "{count} mentions (fr)");
}

TEST_F(CatalogTest, ReadsBigEndianCatalogs) {
  auto catalog = Catalog::Parse(Compile(std::string(kHeader) + kMessages, "--endianness=big"));
  ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
  EXPECT_EQ(catalog->Find("month", "May").value_or("?"), "mai");
  EXPECT_EQ(catalog->FindPlural("", "{count} mention", 3).value_or("?"), "{count} mentions (fr)");
}

TEST_F(CatalogTest, RefusesACatalogInAnotherCharset) {
  const std::string latin1 =
      "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n\n"
      "msgid \"Rule\"\nmsgstr \"R\xe8gle\"\n";
  auto catalog = Catalog::Parse(Compile(latin1));
  ASSERT_FALSE(catalog.has_value());
  EXPECT_NE(catalog.error().message.find("iso-8859-1"), std::string::npos)
      << catalog.error().message;
}

TEST_F(CatalogTest, RefusesABrokenPluralRule) {
  // msgfmt would refuse the rule itself, so the header is patched in the compiled bytes.
  std::string mo = Compile(std::string(kHeader) + kMessages);
  const auto at = mo.find("plural=(n > 1);");
  ASSERT_NE(at, std::string::npos);
  mo.replace(at, 15, "plural=(n >  );");
  auto catalog = Catalog::Parse(mo);
  ASSERT_FALSE(catalog.has_value());
  EXPECT_NE(catalog.error().message.find("plural"), std::string::npos) << catalog.error().message;
}

TEST_F(CatalogTest, RefusesTruncatedAndCorruptFilesWithoutReadingOutsideThem) {
  const std::string mo = Compile(std::string(kHeader) + kMessages);
  EXPECT_FALSE(Catalog::Parse("").has_value());
  EXPECT_FALSE(Catalog::Parse("not a catalog at all, just text").has_value());
  // Every truncation is refused (the string table sits at the end of the file).
  for (std::size_t size = 0; size + 1 < mo.size(); size += 7) {
    EXPECT_FALSE(Catalog::Parse(std::string_view(mo).substr(0, size)).has_value()) << size;
  }
  // An offset pointing past the end of the file.
  std::string corrupt = mo;
  const std::size_t originals = static_cast<unsigned char>(mo[12]);  // little endian, < 256
  corrupt[originals + 4] = '\xff';
  corrupt[originals + 5] = '\xff';
  corrupt[originals + 6] = '\xff';
  EXPECT_FALSE(Catalog::Parse(corrupt).has_value());
  // A message count far larger than the file.
  corrupt = mo;
  corrupt[11] = '\x7f';
  EXPECT_FALSE(Catalog::Parse(corrupt).has_value());
}

TEST_F(CatalogTest, LoadNamesTheFileItCannotRead) {
  auto catalog = Catalog::Load((dir_ / "missing.mo").string());
  ASSERT_FALSE(catalog.has_value());
  EXPECT_EQ(catalog.error().code, ErrorCode::kIo);
  EXPECT_NE(catalog.error().message.find("missing.mo"), std::string::npos);
}

}  // namespace
}  // namespace veille::i18n
