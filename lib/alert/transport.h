// A delivery channel's transport: one method, so tests can put a fake beside the real ones.
#pragma once

#include <string>

#include "store/store.h"

namespace veille::alert {

struct Delivery {
  enum class Status { kDelivered, kRetry, kDead };
  Status status = Status::kDelivered;
  std::string error;  // one line, when not delivered
};

// What a transport needs to say about one mention on one channel.
struct Alert {
  store::OutboxRow outbox;
  store::MentionRow mention;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers one alert; must not throw. Called from the dispatcher's thread only.
  virtual Delivery Deliver(const Alert& alert) = 0;
};

}  // namespace veille::alert
