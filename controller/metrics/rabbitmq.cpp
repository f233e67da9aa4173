// See rabbitmq.h.
#include "metrics/rabbitmq.h"

#include <cpprest/base_uri.h>

#include <cstdio>

#include "metrics/json_value.h"

namespace gearbox::metrics {

using Json = web::json::value;

namespace {

// The queue's fields the measures need, and nothing else: a queue with many consumers has a
// long consumer_details list that would only fill the answer's cap.
constexpr const char* kColumns = "columns=name,messages,messages_ready,message_stats";

}  // namespace

Result<Reading> RabbitQueueMetric::Pick(const Json& queue, const std::string& measure,
                                        const std::string& what) {
  if (measure == "publishRate") {
    // No message_stats (or no publish_details in it) until a message has been published.
    const bool published = queue.is_object() && queue.has_object_field("message_stats") &&
                           queue.at("message_stats").has_object_field("publish_details");
    if (!published) return Reading{0, "publish rate 0/s (nothing published yet)"};
    ASSIGN_OR_RETURN(double rate, NumberAt(queue, "message_stats.publish_details.rate", what));
    char detail[64];
    std::snprintf(detail, sizeof detail, "publish rate %.2f/s", rate);
    return Reading{rate, detail};
  }
  const std::string field = measure == "messagesReady" ? "messages_ready" : "messages";
  ASSIGN_OR_RETURN(double count, NumberAt(queue, field, what));
  return Reading{count, field + " " + std::to_string(static_cast<long long>(count))};
}

Result<Reading> RabbitQueueMetric::Read() {
  const std::string suffix = "/api/queues/" + web::uri::encode_data_string(spec_.vhost) + "/" +
                             web::uri::encode_data_string(spec_.queue);
  auto queue = client_->Get(suffix, kColumns);
  if (!queue) {
    Error e = std::move(queue).error();
    if (e.kind == Error::Kind::kApi && e.http_code == 404) {
      e.kind = Error::Kind::kNoData;
      e.message += " (no queue " + spec_.queue + " in vhost " + spec_.vhost + ")";
    }
    return e;
  }
  return Pick(*queue, spec_.measure, Describe());
}

std::string RabbitQueueMetric::Describe() const {
  return client_->Where() + ": queue " + spec_.queue + " in vhost " + spec_.vhost;
}

}  // namespace gearbox::metrics
