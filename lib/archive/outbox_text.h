// The outbox's counts in words, as `veille outbox` prints them and the web alerts page shows
// them: "2 pending, 19 delivered" / "2 en attente, 19 envoyées".
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "i18n/translator.h"
#include "store/store.h"

namespace veille::archive {

// "{n} <status>" per status, in the order of the map, with the plural the language gives the
// number; "empty" (translated) when there is no row.
std::string OutboxCountsText(const std::map<store::OutboxStatus, std::int64_t>& counts,
                             const i18n::Translator& tr);

}  // namespace veille::archive
