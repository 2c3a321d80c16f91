// Many literals, one pass: a Hyperscan (vectorscan) block-mode database of byte literals
// (internal to lib/match).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct hs_database;

namespace veille::match::internal {

struct LiteralHit {
  std::uint32_t id = 0;   // index of the literal given to Compile
  std::uint32_t end = 0;  // byte offset just past the match
};

class LiteralScanner {
 public:
  // Compiles `literals` (non-empty strings; may be empty as a list, then Scan finds nothing).
  [[nodiscard]] static Result<LiteralScanner> Compile(const std::vector<std::string>& literals);

  // Appends every occurrence of every literal in `text` (overlapping ones included), in
  // order of end offset. Thread-safe: each thread uses its own Hyperscan scratch space,
  // allocated on first use and grown when a bigger database needs it.
  void Scan(std::string_view text, std::vector<LiteralHit>* hits) const;

  std::size_t database_bytes() const;

 private:
  struct Deleter {
    void operator()(hs_database* db) const;
  };
  std::unique_ptr<hs_database, Deleter> db_;
  std::uint64_t serial_ = 0;  // identifies the database for the per-thread scratch cache
};

}  // namespace veille::match::internal
