// AWS Signature Version 4
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html), as
// Amazon Managed Service for Prometheus (service "aps") and STS want it: the canonical request
// (method, URI-encoded path, sorted query, lower-case trimmed headers, the body's SHA-256), the
// string to sign under a date/region/service scope, the key derived from the secret by HMAC, and
// the headers that carry the result. Pure functions of their inputs and the time given, so the
// AWS signing test suite's vectors check them (tests/unit/metrics/aws_sigv4_test.cpp).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace gearbox::metrics {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (STS, IRSA); empty for an IAM user's keys
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct SigV4Request {
  std::string method;   // "GET", "POST"
  std::string path;     // as sent ("/workspaces/ws-1/api/v1/query"), before the '?'
  std::string query;    // as sent, without the '?' ("query=up&time=1")
  HttpHeaders headers;  // every header to sign; Host among them
  std::string body;
};

struct SigV4Scope {
  std::string region;   // "us-east-1"
  std::string service;  // "aps", "sts"
  // Adds x-amz-content-sha256 (the body's hash) to the signed headers, as S3 and some clients do.
  bool content_sha256_header = false;
};

// The request as SigV4 canonicalizes it (its x-amz-* headers already added).
std::string CanonicalRequest(const SigV4Request& request);
// "AWS4-HMAC-SHA256\n<time>\n<scope>\n<hex sha256 of the canonical request>".
std::string StringToSign(const std::string& canonical_request, const std::string& amz_date,
                         const SigV4Scope& scope);
// "20150830T123600Z".
std::string AmzDate(std::chrono::system_clock::time_point at);

// The headers to add to `request` so that AWS accepts it: X-Amz-Date, X-Amz-Security-Token (with
// temporary credentials), x-amz-content-sha256 (when the scope asks), and Authorization.
HttpHeaders SignV4(const SigV4Request& request, const AwsCredentials& credentials,
                   const SigV4Scope& scope, std::chrono::system_clock::time_point at);

// The signature alone (hex), for tests and for a fake that checks one.
std::string SignatureV4(const SigV4Request& signed_request, const AwsCredentials& credentials,
                        const SigV4Scope& scope, const std::string& amz_date);

}  // namespace gearbox::metrics
