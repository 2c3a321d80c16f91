#include "common/outcome.h"

#include <array>
#include <utility>

namespace veille {
namespace {
constexpr std::array<std::pair<Outcome, std::string_view>, 15> kNames = {{
    {Outcome::kOk, "ok"},
    {Outcome::kNotModified, "not_modified"},
    {Outcome::kDns, "dns"},
    {Outcome::kConnect, "connect"},
    {Outcome::kTls, "tls"},
    {Outcome::kTimeout, "timeout"},
    {Outcome::kTooLarge, "too_large"},
    {Outcome::kHttp4xx, "http_4xx"},
    {Outcome::kHttp5xx, "http_5xx"},
    {Outcome::kRateLimited, "rate_limited"},
    {Outcome::kGone, "gone"},
    {Outcome::kBlocked, "blocked"},
    {Outcome::kParse, "parse"},
    {Outcome::kIo, "io"},
    {Outcome::kStorage, "storage"},
}};
}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  for (const auto& [o, name] : kNames) {
    if (o == outcome) return name;
  }
  return "unknown";
}

std::optional<Outcome> OutcomeFromName(std::string_view name) {
  for (const auto& [o, n] : kNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

}  // namespace veille
