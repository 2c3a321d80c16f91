#include "alert/mime.h"

#include <gtest/gtest.h>

#include <sstream>

namespace veille::alert {
namespace {

Alert SampleAlert(std::string title) {
  Alert a;
  a.outbox.idempotency_key = "v1-0123456789abcdef0123456789abcdef";
  a.outbox.channel = "mail";
  a.mention.rule = "marque";
  a.mention.category = "brand";
  a.mention.title = std::move(title);
  a.mention.link = "https://news.example/a?x=1&y=2";
  a.mention.feed_name = "Presse";
  a.mention.snippet = "la marque Orélia <b>lance</b>";
  a.mention.highlights = {{10, 17}};
  a.mention.terms = {"Orélia"};
  return a;
}

std::string HeaderBlock(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

TEST(Rfc5322Date, FormatsUtcWithTheWeekday) {
  EXPECT_EQ(Rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(Rfc5322Date(1795638610), "Wed, 25 Nov 2026 20:30:10 +0000");
}

TEST(MessageIdFor, UsesTheIdempotencyKeyAndTheSendersDomain) {
  EXPECT_EQ(MessageIdFor("v1-abc", "veille <veille@example.org>"), "v1-abc@example.org");
  EXPECT_EQ(MessageIdFor("v1-abc", "nobody"), "v1-abc@veille.invalid");
  EXPECT_EQ(MessageIdFor("v1-a>b\r\nX: y", "a@b.org"), "v1-abXy@b.org");
}

TEST(RenderEmail, ATitleWithLineBreaksNeverCreatesAHeader) {
  const Alert a = SampleAlert("Orélia\r\nBcc: victim@example.org\r\n\r\n<script>");
  const std::string message = RenderEmail(
      ComposeMentionEmail(a, "veille <v@example.org>", {"com@example.org"}, 1795638610));
  const std::string headers = HeaderBlock(message);
  EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos) << headers;
  const std::string html = message.substr(message.find("Content-Type: text/html"));
  EXPECT_EQ(html.find("<script>"), std::string::npos) << "feed text is escaped in HTML";
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos) << html;
  std::istringstream in(headers);
  std::string line;
  int subject_lines = 0;
  while (std::getline(in, line)) {
    if (line.rfind("Subject:", 0) == 0) ++subject_lines;
  }
  EXPECT_EQ(subject_lines, 1);
}

TEST(RenderEmail, HasTheRequiredHeadersAndTwoAlternativeParts) {
  const Alert a = SampleAlert("Orélia ouvre une boutique");
  const std::string message = RenderEmail(ComposeMentionEmail(
      a, "veille <v@example.org>", {"com@example.org", "Équipe <eq@example.org>"}, 1795638610));
  const std::string headers = HeaderBlock(message);
  for (const char* h :
       {"Date: Wed, 25 Nov 2026 20:30:10 +0000\r\n", "From: \"veille\" <v@example.org>",
        "To: com@example.org,\r\n =?UTF-8?B?", "Subject: =?UTF-8?B?",
        "Message-ID: <v1-0123456789abcdef0123456789abcdef@example.org>\r\n",
        "MIME-Version: 1.0\r\n", "Content-Type: multipart/alternative;"}) {
    EXPECT_NE(headers.find(h), std::string::npos) << h << "\n" << headers;
  }
  EXPECT_NE(message.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(message.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(message.find("<mark>Or=C3=A9lia</mark>"), std::string::npos) << message;
  EXPECT_EQ(message.find("<img"), std::string::npos) << "no remote images";
  std::istringstream in(message);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 79u) << line;
}

TEST(RenderEmail, ANonWebLinkIsShownAsTextNotAsAnAnchor) {
  Alert a = SampleAlert("x");
  a.mention.link = "javascript:alert(1)";
  const std::string message =
      RenderEmail(ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0));
  EXPECT_EQ(message.find("href=3D\"javascript"), std::string::npos);
}

TEST(ComposeDigestEmail, GroupsMentionsByRuleAndCountsThemInTheSubject) {
  Alert a = SampleAlert("Un");
  Alert b = SampleAlert("Deux");
  b.mention.rule = "concurrents";
  const EmailMessage m =
      ComposeDigestEmail({a, b, a}, "digest-x-1", "mail", "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.subject, "[veille] digest: 3 mentions");
  EXPECT_EQ(m.message_id, "digest-x-1@example.org");
  EXPECT_LT(m.text.find("== concurrents (1)"), m.text.find("== marque (2)"));
}

}  // namespace
}  // namespace veille::alert
