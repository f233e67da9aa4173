// See aws_credentials.h.
#include "metrics/aws_credentials.h"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "base/time_format.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

namespace {

Result<Expiring<AwsCredentials>> AssumeRoleWithWebIdentity(const AwsEnvironment& env,
                                                           const kube::Clock& clock) {
  ASSIGN_OR_RETURN(std::string token,
                   ReadProjectedToken(env.token_file, "AWS_WEB_IDENTITY_TOKEN_FILE"));
  TokenRequest request{env.StsUrl(),
                       "POST",
                       {{"Action", "AssumeRoleWithWebIdentity"},
                        {"Version", "2011-06-15"},
                        {"RoleArn", env.role_arn},
                        {"RoleSessionName", env.role_session_name},
                        {"WebIdentityToken", token}},
                       {},
                       "AWS STS"};
  ASSIGN_OR_RETURN(std::string body, CallTokenEndpoint(request));
  return ParseAssumeRoleAnswer(body, clock.WallNow());
}

// The SDKs' chain: keys, then web identity, then the container endpoint.
class EnvironmentSource final : public AwsCredentialSource {
 public:
  EnvironmentSource(AwsEnvironment env, const kube::Clock& clock)
      : env_(std::move(env)),
        web_identity_([this, &clock] { return AssumeRoleWithWebIdentity(env_, clock); }, clock),
        container_(
            [this, &clock] { return FetchContainerCredentials(env_.container, clock.WallNow()); },
            clock) {}
  Result<AwsCredentials> Get() override {
    if (!env_.keys.access_key_id.empty() && !env_.keys.secret_access_key.empty()) return env_.keys;
    if (!env_.role_arn.empty() && !env_.token_file.empty()) return web_identity_.Get();
    if (env_.container.configured()) return container_.Get();
    return Error::Of(Error::Kind::kConfig,
                     "the controller has no AWS credentials (neither AWS_ACCESS_KEY_ID and "
                     "AWS_SECRET_ACCESS_KEY, nor IRSA's AWS_ROLE_ARN and "
                     "AWS_WEB_IDENTITY_TOKEN_FILE, nor EKS Pod Identity's "
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI in its environment)");
  }

 private:
  const AwsEnvironment env_;
  ExpiringCache<AwsCredentials> web_identity_;
  ExpiringCache<AwsCredentials> container_;
};

class StaticSource final : public AwsCredentialSource {
 public:
  explicit StaticSource(AwsCredentials keys) : keys_(std::move(keys)) {}
  Result<AwsCredentials> Get() override { return keys_; }

 private:
  const AwsCredentials keys_;
};

}  // namespace

AwsEnvironment AwsEnvironment::FromProcess() {
  AwsEnvironment env;
  env.keys = {EnvOr("AWS_ACCESS_KEY_ID"), EnvOr("AWS_SECRET_ACCESS_KEY"),
              EnvOr("AWS_SESSION_TOKEN")};
  env.role_arn = EnvOr("AWS_ROLE_ARN");
  env.token_file = EnvOr("AWS_WEB_IDENTITY_TOKEN_FILE");
  env.role_session_name = EnvOr("AWS_ROLE_SESSION_NAME", "gearbox-controller");
  env.region = EnvOr("AWS_REGION", EnvOr("AWS_DEFAULT_REGION"));
  env.sts_endpoint = EnvOr("AWS_ENDPOINT_URL_STS");
  env.container = {
      EnvOr("AWS_CONTAINER_CREDENTIALS_FULL_URI"), EnvOr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
      EnvOr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), EnvOr("AWS_CONTAINER_AUTHORIZATION_TOKEN")};
  return env;
}

std::string AwsEnvironment::StsUrl() const {
  if (!sts_endpoint.empty()) return sts_endpoint;
  return region.empty() ? "https://sts.amazonaws.com/"
                        : "https://sts." + region + ".amazonaws.com/";
}

Result<Expiring<AwsCredentials>> ParseAssumeRoleAnswer(const std::string& xml,
                                                       std::chrono::system_clock::time_point now) {
  const Error malformed = Error::Of(
      Error::Kind::kDecode, "AWS STS: the answer is not an AssumeRoleWithWebIdentity result");
  namespace pt = boost::property_tree;
  pt::ptree doc;
  try {
    std::istringstream in(xml);
    pt::read_xml(in, doc);
    const pt::ptree& c = doc.get_child(
        "AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.Credentials");
    AwsCredentials keys{c.get<std::string>("AccessKeyId"), c.get<std::string>("SecretAccessKey"),
                        c.get<std::string>("SessionToken")};
    auto expiration = ParseRfc3339(c.get<std::string>("Expiration"));
    if (keys.access_key_id.empty() || keys.secret_access_key.empty() || !expiration)
      return malformed;
    auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(*expiration - now);
    if (lifetime.count() <= 0)
      return Error::Of(Error::Kind::kAuth, "AWS STS: the credentials have already expired");
    return Expiring<AwsCredentials>{keys, lifetime};
  } catch (const pt::ptree_error&) {  // not XML, or a field missing
    return malformed;
  }
}

std::shared_ptr<AwsCredentialSource> AwsEnvironmentCredentials(AwsEnvironment env,
                                                               const kube::Clock& clock) {
  return std::make_shared<EnvironmentSource>(std::move(env), clock);
}

std::shared_ptr<AwsCredentialSource> AwsStaticCredentials(AwsCredentials keys) {
  return std::make_shared<StaticSource>(std::move(keys));
}

}  // namespace gearbox::metrics
