// A RabbitMQ queue through the management plugin's HTTP API (GET /api/queues/VHOST/QUEUE), as
// KEDA's rabbitmq scaler reads it with protocol http: the messages in the queue (`messages`:
// ready + unacknowledged), the ready ones only (`messages_ready`), or the publish rate
// (`message_stats.publish_details.rate`, messages per second; 0 while nothing was published: the
// broker leaves message_stats out until then). Basic authentication with the management user; the
// GET is bounded and its errors never quote the answer (http_json.h). The broker refreshes these
// figures every collect_statistics_interval (5 s by default), so a reading is up to that old.
#pragma once

#include <memory>
#include <string>

#include "metrics/http_json.h"
#include "metrics/source.h"

namespace gearbox::metrics {

struct RabbitQueueSpec {
  std::string vhost = "/";
  std::string queue;
  std::string measure = "messages";  // messages | messagesReady | publishRate
};

class RabbitQueueMetric : public MetricSource {
 public:
  RabbitQueueMetric(std::shared_ptr<HttpJsonClient> client, RabbitQueueSpec spec)
      : client_(std::move(client)), spec_(std::move(spec)) {}
  Result<Reading> Read() override;
  std::string Describe() const override;

  // The measure's value in a queue's JSON (pure, for tests).
  static Result<Reading> Pick(const web::json::value& queue, const std::string& measure,
                              const std::string& what);

 private:
  std::shared_ptr<HttpJsonClient> client_;
  RabbitQueueSpec spec_;
};

}  // namespace gearbox::metrics
