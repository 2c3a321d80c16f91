// Format detection from the document itself (never from the URL).
#pragma once

#include <pugixml.hpp>

#include "feed/feed.h"

namespace veille::feed {

// The format of the feed element `root` (<rss>, <rdf:RDF>, <feed>, <entry>), or kUnknown.
Format FormatOfElement(pugi::xml_node root);

// The first feed element of the document: the root when it is one, else the first <rss>,
// <rdf:RDF>, <feed> or <channel> found by an iterative walk (a feed wrapped in HTML). Sets
// *format; returns an empty node when there is none.
pugi::xml_node FindFeedElement(const pugi::xml_document& doc, Format* format);

}  // namespace veille::feed
