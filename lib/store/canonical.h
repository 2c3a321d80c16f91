// Canonical links and story titles: the keys under which one story published by several feeds
// (or by one feed through a redirector) is recognised as the same. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace veille::store {

// The link under which an entry is compared with entries of other feeds:
//  - redirector wrappers are unwrapped (Google Alerts and Google Search `google.*/url?url=|q=`,
//    Google News `news.google.com/...?url=`, FeedBurner/feedproxy `?url=`, Bing News
//    `apiclick.aspx?url=`), up to three levels deep;
//  - tracking parameters are removed (utm_*, fbclid, gclid, dclid, msclkid, mc_cid, mc_eid,
//    yclid, igshid, _ga, _hsenc, _hsmi, mkt_tok, xtor, ocid, ncid, at_medium, at_campaign, ...);
//  - the scheme and host are lower-cased, a trailing dot on the host and the default port
//    (:80 for http, :443 for https) are dropped, the fragment is dropped, an empty path becomes
//    "/" and a trailing slash after a non-empty path is removed.
// Text that is not an absolute http(s) URL is returned unchanged (trimmed).
std::string CanonicalLink(std::string_view link);

// The key under which titles of one story compare equal: lower-cased, the accents of Latin
// letters removed, œ/æ spelled out, punctuation collapsed to single spaces, and a trailing
// " - Source" / " | Source" suffix (as Google News appends) removed when what is left still has
// three words. Empty when the title is too short to identify a story (fewer than three words or
// fewer than 15 characters): such titles never join entries into one story.
std::string StoryTitleKey(std::string_view title);

}  // namespace veille::store
