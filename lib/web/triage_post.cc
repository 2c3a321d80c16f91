// POST /triage: the inbox's and the story page's triage forms, through store/triage.h (the
// writes `veille triage` makes), then back to the page the form came from.
#include <algorithm>
#include <set>

#include "store/triage.h"
#include "web/html.h"
#include "web/inbox.h"

namespace veille::web {
namespace {

// "12,13" -> {12, 13}; false on anything else.
bool ParseIds(std::string_view text, std::vector<std::int64_t>& ids) {
  std::int64_t n = 0;
  bool digit = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      if (!digit) return false;
      ids.push_back(n);
      n = 0;
      digit = false;
    } else if (text[i] >= '0' && text[i] <= '9' && n < INT64_MAX / 100) {
      n = n * 10 + (text[i] - '0');
      digit = true;
    } else {
      return false;
    }
  }
  return true;
}

// "presse, a suivre" -> {"presse", "a suivre"} (empty items dropped).
std::vector<std::string> SplitTags(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(at, comma - at);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    at = comma + 1;
  }
  return out;
}

}  // namespace

Response TriageResponse(const Request& request, const PageFrame& frame,
                        const ArchiveAccess& archive, UnixSeconds now) {
  const i18n::Translator& tr = *frame.tr;
  Response response;
  auto error = [&](int status, const std::string& message) {
    response.status = status;
    response.body = ErrorPage(frame, tr.Tr("Triage not saved"), message);
    return response;
  };
  const std::string& act = request.Field("act");
  const std::size_t colon = act.find(':');
  const std::string verb = act.substr(0, colon);
  std::vector<std::int64_t> ids;
  if (colon != std::string::npos) {
    if (!ParseIds(std::string_view(act).substr(colon + 1), ids)) {
      return error(400, tr.Tr("The form named no mention."));
    }
  } else {
    for (const auto& [name, value] : request.form) {
      if (name.starts_with("sel") && !ParseIds(value, ids)) {
        return error(400, tr.Tr("The form named no mention."));
      }
    }
  }
  if (ids.empty()) return error(400, tr.Tr("Check at least one mention first."));
  store::TriageChange change;
  change.by = frame.user;
  change.at = now;
  if (verb == "tag") {
    change.add_tags = SplitTags(request.Field("tag"));
    if (change.add_tags.empty()) return error(400, tr.Tr("Type a tag to add."));
  } else if (verb == "save") {
    if (ids.size() != 1) return error(400, tr.Tr("The form named no mention."));
    change.note = request.Field("note");
  } else if (auto status = store::ParseTriageStatus(verb)) {
    change.status = *status;
  } else {
    return error(400, tr.Tr("Unknown triage action."));
  }
  auto store = archive.Borrow(store::Access::kWrite);
  if (!store) return error(500, store.error().message);
  if (verb == "save") {
    // The form holds the whole tag list: what it lacks is removed, what is new is added.
    auto current = (*store)->GetMention(ids.front());
    if (!current) return error(404, current.error().message);
    const std::vector<std::string> wanted = SplitTags(request.Field("tags"));
    std::set<std::string> normalized;
    for (const auto& t : wanted) {
      auto tag = store::NormalizeTag(t);
      if (!tag) return error(400, tag.error().message);
      normalized.insert(*tag);
    }
    for (const auto& t : current->tags) {
      if (!normalized.count(t)) change.remove_tags.push_back(t);
    }
    for (const auto& t : normalized) change.add_tags.push_back(t);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto applied = store::ApplyTriage(**store, ids, change);
  if (!applied) {
    return error(applied.error().code == ErrorCode::kInvalidArgument ? 400 : 500,
                 applied.error().message);
  }
  return SeeOther(SafeBack(request.Field("back")));
}

}  // namespace veille::web
