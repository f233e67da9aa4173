// See source_access.h.
#include "reconcile/source_access.h"

#include <algorithm>
#include <cctype>

namespace gearbox::reconcile {

namespace {

namespace ip = boost::asio::ip;

Error BadRule(const std::string& text, const std::string& why) {
  return Error::Invalid("source access rule \"" + text + "\": " + why);
}

// An IPv4 address written as IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is.
ip::address Unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

// A namespace prefix ("team-a/...") is a DNS label: no dots or colons, unlike a network's
// "10.0.0.0/8" or "fd00::/8".
std::pair<std::string, std::string> SplitNamespace(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0) return {"", text};
  std::string head = text.substr(0, slash);
  bool label = head.find_first_of(".:[") == std::string::npos &&
               !std::all_of(head.begin(), head.end(), [](char c) { return std::isdigit(c); });
  if (!label) return {"", text};
  return {head, text.substr(slash + 1)};
}

// "[v6]:ports", "[v6]", a bare IPv6 network (several colons, no port), or "target:ports".
Result<std::pair<std::string, std::string>> SplitPorts(const std::string& text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return BadRule(text, "no closing ]");
    std::string rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadRule(text, "junk after ]");
    return std::pair{text.substr(1, close - 1), rest.empty() ? rest : rest.substr(1)};
  }
  if (std::count(text.begin(), text.end(), ':') > 1) return std::pair{text, std::string()};
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::pair{text, std::string()};
  return std::pair{text.substr(0, colon), text.substr(colon + 1)};
}

Result<uint16_t> ParsePort(const std::string& rule, const std::string& s) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), ::isdigit))
    return BadRule(rule, "port \"" + s + "\" is not a number");
  int port = std::stoi(s);
  if (port < 1 || port > 65535) return BadRule(rule, "port " + s + " is out of 1..65535");
  return static_cast<uint16_t>(port);
}

Status ParsePorts(const std::string& rule, const std::string& s, AllowRule& out) {
  if (s.empty()) return OkStatus();
  auto dash = s.find('-');
  ASSIGN_OR_RETURN(out.first_port, ParsePort(rule, s.substr(0, dash)));
  out.last_port = out.first_port;
  if (dash != std::string::npos) {
    ASSIGN_OR_RETURN(out.last_port, ParsePort(rule, s.substr(dash + 1)));
  }
  if (out.last_port < out.first_port) return BadRule(rule, "the port range is backwards");
  return OkStatus();
}

bool IsHostName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(c) || c == '.' || c == '-';
  });
}

// A network ("10.0.0.0/8", "fd00::/8"), an address (a network of one), a domain ("*.svc") or
// a host name.
Status ParseTarget(const std::string& rule, std::string target, AllowRule& out) {
  boost::system::error_code ec;
  if (target.find('/') == std::string::npos) {
    auto a = ip::make_address(target, ec);
    if (!ec) target += a.is_v4() ? "/32" : "/128";
  }
  if (target.find('/') != std::string::npos) {
    if (target.find(':') == std::string::npos) {
      out.network = ip::make_network_v4(target, ec);
    } else {
      out.network = ip::make_network_v6(target, ec);
    }
    if (ec) return BadRule(rule, "\"" + target + "\" is not a network");
    return OkStatus();
  }
  std::transform(target.begin(), target.end(), target.begin(), ::tolower);
  if (target.rfind("*.", 0) == 0) target = target.substr(1);
  if (!IsHostName(target)) return BadRule(rule, "\"" + target + "\" is not a host name");
  out.host = target;
  return OkStatus();
}

}  // namespace

Result<AllowRule> ParseAllowRule(const std::string& text) {
  AllowRule rule;
  rule.text = text;
  auto [ns, rest] = SplitNamespace(text);
  rule.ns = ns;
  ASSIGN_OR_RETURN(auto parts, SplitPorts(rest));
  if (parts.first.empty()) return BadRule(text, "names no network or host");
  RETURN_IF_ERROR(ParseTarget(text, parts.first, rule));
  RETURN_IF_ERROR(ParsePorts(text, parts.second, rule));
  return rule;
}

bool AllowRule::Covers(const std::string& policy_ns, uint16_t port) const {
  return (ns.empty() || ns == policy_ns) && port >= first_port && port <= last_port;
}

bool AllowRule::CoversAddress(const ip::address& address) const {
  const ip::address a = Unmapped(address);
  if (const auto* v4 = std::get_if<ip::network_v4>(&network); v4 && a.is_v4())
    return ip::network_v4(a.to_v4(), v4->prefix_length()).canonical() == v4->canonical();
  if (const auto* v6 = std::get_if<ip::network_v6>(&network); v6 && a.is_v6())
    return ip::network_v6(a.to_v6(), v6->prefix_length()).canonical() == v6->canonical();
  return false;
}

