#include "store/pg/connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <vector>

#include "common/secret.h"
#include "store/pg/conninfo.h"

namespace veille::store::pg {
namespace {

constexpr Oid kInt8Oid = 20;  // pg_type.h; the other parameters' types are left to the server

// Messages are one line: libpq's and the server's span several ("...\n\tIs the server
// running...?"), and a detail may quote a value.
std::string OneLine(std::string_view text, std::size_t max = 400) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max) out = out.substr(0, max) + "…";
  return out;
}

// The statement's beginning, for messages: SQL text holds no value (every value is a
// parameter), so it can be shown.
std::string Context(std::string_view sql) { return OneLine(sql, 60); }

void DropNotice(void*, const char*) {}

PgError ClientError(ErrorKind kind, std::string message) {
  return PgError{kind, "", std::move(message)};
}

// Parameters as libpq takes them: NUL-terminated texts (text format ignores lengths).
struct Marshalled {
  std::vector<std::string> texts;
  std::vector<const char*> values;
  std::vector<Oid> types;
};

PgResult<Marshalled> Marshal(std::span<const Param> params) {
  Marshalled m;
  m.texts.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    if (p.null()) {
      m.texts.emplace_back();
    } else {
      if (p.text().find('\0') != std::string_view::npos) {
        return tl::unexpected(ClientError(
            ErrorKind::kInvalidData, "parameter $" + std::to_string(i + 1) +
                                         " holds a NUL byte, which PostgreSQL text cannot store"));
      }
      m.texts.emplace_back(p.text());
    }
    m.types.push_back(p.integer() ? kInt8Oid : 0);
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    m.values.push_back(params[i].null() ? nullptr : m.texts[i].c_str());
  }
  return m;
}

}  // namespace

Connection::Connection(ConnectOptions options)
    : options_(std::move(options)), description_(RedactConninfo(options_.conninfo)) {}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

PgResult<std::unique_ptr<Connection>> Connection::Open(ConnectOptions options) {
  std::unique_ptr<Connection> conn(new Connection(std::move(options)));
  if (auto r = conn->Connect(); !r) return tl::unexpected(r.error());
  return conn;
}

PgResult<void> Connection::Connect() {
  // libpq would connect an empty string to the local default server (PGHOST, the Unix socket):
  // never a server nobody named.
  if (options_.conninfo.find_first_not_of(" \t\n") == std::string::npos) {
    return tl::unexpected(ClientError(ErrorKind::kOther, "no PostgreSQL connection string"));
  }
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options_.conninfo.c_str(), &parse_error);
  if (!parsed) {
    std::string why =
        parse_error ? HideSecretsOf(options_.conninfo, OneLine(parse_error)) : "out of memory";
    PQfreemem(parse_error);
    return tl::unexpected(ClientError(
        ErrorKind::kOther, "invalid PostgreSQL connection string " + description_ + ": " + why));
  }
  bool has_password = false;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (o->val && *o->val && std::string_view(o->keyword) == "password") has_password = true;
  }
  PQconninfoFree(parsed);
  if (has_password) {
    return tl::unexpected(ClientError(
        ErrorKind::kOther, "the connection string " + description_ +
                               " holds a password: put it in ~/.pgpass (or PGPASSFILE, a service "
                               "file) or in a password_file, never in the configuration"));
  }
  std::string password;
  if (!options_.password_file.empty()) {
    auto secret = ReadSecret(options_.password_file);
    if (!secret) return tl::unexpected(ClientError(ErrorKind::kOther, secret.error().message));
    password = std::move(*secret);
  }
  const std::string timeout = std::to_string(options_.connect_timeout.count());
  // Later entries override earlier ones, and the expanded `dbname` (the whole connection
  // string) overrides what precedes it: our defaults first, what we impose after.
  std::vector<const char*> keys = {"fallback_application_name", "connect_timeout", "dbname",
                                   "client_encoding"};
  std::vector<const char*> values = {"veille", timeout.c_str(), options_.conninfo.c_str(), "UTF8"};
  if (!password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  if (conn_) PQfinish(conn_);
  prepared_.clear();
  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  std::fill(password.begin(), password.end(), '\0');
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string why =
        conn_ ? HideSecretsOf(options_.conninfo, OneLine(PQerrorMessage(conn_))) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    return tl::unexpected(
        ClientError(ErrorKind::kConnectionLost, "cannot connect to " + description_ + ": " + why));
  }
  PQsetNoticeProcessor(conn_, DropNotice, nullptr);
  if (options_.statement_timeout.count() > 0) {
    if (auto r = SetStatementTimeout(options_.statement_timeout); !r) {
      PQfinish(conn_);  // a session without its timeout is not one we hand out
      conn_ = nullptr;
      return r;
    }
  }
  return {};
}

