#include "alert/delivery_worker.h"

#include <algorithm>
#include <chrono>

namespace veille::alert {
namespace {

Delivery NotStarted() {
  return Delivery{
      Delivery::Status::kRetry, "libcurl could not start the transfer", true, {}, false};
}

// Called by libcurl about once a second even inside its blocking waits (Curl_pp_statemach
// updates the progress meter between its one-second polls): a non-zero answer ends the transfer
// with CURLE_ABORTED_BY_CALLBACK.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;
}

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Outcomes::Push(std::vector<Done> done) {
  if (done.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& d : done) done_.push_back(std::move(d));
  cv_.notify_all();
}

std::vector<Outcomes::Done> Outcomes::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Done> out;
  out.swap(done_);
  return out;
}

bool Outcomes::Wait(std::int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(0, timeout_ms)),
                      [this] { return !done_.empty(); });
}

DeliveryWorker::DeliveryWorker(std::shared_ptr<Outcomes> outcomes)
    : outcomes_(std::move(outcomes)) {
  static const bool kCurlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (kCurlReady) multi_ = curl_multi_init();
  if (multi_) thread_ = std::thread([this] { Loop(); });
}

DeliveryWorker::~DeliveryWorker() {
  Abort();
  if (thread_.joinable()) thread_.join();
  if (multi_) curl_multi_cleanup(multi_);
}

void DeliveryWorker::Abort() {
  aborting_.store(true);
  if (multi_) curl_multi_wakeup(multi_);
}

void DeliveryWorker::Submit(std::uint64_t id, std::unique_ptr<Transfer> transfer) {
  if (!multi_ || !transfer || !transfer->easy()) {
    outcomes_->Push({Outcomes::Done{id, NotStarted()}});
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming_.emplace_back(id, std::move(transfer));
  }
  curl_multi_wakeup(multi_);
}

void DeliveryWorker::Loop() {
  std::int64_t abort_deadline_ms = 0;
  for (;;) {
    if (aborting_.load()) {
      // Transfers end through the progress callback at their next perform (a webhook waiting
      // for its answer, an SMTP server silent after DATA); give them two seconds, then remove
      // what is left (an SMTP exchange still before DATA).
      if (abort_deadline_ms == 0) abort_deadline_ms = SteadyMs() + 2000;
      if (running_.empty() || SteadyMs() >= abort_deadline_ms) break;
    }
    std::vector<std::pair<std::uint64_t, std::unique_ptr<Transfer>>> added;
    {
      std::lock_guard<std::mutex> lock(mu_);
      added.swap(incoming_);
    }
    std::vector<Outcomes::Done> done;
    for (auto& [id, transfer] : added) {
      if (aborting_.load()) break;  // never started: no outcome, rows unchanged
      CURL* easy = transfer->easy();
      curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &OnProgress);
      curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &aborting_);
      if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
        done.push_back(Outcomes::Done{id, NotStarted()});
        continue;
      }
      running_.emplace(easy, std::make_pair(id, std::move(transfer)));
    }
    int still_running = 0;
    curl_multi_perform(multi_, &still_running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = running_.find(msg->easy_handle);
      if (it == running_.end()) continue;
      const bool cut = aborting_.load() && msg->data.result == CURLE_ABORTED_BY_CALLBACK;
      // Finish reads the handle's state, so it runs before the handle leaves the multi.
      Delivery result = it->second.second->Finish(msg->data.result);
      curl_multi_remove_handle(multi_, msg->easy_handle);
      // A transfer cut by Abort has no outcome: its rows stay as they were. One that ended on
      // its own meanwhile keeps its real outcome.
      if (!cut) done.push_back(Outcomes::Done{it->second.first, std::move(result)});
      running_.erase(it);  // the transfer is released here, on this thread
    }
    outcomes_->Push(std::move(done));
    // Woken at once by Submit and Abort (curl_multi_wakeup); otherwise libcurl's own timers
    // decide, within a second (a tenth while aborting).
    curl_multi_poll(multi_, nullptr, 0, aborting_.load() ? 100 : 1000, nullptr);
  }
  // Whatever still runs is dropped without an outcome. Removing it ends libcurl's part; a
  // blocking reply wait this triggers (smtp_done) ends at once through the progress callback.
  for (auto& [easy, flight] : running_) curl_multi_remove_handle(multi_, easy);
  running_.clear();
}

}  // namespace veille::alert
