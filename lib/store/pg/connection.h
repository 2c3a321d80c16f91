// One PostgreSQL connection over libpq: parameterised statements, typed results, transactions
// and savepoints, a statement timeout, errors in a small neutral set, reconnection with backoff.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace veille::store::pg {

// What went wrong, as the store branches on it. The server's SQLSTATE picks the kind.
enum class ErrorKind {
  kBusy,             // serialization failure, deadlock, lock not available: retry the unit of work
  kUniqueViolation,  // a UNIQUE or PRIMARY KEY constraint refused the row (23505)
  kConnectionLost,   // no connection (never made, or lost): Reconnect(), then retry
  kTimeout,          // the statement ran past statement_timeout (57014) and was cancelled
  kInvalidData,      // the data was refused: invalid UTF-8, a NUL byte, a value out of range
  kOther,            // anything else (a syntax error, a missing table, a disk full...)
};

struct PgError {
  ErrorKind kind = ErrorKind::kOther;
  std::string sqlstate;  // five characters from the server; empty for client-side errors
  std::string message;   // one line: what was done, the server's message, its detail

  // The project's error (common/result.h): busy and timeout are kStorageBusy, a lost connection
  // kStorageUnavailable, disk_full (53100) kStorageFull, the rest kStorage.
  [[nodiscard]] Error ToError() const;
};

// The kind of a server error by its SQLSTATE (class 40 and 55P03 busy, 23505 unique, class 08
// and 57P01-57P03 connection lost, 57014 timeout, class 22 invalid data). Pure.
ErrorKind KindOf(std::string_view sqlstate);

template <typename T>
using PgResult = tl::expected<T, PgError>;

// One statement parameter, sent in text format: an integer, a text or NULL. A text holds a
// view of the caller's bytes, so a Param lives only as long as the call it is passed to.
class Param {
 public:
  Param(std::nullptr_t) {}  // NOLINT: implicit on purpose, like every constructor here
  Param(std::nullopt_t) {}
  Param(std::int64_t value);
  Param(int value) : Param(static_cast<std::int64_t>(value)) {}
  Param(std::string_view value) : null_(false), text_(value) {}
  Param(const std::string& value) : Param(std::string_view(value)) {}
  Param(const char* value) : Param(std::string_view(value)) {}
  Param(const std::optional<std::string>& value);
  Param(const std::optional<std::int64_t>& value);

  [[nodiscard]] bool null() const { return null_; }
  [[nodiscard]] bool integer() const { return integer_length_ > 0; }
  [[nodiscard]] std::string_view text() const {
    return integer() ? std::string_view(integer_, integer_length_) : text_;
  }

 private:
  bool null_ = true;
  std::string_view text_;
  char integer_[24] = {};
  std::size_t integer_length_ = 0;
};

// The rows of one statement (text format). Columns are 0-based, like libpq's.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  Rows(Rows&&) noexcept = default;
  Rows& operator=(Rows&&) noexcept = default;

  [[nodiscard]] int size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] int columns() const;
  // The column's number by name, or -1.
  [[nodiscard]] int Column(std::string_view name) const;
  // Rows inserted, updated or deleted (PQcmdTuples), 0 for other commands.
  [[nodiscard]] std::int64_t Affected() const;
  // The command tag ("INSERT 0 1", "COMMIT", "ROLLBACK"...).
  [[nodiscard]] std::string_view Command() const;

  [[nodiscard]] bool IsNull(int row, int column) const;
  // An integer column's value; NULL, or a value that is not an integer, reads 0.
  [[nodiscard]] std::int64_t Int(int row, int column) const;
  [[nodiscard]] std::optional<std::int64_t> OptInt(int row, int column) const;
  // A column's text; NULL reads "". The view lives as long as these Rows.
  [[nodiscard]] std::string_view View(int row, int column) const;
  [[nodiscard]] std::string Text(int row, int column) const {
    return std::string(View(row, column));
  }
  [[nodiscard]] std::optional<std::string> OptText(int row, int column) const;

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// One statement of Connection::ExecPipeline: its SQL and its parameters (which hold views of
// the caller's bytes: they must outlive the call).
struct Statement {
  std::string_view sql;
  std::vector<Param> params;
};

struct ConnectOptions {
  // A postgresql:// or postgres:// URL, or libpq key=value pairs. It must not carry a password:
  // libpq finds one in ~/.pgpass, PGPASSFILE or a service file, or `password_file` gives it.
  std::string conninfo;
  // A file holding the password, or "credential:NAME" ($CREDENTIALS_DIRECTORY/NAME); read at
  // every (re)connection, so a rotated password is picked up. Empty: libpq's own mechanisms.
  std::string password_file;
  // Set on the session after every (re)connection; zero keeps the server's setting.
  std::chrono::milliseconds statement_timeout{0};
  // libpq connect_timeout, unless the connection string sets one.
  std::chrono::seconds connect_timeout{10};
  // Reconnection backoff: the first attempt after a loss is immediate, each failed one doubles
  // the wait before the next, from `reconnect_initial` up to `reconnect_max`.
  std::chrono::milliseconds reconnect_initial{250};
  std::chrono::milliseconds reconnect_max{std::chrono::seconds(30)};
};

