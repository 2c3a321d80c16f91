// The fetcher's tests against a real misbehaving server on 127.0.0.1 (fault_server.py), shared
// by fetcher_test.cc, fetcher_redirect_test.cc and fetcher_proxy_tls_test.cc: one server for
// the suite, short timeouts, the server's port allowlisted.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fault_server.h"
#include "fetch/fetcher.h"

namespace veille::fetch::fetcher_test {

using std::chrono::milliseconds;
using testing::FaultServer;

class FetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new FaultServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { server_->Reset(); }

  // Short timeouts so that fault tests stay fast; the main port is allowlisted.
  static FetchOptions Options() {
    FetchOptions o;
    o.connect_timeout_s = 2;
    o.timeout_s = 3;
    o.low_speed_time_s = 2;
    o.host_spacing_ms = 0;
    o.allow_private = {server_->HostPort()};
    return o;
  }

  static std::unique_ptr<Fetcher> Make(const FetchOptions& options) {
    auto fetcher = Fetcher::Create(options);
    EXPECT_TRUE(fetcher.has_value());
    return std::move(*fetcher);
  }

  // Submits every request and polls until all results are back (or 20 s pass).
  static std::vector<FetchResult> FetchAll(Fetcher& fetcher, std::vector<FetchRequest> requests) {
    for (auto& r : requests) fetcher.Submit(std::move(r));
    std::vector<FetchResult> results;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (fetcher.pending() > 0 && std::chrono::steady_clock::now() < deadline) {
      for (auto& r : fetcher.Poll(milliseconds(200))) results.push_back(std::move(r));
    }
    return results;
  }

  static FetchResult FetchOne(FetchRequest request, const FetchOptions& options = Options()) {
    auto fetcher = Make(options);
    auto results = FetchAll(*fetcher, {std::move(request)});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FetchResult{} : std::move(results.front());
  }

  static FetchResult FetchPath(const std::string& path, const FetchOptions& options = Options()) {
    FetchRequest request;
    request.url = server_->Url(path);
    return FetchOne(std::move(request), options);
  }

  inline static FaultServer* server_ = nullptr;
};

// `value` with its spaces as %20, for a query string the fault server decodes.
inline std::string QueryValue(const std::string& value) {
  std::string out;
  for (char c : value) out += c == ' ' ? std::string("%20") : std::string(1, c);
  return out;
}

}  // namespace veille::fetch::fetcher_test
