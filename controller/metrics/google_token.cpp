// See google_token.h.
#include "metrics/google_token.h"

#include <cpprest/json.h>

#include "metrics/digest.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

namespace {

using Json = web::json::value;

Result<Expiring<std::string>> FromMetadataServer(const std::string& host) {
  const std::string what = "the GCE metadata server";
  TokenRequest request{
      "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token",
      "GET",
      {},
      {{"Metadata-Flavor", "Google"}},
      what};
  ASSIGN_OR_RETURN(std::string body, CallTokenEndpoint(request));
  return ParseOAuthToken(body, what);
}

struct ServiceAccountKey {
  std::string client_email, private_key, private_key_id, token_uri;
};

Result<ServiceAccountKey> ParseKey(const std::string& key_json) {
  const Error bad = Error::Of(Error::Kind::kConfig,
                              "the Google key is not a service-account key (JSON with type "
                              "service_account, client_email and private_key)");
  try {
    Json key = Json::parse(key_json);
    if (!key.has_string_field("type") || key.at("type").as_string() != "service_account" ||
        !key.has_string_field("client_email") || !key.has_string_field("private_key"))
      return bad;
    auto text = [&](const char* field) {
      return key.has_string_field(field) ? key.at(field).as_string() : std::string();
    };
    return ServiceAccountKey{text("client_email"), text("private_key"), text("private_key_id"),
                             text("token_uri")};
  } catch (const std::exception&) {
    return bad;
  }
}

Result<Expiring<std::string>> FromServiceAccountKey(const ServiceAccountKey& key,
                                                    const std::string& token_url,
                                                    const kube::Clock& clock) {
  ASSIGN_OR_RETURN(std::string assertion,
                   GoogleJwtAssertion(key.client_email, key.private_key, key.private_key_id,
                                      token_url, clock.WallNow()));
  const std::string what = "Google's token endpoint";
  TokenRequest request{
      token_url,
      "POST",
      {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}},
      {},
      what};
  ASSIGN_OR_RETURN(std::string body, CallTokenEndpoint(request));
  return ParseOAuthToken(body, what);
}

}  // namespace

GoogleEnvironment GoogleEnvironment::FromProcess() {
  GoogleEnvironment env;
  env.metadata_host = EnvOr("GCE_METADATA_HOST", env.metadata_host);
  env.token_url = EnvOr("GEARBOX_GOOGLE_TOKEN_URL", env.token_url);
  return env;
}

Result<std::string> GoogleJwtAssertion(const std::string& client_email,
                                       const std::string& private_key_pem,
                                       const std::string& key_id, const std::string& token_url,
                                       std::chrono::system_clock::time_point now) {
  Json header = Json::object();
  header["alg"] = Json::string("RS256");
  header["typ"] = Json::string("JWT");
  if (!key_id.empty()) header["kid"] = Json::string(key_id);
  const int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  Json claims = Json::object();
  claims["iss"] = Json::string(client_email);
  claims["scope"] = Json::string(kGoogleMonitoringReadScope);
  claims["aud"] = Json::string(token_url);
  claims["iat"] = Json::number(iat);
  claims["exp"] = Json::number(iat + 3600);
  const std::string signing_input =
      Base64Url(header.serialize()) + "." + Base64Url(claims.serialize());
  auto signature = SignRs256(private_key_pem, signing_input);
  if (!signature)
    return Error::Of(Error::Kind::kConfig, "the Google key's " + signature.error().message);
  return signing_input + "." + Base64Url(*signature);
}

std::shared_ptr<TokenSource> GoogleMetadataTokens(const GoogleEnvironment& env,
                                                  const kube::Clock& clock) {
  return CachedTokenSource([host = env.metadata_host] { return FromMetadataServer(host); }, clock);
}

Result<std::shared_ptr<TokenSource>> GoogleServiceAccountTokens(const std::string& key_json,
                                                                const GoogleEnvironment& env,
                                                                const kube::Clock& clock) {
  ASSIGN_OR_RETURN(ServiceAccountKey key, ParseKey(key_json));
  if (!key.token_uri.empty() && key.token_uri != env.token_url)
    return Error::Of(Error::Kind::kConfig,
                     "the Google key's token_uri is not the controller's Google token endpoint");
  return CachedTokenSource(
      [key, url = env.token_url, &clock] { return FromServiceAccountKey(key, url, clock); }, clock);
}

}  // namespace gearbox::metrics
