#include "store/store.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "common/entry_text.h"
#include "common/hash.h"
#include "store/canonical.h"
#include "store/entry_date.h"
#include "store/outbox_rows.h"
#include "store/schema.h"
#include "store/sqlite_backend.h"
#include "store/stories.h"

namespace veille::store {
namespace {

// MentionSelect with the tags in code-point order (SQLite's ORDER BY of text).
std::string MentionSelectSqlite() {
  return MentionSelect(
      "(SELECT group_concat(tag, char(10)) FROM (SELECT tag FROM triage_tags tt "
      "WHERE tt.mention_id = m.id ORDER BY tag))");
}
// With an entry id list (the inbox's search: thousands of candidate entries, a tenth of them
// mentioned; archive/search.cc), the mentions are found through their entry_id index, the
// mentions first in the loop (CROSS JOIN fixes SQLite's join order) and then sorted: left to
// itself, the planner reads every listed entry's row before looking for its mentions, or walks
// every mention newest first for the order (about 4x the CPU at 1M entries).
constexpr std::string_view kJoin = "JOIN entries e ON";

}  // namespace

std::string StatusList(const std::vector<TriageStatus>& statuses) {
  if (statuses.empty()) return "";
  std::string out = ",";
  for (auto s : statuses) out += std::string(TriageStatusName(s)) + ",";
  return out;
}

std::string LanguageKey(std::string_view language) {
  std::string key;
  for (char c : language) {
    key += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

std::string LanguageCondition(std::string_view column, int param, std::string_view language) {
  if (language.empty()) return "";
  const std::string c(column);
  const std::string p = "?" + std::to_string(param);
  return " AND (lower(" + c + ") = " + p + " OR substr(lower(" + c + "), 1, length(" + p +
         ") + 1) = " + p + " || '-')";
}

std::string IdListCondition(std::string_view column, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return "";
  std::string out = " AND " + std::string(column) + " IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

std::string_view TriageStatusName(TriageStatus status) {
  switch (status) {
    case TriageStatus::kNew:
      return "new";
    case TriageStatus::kRead:
      return "read";
    case TriageStatus::kHandled:
      return "handled";
    case TriageStatus::kIgnored:
      return "ignored";
  }
  return "new";
}

std::optional<TriageStatus> ParseTriageStatus(std::string_view name) {
  for (auto s :
       {TriageStatus::kNew, TriageStatus::kRead, TriageStatus::kHandled, TriageStatus::kIgnored}) {
    if (TriageStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view OutboxStatusName(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::kChannelRemoved:
      return "channel_removed";
    case OutboxStatus::kDead:
      return "dead";
    case OutboxStatus::kDelivered:
      return "delivered";
    case OutboxStatus::kDisabled:
      return "disabled";
    case OutboxStatus::kPending:
      return "pending";
    case OutboxStatus::kSuppressed:
      return "suppressed";
  }
  return "pending";
}

std::optional<OutboxStatus> ParseOutboxStatus(std::string_view name) {
  for (auto s : kOutboxStatuses) {
    if (OutboxStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += '\n';
    for (char c : item) out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string EncodeHighlights(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& h) {
  std::string out;
  for (const auto& [b, e] : h) {
    if (!out.empty()) out += ',';
    out += std::to_string(b) + "-" + std::to_string(e);
  }
  return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> DecodeHighlights(const std::string& text) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    std::uint32_t b = 0, e = 0;
    auto r1 = std::from_chars(p, end, b);
    if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '-') break;
    auto r2 = std::from_chars(r1.ptr + 1, end, e);
    if (r2.ec != std::errc()) break;
    out.emplace_back(b, e);
    p = r2.ptr;
    if (p < end && *p == ',') ++p;
  }
  return out;
}

Result<std::vector<std::int64_t>> SqliteBackend::SyncFeeds(
    const std::vector<std::pair<std::string, std::string>>& url_and_name, UnixSeconds now) {
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  auto upsert = db_->Prepare(
      "INSERT INTO feeds (url, name, state, created_at) VALUES (?1, ?2, 'ok', ?3) "
      "ON CONFLICT (url) DO UPDATE SET name = excluded.name");
  auto lookup = db_->Prepare("SELECT id FROM feeds WHERE url = ?1");
  if (!upsert) return tl::unexpected(upsert.error());
  if (!lookup) return tl::unexpected(lookup.error());
  std::vector<std::int64_t> ids;
  for (const auto& [url, name] : url_and_name) {
    upsert->Bind(1, url).Bind(2, name).Bind(3, now);
    VEILLE_TRY(upsert->Run());
    lookup->Bind(1, url);
    auto row = lookup->Step();
    if (!row) return tl::unexpected(row.error());
    ids.push_back(lookup->Int(0));
    lookup->Reset();
  }
  VEILLE_TRY(tx->Commit());
  return ids;
}

Result<std::vector<FeedRow>> SqliteBackend::ListFeeds() {
  auto stmt = db_->Prepare(std::string("SELECT ") + kFeedColumns +
                           ", (SELECT COUNT(*) FROM entries e WHERE e.feed_id = feeds.id), "
                           "(SELECT COUNT(*) FROM mentions m JOIN entries e ON e.id = m.entry_id "
                           "WHERE e.feed_id = feeds.id) FROM feeds ORDER BY id");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<FeedRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    FeedRow f = ReadFeed(*stmt);
    f.entry_count = stmt->Int(25);
    f.mention_count = stmt->Int(26);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::optional<FeedRow>> SqliteBackend::GetFeed(std::int64_t feed_id) {
  auto stmt = db_->Prepare(std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, feed_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<FeedRow>();
  return std::optional<FeedRow>(ReadFeed(*stmt));
}

Result<int> SqliteBackend::CountEntriesSince(std::int64_t feed_id, UnixSeconds since) {
  auto stmt =
      db_->Prepare("SELECT COUNT(*) FROM entries WHERE feed_id = ?1 AND first_seen_at >= ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, feed_id).Bind(2, since);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<int>(stmt->Int(0));
}

Result<std::vector<MentionRow>> SqliteBackend::ListMentions(const MentionFilter& filter) {
  std::string sql = MentionSelectSqlite();
  if (!filter.entry_ids.empty()) sql.replace(sql.find(kJoin), 0, "CROSS ");
  sql +=
      "WHERE (?1 IS NULL OR m.created_at >= ?1) AND (?2 IS NULL OR m.created_at < ?2) "
      "AND (?3 = '' OR m.rule = ?3) AND (?4 = '' OR m.category = ?4) "
      "AND (?7 = '' OR instr(?7, ',' || COALESCE(t.status, 'new') || ',') > 0) "
      "AND (?8 = '' OR EXISTS (SELECT 1 FROM triage_tags tt WHERE tt.mention_id = m.id "
      "AND tt.tag = ?8))";
  sql += IdListCondition("e.feed_id", filter.feed_ids);
  sql += IdListCondition("m.entry_id", filter.entry_ids);
  sql += LanguageCondition("e.language", 9, filter.language);
  sql += filter.entry_ids.empty() ? " ORDER BY m.created_at DESC" : " ORDER BY +m.created_at DESC";
  sql += ", m.id DESC LIMIT ?6 OFFSET ?10";
  auto stmt = db_->Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, filter.since)
      .Bind(2, filter.until)
      .Bind(3, filter.rule)
      .Bind(4, filter.category)
      .Bind(6, std::int64_t{filter.limit <= 0 ? -1 : filter.limit})
      .Bind(7, StatusList(filter.statuses))
      .Bind(8, filter.tag)
      .Bind(10, std::int64_t{std::max(0, filter.offset)});
  if (!filter.language.empty()) stmt->Bind(9, LanguageKey(filter.language));
  std::vector<MentionRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadMention(*stmt));
  }
  return out;
}

Result<void> SqliteBackend::WriteStatus(const DaemonStatus& status) {
  auto stmt = db_->Prepare(
      "INSERT INTO daemon_status (id, pid, version, started_at, heartbeat_at, stopped_at, "
      "last_error) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
      "pid = excluded.pid, version = excluded.version, started_at = excluded.started_at, "
      "heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at, "
      "last_error = excluded.last_error");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, status.pid)
      .Bind(2, status.version)
      .Bind(3, status.started_at)
      .Bind(4, status.heartbeat_at)
      .Bind(5, status.stopped_at)
      .Bind(6, status.last_error);
  return stmt->Run();
}

Result<std::optional<DaemonStatus>> SqliteBackend::ReadStatus() {
  auto stmt = db_->Prepare(
      "SELECT pid, version, started_at, heartbeat_at, stopped_at, last_error FROM daemon_status "
      "WHERE id = 1");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<DaemonStatus>();
  DaemonStatus d;
  d.pid = stmt->Int(0);
  d.version = stmt->Text(1);
  d.started_at = stmt->Int(2);
  d.heartbeat_at = stmt->Int(3);
  d.stopped_at = stmt->OptInt(4);
  d.last_error = stmt->OptText(5);
  return std::optional<DaemonStatus>(d);
}

Result<std::vector<std::pair<OutboxStatus, std::int64_t>>> SqliteBackend::OutboxCounts() {
  auto stmt = db_->Prepare(
      "SELECT status, COUNT(*) FROM (SELECT status FROM outbox UNION ALL "
      "SELECT status FROM event_outbox) GROUP BY status ORDER BY status");
  if (!stmt) return tl::unexpected(stmt.error());
  std::vector<std::pair<OutboxStatus, std::int64_t>> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    if (auto status = ParseOutboxStatus(stmt->Text(0))) out.emplace_back(*status, stmt->Int(1));
  }
  return out;
}

Result<MentionRow> SqliteBackend::GetMention(std::int64_t mention_id) {
  auto stmt = db_->Prepare(MentionSelectSqlite() + "WHERE m.id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, mention_id);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kNotFound, "no mention " + std::to_string(mention_id));
  return ReadMention(*stmt);
}

Result<std::vector<OutboxRow>> SqliteBackend::DueOutbox(UnixSeconds now, int limit) {
  auto stmt = db_->Prepare(std::string("SELECT ") + kOutboxColumns +
                           " FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ?1 "
                           "ORDER BY o.next_attempt_at, o.id LIMIT ?2");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, now).Bind(2, std::int64_t{limit});
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(ReadOutboxRow(*stmt));
  }
  return out;
}

Result<void> SqliteBackend::MarkDelivered(std::int64_t outbox_id, UnixSeconds now) {
  auto stmt = db_->Prepare(
      "UPDATE outbox SET status = 'delivered', delivered_at = ?2, attempts = attempts + 1, "
      "last_error = NULL WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, outbox_id).Bind(2, now);
  return stmt->Run();
}

Result<void> SqliteBackend::MarkFailed(std::int64_t outbox_id, const std::string& error,
                                       UnixSeconds next_attempt_at, bool dead) {
  auto stmt = db_->Prepare(
      "UPDATE outbox SET status = CASE WHEN ?4 THEN 'dead' ELSE status END, "
      "attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, outbox_id).Bind(2, error).Bind(3, next_attempt_at).Bind(4, std::int64_t{dead});
  return stmt->Run();
}

bool Store::Shared() const { return backend_->Shared(); }

Result<std::vector<LeasedFeed>> Store::LeaseDueFeeds(const std::vector<std::int64_t>& feed_ids,
                                                     UnixSeconds now, int limit,
                                                     std::int64_t lease_ms,
                                                     const HostClaim* hosts) {
  return backend_->LeaseDueFeeds(feed_ids, now, limit, lease_ms, hosts);
}

Result<void> Store::RenewLeases(const std::vector<std::int64_t>& feed_ids, std::int64_t lease_ms,
                                const std::vector<std::string>& hosts) {
  return backend_->RenewLeases(feed_ids, lease_ms, hosts);
}

Result<void> Store::AddHosts(const std::vector<std::string>& hosts) {
  return backend_->AddHosts(hosts);
}

Result<void> Store::ReleaseHosts(std::int64_t spacing_ms) {
  return backend_->ReleaseHosts(spacing_ms);
}

Result<void> Store::PauseHost(const std::string& host, std::int64_t seconds) {
  return backend_->PauseHost(host, seconds);
}

Result<void> Store::ReleaseLeases(
    const std::vector<std::pair<std::int64_t, std::optional<UnixSeconds>>>& feeds,
    std::int64_t hold_ms) {
  return backend_->ReleaseLeases(feeds, hold_ms);
}

Result<bool> Store::HoldMaintenance() { return backend_->HoldMaintenance(); }

}  // namespace veille::store
