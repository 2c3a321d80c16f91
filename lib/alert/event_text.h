// The words of an operator event (a spike of mentions, a feed's health) in one language, from the
// event's details (its JSON payload): the title and text stored with the event and logged are
// the English ones; email and chat channels render them again in [daemon] language.
#pragma once

#include <optional>
#include <string>

#include "i18n/translator.h"

namespace veille::alert {

struct EventWords {
  std::string title;  // one line: "[veille] spike: marque: 6 mentions in the last hour"
  std::string text;   // one paragraph
};

// The title and text of an event of `kind` ("spike" | "feed_health") with these details, in the
// language of `tr`; nullopt when the kind is unknown or a detail is missing (an event recorded
// by an older veille: its stored words are used as they are).
std::optional<EventWords> DescribeEvent(const std::string& kind, const std::string& payload,
                                        const i18n::Translator& tr);

}  // namespace veille::alert
