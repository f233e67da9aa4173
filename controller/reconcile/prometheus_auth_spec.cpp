// spec.sources.prometheus's authentication (policy_spec.h), from the API's types: custom headers,
// a client certificate (tls) and one auth mode (basic, sigv4, google, azure). The CRD's schema and
// CEL rules refuse the same contradictions at `kubectl apply`; this repeats them, with the field's
// path, for objects that did not come through it (and for the fuzzer); the decode has already
// refused a field of the wrong type or a required one missing.
#include <algorithm>
#include <set>

#include "reconcile/policy_spec.h"

namespace gearbox::reconcile {

namespace v1alpha1 = gearbox::api::v1alpha1;

namespace {

constexpr const char* kWhere = "spec.sources.prometheus";

std::string Lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Headers Gearbox sets itself, or that frame the request: a policy does not set them.
bool ReservedHeader(const std::string& name) {
  static const std::set<std::string> kReserved = {
      "host", "content-length", "transfer-encoding", "connection", "user-agent", "accept"};
  const std::string lower = Lowered(name);
  return kReserved.count(lower) > 0 || lower.rfind("x-amz-", 0) == 0;
}

Result<HeaderDef> ParseHeader(const v1alpha1::Header& h, const std::string& where) {
  HeaderDef d{h.name, h.value.value_or(""), h.value_secret_ref};
  if (d.name.empty() || HasControlCharacter(d.name) || d.name.find(':') != std::string::npos ||
      d.name.find(' ') != std::string::npos)
    return Error::Invalid(where + ".name must be an HTTP header name");
  if (ReservedHeader(d.name))
    return Error::Invalid(where + ".name: " + d.name + " is set by Gearbox, not by a policy");
  if (h.value.has_value() == d.value_secret.has_value())
    return Error::Invalid(where + ": give either value or valueSecretRef");
  if (HasControlCharacter(d.value))
    return Error::Invalid(where + ".value has a control character (CR, LF, ...)");
  return d;
}

Status ParseHeaders(const v1alpha1::PrometheusSource& pr, PrometheusSourceDef& def) {
  for (const v1alpha1::Header& h : pr.headers) {
    const std::string where =
        std::string(kWhere) + ".headers[" + std::to_string(def.headers.size()) + "]";
    ASSIGN_OR_RETURN(HeaderDef d, ParseHeader(h, where));
    const bool authorization = Lowered(d.name) == "authorization";
    if (authorization && (def.bearer_token || pr.auth))
      return Error::Invalid(std::string(kWhere) + ".headers: Authorization is already set by " +
                            (def.bearer_token ? "bearerTokenSecretRef" : "auth"));
    def.headers.push_back(std::move(d));
  }
  return OkStatus();
}

Status ParseClientCertificate(const v1alpha1::PrometheusSource& pr, PrometheusSourceDef& def) {
  if (!pr.tls) return OkStatus();
  def.cert = pr.tls->cert_secret_ref;
  def.key = pr.tls->key_secret_ref;
  if (def.url.rfind("https://", 0) != 0)
    return Error::Invalid(std::string(kWhere) +
                          ".tls: a client certificate is for an https:// URL");
  return OkStatus();
}

Result<PrometheusAuthDef> ParseBasic(const v1alpha1::BasicAuth& b, const std::string& where) {
  PrometheusAuthDef d;
  d.mode = PrometheusAuthDef::Mode::kBasic;
  d.username = b.username.value_or("");
  d.username_secret = b.username_secret_ref;
  d.password = b.password_secret_ref;
  if (d.username.empty() == !d.username_secret)
    return Error::Invalid(where + ": give either username or usernameSecretRef");
  return d;
}

Result<PrometheusAuthDef> ParseSigV4(const v1alpha1::SigV4Auth& s, const std::string& where) {
  PrometheusAuthDef d;
  d.mode = PrometheusAuthDef::Mode::kSigV4;
  d.region = s.region;
  d.service = *s.service;  // the decode fills in its default
  d.access_key_id = s.access_key_id_secret_ref;
  d.secret_access_key = s.secret_access_key_secret_ref;
  d.session_token = s.session_token_secret_ref;
  if (d.region.empty()) return Error::Invalid(where + ".region is required (e.g. us-east-1)");
  if (d.access_key_id.has_value() != d.secret_access_key.has_value())
    return Error::Invalid(where +
                          ": accessKeyIdSecretRef and secretAccessKeySecretRef go together");
  if (d.session_token && !d.access_key_id)
    return Error::Invalid(where + ".sessionTokenSecretRef needs the keys it belongs to");
  return d;
}

Result<PrometheusAuthDef> ParseMode(const v1alpha1::PrometheusAuth& a, const std::string& where) {
  const int modes =
      a.basic.has_value() + a.sigv4.has_value() + a.google.has_value() + a.azure.has_value();
  if (modes != 1)
    return Error::Invalid(where + ": choose exactly one of basic, sigv4, google, azure");
  if (a.basic) return ParseBasic(*a.basic, where + ".basic");
  if (a.sigv4) return ParseSigV4(*a.sigv4, where + ".sigv4");
  PrometheusAuthDef d;
  d.mode = a.google ? PrometheusAuthDef::Mode::kGoogle : PrometheusAuthDef::Mode::kAzure;
  if (a.google) d.google_key = a.google->service_account_key_secret_ref;
  return d;
}

}  // namespace

Status ParsePrometheusAuth(const v1alpha1::PrometheusSource& pr, PrometheusSourceDef& def) {
  RETURN_IF_ERROR(ParseHeaders(pr, def));
  RETURN_IF_ERROR(ParseClientCertificate(pr, def));
  if (!pr.auth) return OkStatus();
  const std::string where = std::string(kWhere) + ".auth";
  if (def.bearer_token)
    return Error::Invalid(where + ": bearerTokenSecretRef already says how to authenticate");
  ASSIGN_OR_RETURN(def.auth, ParseMode(*pr.auth, where));
  return OkStatus();
}

std::vector<SecretKeyRef> PrometheusSourceDef::Secrets() const {
  std::vector<std::optional<SecretKeyRef>> refs = {bearer_token, ca, cert, key};
  for (const HeaderDef& h : headers) refs.push_back(h.value_secret);
  if (auth) {
    for (const auto& ref : {auth->username_secret, auth->password, auth->access_key_id,
                            auth->secret_access_key, auth->session_token, auth->google_key})
      refs.push_back(ref);
  }
  std::vector<SecretKeyRef> out;
  for (const auto& ref : refs)
    if (ref) out.push_back(*ref);
  return out;
}

}  // namespace gearbox::reconcile
