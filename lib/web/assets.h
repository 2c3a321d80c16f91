// The stylesheet and the script of the web inbox (lib/web/assets/), embedded at build time by
// embed_assets.cmake: the program serves them itself, under a URL that carries a hash of their
// content, so they can be cached for a year and a new build is never served a stale copy.
#pragma once

#include <string_view>

namespace veille::web {

struct Asset {
  std::string_view path;          // "/static/web.<hash>.css"
  std::string_view content_type;  // "text/css; charset=utf-8"
  std::string_view body;
};

const Asset& Stylesheet();
const Asset& Script();

}  // namespace veille::web
