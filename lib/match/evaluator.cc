#include "match/evaluator.h"

#include <algorithm>
#include <string>

namespace veille::match::internal {

using Kind = QueryNode::Kind;

bool Evaluator::Verify(const Leaf& leaf, const Hit& hit) const {
  const Segment& seg = ws_.segments[hit.segment];
  for (std::uint32_t i = 0; i < leaf.word_count; ++i) {
    const text::Word& w = ws_.norm.words[hit.first_word + i];
    const std::string folded =
        text::FoldWord(seg.source.substr(w.source_begin, w.source_end - w.source_begin), leaf.fold);
    const std::string& want = leaf.exact_words[i];
    const bool ok =
        leaf.prefix && i + 1 == leaf.word_count ? folded.starts_with(want) : folded == want;
    if (!ok) return false;
  }
  return true;
}

// Appends the occurrences of a text leaf (sorted by first word); returns whether any.
bool Evaluator::LeafOccurrences(std::uint32_t leaf_id, std::vector<Occurrence>* out) const {
  const Leaf& leaf = leaves_[leaf_id];
  if (leaf.pattern == kNoPattern) return false;
  const auto range =
      std::equal_range(ws_.hits.begin(), ws_.hits.end(), Hit{leaf.pattern, 0, 0},
                       [](const Hit& a, const Hit& b) { return a.pattern < b.pattern; });
  bool any = false;
  for (auto it = range.first; it != range.second; ++it) {
    if ((leaf.mask & (1u << ws_.segments[it->segment].kind)) == 0) continue;
    if (leaf.fold != text::Fold::kInsensitive && !Verify(leaf, *it)) continue;
    any = true;
    if (out == nullptr) return true;
    out->push_back(
        Occurrence{it->first_word, it->first_word + leaf.word_count - 1, it->segment, leaf_id});
  }
  return any;
}

bool Evaluator::ScopeMatches(const Leaf& leaf) const {
  if (leaf.field == Field::kSite) {
    return ws_.host == leaf.value ||
           (ws_.host.size() > leaf.value.size() && ws_.host.ends_with(leaf.value) &&
            ws_.host[ws_.host.size() - leaf.value.size() - 1] == '.');
  }
  return ws_.lang == leaf.value ||
         (ws_.lang.starts_with(leaf.value) && ws_.lang[leaf.value.size()] == '-');
}

void Evaluator::OperandOccurrences(const Tree& tree, std::uint32_t id,
                                   std::vector<Occurrence>* out) const {
  const Node& n = tree.nodes[id];
  if (n.kind == Kind::kTerm) {
    LeafOccurrences(n.leaf, out);
    return;
  }
  for (std::uint32_t c : n.children) OperandOccurrences(tree, c, out);
}

// Whether the two operands of a NEAR node occur close enough; with `pairs`, also collects
// every occurrence that takes part in a satisfying pair.
bool Evaluator::Near(const Tree& tree, const Node& n, std::vector<Occurrence>* pairs) const {
  std::vector<Occurrence> a;
  std::vector<Occurrence> b;
  OperandOccurrences(tree, n.children[0], &a);
  if (a.empty()) return false;
  OperandOccurrences(tree, n.children[1], &b);
  if (b.empty()) return false;
  const auto by_first = [](const Occurrence& x, const Occurrence& y) { return x.first < y.first; };
  std::sort(b.begin(), b.end(), by_first);
  std::uint32_t longest = 0;
  for (const Occurrence& o : b) longest = std::max(longest, o.last - o.first);
  bool found = false;
  for (const Occurrence& x : a) {
    const std::uint32_t reach = n.distance + 1 + longest;
    const std::uint32_t lo = x.first > reach ? x.first - reach : 0;
    auto it = std::lower_bound(b.begin(), b.end(), Occurrence{lo, lo, 0, 0}, by_first);
    for (; it != b.end() && it->first <= x.last + n.distance + 1; ++it) {
      const Occurrence& y = *it;
      if (y.segment != x.segment) continue;
      bool ok = false;
      if (x.last < y.first) {
        ok = y.first - x.last - 1 <= n.distance;
      } else if (y.last < x.first) {
        ok = !n.ordered && x.first - y.last - 1 <= n.distance;
      }
      if (!ok) continue;
      if (pairs == nullptr) return true;
      found = true;
      pairs->push_back(x);
      pairs->push_back(y);
    }
  }
  return found;
}

bool Evaluator::Eval(const Tree& tree, std::uint32_t id) const {
  const Node& n = tree.nodes[id];
  switch (n.kind) {
    case Kind::kTerm: {
      const Leaf& leaf = leaves_[n.leaf];
      if (leaf.pattern == kNoPattern) return ScopeMatches(leaf);
      return LeafOccurrences(n.leaf, nullptr);
    }
    case Kind::kAnd:
      for (std::uint32_t c : n.children) {
        if (!Eval(tree, c)) return false;
      }
      return true;
    case Kind::kOr:
      for (std::uint32_t c : n.children) {
        if (Eval(tree, c)) return true;
      }
      return false;
    case Kind::kNot:
      return !Eval(tree, n.children[0]);
    case Kind::kNear:
      return Near(tree, n, nullptr);
  }
  return false;
}

// The occurrences and scope leaves that make a matching query true (nothing under NOT).
void Evaluator::Collect(const Tree& tree, std::uint32_t id, std::vector<Occurrence>* occurrences,
                        std::vector<std::uint32_t>* leaves) const {
  const Node& n = tree.nodes[id];
  switch (n.kind) {
    case Kind::kTerm:
      if (leaves_[n.leaf].pattern == kNoPattern) {
        if (ScopeMatches(leaves_[n.leaf])) leaves->push_back(n.leaf);
      } else if (LeafOccurrences(n.leaf, occurrences)) {
        leaves->push_back(n.leaf);
      }
      return;
    case Kind::kAnd:
    case Kind::kOr:
      for (std::uint32_t c : n.children) {
        if (n.kind == Kind::kAnd || Eval(tree, c)) Collect(tree, c, occurrences, leaves);
      }
      return;
    case Kind::kNot:
      return;
    case Kind::kNear: {
      const std::size_t before = occurrences->size();
      Near(tree, n, occurrences);
      for (std::size_t i = before; i < occurrences->size(); ++i) {
        leaves->push_back((*occurrences)[i].leaf);
      }
      return;
    }
  }
}
}  // namespace veille::match::internal
