// The transports and what the dispatcher needs of the configuration, registered at start and
// again by every reload (Monitor::Reload -> ApplyChannels -> RegisterTransports).
#include "pipeline/channels.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/alert/test_store.h"

namespace veille::pipeline {
namespace {

// Stands in for a channel's transport: records who each alert's rules are about, asks for a
// retry first so that the same alert is loaded again after a reload.
class RecordingTransport : public alert::Transport {
 public:
  std::vector<std::string> entities;  // per attempt: the first rule's entity, "-" for none
  alert::Delivery Deliver(const alert::Alert& a) override {
    entities.push_back(a.EntityOf(a.mention).value_or("-"));
    alert::Delivery d;
    if (entities.size() == 1) d.status = alert::Delivery::Status::kRetry;
    return d;
  }
  alert::Delivery DeliverDigest(const alert::Digest&) override { return {}; }
  alert::Delivery DeliverEvent(const alert::EventMessage&) override { return {}; }
};

config::Config ConfigWithEntity(const std::string& entity_line) {
  const std::string text =
      "[daemon]\ndatabase = \"v.db\"\n"
      "[[feed]]\nurl = \"https://a.example/feed\"\nname = \"Presse\"\n"
      "[[rule]]\nname = \"marque\"\n" +
      entity_line + "query = 'Orélia'\nchannels = [\"journal\"]\n" +
      "[[channel]]\nname = \"journal\"\ntype = \"log\"\n";
  auto c = config::ParseConfig(text, "/etc/veille/veille.toml");
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : config::Config();
}

// Issue 19: a reload that changes a rule's entity changes what the alerts loaded after it say.
TEST(RegisterTransports, AlertsLoadedAfterAReloadNameTheNewEntity) {
  alert::testing::TempStore db;
  db.AddMentions({"Un"}, {"journal"}, 2000);
  auto recording = std::make_shared<RecordingTransport>();
  alert::Dispatcher dispatcher(db.store(), 1);
  RegisterTransports(ConfigWithEntity("entity = \"Alpéa\"\n"), dispatcher);
  dispatcher.SetTransport("journal", recording);  // in place of the log transport
  ASSERT_TRUE(dispatcher.DeliverDue(2000));
  RegisterTransports(ConfigWithEntity("entity = \"Orélia\"\n"), dispatcher);  // the reload
  dispatcher.SetTransport("journal", recording);
  ASSERT_TRUE(dispatcher.DeliverDue(db.Scalar("SELECT next_attempt_at FROM outbox")));
  // The key removed by the next reload: the rule is about itself.
  db.AddMentions({"Deux"}, {"journal"}, 9000);
  RegisterTransports(ConfigWithEntity(""), dispatcher);
  dispatcher.SetTransport("journal", recording);
  ASSERT_TRUE(dispatcher.DeliverDue(9000));
  EXPECT_EQ(recording->entities, (std::vector<std::string>{"Alpéa", "Orélia", "marque"}));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
}

}  // namespace
}  // namespace veille::pipeline