bool AllowRule::CoversHost(const std::string& name) const {
  if (host.empty()) return false;
  std::string h = name;
  std::transform(h.begin(), h.end(), h.begin(), ::tolower);
  if (host.front() != '.') return h == host;
  return h.size() > host.size() && h.compare(h.size() - host.size(), host.size(), host) == 0;
}

SourceAccess::SourceAccess()
    : lookup_([](const std::string& host) {
        return LookupHost(host, SourceAccessOptions{}.lookup_timeout);
      }) {}

Result<SourceAccess> SourceAccess::Make(const SourceAccessOptions& options, Lookup lookup) {
  SourceAccess access;
  if (lookup) {
    access.lookup_ = std::move(lookup);
  } else {
    access.lookup_ = [timeout = options.lookup_timeout](const std::string& host) {
      return LookupHost(host, timeout);
    };
  }
  for (const auto& text : options.allow) {
    ASSIGN_OR_RETURN(auto rule, ParseAllowRule(text));
    access.rules_.push_back(std::move(rule));
  }
  access.only_listed_ = options.only_listed;
  access.plain_http_credentials_ = options.plain_http_credentials;
  for (const auto& host : options.api_server_hosts) {
    ASSIGN_OR_RETURN(auto found, access.lookup_(host));
    for (const auto& a : found) access.api_server_.push_back(Unmapped(a));
  }
  return access;
}

// The range `a` is in that a policy may not reach unless a rule covers it; null: none.
const char* SourceAccess::RefusedRange(const ip::address& address) const {
  const ip::address a = Unmapped(address);
  if (std::find(api_server_.begin(), api_server_.end(), a) != api_server_.end())
    return "the API server's address";
  if (a.is_loopback()) return "a loopback address";
  if (a.is_unspecified()) return "an unspecified address";
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    if (b[0] == 169 && b[1] == 254) return "a link-local address (where cloud metadata answers)";
    if (b[0] == 0) return "an unspecified address";
    return nullptr;
  }
  if (a.to_v6().is_link_local()) return "a link-local address (where cloud metadata answers)";
  if (a == ip::make_address("fd00:ec2::254")) return "the cloud metadata address";
  return nullptr;
}

Status SourceAccess::CheckAddress(const std::string& ns, const SourceEndpoint& e,
                                  const ip::address& a) const {
  const char* range = RefusedRange(a);
  if (!range) return OkStatus();
  for (const auto& r : rules_) {
    if (r.Covers(ns, e.port) && r.CoversAddress(a)) return OkStatus();
  }
  return Error::Of(Error::Kind::kConfig,
                   e.kind + " host " + e.host + " is refused: it resolves to " + range +
                       ", which no source access rule allows for namespace " + ns +
                       " (the cluster admin's --source-allow; docs/security.md)");
}

Status SourceAccess::CheckListed(const std::string& ns, const SourceEndpoint& e,
                                 const Addresses& found) const {
  auto by_network = [&](const ip::address& a) {
    return std::any_of(rules_.begin(), rules_.end(), [&](const AllowRule& r) {
      return r.Covers(ns, e.port) && r.CoversAddress(a);
    });
  };
  bool by_name = std::any_of(rules_.begin(), rules_.end(), [&](const AllowRule& r) {
    return r.Covers(ns, e.port) && r.CoversHost(e.host);
  });
  if (by_name || std::all_of(found.begin(), found.end(), by_network)) return OkStatus();
  return Error::Of(Error::Kind::kConfig,
                   e.kind + " host " + e.host + " port " + std::to_string(e.port) +
                       " is refused: no source access rule lists it for namespace " + ns +
                       " (the cluster admin allows only listed sources; docs/security.md)");
}

Status SourceAccess::Check(const std::string& ns, const SourceEndpoint& e) const {
  if (e.plain_http && e.sends_credential && !plain_http_credentials_)
    return Error::Of(Error::Kind::kConfig,
                     e.kind +
                         ": a credential (a token, a password, a header from a Secret, a cloud "
                         "identity) is not sent over plain http:// (use https://; the "
                         "cluster admin may allow it: docs/security.md)");
  ASSIGN_OR_RETURN(auto found, lookup_(e.host));
  for (const auto& a : found) RETURN_IF_ERROR(CheckAddress(ns, e, a));
  if (only_listed_) return CheckListed(ns, e, found);
  return OkStatus();
}

}  // namespace gearbox::reconcile