PgResult<void> Connection::SetStatementTimeout(std::chrono::milliseconds timeout) {
  if (InTransaction()) {
    return tl::unexpected(
        ClientError(ErrorKind::kOther, "statement_timeout is set outside a transaction only"));
  }
  options_.statement_timeout = timeout;
  auto r = Exec("SELECT set_config('statement_timeout', $1, false)",
                {std::to_string(timeout.count()) + "ms"});
  if (!r) return tl::unexpected(r.error());
  return {};
}

bool Connection::Lost() const { return !conn_ || PQstatus(conn_) == CONNECTION_BAD; }

bool Connection::InTransaction() const {
  if (!conn_) return false;
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

int Connection::server_version() const { return conn_ ? PQserverVersion(conn_) : 0; }

std::chrono::milliseconds Connection::ReconnectDelay() const {
  const auto now = std::chrono::steady_clock::now();
  if (!Lost() || now >= next_attempt_) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(next_attempt_ - now);
}

PgResult<void> Connection::Reconnect() {
  if (!Lost()) return {};
  if (const auto wait = ReconnectDelay(); wait.count() > 0) {
    return tl::unexpected(ClientError(ErrorKind::kConnectionLost,
                                      "no connection to " + description_ + ": next attempt in " +
                                          std::to_string(wait.count()) + " ms"));
  }
  auto r = Connect();
  if (r) {
    backoff_ = std::chrono::milliseconds(0);
    next_attempt_ = {};
    return {};
  }
  backoff_ = backoff_.count() == 0 ? options_.reconnect_initial
                                   : std::min(backoff_ * 2, options_.reconnect_max);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  return r;
}

PgError Connection::Failure(pg_result* result, std::string_view what) const {
  PgError error;
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate) error.sqlstate = sqlstate;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  std::string message(what);
  message += ": ";
  message += OneLine(primary ? primary : conn_ ? PQerrorMessage(conn_) : "no connection");
  if (detail) message += " (" + OneLine(detail, 200) + ")";
  if (!error.sqlstate.empty()) message += " [SQLSTATE " + error.sqlstate + "]";
  if (Lost()) {
    error.kind = ErrorKind::kConnectionLost;
    message += " (connection to " + description_ + " lost)";
  } else {
    error.kind = KindOf(error.sqlstate);
  }
  error.message = std::move(message);
  return error;
}

PgResult<Rows> Connection::Finish(pg_result* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return Rows(result);
  }
  PgError error = Failure(result, what);
  PQclear(result);
  return tl::unexpected(std::move(error));
}

PgResult<void> Connection::RefuseWhenLost(std::string_view sql) const {
  if (!Lost()) return {};
  return tl::unexpected(
      ClientError(ErrorKind::kConnectionLost, Context(sql) + ": no connection to " + description_));
}

PgResult<Rows> Connection::Exec(std::string_view sql, std::initializer_list<Param> params) {
  return Exec(sql, std::span<const Param>(params.begin(), params.size()));
}

PgResult<Rows> Connection::Exec(std::string_view sql, std::span<const Param> params) {
  if (auto lost = RefuseWhenLost(sql); !lost) return tl::unexpected(lost.error());
  auto m = Marshal(params);
  if (!m) return tl::unexpected(m.error());
  const std::string text(sql);
  return Finish(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), m->types.data(),
                             m->values.data(), nullptr, nullptr, 0),
                Context(sql));
}

PgResult<Rows> Connection::ExecCached(std::string_view sql, std::initializer_list<Param> params) {
  return ExecCached(sql, std::span<const Param>(params.begin(), params.size()));
}

PgResult<Rows> Connection::ExecCached(std::string_view sql, std::span<const Param> params) {
  if (auto lost = RefuseWhenLost(sql); !lost) return tl::unexpected(lost.error());
  auto m = Marshal(params);
  if (!m) return tl::unexpected(m.error());
  auto name = Prepared(sql, m->types);
  if (!name) return tl::unexpected(name.error());
  return Finish(PQexecPrepared(conn_, (*name)->c_str(), static_cast<int>(params.size()),
                               m->values.data(), nullptr, nullptr, 0),
                Context(sql));
}

PgResult<const std::string*> Connection::Prepared(std::string_view sql,
                                                  std::span<const unsigned> types) {
  const std::string text(sql);
  auto it = prepared_.find(text);
  if (it == prepared_.end()) {
    const std::string name = "veille_" + std::to_string(prepared_.size() + 1);
    auto prepared = Finish(
        PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(types.size()), types.data()),
        "prepare " + Context(sql));
    if (!prepared) return tl::unexpected(prepared.error());
    it = prepared_.emplace(text, name).first;
  }
  return &it->second;
}

