// A self-signed serving certificate, made at start when no certificate is given: what
// controller-runtime does for its secure metrics server. Scrapers then skip verification (the
// ServiceMonitor's insecureSkipVerify) but the traffic is encrypted and the token is not sent in
// clear; mount a real certificate (--metrics-cert-dir) to have it verified.
#pragma once

#include <string>

#include "base/result.h"
#include "server/http_server.h"

namespace gearbox::server {

// An ECDSA P-256 key and a certificate for `common_name` (also its DNS name), valid for a year.
Result<TlsIdentity> SelfSignedIdentity(const std::string& common_name);

// tls.crt and tls.key of `dir` (a mounted kubernetes.io/tls Secret), or an Error naming the file.
Result<TlsIdentity> IdentityFromDir(const std::string& dir);

}  // namespace gearbox::server
