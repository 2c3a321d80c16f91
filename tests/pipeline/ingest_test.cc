#include "pipeline/ingest.h"

#include <gtest/gtest.h>

namespace veille::pipeline {
namespace {

TEST(IngestTest, TruncationNeverSplitsAUtf8Sequence) {
  EXPECT_EQ(TruncateUtf8("abcdef", 10), "abcdef");
  EXPECT_EQ(TruncateUtf8("abcdef", 3), "abc");
  EXPECT_EQ(TruncateUtf8("aé", 2), "a");  // é is two bytes: cut before it
  EXPECT_EQ(TruncateUtf8("a€b", 3), "a");
}

TEST(IngestTest, OnlyNewEntriesAreMatchedAndEachKeyOnce) {
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  feed::Feed f;
  for (const char* key : {"a", "b", "b", "c"}) {
    feed::Entry e;
    e.key = key;
    e.title = std::string("Orélia ") + key;
    f.entries.push_back(e);
  }
  config::FeedEntry fc;
  fc.name = "F";
  RuleRouting routing;
  routing.channels = {{"journal"}};
  auto records = NewEntryRecords(f, {"a"}, fc, **matcher, routing);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "b");
  EXPECT_EQ(records[1].key, "c");
  ASSERT_EQ(records[0].mentions.size(), 1u);
  EXPECT_EQ(records[0].mentions[0].rule, "marque");
  EXPECT_EQ(records[0].mentions[0].channels, std::vector<std::string>{"journal"});
}

TEST(IngestTest, AHugeTitleIsBoundedBeforeMatchingAndStorage) {
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
  ASSERT_TRUE(matcher);
  feed::Feed f;
  feed::Entry e;
  e.key = "k";
  e.title = std::string(5000, 'x') + " Orélia";
  f.entries.push_back(e);
  auto records = NewEntryRecords(f, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_LE(records[0].title->size(), kMaxTitleBytes);
  EXPECT_TRUE(records[0].mentions.empty()) << "the brand beyond the cut is not matched";
}

}  // namespace
}  // namespace veille::pipeline
