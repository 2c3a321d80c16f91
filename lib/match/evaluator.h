// Evaluates compiled query trees over one prepared entry: Boolean logic, proximity and exact
// terms over the literal hits (internal to lib/match).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "match/compiled.h"
#include "match/explain.h"

namespace veille::match::internal {

class Evaluator {
 public:
  // `ws` holds the entry as prepared by the matcher: normalized words, segments, sorted hits.
  Evaluator(std::span<const Leaf> leaves, const Workspace& ws) : leaves_(leaves), ws_(ws) {}

  // Whether node `id` of `tree` holds for the entry.
  bool Eval(const Tree& tree, std::uint32_t id) const;

  // For a node that holds: the occurrences that make it hold and the leaves they belong to
  // (site:/lang: leaves have no occurrence). Nothing under NOT; for NEAR, only the occurrences
  // that are near each other.
  void Collect(const Tree& tree, std::uint32_t id, std::vector<Occurrence>* occurrences,
               std::vector<std::uint32_t>* leaves) const;

  // Why `tree` holds or not: every leaf's hits, every NEAR's closest distance (explain.cc; for
  // test-rule --explain, never on the daemon's path).
  QueryExplanation Explain(const Tree& tree) const;

 private:
  bool Verify(const Leaf& leaf, const Hit& hit) const;
  bool LeafOccurrences(std::uint32_t leaf_id, std::vector<Occurrence>* out) const;
  bool ScopeMatches(const Leaf& leaf) const;
  void OperandOccurrences(const Tree& tree, std::uint32_t id, std::vector<Occurrence>* out) const;
  bool Near(const Tree& tree, const Node& n, std::vector<Occurrence>* pairs) const;
  std::string Render(const Tree& tree, std::uint32_t id) const;
  void ExplainNode(const Tree& tree, std::uint32_t id, bool negated, QueryExplanation* out) const;

  std::span<const Leaf> leaves_;
  const Workspace& ws_;
};

}  // namespace veille::match::internal
