// Format detection from the document itself (never from the URL).
#pragma once

#include <pugixml.hpp>

#include "feed/feed.h"

namespace veille::feed {

// The format of the feed element `root` (<rss>, <rdf:RDF>, <feed>, <entry>), or kUnknown.
// `text_head` (the start of the document text) is searched for the RSS 1.0 / 0.90 namespace
// when <rdf:RDF> does not declare it itself.
Format FormatOfElement(pugi::xml_node root, std::string_view text_head = {});

// The feed element of the document: the root when it is one, else the first <rss>, <rdf:RDF>,
// <feed> or <entry> found by an iterative walk (a feed wrapped in HTML). When there is none but
// <channel> or <item> elements exist, their parent is returned with format kUnknown (entries
// are still read). Returns an empty node when the document holds nothing of a feed.
pugi::xml_node FindFeedElement(const pugi::xml_document& doc, std::string_view text_head,
                               Format* format);

}  // namespace veille::feed
