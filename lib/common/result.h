// veille::Result<T>: the error-as-value type used across every module edge (tl::expected).
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace veille {

// What kind of failure an Error is; callers branch on this, humans read `message`.
enum class ErrorCode {
  kInvalidArgument,     // bad input from the caller (a malformed query, a bad flag)
  kConfig,              // a configuration error (message is "file:line: text")
  kParse,               // a document that could not be parsed
  kIo,                  // filesystem error
  kStorage,             // the database failed or refused an operation (none of the below)
  kStorageFull,         // the database has no space left (disk, quota): retry later, nothing lost
  kStorageBusy,         // a lock held past the timeout, or a conflict: retry the unit of work later
  kStorageUnavailable,  // the database server cannot be reached: reconnect, then retry
  kNetwork,             // transport failure
  kNotFound,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Builds the unexpected side of a Result: `return Fail(ErrorCode::kIo, "cannot open " + path);`
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace veille

// Returns early with the error of a Result-returning expression (its value is discarded):
// `VEILLE_TRY(stmt->Run());`
#define VEILLE_TRY(expr)                                \
  do {                                                  \
    auto veille_try_result = (expr);                    \
    if (!veille_try_result) {                           \
      return tl::unexpected(veille_try_result.error()); \
    }                                                   \
  } while (false)
