// The credentials of spec.sources.prometheus, resolved into the client's options (sources.h): the
// policy's Secrets (from its own namespace) for headers, the client certificate, basic, SigV4 keys
// and a Google key; the controller's own identities (metrics/cloud_identities.h) for SigV4 without
// keys, Google without a key, and Azure. Secret values are part of the options' Key(), never of a
// message.
#include "metrics/cloud_identities.h"
#include "metrics/digest.h"
#include "metrics/request_auth.h"
#include "reconcile/sources.h"

namespace gearbox::reconcile {

namespace {

Status ReadBasic(kube::Client& client, const std::string& ns, const PrometheusAuthDef& a,
                 metrics::PrometheusOptions& o) {
  o.basic_username = a.username;
  if (a.username_secret) {
    ASSIGN_OR_RETURN(o.basic_username, ReadSecret(client, ns, *a.username_secret));
  }
  ASSIGN_OR_RETURN(o.basic_password, ReadSecret(client, ns, *a.password));
  return OkStatus();
}

Status UseSigV4(kube::Client& client, const std::string& ns, const PrometheusAuthDef& a,
                metrics::PrometheusOptions& o) {
  std::shared_ptr<metrics::AwsCredentialSource> credentials;
  o.auth_key = "sigv4\n" + a.region + "\n" + a.service + "\n";
  if (!a.access_key_id) {
    credentials = metrics::CloudIdentities::Process().aws;
  } else {
    metrics::AwsCredentials keys;
    ASSIGN_OR_RETURN(keys.access_key_id, ReadSecret(client, ns, *a.access_key_id));
    ASSIGN_OR_RETURN(keys.secret_access_key, ReadSecret(client, ns, *a.secret_access_key));
    if (a.session_token) {
      ASSIGN_OR_RETURN(keys.session_token, ReadSecret(client, ns, *a.session_token));
    }
    o.auth_key += keys.access_key_id + "\n" + keys.secret_access_key + "\n" + keys.session_token;
    credentials = metrics::AwsStaticCredentials(keys);
  }
  o.auth =
      metrics::SigV4Auth(credentials, {a.region, a.service, false}, kube::RealClock::Instance());
  return OkStatus();
}

Status UseGoogle(kube::Client& client, const std::string& ns, const PrometheusAuthDef& a,
                 metrics::PrometheusOptions& o) {
  const auto& identities = metrics::CloudIdentities::Process();
  if (!a.google_key) {
    o.auth = metrics::BearerTokenAuth(identities.google_metadata);
    o.auth_key = "google\nmetadata";
    return OkStatus();
  }
  ASSIGN_OR_RETURN(std::string key, ReadSecret(client, ns, *a.google_key));
  ASSIGN_OR_RETURN(auto tokens, metrics::GoogleServiceAccountTokens(key, identities.google,
                                                                    kube::RealClock::Instance()));
  o.auth = metrics::BearerTokenAuth(tokens);
  o.auth_key = "google\nkey\n" + metrics::Hex(metrics::Sha256(key));
  return OkStatus();
}

Status UseAuthMode(kube::Client& client, const std::string& ns, const PrometheusAuthDef& a,
                   metrics::PrometheusOptions& o) {
  switch (a.mode) {
    case PrometheusAuthDef::Mode::kBasic:
      return ReadBasic(client, ns, a, o);
    case PrometheusAuthDef::Mode::kSigV4:
      return UseSigV4(client, ns, a, o);
    case PrometheusAuthDef::Mode::kGoogle:
      return UseGoogle(client, ns, a, o);
    case PrometheusAuthDef::Mode::kAzure:
      o.auth = metrics::BearerTokenAuth(metrics::CloudIdentities::Process().azure);
      o.auth_key = "azure";
      return OkStatus();
  }
  return OkStatus();
}

}  // namespace

Status ResolvePrometheusCredentials(kube::Client& client, const ParsedPolicy& p,
                                    metrics::PrometheusOptions& o) {
  const PrometheusSourceDef& def = *p.prometheus;
  for (const HeaderDef& h : def.headers) {
    std::string value = h.value;
    if (h.value_secret) {
      ASSIGN_OR_RETURN(value, ReadSecret(client, p.ns, *h.value_secret));
    }
    o.headers.emplace_back(h.name, std::move(value));
  }
  if (def.cert) {
    ASSIGN_OR_RETURN(o.cert_pem, ReadSecret(client, p.ns, *def.cert));
    ASSIGN_OR_RETURN(o.key_pem, ReadSecret(client, p.ns, *def.key));
  }
  if (def.auth) RETURN_IF_ERROR(UseAuthMode(client, p.ns, *def.auth, o));
  return OkStatus();
}

}  // namespace gearbox::reconcile
