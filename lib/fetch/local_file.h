// Local feeds (file:// URLs and absolute paths named in the config): read from disk with the
// same size cap and validators as HTTP, so the pipeline cannot tell the difference.
#pragma once

#include <cstddef>

#include "fetch/fetcher.h"

namespace veille::fetch {

// Reads the file named by `request.url`. Last-Modified is the file's mtime as an HTTP-date and
// the ETag is "size-mtime_ns"; a matching If-None-Match, or (without an ETag) an
// If-Modified-Since no older than the mtime, gives kNotModified. Missing or unreadable files
// are kIo; files over `max_body` are kTooLarge.
FetchResult FetchLocalFile(const FetchRequest& request, std::size_t max_body);

}  // namespace veille::fetch
