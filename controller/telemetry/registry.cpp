// Text exposition of the controller's metrics; see registry.h.
#include "telemetry/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace gearbox::telemetry {

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // The shortest form that reads back as the same double: 0.1, not 0.10000000000000001.
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

Family::Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
               std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {}

Family::Series& Family::SeriesFor(const LabelValues& labels) {
  if (labels.size() != label_names_.size()) {
    // A programming error, not a runtime condition: the call sites name their labels statically.
    throw std::invalid_argument("metric " + name_ + ": wrong number of label values");
  }
  auto [it, inserted] = series_.try_emplace(labels);
  if (inserted && type_ == Type::kHistogram) it->second.bucket_hits.assign(buckets_.size(), 0);
  return it->second;
}

void Family::Add(const LabelValues& labels, double amount) {
  std::lock_guard lock(mu_);
  if (type_ == Type::kCounter && amount < 0) return;  // counters only go up
  SeriesFor(labels).value += amount;
}

void Family::Set(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  SeriesFor(labels).value = value;
}

void Family::Observe(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  Series& s = SeriesFor(labels);
  s.value += value;
  ++s.count;
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), value);
  if (it != buckets_.end()) ++s.bucket_hits[static_cast<size_t>(it - buckets_.begin())];
}

void Family::Remove(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  series_.erase(labels);
}

double Family::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.value;
}

uint64_t Family::Count(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

std::string Family::LabelText(const LabelValues& labels, const std::string& extra_name,
                              const std::string& extra_value) const {
  std::string out;
  for (size_t i = 0; i < label_names_.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += label_names_[i] + "=\"" + EscapeLabelValue(labels[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra_name + "=\"" + extra_value + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

void Family::Render(std::string& out) const {
  static const char* kTypeNames[] = {"counter", "gauge", "histogram"};
  // HELP text escapes only backslash and newline; quotes stay as they are.
  std::string help;
  for (char c : help_) {
    if (c == '\\')
      help += "\\\\";
    else if (c == '\n')
      help += "\\n";
    else
      help += c;
  }
  out += "# HELP " + name_ + " " + help + "\n";
  out += "# TYPE " + name_ + " " + kTypeNames[static_cast<int>(type_)] + "\n";
  std::lock_guard lock(mu_);
  for (const auto& [labels, s] : series_) {
    if (type_ != Type::kHistogram) {
      out += name_ + LabelText(labels) + " " + FormatValue(s.value) + "\n";
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      cumulative += s.bucket_hits[i];
      out += name_ + "_bucket" + LabelText(labels, "le", FormatValue(buckets_[i])) + " " +
             std::to_string(cumulative) + "\n";
    }
    out +=
        name_ + "_bucket" + LabelText(labels, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
    out += name_ + "_sum" + LabelText(labels) + " " + FormatValue(s.value) + "\n";
    out += name_ + "_count" + LabelText(labels) + " " + std::to_string(s.count) + "\n";
  }
}

Family& Registry::Add(const std::string& name, const std::string& help, Family::Type type,
                      std::vector<std::string> label_names, std::vector<double> buckets) {
  std::sort(buckets.begin(), buckets.end());
  std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    if (f->name() == name) throw std::invalid_argument("metric " + name + " registered twice");
  }
  families_.push_back(
      std::make_unique<Family>(name, help, type, std::move(label_names), std::move(buckets)));
  return *families_.back();
}

Family& Registry::Counter(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names) {
  return Add(name, help, Family::Type::kCounter, std::move(label_names), {});
}

Family& Registry::Gauge(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names) {
  return Add(name, help, Family::Type::kGauge, std::move(label_names), {});
}

Family& Registry::Histogram(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names, std::vector<double> buckets) {
  return Add(name, help, Family::Type::kHistogram, std::move(label_names), std::move(buckets));
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->Render(out);
  return out;
}

std::vector<double> Registry::DefaultSecondsBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace gearbox::telemetry
