// See http_url.h.
#include "metrics/http_url.h"

#include <cpprest/base_uri.h>

#include <boost/asio/ssl/context.hpp>

#include "metrics/redacted_url.h"

namespace gearbox::metrics {

namespace {

Result<std::shared_ptr<boost::asio::ssl::context>> VerifyingContext(const std::string& ca_pem) {
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (ca_pem.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->add_certificate_authority(boost::asio::buffer(ca_pem), ec);
  }
  if (ec) return Error::Of(Error::Kind::kConfig, "the CA (caSecretRef) is not a PEM certificate");
  return ctx;
}

}  // namespace

Result<HttpServerUrl> ParseHttpServerUrl(const std::string& url, const std::string& ca_pem,
                                         const std::string& kind) {
  auto refuse = [&](const std::string& why) -> Result<HttpServerUrl> {
    return Error::Of(Error::Kind::kConfig, kind + " url \"" + RedactedUrl(url) + "\" " + why);
  };
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return refuse("must start with http:// or https://");
  HttpServerUrl out;
  try {
    const web::uri uri(url);
    out.tls = uri.scheme() == "https";
    out.host = uri.host();
    out.port = std::to_string(uri.port() > 0 ? uri.port() : (out.tls ? 443 : 80));
    out.path = uri.path() == "/" ? "" : uri.path();
    out.query = uri.query();
  } catch (const std::exception&) {  // cpprestsdk throws on a URL it cannot parse
    return refuse("is not a URL");
  }
  if (out.host.empty()) return refuse("names no host");
  if (out.tls) {
    ASSIGN_OR_RETURN(out.tls_context, VerifyingContext(ca_pem));
  }
  return out;
}

}  // namespace gearbox::metrics
