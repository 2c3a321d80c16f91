// Daemons whose configurations differ (docs/scaling.md, "Configurations that differ"): each
// daemon stores its configuration's fingerprint at start and at each reload, and says in one
// warning how it differs from the other daemons' on the same database.
#pragma once

#include <string>

#include "common/result.h"
#include "common/time.h"
#include "config/fingerprint.h"
#include "store/store.h"

namespace veille::pipeline {

// config::SummarizeConfig with each rule's query and exclude as the matcher compiles them
// (match::DebugString of the parsed query), so that two spellings of one query agree. The
// daemon stores it; `veille status` compares the config file with what the daemons stored.
config::ConfigSummary SummarizeForDatabase(const config::Config& config);

// Stores `summary` as this store's daemon row and compares it with the other daemons' (those
// seen within store::kDaemonConfigStaleSeconds): the one warning to log (config::
// DifferencesWarning), or "" when they all run this configuration (always "" on SQLite).
[[nodiscard]] Result<std::string> PublishConfig(store::Store& store,
                                                const config::ConfigSummary& summary,
                                                UnixSeconds now);

}  // namespace veille::pipeline
