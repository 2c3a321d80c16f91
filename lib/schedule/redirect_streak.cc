#include "schedule/redirect_streak.h"

namespace veille::schedule {

RedirectDecision ObserveRedirect(const RedirectStreak& previous,
                                 const std::optional<std::string>& permanent_target, int needed) {
  RedirectDecision d;
  if (!permanent_target || permanent_target->empty()) return d;
  d.streak.target = *permanent_target;
  d.streak.count = previous.target == *permanent_target ? previous.count + 1 : 1;
  if (d.streak.count >= needed) {
    d.adopt = true;
    d.adopted = *permanent_target;
    d.streak = {};
  }
  return d;
}

}  // namespace veille::schedule
