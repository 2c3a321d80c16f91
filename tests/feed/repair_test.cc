#include "feed/repair.h"

#include <gtest/gtest.h>

namespace veille::feed {
namespace {

std::string Repair(std::string_view in, RepairStats* stats = nullptr) {
  RepairStats local;
  return RepairXml(in, stats ? stats : &local);
}

TEST(RepairXmlTest, LeavesWellFormedXmlAlone) {
  EXPECT_EQ(Repair("<a x=\"1\"><b>t &amp; &lt; &#233;</b><c/></a>"),
            "<a x=\"1\"><b>t &amp; &lt; é</b><c/></a>");
}

TEST(RepairXmlTest, DropsJunkBeforeTheFirstTag) {
  EXPECT_EQ(Repair("\n\n  junk<a>x</a>"), "<a>x</a>");
}

TEST(RepairXmlTest, DecodesHtmlEntitiesUndefinedInXml) {
  RepairStats stats;
  EXPECT_EQ(Repair("<a>caf&eacute; &rsquo;&nbsp;&laquo;&euro;</a>", &stats),
            "<a>café ’\u00a0«€</a>");
  EXPECT_EQ(stats.entities_replaced, 5u);
}

TEST(RepairXmlTest, EscapesBareAmpersandsAndBrackets) {
  EXPECT_EQ(Repair("<a href=\"?a=1&b=2\">P&G 1 < 2 &copy 2024</a>"),
            "<a href=\"?a=1&amp;b=2\">P&amp;G 1 &lt; 2 &amp;copy 2024</a>");
}

TEST(RepairXmlTest, QuotesAttributeValues) {
  EXPECT_EQ(Repair("<a x = 'y' z=w checked>t</a>"), "<a x=\"y\" z=\"w\" checked=\"checked\">t</a>");
}

TEST(RepairXmlTest, KeepsCdataVerbatimAndDropsDoctypeAndComments) {
  RepairStats stats;
  EXPECT_EQ(
      Repair("<!DOCTYPE rss [<!ENTITY x \"boom\">]><a><!-- c --><![CDATA[&x; <b>]]></a>", &stats),
      "<a><![CDATA[&x; <b>]]></a>");
  EXPECT_TRUE(stats.doctype_dropped);
}

TEST(RepairXmlTest, NeverExpandsDtdEntities) {
  EXPECT_EQ(Repair("<!DOCTYPE a [<!ENTITY x \"boom\">]><a>&x;</a>"), "<a>&amp;x;</a>");
}

TEST(RepairXmlTest, ClosesMisnestedAndUnclosedElements) {
  RepairStats stats;
  EXPECT_EQ(Repair("<a><b><i>x</b><br></a>", &stats), "<a><b><i>x</i></b><br></br></a>");
  EXPECT_GT(stats.tags_closed, 0u);
  EXPECT_FALSE(stats.truncated);
}

TEST(RepairXmlTest, MarksTheOpenElementsOfATruncatedDocument) {
  RepairStats stats;
  EXPECT_EQ(Repair("<a><item>x", &stats), "<a><item>x<veille-truncated/></item></a>");
  EXPECT_TRUE(stats.truncated);
}

TEST(RepairXmlTest, DropsElementsNestedDeeperThanTheLimitButKeepsTheirText) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<d>";
  deep += "text";
  RepairStats stats;
  std::string out = Repair(deep, &stats);
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(stats.too_deep, 200000u - kMaxDepth);
  EXPECT_EQ(out.size(),
            kMaxDepth * 3 + 4 + std::string("<veille-truncated/>").size() + kMaxDepth * 4);
  EXPECT_NE(out.find("<d>text<veille-truncated/></d>"), std::string::npos);
}

TEST(RepairXmlTest, StopsAtTheElementLimit) {
  RepairStats stats;
  std::string out = RepairXml("<a><b/><b/><b/></a>", &stats, 2);
  EXPECT_TRUE(stats.over_element_limit);
  EXPECT_EQ(stats.elements, 2u);
}

TEST(RepairXmlTest, DropsEveryDuplicateAttributeNotOnlyAmongTheFirstSixteen) {
  // Security review, finding 3: duplicates after the 16th attribute name went through.
  std::string in = "<a";
  std::string want = "<a";
  for (int i = 0; i < 40; ++i) {
    in += " a" + std::to_string(i) + "=\"" + std::to_string(i) + "\"";
    want += " a" + std::to_string(i) + "=\"" + std::to_string(i) + "\"";
  }
  for (int i = 0; i < 40; ++i) in += " a" + std::to_string(i) + "=\"dup\"";
  in += "/>";
  want += "/>";
  EXPECT_EQ(Repair(in), want);
}

TEST(RepairXmlTest, EndTagsThatMatchNothingAreDroppedAtAnyDepth) {
  std::string in;
  for (int i = 0; i < 600; ++i) in += "<a>";
  for (int i = 0; i < 1000; ++i) in += "</B></c>";
  in += "</A>";
  RepairStats stats;
  std::string out = Repair(in, &stats);
  EXPECT_EQ(stats.too_deep, 600u - kMaxDepth);
  // </A> closes the innermost <a> ignoring case; the rest are closed at the end.
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(out.find("</B>"), std::string::npos);
  EXPECT_EQ(out.find("</c>"), std::string::npos);
}

}  // namespace
}  // namespace veille::feed
