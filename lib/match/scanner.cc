// Hyperscan needs a scratch space per thread and per database (or one big enough for every
// database it scans). Each thread keeps one scratch in a thread_local and calls
// hs_alloc_scratch() only when it meets a database it has not checked yet, which grows the
// scratch if needed; old and new matchers (config reload) can therefore share it.
#include "match/scanner.h"

#include <hs/hs.h>

#include <atomic>
#include <cstdlib>

namespace veille::match::internal {
namespace {

std::atomic<std::uint64_t> next_serial{1};

struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::uint64_t checked_serial = 0;  // the database the scratch was last sized for
  ThreadScratch() = default;
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  static_cast<std::vector<LiteralHit>*>(context)->push_back(
      LiteralHit{id, static_cast<std::uint32_t>(to)});
  return 0;
}

}  // namespace

void LiteralScanner::Deleter::operator()(hs_database* db) const { hs_free_database(db); }

Result<LiteralScanner> LiteralScanner::Compile(const std::vector<std::string>& literals) {
  LiteralScanner scanner;
  scanner.serial_ = next_serial.fetch_add(1);
  if (literals.empty()) return scanner;
  std::vector<const char*> expressions;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> ids;
  std::vector<unsigned> flags(literals.size(), 0);
  expressions.reserve(literals.size());
  for (std::size_t i = 0; i < literals.size(); ++i) {
    expressions.push_back(literals[i].data());
    lengths.push_back(literals[i].size());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr, &db,
                           &error) != HS_SUCCESS) {
    std::string message = "cannot compile the rule set: ";
    message += error != nullptr && error->message != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    return Fail(ErrorCode::kInternal, message);
  }
  scanner.db_.reset(db);
  return scanner;
}

void LiteralScanner::Scan(std::string_view text, std::vector<LiteralHit>* hits) const {
  if (!db_ || text.empty()) return;
  thread_local ThreadScratch tls;
  if (tls.checked_serial != serial_) {
    // Only fails when memory runs out; there is no way to match without scratch.
    if (hs_alloc_scratch(db_.get(), &tls.scratch) != HS_SUCCESS) std::abort();
    tls.checked_serial = serial_;
  }
  // hs_scan fails only on invalid arguments (a bug) or a scratch in use (impossible: the
  // scratch is this thread's and the callback never scans).
  if (hs_scan(db_.get(), text.data(), static_cast<unsigned>(text.size()), 0, tls.scratch, OnMatch,
              hits) != HS_SUCCESS) {
    std::abort();
  }
}

std::size_t LiteralScanner::database_bytes() const {
  std::size_t size = 0;
  if (db_) hs_database_size(db_.get(), &size);
  return size;
}

}  // namespace veille::match::internal
