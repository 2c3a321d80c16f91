// Delivery threads: each runs prepared alert transfers on its own libcurl multi handle, so that
// the thread that hands them over (the daemon's loop) never waits on a mail server or a webhook.
// They never touch the database: outcomes go back through an Outcomes box, and the dispatcher's
// thread records them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "alert/transport.h"

namespace veille::alert {

// Finished attempts from any number of delivery threads, waiting for the dispatcher's thread.
class Outcomes {
 public:
  struct Done {
    std::uint64_t id = 0;  // as given to DeliveryWorker::Submit
    Delivery result;       // what the transfer's Finish made of it
  };

  void Push(std::vector<Done> done);
  // Everything finished since the last call, in the order it finished; never blocks.
  [[nodiscard]] std::vector<Done> Take();
  // Waits until something is waiting to be taken, or `timeout_ms` passed; true when it is.
  bool Wait(std::int64_t timeout_ms);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Done> done_;  // guarded by mu_
};

// One delivery thread. libcurl 7.88 waits for an SMTP server's reply to the end of DATA inside
// curl_multi_perform (smtp_done runs a blocking state machine, up to the response timeout), so
// a server that never answers there holds up every transfer on the same multi handle: the
// dispatcher gives each channel its own thread, and a hung server delays only its channel.
class DeliveryWorker {
 public:
  // Starts the thread; if the multi handle cannot be created, every Submit answers at once with
  // a channel-wide retry.
  explicit DeliveryWorker(std::shared_ptr<Outcomes> outcomes);
  // Abort(), then joins the thread.
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Hands a prepared transfer to the thread; it runs under its own timeouts and its outcome goes
  // to the Outcomes box under `id`. The transfer (and what it refers to, such as its transport's
  // options) must stay valid until its outcome is taken or the worker is destroyed.
  void Submit(std::uint64_t id, std::unique_ptr<Transfer> transfer);
  // Asks the thread to stop without waiting: the transfers still running end within about a
  // second (a blocked SMTP reply wait included, through libcurl's progress callback) and are
  // dropped without an outcome. Whatever finished before stays in the Outcomes box.
  void Abort();

 private:
  void Loop();

  std::shared_ptr<Outcomes> outcomes_;
  std::mutex mu_;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<Transfer>>> incoming_;  // guarded by mu_
  std::atomic<bool> aborting_{false};  // read by libcurl's progress callback
  CURLM* multi_ = nullptr;
  // Owned by the thread once added to the multi handle.
  std::map<CURL*, std::pair<std::uint64_t, std::unique_ptr<Transfer>>> running_;
  std::thread thread_;
};

}  // namespace veille::alert
