// See prometheus_auth.h. KEDA's prometheus scaler (keda.sh/docs/2.16/scalers/prometheus):
// authModes, a comma-separated list of bearer (bearerToken), basic (username, password), tls (cert,
// key; ca with any mode) and custom (customAuthHeader, customAuthValue), from a
// TriggerAuthentication; customHeaders "Name=value,..." in the metadata; Amazon Managed Service
// for Prometheus with awsRegion and podIdentity aws (or awsAccessKeyID/awsSecretAccessKey),
// Google's with podIdentity gcp, Azure Monitor's with podIdentity azure-workload.
#include "convert/prometheus_auth.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "convert/fields.h"

namespace gearbox::convert {

namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

bool Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

enum class Cloud { kNone, kAws, kGoogle, kAzure };

class Carrier {
 public:
  Carrier(const std::string& server, const TriggerAuth* auth) : server_(server), auth_(auth) {}

  Result<CarriedAuth> Run(const YAML::Node& metadata, const std::string& not_given,
                          const std::string& path);

 private:
  const AuthSecret* Secret(const std::string& parameter) const {
    if (!auth_) return nullptr;
    auto it = auth_->secrets.find(parameter);
    return it == auth_->secrets.end() ? nullptr : &it->second;
  }
  void Refuse(const std::string& why) {
    if (!out_.refused) out_.refused = why;
  }
  Cloud CloudOf(const std::optional<std::string>& aws_region) const;
  void StaticHeaders(const std::optional<std::string>& custom,
                     const std::optional<std::string>& org);
  void Aws(const std::optional<std::string>& region);
  void Google();
  void Azure();
  void Modes(const std::vector<std::string>& modes);
  void Basic();
  void ClientCertificate();
  void CustomHeader();
  void NoteWhereSecretsLive();
  void NoteNotGiven(const std::vector<std::string>& modes, const std::string& not_given);

  const std::string server_;
  const TriggerAuth* const auth_;
  CarriedAuth out_;
};

Cloud Carrier::CloudOf(const std::optional<std::string>& aws_region) const {
  const std::string identity = auth_ ? auth_->pod_identity : "";
  if (aws_region || identity == "aws" || identity == "aws-eks" || Secret("awsAccessKeyID") ||
      server_.find(".amazonaws.com") != std::string::npos)
    return Cloud::kAws;
  if (identity == "gcp" || Secret("GoogleApplicationCredentials") ||
      server_.find("monitoring.googleapis.com") != std::string::npos)
    return Cloud::kGoogle;
  if (identity == "azure-workload" || identity == "azure" ||
      server_.find(".prometheus.monitor.azure.com") != std::string::npos)
    return Cloud::kAzure;
  return Cloud::kNone;
}

void Carrier::StaticHeaders(const std::optional<std::string>& custom,
                            const std::optional<std::string>& org) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const std::string& pair : SplitList(custom.value_or(""))) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    headers.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  if (org) headers.emplace_back("X-Scope-OrgID", *org);  // KEDA's cortexOrgID
  for (const auto& [name, value] : headers) {
    YAML::Node header;
    header["name"] = name;
    header["value"] = value;
    out_.fields["headers"].push_back(header);
  }
}

void Carrier::Aws(const std::optional<std::string>& region) {
  std::smatch m;
  std::string r = region.value_or("");
  if (r.empty() && std::regex_search(server_, m, std::regex(R"(aps-workspaces\.([a-z0-9-]+)\.)")))
    r = m[1];
  if (r.empty()) return Refuse("AWS SigV4 without awsRegion (the workspace's region)");
  YAML::Node sigv4;
  sigv4["region"] = r;
  const AuthSecret *id = Secret("awsAccessKeyID"), *secret = Secret("awsSecretAccessKey");
  if (id && secret) {
    sigv4["accessKeyIdSecretRef"] = SecretRefNode(*id);
    sigv4["secretAccessKeySecretRef"] = SecretRefNode(*secret);
    if (const AuthSecret* token = Secret("awsSessionToken"))
      sigv4["sessionTokenSecretRef"] = SecretRefNode(*token);
  } else {
    out_.notes.push_back(
        "AWS SigV4 with the controller's own identity: give its ServiceAccount an IAM role "
        "allowed aps:QueryMetrics, through IRSA (eks.amazonaws.com/role-arn) or an EKS Pod "
        "Identity association (docs/metrics.md)" +
        std::string(auth_ && !auth_->identity_id.empty()
                        ? "; KEDA assumed " + auth_->identity_id + ", Gearbox does not"
                        : ""));
  }
  out_.fields["auth"]["sigv4"] = sigv4;
}

void Carrier::Google() {
  if (const AuthSecret* key = Secret("GoogleApplicationCredentials")) {
    out_.fields["auth"]["google"]["serviceAccountKeySecretRef"] = SecretRefNode(*key);
    return;
  }
  out_.fields["auth"]["google"] = YAML::Node(YAML::NodeType::Map);
  out_.notes.push_back(
      "Google OAuth with the controller's own identity: bind its ServiceAccount to a Google "
      "service account with roles/monitoring.viewer (GKE workload identity; docs/metrics.md)");
}

void Carrier::Azure() {
  if (auth_ && auth_->pod_identity == "azure")
    return Refuse("AAD Pod Identity (podIdentity: azure, retired by Azure): use workload identity");
  out_.fields["auth"]["azure"] = YAML::Node(YAML::NodeType::Map);
  out_.notes.push_back(
      "Azure Monitor with the controller's own workload identity: label its pods "
      "azure.workload.identity/use and give the identity Monitoring Data Reader (docs/metrics.md)" +
      std::string(auth_ && !auth_->identity_id.empty()
                      ? "; KEDA used identity " + auth_->identity_id + ", Gearbox uses its own"
                      : ""));
}

