#include "store/entry_date.h"

namespace veille::store {

std::string_view DateSourceName(DateSource source) {
  switch (source) {
    case DateSource::kPublished:
      return "published";
    case DateSource::kUpdated:
      return "updated";
    case DateSource::kDetected:
      return "detected";
  }
  return "detected";
}

std::optional<UnixSeconds> FeedDate(std::optional<UnixSeconds> published,
                                    std::optional<UnixSeconds> updated) {
  return published ? published : updated;
}

EntryDate DateOf(std::optional<UnixSeconds> published, std::optional<UnixSeconds> updated,
                 UnixSeconds detected) {
  if (published) return {*published, DateSource::kPublished};
  if (updated) return {*updated, DateSource::kUpdated};
  return {detected, DateSource::kDetected};
}

}  // namespace veille::store
