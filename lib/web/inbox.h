// The inbox pages (docs/web.md, "Pages"): the list of mentions with its filters and search
// (GET / and /inbox), a story (GET /story/ID) and triage (POST /triage). They read and write
// through the store interface and lib/archive, the code the CLI uses, so that `veille mentions`,
// `veille search` and `veille triage` see and set the same things. The App routes to them after
// its checks (Host, authentication, CSRF for the POST).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "store/store.h"
#include "web/http_server.h"
#include "web/pages.h"
#include "web/store_pool.h"

namespace veille::web {

// A feed of the configuration, as `veille feeds` lists them (the store also holds removed ones).
struct ConfiguredFeed {
  std::string name;
  std::string url;
};

// Where every page over the archive (the inbox pages, archive_pages.h) finds it: one store per
// request through Borrow (a store is not shared between the server's threads). `open` opens a
// new store: kRead for pages, kWrite for triage, "poll now" and "retry" (short transactions, as
// the CLI's, on a connection of their own: they are rare, and a page's read-only session can
// never write). With a `pool` (veille serve), pages take their kRead store from it instead,
// reused across requests (store_pool.h). `rules`: the configured rules, for their entities (the
// inbox, the dashboard's share of voice) and the story page's explanations; `feeds`: the
// configured feeds (the feeds page).
struct ArchiveAccess {
  std::function<Result<std::unique_ptr<store::Store>>(store::Access)> open;
  std::vector<config::RuleEntry> rules;
  std::vector<ConfiguredFeed> feeds = {};
  std::shared_ptr<StorePool> pool = {};

  // A store for one request: a kRead one from `pool` when there is one, else opened now.
  [[nodiscard]] Result<PooledStore> Borrow(store::Access access) const;
};

// Mentions per inbox page, and the deepest page served (offset pagination, bounded).
inline constexpr int kInboxPageSize = 50;
inline constexpr int kInboxMaxPage = 200;
// A search counts its matching mentions up to this many, then says "more than" (the work of a
// common word stays bounded by the page, archive::FindMatchingMentions).
inline constexpr std::int64_t kInboxSearchCount = 1000;

// GET / and /inbox. Query parameters (all optional): rule, category, feed (a feed id), lang,
// status (new|read|handled|ignored), since and until (YYYY-MM-DD, until inclusive), q (the
// query language, as `veille search`), page (1...). A malformed q or date is shown on the page
// (400) with its column.
Response InboxResponse(const Request& request, const PageFrame& frame,
                       const ArchiveAccess& archive);

// GET /story/ID: every source, every matched rule with its explanation, the alerts and their
// delivery, each mention's triage form.
Response StoryResponse(const Request& request, const PageFrame& frame,
                       const ArchiveAccess& archive);

// GET /tester: the rule tester. Parameters: q and exclude (the rule language), days (7, 30, 90
// or 365; default 30). The backtest of `veille test-rule --since`, over the entries first seen
// since `now` minus those days; a malformed query is shown with a caret at its column (a page
// like any other: status 200).
Response TesterResponse(const Request& request, const PageFrame& frame,
                        const ArchiveAccess& archive, UnixSeconds now);

// POST /triage (CSRF already checked). Fields: act = read|handled|ignored|new|tag|save, with
// ":ID,ID..." for one row's mentions, else the mentions of the checked rows (sel* fields, each
// "ID,ID..."); tag (act=tag: added to each); tags and note (act=save: one mention's whole tag
// list and note); back (the local address to return to). `now` stamps the change, `user` signs
// it.
Response TriageResponse(const Request& request, const PageFrame& frame,
                        const ArchiveAccess& archive, UnixSeconds now);

}  // namespace veille::web
