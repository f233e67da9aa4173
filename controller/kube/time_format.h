// Kubernetes time formats: metav1.Time (RFC 3339, seconds) and MicroTime (microseconds).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace gearbox::kube {

std::string FormatTime(std::chrono::system_clock::time_point t);  // 2026-11-24T03:04:05Z
std::string FormatMicroTime(
    std::chrono::system_clock::time_point t);  // 2026-11-24T03:04:05.123456Z
// Parses either form (and offsets +hh:mm); nullopt when it is not a time.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text);

}  // namespace gearbox::kube
