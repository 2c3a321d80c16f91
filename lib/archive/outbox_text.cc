#include "archive/outbox_text.h"

namespace veille::archive {
namespace {

std::string CountText(store::OutboxStatus status, std::int64_t n, const i18n::Translator& tr) {
  const auto count = static_cast<std::uint64_t>(n < 0 ? 0 : n);
  std::string pattern;
  switch (status) {
    case store::OutboxStatus::kChannelRemoved:
      pattern = tr.TrNP("alert status", "{n} channel removed", "{n} channel removed", count);
      break;
    case store::OutboxStatus::kDead:
      pattern = tr.TrNP("alert status", "{n} dead", "{n} dead", count);
      break;
    case store::OutboxStatus::kDelivered:
      pattern = tr.TrNP("alert status", "{n} delivered", "{n} delivered", count);
      break;
    case store::OutboxStatus::kDisabled:
      pattern = tr.TrNP("alert status", "{n} disabled", "{n} disabled", count);
      break;
    case store::OutboxStatus::kPending:
      pattern = tr.TrNP("alert status", "{n} pending", "{n} pending", count);
      break;
    case store::OutboxStatus::kSuppressed:
      pattern = tr.TrNP("alert status", "{n} suppressed", "{n} suppressed", count);
      break;
  }
  return i18n::Format(pattern, {{"n", tr.Integer(n)}});
}

}  // namespace

std::string OutboxCountsText(const std::map<store::OutboxStatus, std::int64_t>& counts,
                             const i18n::Translator& tr) {
  std::string line;
  for (const auto& [status, n] : counts) {
    line += (line.empty() ? "" : ", ") + CountText(status, n, tr);
  }
  return line.empty() ? tr.Tr("empty") : line;
}

}  // namespace veille::archive
