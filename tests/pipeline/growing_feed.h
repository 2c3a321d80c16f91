// The "growing" feed of the monitor tests: an RSS document with items 1..n (one more per request,
// no validators), each mentioning Orélia.
#pragma once

#include <string>

namespace veille::test_support {

inline std::string GrowingRss(int n) {
  std::string items;
  for (int i = 1; i <= n; ++i) {
    items += "<item><title>Article " + std::to_string(i) + " sur Orélia</title><link>" +
             "https://t.example/g" + std::to_string(i) + "</link><guid>g" + std::to_string(i) +
             "</guid></item>";
  }
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>G</title>" + items +
         "</channel></rss>";
}

}  // namespace veille::test_support
