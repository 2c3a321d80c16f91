// The single-instance lock: one veilled per database (a lock file beside it, flock'd).
#pragma once

#include <string>

#include "common/result.h"

namespace veille::daemon {

class LockFile {
 public:
  // Takes an exclusive, non-blocking lock on `path` (created if needed). Fails with a message
  // naming the pid of the holder when another veilled has it.
  [[nodiscard]] static Result<LockFile> Acquire(const std::string& path);
  LockFile(LockFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  LockFile& operator=(LockFile&&) = delete;
  ~LockFile();

 private:
  explicit LockFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace veille::daemon
