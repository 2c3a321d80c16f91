// Parameters, result rows and errors of lib/store/pg (the parts that do not talk to a server).
#include <libpq-fe.h>

#include <charconv>

#include "store/pg/connection.h"

namespace veille::store::pg {

ErrorKind KindOf(std::string_view sqlstate) {
  if (sqlstate == "23505") return ErrorKind::kUniqueViolation;
  if (sqlstate == "57014") return ErrorKind::kTimeout;
  if (sqlstate == "55P03" || sqlstate.starts_with("40")) return ErrorKind::kBusy;
  if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return ErrorKind::kConnectionLost;
  }
  if (sqlstate.starts_with("22")) return ErrorKind::kInvalidData;
  return ErrorKind::kOther;
}

Error PgError::ToError() const {
  switch (kind) {
    case ErrorKind::kBusy:
    case ErrorKind::kTimeout:
      return Error{ErrorCode::kStorageBusy, message};
    case ErrorKind::kConnectionLost:
      return Error{ErrorCode::kStorageUnavailable, message};
    default:
      return Error{sqlstate == "53100" ? ErrorCode::kStorageFull : ErrorCode::kStorage, message};
  }
}

Param::Param(std::int64_t value) : null_(false) {
  const auto end = std::to_chars(integer_, integer_ + sizeof(integer_) - 1, value).ptr;
  integer_length_ = static_cast<std::size_t>(end - integer_);
}

Param::Param(const std::optional<std::string>& value) {
  if (value) *this = Param(std::string_view(*value));
}

Param::Param(const std::optional<std::int64_t>& value) {
  if (value) *this = Param(*value);
}

void Rows::Clear::operator()(pg_result* result) const { PQclear(result); }

Rows::Rows(pg_result* result) : result_(result) {}

int Rows::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int Rows::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

int Rows::Column(std::string_view name) const {
  return result_ ? PQfnumber(result_.get(), std::string(name).c_str()) : -1;
}

std::int64_t Rows::Affected() const {
  if (!result_) return 0;
  const std::string_view tuples = PQcmdTuples(result_.get());
  std::int64_t n = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), n);
  return n;
}

std::string_view Rows::Command() const {
  return result_ ? std::string_view(PQcmdStatus(result_.get())) : std::string_view();
}

bool Rows::IsNull(int row, int column) const {
  return !result_ || PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view Rows::View(int row, int column) const {
  if (IsNull(row, column)) return {};
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::Int(int row, int column) const {
  const std::string_view text = View(row, column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

std::optional<std::int64_t> Rows::OptInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

std::optional<std::string> Rows::OptText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

}  // namespace veille::store::pg
