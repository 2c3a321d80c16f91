// The web inbox's pages over the archive that mirror the command line's views (docs/web.md):
// the dashboard (the report's charts, lib/report), feed health with "poll now" (`veille feeds`,
// `veille poll`) and the outbox's pending and dead alerts with "retry" (`veille outbox`,
// `veille outbox retry`). App (app.cc) routes to them once the user is known and, for a POST,
// once the CSRF token is checked; they read and write through the store interface only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/stats.h"
#include "store/store.h"
#include "web/http_server.h"
#include "web/inbox.h"
#include "web/pages.h"

namespace veille::web {

// One request to one of these pages.
struct ArchiveRequest {
  const Request& request;
  const PageFrame& frame;
  store::Store& store;
  const ArchiveAccess& options;
  UnixSeconds now = 0;
};

// GET /dashboard[?period=7d|30d|90d | ?since=YYYY-MM-DD&until=YYYY-MM-DD].
Response DashboardPage(const ArchiveRequest& r);

// GET /feeds[?asked=ID]: every configured feed's health, a "poll now" button each.
Response FeedsPage(const ArchiveRequest& r);
// POST /feeds/poll (feed=ID): `veille poll`'s request (store/poll_requests.h), then 303 to /feeds.
Response PollNow(const ArchiveRequest& r);

// GET /alerts[?retried=N]: the outbox's pending and dead alerts, a "retry" button each.
Response AlertsPage(const ArchiveRequest& r);
// POST /alerts/retry (id=ID, or all=dead): `veille outbox retry`'s write, then 303 to /alerts.
Response RetryAlerts(const ArchiveRequest& r);

// The period a dashboard request asks for: a preset (7d, 30d, 90d; 30d by default) or
// since/until dates (YYYY-MM-DD, UTC, both days included). `error` says why the request's
// period was not taken ("" when it was).
struct DashboardPeriod {
  std::string preset;  // "7d", "30d", "90d"; "" for dates
  UnixSeconds since = 0;
  std::optional<UnixSeconds> until;  // exclusive; nullopt (a preset): up to now, later entry
                                     // dates in the last bucket, as `veille report --since 30d`
  std::string error;                 // an untranslated msgid (i18n::N_), translated by the page
};
DashboardPeriod ParseDashboardPeriod(const Request& request, UnixSeconds now);

}  // namespace veille::web
