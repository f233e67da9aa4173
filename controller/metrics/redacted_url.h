// A URL as errors, logs and status may show it: without the `user:pass@` a policy author may have
// put in it (status is readable by more people than the Secret the password belongs in).
#pragma once

#include <string>

namespace gearbox::metrics {

// "http://user:pass@host:9090/x" -> "http://host:9090/x"; a URL without credentials as it is.
inline std::string RedactedUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const size_t authority_end = url.find_first_of("/?#", authority);
  const size_t at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at == std::string::npos || at < authority) return url;
  return url.substr(0, authority) + url.substr(at + 1);
}

}  // namespace gearbox::metrics
