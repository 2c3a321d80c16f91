// The libcurl multi engine behind Fetcher (fetcher.cc: queue, limits, results; fetcher_hops.cc:
// each hop's request, the SSRF guard, redirects). Internal to lib/fetch.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "fetch/address.h"
#include "fetch/proxy_env.h"
#include "fetch/transfer.h"

namespace veille::fetch::detail {

class FetcherImpl final : public Fetcher {
 public:
  explicit FetcherImpl(const FetchOptions& options) : options_(options) {}
  FetcherImpl(const FetcherImpl&) = delete;
  FetcherImpl& operator=(const FetcherImpl&) = delete;

  ~FetcherImpl() override {
    AbortAll();
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    if (share_ != nullptr) curl_share_cleanup(share_);
  }

  Result<void> Init();
  void Submit(FetchRequest request) override;
  std::vector<FetchResult> Poll(std::chrono::milliseconds max_wait) override;
  std::size_t pending() const override { return queued_ + running_.size() + ready_.size(); }
  void AbortAll() override;
  std::vector<std::uint64_t> CancelQueued(const std::string& host_port) override;
  void Wakeup() override {
    wakeup_requested_.store(true);
    curl_multi_wakeup(multi_);
  }

  bool Allowed(const std::string& host_port) const { return allow_.count(Lower(host_port)) > 0; }

  // Through a proxy the address connected is never seen: a URL whose host is a numeric address
  // outside the public internet, or a loopback name, is refused unless allowlisted. The host is
  // the URL module's (libcurl's numeric forms and trailing dots already normalised).
  bool PrivateThroughProxy(const Url& url) const {
    const std::optional<AddressClass> cls = ClassifyAddressLiteral(url.host);
    const bool private_host = (cls && *cls != AddressClass::kPublic) || IsLocalhostName(url.host);
    return private_host && !Allowed(url.HostPort());
  }

 private:
  struct Host {
    int active = 0;
    bool started = false;
    Clock::time_point last_start{};
    std::deque<std::unique_ptr<Transfer>> queue;
  };

  std::optional<Clock::time_point> StartQueued(Clock::time_point now);
  void Start(std::unique_ptr<Transfer> t);
  // Sets the easy handle up for t.hop (URL, proxy, headers, credentials, timeouts); the reason
  // the hop is refused, or nullopt.
  std::optional<std::string> PrepareHop(Transfer& t);
  // After a finished response to t.hop: true when it was a redirect now being followed (the
  // handle is back in the multi handle). Otherwise the transfer is over; a refused redirect
  // fills `refusal` and `outcome`.
  bool FollowRedirect(Transfer& t, std::string* refusal, Outcome* outcome);
  void Drain();
  FetchResult Finish(Transfer& t, CURLcode code);
  FetchResult Refuse(const FetchRequest& request, Outcome outcome, std::string error) const;

  FetchOptions options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::string ca_file_;
  std::set<std::string> allow_;
  ProxyEnvironment env_;
  std::map<std::string, Host> hosts_;
  std::string rr_cursor_;  // the host started last: the next round begins after it
  Clock::time_point last_cleanup_{};
  std::size_t queued_ = 0;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running_;
  std::vector<FetchResult> ready_;
  std::atomic<bool> wakeup_requested_{false};
};

// CURLOPT_OPENSOCKETFUNCTION: the SSRF guard (fetcher_hops.cc).
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address);

}  // namespace veille::fetch::detail
