// The hashes, MACs and encodings request signing needs (AWS SigV4, Google's JWT bearer grant),
// on OpenSSL: SHA-256 and HMAC-SHA-256 as raw bytes or lower-case hex, base64url without padding
// (JWT), RS256 signatures with a PEM private key, and RFC 3986 percent-encoding.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace gearbox::metrics {

std::string Sha256(const std::string& data);  // 32 raw bytes
std::string HmacSha256(const std::string& key, const std::string& data);
std::string Hex(const std::string& bytes);  // lower-case
std::string Base64Url(const std::string& bytes);

// The RSASSA-PKCS1-v1_5 SHA-256 signature (JWT's RS256) of `data` with `private_key_pem`; an
// Error (kConfig) when the key does not parse. The error never quotes the key.
Result<std::string> SignRs256(const std::string& private_key_pem, const std::string& data);

// Every byte but A-Z a-z 0-9 - _ . ~ as %XY (upper-case hex); '/' kept when `keep_slash`.
std::string PercentEncode(const std::string& text, bool keep_slash = false);
// %XY sequences decoded ('+' stays '+'); a malformed sequence stays as it is.
std::string PercentDecode(const std::string& text);
// application/x-www-form-urlencoded: name=value pairs joined by '&', each part PercentEncode'd.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace gearbox::metrics
