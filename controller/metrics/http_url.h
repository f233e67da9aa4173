// The http(s):// URL of a source a policy names (Prometheus, a metricsApi endpoint, the RabbitMQ
// management API), split as BoundedGet (bounded_http.h) wants it, with the TLS context that
// verifies its server: the policy's CA alone when it gives one (caSecretRef), else the system's.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace boost::asio::ssl {
class context;
}

namespace gearbox::metrics {

struct HttpServerUrl {
  bool tls = false;
  std::string host, port;  // port: the URL's, else the scheme's ("80", "443")
  std::string path;        // "" when the URL has none (or just "/")
  std::string query;
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // https only
};

// An Error (kConfig) that names `kind` and the URL without its credentials ("prometheus url
// \"http://h\" names no host"), or says the CA does not parse: a CA that does not parse is never
// silently the system's trust.
Result<HttpServerUrl> ParseHttpServerUrl(const std::string& url, const std::string& ca_pem,
                                         const std::string& kind);

}  // namespace gearbox::metrics
