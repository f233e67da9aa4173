// Reading a prometheus::Registry back in tests: one sample by family name and labels, how many
// series match, and the text a scrape would get.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace gearbox::testing {

using LabelMap = std::map<std::string, std::string>;

inline bool HasLabels(const prometheus::ClientMetric& m, const LabelMap& labels) {
  size_t found = 0;
  for (const auto& l : m.label) {
    auto it = labels.find(l.name);
    if (it == labels.end()) continue;
    if (it->second != l.value) return false;
    ++found;
  }
  return found == labels.size();
}

// The value of a counter or gauge, the sample count of a histogram: of the first series of
// `family` whose labels include `labels`; nullopt when there is none.
inline std::optional<double> Sample(const prometheus::Collectable& registry,
                                    const std::string& family, const LabelMap& labels = {}) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      if (!HasLabels(m, labels)) continue;
      switch (f.type) {
        case prometheus::MetricType::Counter:
          return m.counter.value;
        case prometheus::MetricType::Gauge:
          return m.gauge.value;
        case prometheus::MetricType::Histogram:
          return static_cast<double>(m.histogram.sample_count);
        default:
          return m.untyped.value;
      }
    }
  }
  return std::nullopt;
}

// The sum of a histogram's observations.
inline std::optional<double> HistogramSum(const prometheus::Collectable& registry,
                                          const std::string& family, const LabelMap& labels = {}) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric)
      if (HasLabels(m, labels)) return m.histogram.sample_sum;
  }
  return std::nullopt;
}

// How many series of `family` (every family when empty) have all of `labels`.
inline size_t SeriesCount(const prometheus::Collectable& registry, const std::string& family,
                          const LabelMap& labels = {}) {
  size_t n = 0;
  for (const auto& f : registry.Collect()) {
    if (!family.empty() && f.name != family) continue;
    for (const auto& m : f.metric) n += HasLabels(m, labels) ? 1 : 0;
  }
  return n;
}

inline std::string Scrape(const prometheus::Collectable& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

}  // namespace gearbox::testing
