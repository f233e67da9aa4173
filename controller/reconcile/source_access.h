// Where a policy may point the controller: the cluster admin's source access rules. A policy author
// chooses the URLs Gearbox reads, with Gearbox's network position; without rules, a tenant could
// make it read the cloud metadata service, the API server, the controller's own loopback, or
// another namespace's services. The rules (flags --source-allow, --source-allow-only-listed,
// --source-allow-plain-http-credentials; chart values sourceAccess.*):
// - loopback, link-local (where cloud metadata answers), unspecified addresses and the API
//   server's address are refused unless an allow rule's network covers them;
// - with only-listed, every source must match an allow rule (by network or host name);
// - a bearer token is not sent over plain http:// unless the admin allows it.
// A rule: [NAMESPACE/]TARGET[:PORT[-PORT]], TARGET a network ("10.0.0.0/8", "127.0.0.1",
// "[::1]"), a host name ("prometheus.monitoring.svc") or a domain ("*.monitoring.svc").
//
// The check resolves the host once per policy generation (host_lookup.h, bounded): a name that
// later resolves elsewhere (DNS rebinding) is the chart's NetworkPolicy's to stop
// (docs/security.md).
#pragma once

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "reconcile/host_lookup.h"

namespace gearbox::reconcile {

struct SourceAccessOptions {
  std::vector<std::string> allow;  // rules, as written
  bool only_listed = false;
  bool plain_http_credentials = false;
  std::vector<std::string> api_server_hosts;  // refused unless a rule covers them
  std::chrono::milliseconds lookup_timeout{2000};
};

// One allow rule, parsed.
struct AllowRule {
  std::string ns;  // "" every namespace
  std::variant<std::monostate, boost::asio::ip::network_v4, boost::asio::ip::network_v6> network;
  std::string host;  // a host name; ".domain" for "*.domain"
  uint16_t first_port = 0, last_port = 65535;
  std::string text;  // as written, for messages

  bool Covers(const std::string& ns, uint16_t port) const;
  bool CoversAddress(const boost::asio::ip::address& a) const;
  bool CoversHost(const std::string& host) const;
};

// A rule parsed, or an Error (kInvalid) naming what does not parse.
Result<AllowRule> ParseAllowRule(const std::string& text);

// One server a policy names: where, and how it is reached.
struct SourceEndpoint {
  std::string kind;  // "prometheus", "redis": for messages
  std::string host;
  uint16_t port = 0;
  bool plain_http = false;        // http://, redis://
  bool sends_credential = false;  // a bearer token or a password goes with each request
};

class SourceAccess {
 public:
  using Lookup = std::function<Result<Addresses>(const std::string& host)>;

  // The rules, or an Error (kInvalid) naming the first that does not parse. `lookup` defaults to
  // LookupHost with options.lookup_timeout; the API server's hosts are resolved here, once.
  static Result<SourceAccess> Make(const SourceAccessOptions& options, Lookup lookup = {});
  // No rules: the defaults (loopback, link-local, unspecified refused; nothing listed).
  SourceAccess();

  // Ok, or why a policy in `ns` may not read `endpoint`: an Error (kConfig) whose message names
  // the rule, never anything the server would have answered. kTransport/kTimeout: the host could
  // not be resolved, so not checked (check again later).
  Status Check(const std::string& ns, const SourceEndpoint& endpoint) const;

 private:
  Status CheckListed(const std::string& ns, const SourceEndpoint& e, const Addresses& found) const;
  Status CheckAddress(const std::string& ns, const SourceEndpoint& e,
                      const boost::asio::ip::address& a) const;
  const char* RefusedRange(const boost::asio::ip::address& a) const;

  std::vector<AllowRule> rules_;
  bool only_listed_ = false;
  bool plain_http_credentials_ = false;
  Addresses api_server_;
  Lookup lookup_;
};

}  // namespace gearbox::reconcile