void Carrier::Basic() {
  const AuthSecret *user = Secret("username"), *password = Secret("password");
  if (!user) return Refuse("basic authentication without a username in the TriggerAuthentication");
  if (!password)
    return Refuse("basic authentication with an empty password (Gearbox needs passwordSecretRef)");
  out_.fields["auth"]["basic"]["usernameSecretRef"] = SecretRefNode(*user);
  out_.fields["auth"]["basic"]["passwordSecretRef"] = SecretRefNode(*password);
}

void Carrier::ClientCertificate() {
  const AuthSecret *cert = Secret("cert"), *key = Secret("key");
  if (server_.rfind("https://", 0) != 0)
    return Refuse("a client certificate (authModes: tls) on a plain http:// server");
  if (!cert || !key)
    return Refuse("a client certificate (authModes: tls) without cert and key Secrets");
  out_.fields["tls"]["certSecretRef"] = SecretRefNode(*cert);
  out_.fields["tls"]["keySecretRef"] = SecretRefNode(*key);
}

void Carrier::CustomHeader() {
  const AuthSecret *name = Secret("customAuthHeader"), *value = Secret("customAuthValue");
  if (!name || !value)
    return Refuse("custom authentication without customAuthHeader and customAuthValue Secrets");
  YAML::Node header;
  header["name"] = "X-Custom-Auth";
  header["valueSecretRef"] = SecretRefNode(*value);
  out_.fields["headers"].push_back(header);
  out_.missing.push_back("KEDA read the custom header's name from Secret " + name->name + " key " +
                         name->key +
                         ": write it in headers[].name (X-Custom-Auth is a placeholder)");
}

void Carrier::Modes(const std::vector<std::string>& modes) {
  if (Has(modes, "bearer") && Has(modes, "basic"))
    return Refuse("bearer and basic authentication at once (both are the Authorization header)");
  if (Has(modes, "bearer")) {
    if (const AuthSecret* token = Secret("bearerToken"))
      out_.fields["bearerTokenSecretRef"] = SecretRefNode(*token);
    else
      Refuse("authModes bearer without a bearerToken Secret");
  }
  if (Has(modes, "basic")) Basic();
  if (Has(modes, "tls")) ClientCertificate();
  if (Has(modes, "custom")) CustomHeader();
}

void Carrier::NoteWhereSecretsLive() {
  if (!auth_ || auth_->secrets.empty()) return;
  if (auth_->cluster_scoped)
    out_.notes.push_back(auth_->what +
                         "'s Secrets are in KEDA's namespace: Gearbox reads Secrets from the "
                         "policy's namespace, copy them there");
}

void Carrier::NoteNotGiven(const std::vector<std::string>& modes, const std::string& not_given) {
  std::string fields;
  if (Has(modes, "bearer")) fields += " bearerTokenSecretRef,";
  if (Has(modes, "basic")) fields += " auth.basic,";
  if (Has(modes, "tls")) fields += " tls,";
  if (Has(modes, "custom")) fields += " headers,";
  if (fields.empty()) fields = " bearerTokenSecretRef, auth, tls or headers,";
  fields.pop_back();
  out_.missing.push_back("KEDA authenticated through " + not_given +
                         ", which convert was not given (give it in the same run to carry its "
                         "Secrets over): set" +
                         fields + " to its Secrets");
}

Result<CarriedAuth> Carrier::Run(const YAML::Node& metadata, const std::string& not_given,
                                 const std::string& path) {
  const std::string here = path + ".metadata";
  ASSIGN_OR_RETURN(const auto aws_region, OptionalText(metadata, "awsRegion", here));
  ASSIGN_OR_RETURN(const auto auth_modes, OptionalText(metadata, "authModes", here));
  ASSIGN_OR_RETURN(const auto custom, OptionalText(metadata, "customHeaders", here));
  ASSIGN_OR_RETURN(const auto org, OptionalText(metadata, "cortexOrgID", here));
  if (auth_ && !auth_->elsewhere.empty())
    Refuse("credentials from " + auth_->elsewhere.front() + " in " + auth_->what +
           ", which Gearbox cannot read: put them in a Secret");
  StaticHeaders(custom, org);
  const std::vector<std::string> modes = SplitList(auth_modes.value_or(""));
  switch (CloudOf(aws_region)) {
    case Cloud::kAws:
      Aws(aws_region);
      break;
    case Cloud::kGoogle:
      Google();
      break;
    case Cloud::kAzure:
      Azure();
      break;
    case Cloud::kNone:
      break;
  }
  if (!not_given.empty() && !auth_ && CloudOf(aws_region) == Cloud::kNone)
    NoteNotGiven(modes, not_given);
  if (auth_ && !out_.fields["auth"]) Modes(modes);
  if (const AuthSecret* ca = Secret("ca")) out_.fields["caSecretRef"] = SecretRefNode(*ca);
  NoteWhereSecretsLive();
  return std::move(out_);
}

}  // namespace

Result<CarriedAuth> CarryPrometheusAuth(const YAML::Node& metadata, const std::string& server,
                                        const std::string& not_given, const TriggerAuth* auth,
                                        const std::string& path) {
  return Carrier(server, auth).Run(metadata, not_given, path);
}

}  // namespace gearbox::convert