// One connection, used by one thread at a time. Every statement is parameterised (PQexecParams
// or a prepared statement): SQL text never holds a value. Notices (CREATE ... IF NOT EXISTS,
// "word is too long to be indexed") are dropped, never printed.
//
// Unlike SQLite, a statement that fails inside a transaction aborts the whole transaction: only
// a ROLLBACK (TO SAVEPOINT) is accepted after it. Run statements that may fail inside a
// Savepoint when the rest of the transaction must survive them.
class Connection {
 public:
  // Connects, or fails with kConnectionLost (server unreachable, authentication refused: the
  // message says which) or kOther (an empty or malformed connection string, a password in it,
  // an unreadable password_file). Messages show the connection string redacted.
  [[nodiscard]] static PgResult<std::unique_ptr<Connection>> Open(ConnectOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with parameters $1, $2... A text parameter holding a NUL byte is refused
  // before anything is sent (kInvalidData). On a lost connection, fails with kConnectionLost.
  [[nodiscard]] PgResult<Rows> Exec(std::string_view sql, std::initializer_list<Param> params = {});
  [[nodiscard]] PgResult<Rows> Exec(std::string_view sql, std::span<const Param> params);
  // The same through a statement prepared on first use on this connection and kept, keyed by
  // its text (the writer's per-document statements); prepared again after a reconnection.
  [[nodiscard]] PgResult<Rows> ExecCached(std::string_view sql,
                                          std::initializer_list<Param> params = {});
  [[nodiscard]] PgResult<Rows> ExecCached(std::string_view sql, std::span<const Param> params);
  // Several statements through ExecCached's prepared statements in libpq's pipeline mode: sent
  // together and answered together, one round trip for up to kPipelineChunk statements
  // instead of one each (the writer's per-entry statements; docs/decisions.md). The server
  // runs them in order, each seeing what the ones before it wrote. The first failure stops
  // there: the statements after it are not run (nor sent, past its chunk), and its error is
  // returned; inside a transaction, the transaction is then aborted as after a failed Exec
  // (roll back to a savepoint). A refused parameter (a NUL byte) sends nothing. The rows of
  // each statement, in order.
  [[nodiscard]] PgResult<std::vector<Rows>> ExecPipeline(std::span<const Statement> statements);
  static constexpr std::size_t kPipelineChunk = 512;
  // Several statements without parameters, in one round trip (migrations' DDL).
  [[nodiscard]] PgResult<void> ExecScript(std::string_view sql);
  // The same, returning the last statement's rows. Outside a transaction the statements run as
  // one implicit transaction: when one fails, the earlier ones' effects (a SET) are undone.
  [[nodiscard]] PgResult<Rows> ExecScriptRows(std::string_view sql);

  // Sets statement_timeout for the session (and for every later reconnection); 0 = none.
  // Outside a transaction only (a SET inside one is undone by its rollback).
  [[nodiscard]] PgResult<void> SetStatementTimeout(std::chrono::milliseconds timeout);

  // True inside a transaction block (also one that a failed statement aborted).
  [[nodiscard]] bool InTransaction() const;
  // True when the connection is gone (the server closed it, the network failed).
  [[nodiscard]] bool Lost() const;
  // After a loss: one connection attempt, unless the backoff delay since the previous failed
  // attempt has not passed (then kConnectionLost "next attempt in ..." at once, without
  // trying). Succeeds at once when the connection is not lost. The new session gets the
  // statement timeout again; prepared statements are prepared again on use; a transaction that
  // was open is gone (the server rolled it back).
  [[nodiscard]] PgResult<void> Reconnect();
  // How long until Reconnect() will try again (zero: now).
  [[nodiscard]] std::chrono::milliseconds ReconnectDelay() const;

  // The connection string with its password hidden, for messages.
  [[nodiscard]] const std::string& description() const { return description_; }
  // The server's version as libpq gives it (150004 for 15.4).
  [[nodiscard]] int server_version() const;

 private:
  friend class Savepoint;
  explicit Connection(ConnectOptions options);
  PgResult<void> Connect();
  PgResult<Rows> Finish(pg_result* result, std::string_view what);
  // The name of `sql`'s prepared statement on this session, prepared now if it is not yet
  // (with the parameter types `types`, 0 = the server's choice).
  PgResult<const std::string*> Prepared(std::string_view sql, std::span<const unsigned> types);
  // A statement refused before it is sent: the connection is lost (kConnectionLost).
  [[nodiscard]] PgResult<void> RefuseWhenLost(std::string_view sql) const;
  PgError Failure(pg_result* result, std::string_view what) const;

  ConnectOptions options_;
  std::string description_;
  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::int64_t savepoints_ = 0;  // names savepoints: veille_sp_1, veille_sp_2...
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

// BEGIN ... COMMIT; rolls back in the destructor unless committed (nothing to do when the
// connection was lost: the server rolled back).
class Transaction {
 public:
  enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };
  [[nodiscard]] static PgResult<Transaction> Begin(Connection& conn,
                                                   Isolation isolation = Isolation::kReadCommitted);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  // Fails when the transaction was aborted (a statement in it failed outside a savepoint: the
  // server answers COMMIT with a ROLLBACK) or the connection was lost.
  [[nodiscard]] PgResult<void> Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

// SAVEPOINT inside a transaction: Release() keeps its work, Rollback() (or the destructor)
// undoes it alone, and the transaction goes on either way.
class Savepoint {
 public:
  [[nodiscard]] static PgResult<Savepoint> Open(Connection& conn);
  Savepoint(Savepoint&& other) noexcept : conn_(other.conn_), name_(std::move(other.name_)) {
    other.conn_ = nullptr;
  }
  Savepoint& operator=(Savepoint&&) = delete;
  ~Savepoint();
  [[nodiscard]] PgResult<void> Release();
  [[nodiscard]] PgResult<void> Rollback();

 private:
  Savepoint(Connection* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  Connection* conn_;
  std::string name_;
};

}  // namespace veille::store::pg
