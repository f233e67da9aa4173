// The assembled controller, as main.cpp drives it, against the scripted API server.
#include "reconcile/controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "../../lib/scripted_client.h"

namespace gearbox::reconcile {
namespace {

using testing::ScriptedClient;
using testing::ScriptedResponse;

// The probe server answers /readyz from its own thread as soon as main starts
// it, which is before the informers start. The informers used to be created by StartInformers(),
// pushed into the vector the probe was iterating (a data race; TSan runs this test).
TEST(Controller, TheProbesReadTheCachesWhileTheyStart) {
  auto api = std::make_shared<ScriptedClient>();
  api->On("LIST", "/apis/gearbox.dev/v1alpha1/namespaces/a/scalingpolicies",
          ScriptedResponse::Ok(
              kube::Json::parse(R"({"metadata":{"resourceVersion":"1"},"items":[]})")));
  prometheus::Registry registry;
  std::ostringstream logs;
  telemetry::Logger log(telemetry::LogFormat::kText, telemetry::LogLevel::kError, &logs);
  ControllerOptions options;
  options.namespaces = {"a", "b", "c", "d"};
  Controller controller(api, options, registry, log);

  std::atomic<bool> done{false};
  std::atomic<int> asked{0};
  std::thread probe([&] {
    while (!done) {
      (void)controller.NotReadyReason();
      ++asked;
    }
  });
  EXPECT_FALSE(controller.NotReadyReason().empty()) << "not ready before the caches sync";
  controller.StartInformers();
  while (asked < 1000) std::this_thread::yield();
  done = true;
  probe.join();
  controller.Stop();
}

}  // namespace
}  // namespace gearbox::reconcile
