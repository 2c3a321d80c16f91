// The text of an entry besides its title, as veille matches, indexes and quotes it: the summary
// and the content as one text. Feeds often give the same words twice: a WordPress feed's
// <description> is the first words of its <content:encoded>, cut with "[…]" and followed by
// "The post … appeared first on …"; an Atom <summary> is often the first paragraph of its
// <content>. Matching both would quote the teaser twice in a snippet and count its terms twice.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace veille {

// The summary, then a newline and the content, except when one of them is the other's
// beginning (compared without whitespace, after TeaserCore): then only the longer one. The
// beginning may start a little way in (up to kTeaserSearchBytes, for an image caption or a
// byline before the text), which bounds the work a hostile pair of texts can cause.
std::string EntryText(const std::optional<std::string>& summary,
                      const std::optional<std::string>& content);

inline constexpr std::size_t kTeaserSearchBytes = 512;

// The text the full-text index (entries_fts) holds for an entry besides its title: the summary,
// then a newline and the content when they differ; teasers are kept. It is not EntryText on
// purpose, and it is frozen: entries_fts is contentless, so retention deletes a row by giving
// the very text it was indexed with, rows indexed by any earlier veille included (changing it
// needs a migration that rebuilds entries_fts). It holds every word of EntryText, so that
// `veille search` gets every candidate from the index before the matcher verifies it on
// EntryText. The commit (store/stories.cc) and retention (store/retention.cc) both call this.
std::string IndexedEntryText(const std::optional<std::string>& summary,
                             const std::optional<std::string>& content);

// A teaser without what a publisher appends to it: WordPress's "The post … appeared first on …"
// ("L’article … est apparu en premier sur …"), then, repeatedly, trailing "…", "...", "[…]",
// "[...]", "(…)", "Read more", "Continue reading …", "Lire la suite", arrows and guillemets.
std::string_view TeaserCore(std::string_view text);

// A title for an entry that has none (Mastodon posts, many social feeds): the first words of its
// text on one line, cut at a word boundary within kDerivedTitleChars characters, "…" marking the
// cut. Hashtags and mentions stay as written. Empty when the text is empty.
std::string DerivedTitle(std::string_view text);

inline constexpr std::size_t kDerivedTitleChars = 80;

}  // namespace veille
