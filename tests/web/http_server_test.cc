// The libmicrohttpd wrapper on a real socket (127.0.0.1, a free port): requests reach the
// handler whole, bodies past the cap are refused before they are read, forms are decoded.
#include "web/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace veille::web {
namespace {

TEST(ParseFormTest, DecodesPairsAndRefusesBrokenEscapes) {
  auto form = ParseForm("a=1&b=x+y%21&empty=&flag&a=2&%C3%A9t%C3%A9=%22q%22");
  ASSERT_TRUE(form);
  EXPECT_EQ((*form)["a"], "1") << "the first of duplicates";
  EXPECT_EQ((*form)["b"], "x y!");
  EXPECT_EQ((*form)["empty"], "");
  EXPECT_TRUE(form->contains("flag"));
  EXPECT_EQ((*form)["été"], "\"q\"");
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "%g0=1"}) EXPECT_FALSE(ParseForm(bad)) << bad;
  EXPECT_TRUE(ParseForm("")->empty());
}

struct Echo {
  std::unique_ptr<HttpServer> server;
  std::mutex mutex;
  Request last;
};

std::unique_ptr<Echo> StartEcho(ServerOptions options = {}) {
  auto echo = std::make_unique<Echo>();
  options.host = "127.0.0.1";
  options.port = 0;
  auto server = HttpServer::Start(options, [e = echo.get()](const Request& request) {
    std::lock_guard lock(e->mutex);
    e->last = request;
    Response r;
    r.status = 201;
    r.content_type = "text/plain";
    r.headers = {{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
    r.body = request.method + " " + request.path + " " + request.Field("csrf");
    return r;
  });
  EXPECT_TRUE(server) << server.error().message;
  if (server) echo->server = std::move(*server);
  return echo;
}

TEST(HttpServerTest, ARequestReachesTheHandlerWhole) {
  auto echo = StartEcho();
  ASSERT_TRUE(echo->server);
  httplib::Client client("127.0.0.1", echo->server->port());
  httplib::Headers headers = {{"Cookie", "veille_session=abc; other=x"},
                              {"X-Forwarded-User", "alice"}};
  auto res = client.Post("/login?next=%2Fx", headers, "csrf=t%2Bk&password=p+w",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "POST /login t+k");
  EXPECT_EQ(res->get_header_value_count("Set-Cookie"), 2u);
  std::lock_guard lock(echo->mutex);
  EXPECT_EQ(echo->last.peer, "127.0.0.1");
  EXPECT_EQ(echo->last.Cookie("veille_session"), "abc");
  EXPECT_EQ(echo->last.Header("x-forwarded-user"), "alice");
  EXPECT_EQ(echo->last.query.at("next"), "/x");
  EXPECT_EQ(echo->last.Field("password"), "p w");
  EXPECT_TRUE(echo->last.form_ok);
}

TEST(HttpServerTest, ABodyThatIsNotAFormIsFlagged) {
  auto echo = StartEcho();
  ASSERT_TRUE(echo->server);
  httplib::Client client("127.0.0.1", echo->server->port());
  auto res = client.Post("/logout", "{\"csrf\":\"x\"}", "application/json");
  ASSERT_TRUE(res);
  std::lock_guard lock(echo->mutex);
  EXPECT_FALSE(echo->last.form_ok);
  EXPECT_TRUE(echo->last.form.empty());
}

TEST(HttpServerTest, ABodyPastTheCapIsRefusedWith413) {
  ServerOptions options;
  options.max_body = 1024;
  auto echo = StartEcho(options);
  ASSERT_TRUE(echo->server);
  httplib::Client client("127.0.0.1", echo->server->port());
  auto res = client.Post("/login", std::string(1025, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  res = client.Post("/login", std::string(1024, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
}

TEST(HttpServerTest, HeadersPastTheMemoryPoolAreRefused) {
  auto echo = StartEcho();
  ASSERT_TRUE(echo->server);
  httplib::Client client("127.0.0.1", echo->server->port());
  auto res = client.Get("/", {{"X-Big", std::string(64 * 1024, 'x')}});
  ASSERT_TRUE(res);
  EXPECT_GE(res->status, 400);
  EXPECT_NE(res->status, 201) << "the handler never saw it";
}

TEST(HttpServerTest, APortInUseIsAnError) {
  auto echo = StartEcho();
  ASSERT_TRUE(echo->server);
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = echo->server->port();
  auto second = HttpServer::Start(options, [](const Request&) { return Response{}; });
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos)
      << second.error().message;
}

}  // namespace
}  // namespace veille::web
