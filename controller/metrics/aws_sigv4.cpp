// See aws_sigv4.h.
#include "metrics/aws_sigv4.h"

#include <algorithm>
#include <ctime>

#include "metrics/digest.h"

namespace gearbox::metrics {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A header value as SigV4 signs it: trimmed, every run of spaces one space.
std::string TrimmedValue(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Each path segment URI-encoded ('/' kept), "." and ".." segments resolved; "/" when empty.
std::string CanonicalPath(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = path.empty() || path[0] != '/' ? 0 : 1;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (segment != ".") {
      segments.push_back(PercentEncode(segment));
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& s : segments) out += "/" + s;
  return out.empty() ? "/" : out;
}

// name=value pairs, decoded then encoded the one way SigV4 wants, sorted by name then value.
std::string CanonicalQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = std::min(query.find('&', start), query.size());
    std::string part = query.substr(start, end - start);
    size_t eq = part.find('=');
    if (!part.empty())
      params.emplace_back(
          PercentEncode(PercentDecode(part.substr(0, eq))),
          eq == std::string::npos ? "" : PercentEncode(PercentDecode(part.substr(eq + 1))));
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

// Lower-case names, sorted; a repeated header's values joined by ','.
std::vector<std::pair<std::string, std::string>> CanonicalHeaders(const HttpHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : headers) out.emplace_back(Lower(name), TrimmedValue(value));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& h : out) {
    if (!merged.empty() && merged.back().first == h.first) {
      merged.back().second += "," + h.second;
    } else {
      merged.push_back(std::move(h));
    }
  }
  return merged;
}

std::string SignedHeaderNames(const HttpHeaders& headers) {
  std::string out;
  for (const auto& [name, value] : CanonicalHeaders(headers))
    out += (out.empty() ? "" : ";") + name;
  return out;
}

std::string CredentialScope(const std::string& amz_date, const SigV4Scope& scope) {
  return amz_date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalRequest(const SigV4Request& request) {
  std::string headers;
  for (const auto& [name, value] : CanonicalHeaders(request.headers))
    headers.append(name).append(":").append(value).append("\n");
  return request.method + "\n" + CanonicalPath(request.path) + "\n" +
         CanonicalQuery(request.query) + "\n" + headers + "\n" +
         SignedHeaderNames(request.headers) + "\n" + Hex(Sha256(request.body));
}

std::string StringToSign(const std::string& canonical_request, const std::string& amz_date,
                         const SigV4Scope& scope) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + CredentialScope(amz_date, scope) + "\n" +
         Hex(Sha256(canonical_request));
}

std::string SignatureV4(const SigV4Request& signed_request, const AwsCredentials& credentials,
                        const SigV4Scope& scope, const std::string& amz_date) {
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, amz_date.substr(0, 8));
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  key = HmacSha256(key, "aws4_request");
  return Hex(HmacSha256(key, StringToSign(CanonicalRequest(signed_request), amz_date, scope)));
}

HttpHeaders SignV4(const SigV4Request& request, const AwsCredentials& credentials,
                   const SigV4Scope& scope, std::chrono::system_clock::time_point at) {
  const std::string amz_date = AmzDate(at);
  HttpHeaders added = {{"X-Amz-Date", amz_date}};
  if (scope.content_sha256_header)
    added.emplace_back("x-amz-content-sha256", Hex(Sha256(request.body)));
  if (!credentials.session_token.empty())
    added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  SigV4Request signed_request = request;
  signed_request.headers.insert(signed_request.headers.end(), added.begin(), added.end());
  const std::string signature = SignatureV4(signed_request, credentials, scope, amz_date);
  added.emplace_back("Authorization",
                     "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                         CredentialScope(amz_date, scope) + ", SignedHeaders=" +
                         SignedHeaderNames(signed_request.headers) + ", Signature=" + signature);
  return added;
}

}  // namespace gearbox::metrics
