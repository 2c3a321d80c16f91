// Which URLs and request headers the fetcher accepts, checked before anything touches the network.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace veille::fetch {

enum class UrlScheme { kHttp, kHttps, kFile, kOther };

// The scheme of an absolute URL, case-insensitive ("HTTPS://x" is kHttps). A plain absolute
// path ("/srv/feeds/a.xml") counts as kFile; anything without a scheme is kOther.
UrlScheme SchemeOf(std::string_view url);

// The local path named by a file URL: "file:///abs/path" or "file://localhost/abs/path" with
// percent-escapes decoded, or a plain absolute path. nullopt for a remote host
// ("file://server/x"), a relative path, a raw NUL byte or an escape that decodes to NUL.
std::optional<std::string> FilePathFromUrl(std::string_view url);

// Why an extra request header is refused (empty name, a name that is not an RFC 9110 token,
// CR, LF or NUL in the value), or nullopt when it is acceptable.
std::optional<std::string> HeaderProblem(std::string_view name, std::string_view value);

// The 128-bit XXH3 hash of the body as 32 hex digits: cheap identity of "the same bytes again"
// (about 20 GB/s, so every fetched body is hashed once, in the fetcher).
std::string BodyFingerprint(std::string_view body);

}  // namespace veille::fetch
