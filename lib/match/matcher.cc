// The engine. Compile() turns every rule into a small tree over "leaves" (terms and phrases);
// every text leaf becomes one literal of a single Hyperscan database: its folded words, each
// preceded by a space, plus a trailing space unless it ends in a wildcard (" l oreal ",
// " lanc"). The normalized entry writes every word after one space and ends each field with
// " \n", so a literal can only match whole words inside one field.
//
// Match() normalizes the entry's fields into one buffer, scans it once, turns each literal hit
// into (pattern, first word, field) and evaluates only the rules that one of the hit patterns
// can satisfy (plus the few rules that can match on site:/lang: alone): O(text + hits), not
// O(rules x text).
#include "match/matcher.h"

#include <algorithm>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/url.h"
#include "match/compiled.h"
#include "match/evaluator.h"
#include "match/query.h"
#include "match/scanner.h"
#include "match/snippet.h"
#include "text/normalize.h"

namespace veille::match {
namespace {

using internal::CompiledRule;
using internal::Evaluator;
using internal::Hit;
using internal::kNoPattern;
using internal::Leaf;
using internal::LiteralHit;
using internal::Node;
using internal::Occurrence;
using internal::PatternInfo;
using internal::Segment;
using internal::SegmentKind;
using internal::SourceSpan;
using internal::Tree;
using internal::Workspace;
using Kind = QueryNode::Kind;
using enum internal::SegmentKind;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class MatcherImpl final : public Matcher {
 public:
  explicit MatcherImpl(std::vector<RuleSpec> rules) : rules_(std::move(rules)) {}

  Result<void> AddRule(std::size_t index) {
    const RuleSpec& spec = rules_[index];
    const std::string where = "rule \"" + spec.name + "\": ";
    auto query = ParseQuery(spec.query);
    if (!query) return Fail(ErrorCode::kInvalidArgument, where + query.error().ToString());
    CompiledRule rule;
    const auto rule_id = static_cast<std::uint32_t>(index);
    rule.query.root = AddNode(*query, rule_id, /*positive=*/true, /*register=*/true, &rule.query);
    if (spec.exclude.find_first_not_of(" \t\r\n") != std::string::npos) {
      auto exclude = ParseQuery(spec.exclude);
      if (!exclude) {
        return Fail(ErrorCode::kInvalidArgument, where + "exclude: " + exclude.error().ToString());
      }
      rule.exclude.root = AddNode(*exclude, rule_id, true, /*register=*/false, &rule.exclude);
      rule.has_exclude = true;
    }
    if (MatchesWithoutTerms(*query, Scopes::kFavourable)) always_.push_back(rule_id);
    compiled_.push_back(std::move(rule));
    return {};
  }

  Result<void> Finish() {
    std::sort(pattern_rules_.begin(), pattern_rules_.end());
    pattern_rules_.erase(std::unique(pattern_rules_.begin(), pattern_rules_.end()),
                         pattern_rules_.end());
    rules_by_pattern_begin_.assign(literals_.size() + 1, 0);
    for (const auto& [pattern, rule] : pattern_rules_) ++rules_by_pattern_begin_[pattern + 1];
    for (std::size_t i = 1; i < rules_by_pattern_begin_.size(); ++i) {
      rules_by_pattern_begin_[i] += rules_by_pattern_begin_[i - 1];
    }
    auto scanner = internal::LiteralScanner::Compile(literals_);
    if (!scanner) return tl::unexpected(scanner.error());
    scanner_ = std::move(*scanner);
    literal_index_.clear();
    return {};
  }

  std::vector<Mention> Match(const Document& doc) const override {
    thread_local Workspace ws;
    Prepare(doc, &ws);
    std::vector<Mention> mentions;
    const Evaluator evaluator(leaves_, ws);
    for (const std::uint32_t rule_id : ws.candidates) {
      const CompiledRule& rule = compiled_[rule_id];
      if (!evaluator.Eval(rule.query, rule.query.root)) continue;
      if (rule.has_exclude && evaluator.Eval(rule.exclude, rule.exclude.root)) continue;
      mentions.push_back(MakeMention(rule_id, evaluator, ws));
    }
    if (ws.norm.text.capacity() > (8u << 20)) ws = Workspace();  // do not pin a huge entry
    return mentions;
  }

  Explanation Explain(const Document& doc, std::size_t rule_index) const override {
    Workspace ws;
    Prepare(doc, &ws);
    const Evaluator evaluator(leaves_, ws);
    const CompiledRule& rule = compiled_.at(rule_index);
    Explanation e;
    e.query = evaluator.Explain(rule.query);
    if (rule.has_exclude) e.exclude = evaluator.Explain(rule.exclude);
    e.matched = e.query.matched && !e.excluded();
    return e;
  }

  const std::vector<RuleSpec>& rules() const override { return rules_; }

 private:
  std::uint32_t AddNode(const QueryNode& q, std::uint32_t rule_id, bool positive,
                        bool register_hits, Tree* tree) {
    Node node;
    node.kind = q.kind;
    node.distance = q.distance;
    node.ordered = q.ordered;
    if (q.kind == Kind::kTerm) {
      node.leaf = AddLeaf(q, rule_id, positive && register_hits);
    } else {
      const bool child_positive = q.kind == Kind::kNot ? !positive : positive;
      for (const QueryNode& c : q.children) {
        node.children.push_back(AddNode(c, rule_id, child_positive, register_hits, tree));
      }
    }
    tree->nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(tree->nodes.size() - 1);
  }

  std::uint32_t AddLeaf(const QueryNode& q, std::uint32_t rule_id, bool triggers) {
    Leaf leaf;
    leaf.text = q.text;
    leaf.field = q.field;
    leaf.mask = internal::MaskFor(q.field);
    leaf.fold = q.fold;
    leaf.prefix = q.prefix;
    leaf.exact_words = q.exact_words;
    leaf.value = q.value;
    if (!q.words.empty()) {
      std::string literal;
      for (const std::string& w : q.words) literal += " " + w;
      if (!q.prefix) literal += ' ';
      auto [it, inserted] =
          literal_index_.try_emplace(literal, static_cast<std::uint32_t>(literals_.size()));
      if (inserted) {
        literals_.push_back(literal);
        patterns_.push_back(PatternInfo{static_cast<std::uint32_t>(literal.size()),
                                        static_cast<std::uint32_t>(q.words.size())});
      }
      leaf.pattern = it->second;
      leaf.word_count = static_cast<std::uint32_t>(q.words.size());
      if (triggers) pattern_rules_.emplace_back(leaf.pattern, rule_id);
    }
    leaves_.push_back(std::move(leaf));
    return static_cast<std::uint32_t>(leaves_.size() - 1);
  }

  // Normalizes the entry, scans it once and lists the rules worth evaluating.
  void Prepare(const Document& doc, Workspace* ws) const {
    ws->norm.clear();
    ws->segments.clear();
    ws->raw.clear();
    ws->hits.clear();
    ws->candidates.clear();
    const auto add = [&](SegmentKind kind, std::string_view source) {
      if (source.empty()) return;
      Segment s;
      s.kind = kind;
      s.source = source;
      s.first_word = static_cast<std::uint32_t>(ws->norm.words.size());
      text::AppendWords(source, &ws->norm);
      ws->norm.text += " \n";
      s.end_word = static_cast<std::uint32_t>(ws->norm.words.size());
      if (s.end_word > s.first_word) ws->segments.push_back(s);
    };
    add(kTitle, doc.title);
    add(kText, doc.text);
    if (uses_other_fields_) {
      add(kAuthor, doc.author);
      add(kLink, doc.link);
      add(kFeed, doc.feed_name);
      add(kFeed, doc.feed_url);
      for (std::string_view c : doc.categories) add(kCategory, c);
    }
    // common/url.h: the host libcurl would connect to. Only site: terms read it, and parsing the
    // link is a fifth of Prepare's CPU: skipped when no rule has one.
    ws->host = uses_site_ ? HostOf(doc.link) : std::string();
    ws->lang = LowerAscii(doc.language);
    std::replace(ws->lang.begin(), ws->lang.end(), '_', '-');

    scanner_.Scan(ws->norm.text, &ws->raw);
    const std::vector<text::Word>& words = ws->norm.words;
    for (const LiteralHit& raw : ws->raw) {
      const PatternInfo& p = patterns_[raw.id];
      const std::uint32_t word_begin = raw.end - p.length + 1;
      const auto it = std::lower_bound(
          words.begin(), words.end(), word_begin,
          [](const text::Word& w, std::uint32_t offset) { return w.begin < offset; });
      if (it == words.end() || it->begin != word_begin) continue;  // cannot happen
      const auto first_word = static_cast<std::uint32_t>(it - words.begin());
      const auto seg =
          std::upper_bound(ws->segments.begin(), ws->segments.end(), first_word,
                           [](std::uint32_t w, const Segment& s) { return w < s.first_word; }) -
          ws->segments.begin() - 1;
      ws->hits.push_back(Hit{raw.id, first_word, static_cast<std::uint32_t>(seg)});
    }
    std::sort(ws->hits.begin(), ws->hits.end(), [](const Hit& a, const Hit& b) {
      return a.pattern != b.pattern ? a.pattern < b.pattern : a.first_word < b.first_word;
    });
    std::uint32_t previous = kNoPattern;
    for (const Hit& h : ws->hits) {
      if (h.pattern == previous) continue;
      previous = h.pattern;
      for (std::uint32_t i = rules_by_pattern_begin_[h.pattern];
           i < rules_by_pattern_begin_[h.pattern + 1]; ++i) {
        ws->candidates.push_back(pattern_rules_[i].second);
      }
    }
    ws->candidates.insert(ws->candidates.end(), always_.begin(), always_.end());
    std::sort(ws->candidates.begin(), ws->candidates.end());
    ws->candidates.erase(std::unique(ws->candidates.begin(), ws->candidates.end()),
                         ws->candidates.end());
  }

  Mention MakeMention(std::uint32_t rule_id, const Evaluator& evaluator,
                      const Workspace& ws) const {
    const CompiledRule& rule = compiled_[rule_id];
    std::vector<Occurrence> occurrences;
    std::vector<std::uint32_t> leaves;
    evaluator.Collect(rule.query, rule.query.root, &occurrences, &leaves);
    Mention m;
    m.rule_index = rule_id;
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    for (std::uint32_t l : leaves) {
      const std::string& t = leaves_[l].text;
      if (std::find(m.terms.begin(), m.terms.end(), t) == m.terms.end()) m.terms.push_back(t);
    }
    // Anchor: the first hit in the text, else the first hit in the earliest field. A rule that
    // matched on site:/lang: alone has no hit: its snippet is the start of the text (or title).
    const Occurrence* anchor = nullptr;
    for (const Occurrence& o : occurrences) {
      const bool in_text = ws.segments[o.segment].kind == kText;
      const bool anchor_in_text = anchor != nullptr && ws.segments[anchor->segment].kind == kText;
      if (anchor == nullptr || (in_text && !anchor_in_text) ||
          (in_text == anchor_in_text && o.first < anchor->first)) {
        anchor = &o;
      }
    }
    std::uint32_t segment = 0;
    if (anchor != nullptr) {
      segment = anchor->segment;
    } else if (ws.segments.empty() || ws.segments[0].kind > kText) {
      return m;  // neither title nor text has a word
    } else if (ws.segments.size() > 1 && ws.segments[1].kind == kText) {
      segment = 1;
    }
    const Segment& seg = ws.segments[segment];
    const auto& words = ws.norm.words;
    std::vector<SourceSpan> spans;
    for (const Occurrence& o : occurrences) {
      if (o.segment != segment) continue;
      spans.push_back(SourceSpan{words[o.first].source_begin, words[o.last].source_end});
    }
    const SourceSpan anchor_span =
        anchor != nullptr
            ? SourceSpan{words[anchor->first].source_begin, words[anchor->last].source_end}
            : SourceSpan{words[seg.first_word].source_begin, words[seg.first_word].source_end};
    internal::Snippet s = internal::MakeSnippet(
        seg.source,
        std::span<const text::Word>(words.data() + seg.first_word, seg.end_word - seg.first_word),
        anchor_span, std::move(spans));
    m.snippet = std::move(s.text);
    m.highlights = std::move(s.highlights);
    return m;
  }

  friend tl::expected<std::shared_ptr<const Matcher>, CompileError> Matcher::Compile(
      const std::vector<RuleSpec>&);

  std::vector<RuleSpec> rules_;
  std::vector<CompiledRule> compiled_;
  std::vector<Leaf> leaves_;
  std::vector<std::string> literals_;
  std::vector<PatternInfo> patterns_;
  std::unordered_map<std::string, std::uint32_t> literal_index_;        // only while compiling
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pattern_rules_;  // (pattern, rule), sorted
  std::vector<std::uint32_t> rules_by_pattern_begin_;  // CSR offsets into pattern_rules_
  std::vector<std::uint32_t> always_;                  // rules that can match without any term hit
  bool uses_other_fields_ = false;
  bool uses_site_ = false;  // some leaf is a site: term
  internal::LiteralScanner scanner_;
};

}  // namespace

tl::expected<std::shared_ptr<const Matcher>, CompileError> Matcher::Compile(
    const std::vector<RuleSpec>& rules) {
  auto impl = std::make_shared<MatcherImpl>(rules);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto added = impl->AddRule(i);
    if (!added) return tl::unexpected(CompileError{added.error().code, added.error().message, i});
  }
  for (const Leaf& leaf : impl->leaves_) {
    if (leaf.field == Field::kSite) impl->uses_site_ = true;
    if (leaf.pattern != kNoPattern && leaf.field != Field::kDefault &&
        leaf.field != Field::kTitle && leaf.field != Field::kText) {
      impl->uses_other_fields_ = true;
    }
  }
  auto finished = impl->Finish();
  if (!finished) {
    return tl::unexpected(
        CompileError{finished.error().code, finished.error().message, std::nullopt});
  }
  return std::shared_ptr<const Matcher>(std::move(impl));
}

std::string CheckQuery(std::string_view query) {
  auto parsed = ParseQuery(query);
  return parsed ? std::string() : parsed.error().ToString();
}

}  // namespace veille::match
