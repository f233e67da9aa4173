// See host_lookup.h.
#include "reconcile/host_lookup.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>
#include <thread>

namespace gearbox::reconcile {

namespace {

std::atomic<int> g_in_flight{0};

Result<Addresses> Resolve(const std::string& host) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto found = resolver.resolve(host, "", ec);
  if (ec) return Error::Of(Error::Kind::kTransport, "host " + host + " does not resolve");
  Addresses out;
  for (const auto& entry : found) out.push_back(entry.endpoint().address());
  if (out.empty()) return Error::Of(Error::Kind::kTransport, "host " + host + " has no address");
  return out;
}

}  // namespace

Result<Addresses> LookupHost(const std::string& host, std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) return Addresses{literal};
  if (g_in_flight.fetch_add(1) >= kMaxLookupsInFlight) {
    g_in_flight.fetch_sub(1);
    return Error::Of(Error::Kind::kTransport, "too many DNS lookups in progress");
  }
  // A promise's future does not wait for its thread when dropped (std::async's would): a late
  // answer lands in the shared state and goes with it.
  std::promise<Result<Addresses>> promise;
  auto answer = promise.get_future();
  std::thread([promise = std::move(promise), host]() mutable {
    auto found = Resolve(host);
    g_in_flight.fetch_sub(1);
    promise.set_value(std::move(found));
  }).detach();
  if (answer.wait_for(timeout) != std::future_status::ready)
    return Error::Of(Error::Kind::kTimeout, "host " + host + " did not resolve within " +
                                                std::to_string(timeout.count()) + "ms");
  return answer.get();
}

}  // namespace gearbox::reconcile
