#include "fetch/local_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "fetch/http_date.h"
#include "fetch/url_check.h"

namespace veille::fetch {
namespace {

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FetchResult Failure(FetchResult r, Outcome outcome, std::string error) {
  r.outcome = outcome;
  r.error = std::move(error);
  return r;
}

}  // namespace

FetchResult FetchLocalFile(const FetchRequest& request, std::size_t max_body) {
  const auto start = std::chrono::steady_clock::now();
  FetchResult r;
  r.tag = request.tag;
  r.effective_url = request.url;
  const std::optional<std::string> path = FilePathFromUrl(request.url);
  if (!path)
    return Failure(std::move(r), Outcome::kBlocked, "not a local file URL: " + request.url);

  Fd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    return Failure(std::move(r), Outcome::kIo,
                   "cannot open " + *path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Failure(std::move(r), Outcome::kIo,
                   "cannot stat " + *path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Failure(std::move(r), Outcome::kIo, *path + " is not a regular file");
  }
  const UnixSeconds mtime = st.st_mtim.tv_sec;
  r.last_modified = FormatHttpDate(mtime);
  r.etag = "\"" + std::to_string(st.st_size) + "-" +
           std::to_string(static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                          st.st_mtim.tv_nsec) +
           "\"";
  r.content_type = "application/octet-stream";

  bool unchanged = false;
  if (!request.etag.empty()) {
    unchanged = request.etag == r.etag;
  } else if (!request.last_modified.empty()) {
    const std::optional<UnixSeconds> since = ParseHttpDate(request.last_modified);
    unchanged = since && mtime <= *since;
  }
  if (unchanged) {
    r.outcome = Outcome::kNotModified;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.timings.total_s = r.seconds;
    return r;
  }
  if (static_cast<std::size_t>(st.st_size) > max_body) {
    return Failure(std::move(r), Outcome::kTooLarge,
                   "file is " + std::to_string(st.st_size) + " bytes, over the " +
                       std::to_string(max_body) + "-byte cap");
  }

  // Read up to the cap plus one byte: a file that grew since fstat is still caught.
  std::string body;
  body.resize(std::min<std::size_t>(max_body + 1, static_cast<std::size_t>(st.st_size) + 4096));
  std::size_t used = 0;
  for (;;) {
    if (used == body.size()) {
      if (body.size() > max_body) break;
      body.resize(std::min(max_body + 1, body.size() * 2));
    }
    const ssize_t n = ::read(fd.get(), body.data() + used, body.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Failure(std::move(r), Outcome::kIo,
                     "cannot read " + *path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_body) {
    r.decoded_bytes = max_body;
    return Failure(std::move(r), Outcome::kTooLarge,
                   "file is over the " + std::to_string(max_body) + "-byte cap");
  }
  body.resize(used);
  r.decoded_bytes = used;
  r.fingerprint = BodyFingerprint(body);
  if (!request.fingerprint.empty() && request.fingerprint == r.fingerprint) {
    r.outcome = Outcome::kNotModified;
  } else {
    r.outcome = Outcome::kOk;
    r.body = std::move(body);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.timings.total_s = r.seconds;
  return r;
}

}  // namespace veille::fetch
