// spec.sources.prometheus's authentication (policy_spec.h): custom headers, a client certificate
// (tls) and one auth mode (basic, sigv4, google, azure). The CRD's schema and CEL rules refuse the
// same contradictions at `kubectl apply`; this repeats them, with the field's path, for objects
// that did not come through it (and for the fuzzer).
#include <algorithm>
#include <set>

#include "kube/json_fields.h"
#include "reconcile/policy_spec.h"

namespace gearbox::reconcile {

namespace {

using Json = web::json::value;
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

Result<HeaderDef> ParseHeader(const Json& h, const std::string& where) {
  HeaderDef d{kube::StringAt(h, {"name"}), kube::StringAt(h, {"value"}),
              SecretRefAt(h, "valueSecretRef")};
  if (d.name.empty() || HasControlCharacter(d.name) || d.name.find(':') != std::string::npos ||
      d.name.find(' ') != std::string::npos)
    return Error::Invalid(where + ".name must be an HTTP header name");
  if (ReservedHeader(d.name))
    return Error::Invalid(where + ".name: " + d.name + " is set by Gearbox, not by a policy");
  if (h.has_string_field("value") == d.value_secret.has_value())
    return Error::Invalid(where + ": give either value or valueSecretRef");
  if (HasControlCharacter(d.value))
    return Error::Invalid(where + ".value has a control character (CR, LF, ...)");
  return d;
}

Status ParseHeaders(const Json& pr, PrometheusSourceDef& def) {
  if (!pr.has_array_field("headers")) return OkStatus();
  int i = 0;
  for (const Json& h : pr.at("headers").as_array()) {
    ASSIGN_OR_RETURN(HeaderDef d,
                     ParseHeader(h, std::string(kWhere) + ".headers[" + std::to_string(i++) + "]"));
    const bool authorization = Lowered(d.name) == "authorization";
    if (authorization && (def.bearer_token || pr.has_object_field("auth")))
      return Error::Invalid(std::string(kWhere) + ".headers: Authorization is already set by " +
                            (def.bearer_token ? "bearerTokenSecretRef" : "auth"));
    def.headers.push_back(std::move(d));
  }
  return OkStatus();
}

Status ParseClientCertificate(const Json& pr, PrometheusSourceDef& def) {
  if (!pr.has_object_field("tls")) return OkStatus();
  const std::string where = std::string(kWhere) + ".tls";
  def.cert = SecretRefAt(pr.at("tls"), "certSecretRef");
  def.key = SecretRefAt(pr.at("tls"), "keySecretRef");
  if (!def.cert || !def.key)
    return Error::Invalid(where + ": a client certificate needs certSecretRef and keySecretRef");
  if (def.url.rfind("https://", 0) != 0)
    return Error::Invalid(where + ": a client certificate is for an https:// URL");
  return OkStatus();
}

Result<PrometheusAuthDef> ParseBasic(const Json& b, const std::string& where) {
  PrometheusAuthDef d;
  d.mode = PrometheusAuthDef::Mode::kBasic;
  d.username = kube::StringAt(b, {"username"});
  d.username_secret = SecretRefAt(b, "usernameSecretRef");
  d.password = SecretRefAt(b, "passwordSecretRef");
  if (d.username.empty() == !d.username_secret)
    return Error::Invalid(where + ": give either username or usernameSecretRef");
  if (!d.password) return Error::Invalid(where + ".passwordSecretRef is required");
  return d;
}

Result<PrometheusAuthDef> ParseSigV4(const Json& s, const std::string& where) {
  PrometheusAuthDef d;
  d.mode = PrometheusAuthDef::Mode::kSigV4;
  d.region = kube::StringAt(s, {"region"});
  d.service = kube::StringAt(s, {"service"}, "aps");
  d.access_key_id = SecretRefAt(s, "accessKeyIdSecretRef");
  d.secret_access_key = SecretRefAt(s, "secretAccessKeySecretRef");
  d.session_token = SecretRefAt(s, "sessionTokenSecretRef");
  if (d.region.empty()) return Error::Invalid(where + ".region is required (e.g. us-east-1)");
  if (d.access_key_id.has_value() != d.secret_access_key.has_value())
    return Error::Invalid(where +
                          ": accessKeyIdSecretRef and secretAccessKeySecretRef go together");
  if (d.session_token && !d.access_key_id)
    return Error::Invalid(where + ".sessionTokenSecretRef needs the keys it belongs to");
  return d;
}

Result<PrometheusAuthDef> ParseMode(const Json& a, const std::string& where) {
  std::vector<std::string> modes;
  for (const char* mode : {"basic", "sigv4", "google", "azure"})
    if (a.has_object_field(mode)) modes.push_back(mode);
  if (modes.size() != 1)
    return Error::Invalid(where + ": choose exactly one of basic, sigv4, google, azure");
  const std::string path = where + "." + modes[0];
  if (modes[0] == "basic") return ParseBasic(a.at("basic"), path);
  if (modes[0] == "sigv4") return ParseSigV4(a.at("sigv4"), path);
  PrometheusAuthDef d;
  d.mode =
      modes[0] == "google" ? PrometheusAuthDef::Mode::kGoogle : PrometheusAuthDef::Mode::kAzure;
  if (modes[0] == "google")
    d.google_key = SecretRefAt(a.at("google"), "serviceAccountKeySecretRef");
  return d;
}

}  // namespace

Status ParsePrometheusAuth(const Json& pr, PrometheusSourceDef& def) {
  RETURN_IF_ERROR(ParseHeaders(pr, def));
  RETURN_IF_ERROR(ParseClientCertificate(pr, def));
  if (!pr.has_object_field("auth")) return OkStatus();
  const std::string where = std::string(kWhere) + ".auth";
  if (def.bearer_token)
    return Error::Invalid(where + ": bearerTokenSecretRef already says how to authenticate");
  ASSIGN_OR_RETURN(def.auth, ParseMode(pr.at("auth"), where));
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
