// veille test-rule QUERY --since 30d: replays a rule over the entries already stored (a
// backtest), so that a team can tune a rule before it starts sending alerts.
#pragma once

#include <iosfwd>
#include <string>

#include "config/config.h"

namespace veille::cli {

struct BacktestOptions {
  std::string query;
  std::string exclude;  // optional
  std::string since;    // "30d", "2026-11-01": entries first seen since then
  std::string feed;     // "" = every feed; a feed's name or URL
  int newest = 10;      // how many of the newest matches to list
  bool json = false;
  std::string sort = "date";  // the order of the matches listed: date, detected or relevance
  bool explain = false;       // say why each match listed matched (test-rule --explain)
};

// Prints how many stored entries the rule would have matched, per day (the entry's date: published,
// else updated, else first seen; store/entry_date.h), and the newest matches (by date, or in
// `sort` order) with their snippets; with `explain`, why each of them matched (cli_explain.h).
// Returns the exit code of test-rule: 0 when at least one entry matched, 1 when none, 2 on a
// query or argument error (message with column on `err`), 3 when the database cannot be read.
int RunBacktest(const config::Config& config, const BacktestOptions& options, std::ostream& out,
                std::ostream& err);

}  // namespace veille::cli
