// A DNS lookup with a deadline. A policy names the host its sources are read from, and a host name
// a tenant controls may take its resolver many seconds to answer: the lookup runs on a thread of
// its own and the caller waits at most `timeout` (a late answer is dropped with its thread). At
// most kMaxLookupsInFlight lookups run at once, so a flood of slow names cannot pile up threads.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"

namespace gearbox::reconcile {

inline constexpr int kMaxLookupsInFlight = 16;

using Addresses = std::vector<boost::asio::ip::address>;

// The addresses of `host` (an IP literal is its own answer, without a lookup), or an Error:
// kTransport when the name does not resolve or too many lookups are in flight, kTimeout when
// the resolver has not answered within `timeout`.
Result<Addresses> LookupHost(const std::string& host, std::chrono::milliseconds timeout);

}  // namespace gearbox::reconcile
