// See aws_container_credentials.h.
#include "metrics/aws_container_credentials.h"

#include <cpprest/base_uri.h>
#include <cpprest/json.h>

#include <boost/asio/ip/address.hpp>

#include "base/time_format.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

namespace {

constexpr const char* kWhat = "the AWS container credentials endpoint";
constexpr const char* kEcsHost = "http://169.254.170.2";

// The hosts a full URI may reach over plain http: the ECS and EKS Pod Identity agents' link-local
// addresses and loopback, as the AWS SDKs allow.
bool PlainHttpAllowed(std::string host) {
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_loopback()) return true;
  return host == "169.254.170.2" || host == "169.254.170.23" ||
         address == boost::asio::ip::make_address("fd00:ec2::23");
}

// The Authorization header's value: the token file's (read now: it is rotated), else the token.
Result<std::string> Authorization(const AwsContainerEndpoint& endpoint) {
  std::string token = endpoint.token;
  if (!endpoint.token_file.empty()) {
    ASSIGN_OR_RETURN(
        token, ReadProjectedToken(endpoint.token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
  }
  if (token.find_first_of("\r\n") != std::string::npos)
    return Error::Of(Error::Kind::kConfig,
                     "the AWS container authorization token has a line break (refused, as the AWS "
                     "SDKs refuse it)");
  return token;
}

}  // namespace

Result<std::string> ContainerCredentialsUrl(const AwsContainerEndpoint& endpoint) {
  if (!endpoint.relative_uri.empty()) return kEcsHost + endpoint.relative_uri;
  const Error refused = Error::Of(
      Error::Kind::kConfig,
      "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https URL, or http to a loopback address or "
      "to the ECS or EKS Pod Identity agent (169.254.170.2, 169.254.170.23, fd00:ec2::23)");
  if (!web::uri::validate(endpoint.full_uri)) return refused;
  const web::uri uri(endpoint.full_uri);
  if (uri.scheme() == "https" && !uri.host().empty()) return endpoint.full_uri;
  if (uri.scheme() == "http" && PlainHttpAllowed(uri.host())) return endpoint.full_uri;
  return refused;
}

Result<Expiring<AwsCredentials>> ParseContainerCredentials(
    const std::string& json, std::chrono::system_clock::time_point now) {
  const Error malformed =
      Error::Of(Error::Kind::kDecode, std::string(kWhat) + ": the answer is not AWS credentials");
  web::json::value doc;
  try {
    doc = web::json::value::parse(json);
  } catch (const web::json::json_exception&) {
    return malformed;
  }
  for (const char* field : {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"})
    if (!doc.has_string_field(field)) return malformed;
  AwsCredentials keys{doc.at("AccessKeyId").as_string(), doc.at("SecretAccessKey").as_string(),
                      doc.at("Token").as_string()};
  const auto expiration = ParseRfc3339(doc.at("Expiration").as_string());
  if (keys.access_key_id.empty() || keys.secret_access_key.empty() || !expiration) return malformed;
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(*expiration - now);
  if (lifetime.count() <= 0)
    return Error::Of(Error::Kind::kAuth, std::string(kWhat) + ": the keys have already expired");
  return Expiring<AwsCredentials>{std::move(keys), lifetime};
}

Result<Expiring<AwsCredentials>> FetchContainerCredentials(
    const AwsContainerEndpoint& endpoint, std::chrono::system_clock::time_point now) {
  ASSIGN_OR_RETURN(std::string url, ContainerCredentialsUrl(endpoint));
  ASSIGN_OR_RETURN(std::string authorization, Authorization(endpoint));
  TokenRequest request{std::move(url), "GET", {}, {}, kWhat};
  if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
  ASSIGN_OR_RETURN(std::string body, CallTokenEndpoint(request));
  return ParseContainerCredentials(body, now);
}

}  // namespace gearbox::metrics