PgResult<std::vector<Rows>> Connection::ExecPipeline(std::span<const Statement> statements) {
  std::vector<Rows> out;
  if (statements.empty()) return out;
  if (auto lost = RefuseWhenLost(statements[0].sql); !lost) return tl::unexpected(lost.error());
  // Every parameter checked, and every statement prepared, before the first is sent.
  std::vector<Marshalled> marshalled;
  std::vector<const std::string*> names;
  marshalled.reserve(statements.size());
  names.reserve(statements.size());
  for (const Statement& s : statements) {
    auto m = Marshal(s.params);
    if (!m) return tl::unexpected(m.error());
    auto name = Prepared(s.sql, m->types);
    if (!name) return tl::unexpected(name.error());
    marshalled.push_back(std::move(*m));  // moves the vectors: their elements stay in place
    names.push_back(*name);
  }
  out.reserve(statements.size());
  for (std::size_t begin = 0; begin < statements.size(); begin += kPipelineChunk) {
    const std::size_t end = std::min(statements.size(), begin + kPipelineChunk);
    if (PQenterPipelineMode(conn_) != 1) {
      return tl::unexpected(Failure(nullptr, "pipeline " + Context(statements[begin].sql)));
    }
    std::size_t sent = begin;
    while (sent < end &&
           PQsendQueryPrepared(conn_, names[sent]->c_str(),
                               static_cast<int>(statements[sent].params.size()),
                               marshalled[sent].values.data(), nullptr, nullptr, 0) == 1) {
      ++sent;
    }
    const bool synced = PQpipelineSync(conn_) == 1;
    // Every result up to the sync is read, also after a failure, so that the session leaves
    // pipeline mode in step with the server. Each statement's results end with a null one.
    std::optional<PgError> error;
    std::size_t next = begin;  // the statement whose result comes next
    bool sync_seen = false;
    int nulls = 0;
    while (synced && !sync_seen) {
      pg_result* r = PQgetResult(conn_);
      if (!r) {
        if (Lost() || ++nulls > 2) break;  // nothing more will come
        continue;
      }
      nulls = 0;
      const ExecStatusType status = PQresultStatus(r);
      if (status == PGRES_PIPELINE_SYNC) {
        sync_seen = true;
        PQclear(r);
      } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        if (next < end)
          out.emplace_back(r);
        else
          PQclear(r);
        ++next;
      } else {
        // PGRES_PIPELINE_ABORTED: not run after an earlier failure; else this one failed.
        if (!error && status != PGRES_PIPELINE_ABORTED) {
          error = Failure(r, Context(statements[std::min(next, end - 1)].sql));
        }
        PQclear(r);
        ++next;
      }
    }
    if (!Lost() && PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) (void)PQexitPipelineMode(conn_);
    if (error) return tl::unexpected(std::move(*error));
    if (!synced || !sync_seen || sent < end || next != end) {
      return tl::unexpected(Failure(nullptr, "pipeline " + Context(statements[begin].sql)));
    }
  }
  return out;
}

PgResult<void> Connection::ExecScript(std::string_view sql) {
  auto r = ExecScriptRows(sql);
  if (!r) return tl::unexpected(r.error());
  return {};
}

PgResult<Rows> Connection::ExecScriptRows(std::string_view sql) {
  if (auto lost = RefuseWhenLost(sql); !lost) return tl::unexpected(lost.error());
  const std::string text(sql);
  return Finish(PQexec(conn_, text.c_str()), Context(sql));
}

PgResult<Transaction> Transaction::Begin(Connection& conn, Isolation isolation) {
  const char* sql = isolation == Isolation::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                    : isolation == Isolation::kRepeatableRead
                        ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                        : "BEGIN";
  if (auto r = conn.Exec(sql); !r) return tl::unexpected(r.error());
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ && !conn_->Lost() && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
}

PgResult<void> Transaction::Commit() {
  auto r = conn_->Exec("COMMIT");
  if (!r) return tl::unexpected(r.error());  // the destructor rolls back what is left
  conn_ = nullptr;
  // An aborted transaction answers COMMIT with ROLLBACK: nothing was stored.
  if (r->Command() == "ROLLBACK") {
    return tl::unexpected(ClientError(ErrorKind::kOther,
                                      "COMMIT: the transaction was rolled back, a statement in it "
                                      "failed outside a savepoint"));
  }
  return {};
}

PgResult<Savepoint> Savepoint::Open(Connection& conn) {
  std::string name = "veille_sp_" + std::to_string(++conn.savepoints_);
  if (auto r = conn.Exec("SAVEPOINT " + name); !r) return tl::unexpected(r.error());
  return Savepoint(&conn, std::move(name));
}

Savepoint::~Savepoint() {
  if (conn_ && !conn_->Lost() && conn_->InTransaction()) (void)Rollback();
}

PgResult<void> Savepoint::Release() {
  auto r = conn_->Exec("RELEASE SAVEPOINT " + name_);
  if (!r) return tl::unexpected(r.error());  // the destructor rolls back to it
  conn_ = nullptr;
  return {};
}

PgResult<void> Savepoint::Rollback() {
  Connection* conn = conn_;
  conn_ = nullptr;
  if (auto r = conn->Exec("ROLLBACK TO SAVEPOINT " + name_); !r) return tl::unexpected(r.error());
  if (auto r = conn->Exec("RELEASE SAVEPOINT " + name_); !r) return tl::unexpected(r.error());
  return {};
}

}  // namespace veille::store::pg
