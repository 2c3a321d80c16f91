#include "feed/feed.h"

namespace veille::feed {

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kRss09x:
      return "rss09x";
    case Format::kRss20:
      return "rss20";
    case Format::kRss10:
      return "rss10";
    case Format::kAtom03:
      return "atom03";
    case Format::kAtom10:
      return "atom10";
    case Format::kJson10:
      return "json10";
    case Format::kJson11:
      return "json11";
    case Format::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace veille::feed
