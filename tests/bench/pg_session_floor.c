// What a PostgreSQL command pays before its rows, outside veille (docs/performance.md, "Where a
// CLI command's time goes"): N sessions, each a connection, the session message (or SELECT 1),
// then a query twice; prints the medians and quartiles of each step.
//
//   gcc -O2 -I/usr/include/postgresql -o pg_session_floor tests/bench/pg_session_floor.c -lpq
//   pg_session_floor URL N [SQL [SESSION_SQL]]
//
// SQL is a statement with its values written in (e.g. the one `veille mentions` sends, from the
// server's log with log_statement = 'all'); SESSION_SQL the session message veille sends
// (store/pg/store_backend.cc). URL may point at the server or at a pooler in front of it.
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
static void run(PGconn* c, const char* sql) {
  if (!PQsendQuery(c, sql)) {
    fprintf(stderr, "%s\n", PQerrorMessage(c));
    exit(1);
  }
  PGresult* r;
  while ((r = PQgetResult(c))) {
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
      fprintf(stderr, "%s: %s\n", sql, PQresultErrorMessage(r));
      exit(1);
    }
    PQclear(r);
  }
}
static void report(const char* name, double* v, int n) {
  qsort(v, n, sizeof *v, cmp);
  printf("%-28s median %6.2f ms  (q1 %.2f, q3 %.2f)\n", name, v[n / 2], v[n / 4], v[3 * n / 4]);
}
int main(int argc, char** argv) {
  const char* url = argv[1];
  int n = atoi(argv[2]);
  const char* sql = argc > 3 ? argv[3] : NULL;
  const char* session = argc > 4 ? argv[4] : NULL;
  double *conn = calloc(n, 8), *one = calloc(n, 8), *first = calloc(n, 8), *second = calloc(n, 8),
         *total = calloc(n, 8);
  for (int i = 0; i < n; ++i) {
    double t0 = now_ms();
    PGconn* c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
      fprintf(stderr, "%s\n", PQerrorMessage(c));
      return 1;
    }
    double t1 = now_ms();
    run(c, session ? session : "SELECT 1");
    double t2 = now_ms();
    if (sql) run(c, sql);
    double t3 = now_ms();
    if (sql) run(c, sql);
    double t4 = now_ms();
    PQfinish(c);
    conn[i] = t1 - t0;
    one[i] = t2 - t1;
    first[i] = t3 - t2;
    second[i] = t4 - t3;
    total[i] = t3 - t0;
  }
  report("connect", conn, n);
  report(session ? "session message" : "SELECT 1", one, n);
  if (sql) {
    report("query, first in session", first, n);
    report("query, second in session", second, n);
    report("connect..first query", total, n);
  }
  return 0;
}
