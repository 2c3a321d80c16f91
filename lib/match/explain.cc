// Evaluator::Explain: the same evaluation as Eval, written out for a person (test-rule
// --explain). Kept apart from evaluator.cc: the daemon never calls it.
#include <algorithm>
#include <string>

#include "match/evaluator.h"

namespace veille::match::internal {
namespace {

using Kind = QueryNode::Kind;

std::string_view SegmentName(SegmentKind kind) {
  switch (kind) {
    case kTitle:
      return "title";
    case kText:
      return "text";
    case kAuthor:
      return "author";
    case kLink:
      return "link";
    case kFeed:
      return "feed";
    case kCategory:
      return "category";
  }
  return "text";
}

// The term as a query would write it: scope, modifiers, quotes around a phrase.
std::string TermText(const Leaf& leaf) {
  std::string out;
  if (leaf.field != Field::kDefault) out += std::string(FieldName(leaf.field)) + ":";
  if (leaf.field == Field::kSite || leaf.field == Field::kLang) return out + leaf.value;
  if (leaf.fold == text::Fold::kKeepCase || leaf.fold == text::Fold::kExact) out += "=";
  if (leaf.fold == text::Fold::kKeepAccents || leaf.fold == text::Fold::kExact) out += "^";
  const bool phrase = leaf.text.find(' ') != std::string::npos;
  return out + (phrase ? "\"" + leaf.text + "\"" : leaf.text);
}

// The fewest words between an occurrence of `xs` and a later one of `ys` in the same field.
std::optional<std::uint32_t> ClosestAfter(const std::vector<Occurrence>& xs,
                                          std::vector<Occurrence> ys) {
  const auto by_first = [](const Occurrence& a, const Occurrence& b) { return a.first < b.first; };
  std::sort(ys.begin(), ys.end(), by_first);
  std::optional<std::uint32_t> best;
  for (const Occurrence& x : xs) {
    // Segments are consecutive word ranges: the first occurrence starting after x is the
    // closest, and when it is in another field no later one is in x's.
    const Occurrence after{x.last, x.last, 0, 0};
    const auto it = std::upper_bound(ys.begin(), ys.end(), after, by_first);
    if (it == ys.end() || it->segment != x.segment) continue;
    const std::uint32_t gap = it->first - x.last - 1;
    if (!best || gap < *best) best = gap;
  }
  return best;
}

}  // namespace

std::string Evaluator::Render(const Tree& tree, std::uint32_t id) const {
  const Node& n = tree.nodes[id];
  if (n.kind == Kind::kTerm) return TermText(leaves_[n.leaf]);
  if (n.kind == Kind::kNot) return "-" + Render(tree, n.children[0]);
  std::string op = n.kind == Kind::kAnd ? " AND " : " OR ";
  if (n.kind == Kind::kNear) {
    op = std::string(n.ordered ? " ONEAR/" : " NEAR/") + std::to_string(n.distance) + " ";
  }
  std::string out = "(";
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    out += (i ? op : "") + Render(tree, n.children[i]);
  }
  return out + ")";
}

void Evaluator::ExplainNode(const Tree& tree, std::uint32_t id, bool negated,
                            QueryExplanation* out) const {
  const Node& n = tree.nodes[id];
  if (n.kind == Kind::kTerm) {
    const Leaf& leaf = leaves_[n.leaf];
    TermExplanation t;
    t.term = TermText(leaf);
    t.negated = negated;
    if (leaf.pattern == kNoPattern) {
      t.found = ScopeMatches(leaf);
    } else {
      std::vector<Occurrence> occurrences;
      LeafOccurrences(n.leaf, &occurrences);
      t.found = !occurrences.empty();
      t.hit_count = occurrences.size();
      for (const Occurrence& o : occurrences) {
        if (t.hits.size() == kMaxExplainedHits) break;
        const Segment& seg = ws_.segments[o.segment];
        const std::uint32_t begin = ws_.norm.words[o.first].source_begin;
        const std::uint32_t end = ws_.norm.words[o.last].source_end;
        t.hits.push_back(TermHit{std::string(SegmentName(seg.kind)), begin, end,
                                 std::string(seg.source.substr(begin, end - begin))});
      }
    }
    out->terms.push_back(std::move(t));
    return;
  }
  if (n.kind == Kind::kNear) {
    NearExplanation near;
    near.left = Render(tree, n.children[0]);
    near.right = Render(tree, n.children[1]);
    near.limit = n.distance;
    near.ordered = n.ordered;
    std::vector<Occurrence> a;
    std::vector<Occurrence> b;
    OperandOccurrences(tree, n.children[0], &a);
    OperandOccurrences(tree, n.children[1], &b);
    near.left_found = !a.empty();
    near.right_found = !b.empty();
    near.closest = ClosestAfter(a, b);
    if (!n.ordered) {
      const std::optional<std::uint32_t> reverse = ClosestAfter(b, a);
      if (reverse && (!near.closest || *reverse < *near.closest)) near.closest = reverse;
    }
    near.holds = Near(tree, n, nullptr);
    out->near.push_back(std::move(near));
  }
  for (const std::uint32_t c : n.children) {
    ExplainNode(tree, c, n.kind == Kind::kNot ? !negated : negated, out);
  }
}

QueryExplanation Evaluator::Explain(const Tree& tree) const {
  QueryExplanation out;
  out.matched = Eval(tree, tree.root);
  ExplainNode(tree, tree.root, false, &out);
  return out;
}

}  // namespace veille::match::internal
