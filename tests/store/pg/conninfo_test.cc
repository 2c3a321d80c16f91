#include "store/pg/conninfo.h"

#include <gtest/gtest.h>

#include <string>

#include "store/pg/connection.h"

namespace veille::store::pg {
namespace {

struct Case {
  std::string input;
  std::string expected;
};

TEST(RedactConninfoTest, HidesEveryPasswordAndKeepsTheRest) {
  const Case cases[] = {
      // URLs: user-info, query parameters (also percent-encoded names), both schemes.
      {"postgresql://veille:hunter2@db.example.org:5432/veille?sslmode=verify-full",
       "postgresql://veille:***@db.example.org:5432/veille?sslmode=verify-full"},
      {"postgres://veille@db/veille", "postgres://veille@db/veille"},
      {"POSTGRESQL://u:p%40ss@h/d", "POSTGRESQL://u:***@h/d"},
      {"postgresql://u:a:b@c@h1:5432,h2:5433/d", "postgresql://u:***@h1:5432,h2:5433/d"},
      {"postgresql:///veille?host=/run/postgresql&password=hunter2&sslmode=disable",
       "postgresql:///veille?host=/run/postgresql&password=***&sslmode=disable"},
      {"postgresql://h/d?%70assword=hunter2", "postgresql://h/d?%70assword=***"},
      {"postgresql://h/d?sslpassword=hunter2&", "postgresql://h/d?sslpassword=***&"},
      {"postgresql://h/d?PASSWORD=hunter2", "postgresql://h/d?PASSWORD=***"},
      {"postgresql://h", "postgresql://h"},
      // key=value pairs: plain, quoted with escapes and spaces, spaces around '='.
      {"host=db user=veille password=hunter2 dbname=veille",
       "host=db user=veille password=*** dbname=veille"},
      {"password='hunter 2 \\' still' host=db", "password=*** host=db"},
      {"host=db password = hunter2", "host=db password = ***"},
      {"sslpassword=x\\ y host=db", "sslpassword=*** host=db"},
      {"application_name='a b' host=db", "application_name='a b' host=db"},
      {"  host=db  ", "  host=db  "},
      {"", ""},
      // Malformed: nothing after the fault is shown.
      {"host=db password hunter2", "host=db password …"},
      {"host='db password=hunter2", "host= …"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RedactConninfo(c.input), c.expected) << "input: " << c.input;
    if (c.input.find("hunter") != std::string::npos) {
      EXPECT_EQ(RedactConninfo(c.input).find("hunter"), std::string::npos) << c.input;
    }
  }
}

TEST(RedactConninfoTest, HidesTheConnectionStringsPasswordsInAMessageAboutIt) {
  // libpq quotes the faulty piece of a connection string, which may be the password.
  EXPECT_EQ(
      HideSecretsOf("postgresql://u:se%zzcret@h/d", "invalid percent-encoded token: \"se%zzcret\""),
      "invalid percent-encoded token: \"***\"");
  EXPECT_EQ(HideSecretsOf("host=h password='a b'", "x 'a b' y a b z"), "x *** y *** z");
  EXPECT_EQ(HideSecretsOf("host=h", "nothing to hide"), "nothing to hide");
}

TEST(RedactConninfoTest, RecognisesBothUrlSchemes) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://h/d"));
  EXPECT_TRUE(IsPostgresUrl("Postgres://h/d"));
  EXPECT_FALSE(IsPostgresUrl("host=h"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/veille/veille.db"));
  EXPECT_FALSE(IsPostgresUrl("postgresql:/h"));
}

TEST(PgErrorTest, SqlstatesMapToTheNeutralKinds) {
  const std::pair<const char*, ErrorKind> cases[] = {
      {"40001", ErrorKind::kBusy},
      {"40P01", ErrorKind::kBusy},
      {"55P03", ErrorKind::kBusy},
      {"23505", ErrorKind::kUniqueViolation},
      {"23503", ErrorKind::kOther},
      {"57014", ErrorKind::kTimeout},
      {"08006", ErrorKind::kConnectionLost},
      {"57P01", ErrorKind::kConnectionLost},
      {"22021", ErrorKind::kInvalidData},
      {"42P01", ErrorKind::kOther},
      {"", ErrorKind::kOther},
  };
  for (const auto& [sqlstate, kind] : cases) {
    EXPECT_EQ(KindOf(sqlstate), kind) << sqlstate;
  }
}

TEST(PgErrorTest, KindsMapToTheProjectsStorageCodes) {
  EXPECT_EQ((PgError{ErrorKind::kBusy, "40001", "m"}.ToError().code), ErrorCode::kStorageBusy);
  EXPECT_EQ((PgError{ErrorKind::kTimeout, "57014", "m"}.ToError().code), ErrorCode::kStorageBusy);
  EXPECT_EQ((PgError{ErrorKind::kConnectionLost, "", "m"}.ToError().code),
            ErrorCode::kStorageUnavailable);
  EXPECT_EQ((PgError{ErrorKind::kOther, "53100", "m"}.ToError().code), ErrorCode::kStorageFull);
  EXPECT_EQ((PgError{ErrorKind::kUniqueViolation, "23505", "m"}.ToError().code),
            ErrorCode::kStorage);
  EXPECT_EQ((PgError{ErrorKind::kOther, "42P01", "the message"}.ToError().message), "the message");
}

}  // namespace
}  // namespace veille::store::pg
