// The controller's own Prometheus metrics: counters, gauges and histograms with labels, rendered in
// the text exposition format (version 0.0.4). It depends on nothing but the standard library.
// (Debian 12 ships prometheus-cpp; moving to it is the observability issue's work.)
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gearbox::telemetry {

using LabelValues = std::vector<std::string>;

// One family (a metric name with a fixed set of label names) and its series. Thread-safe.
class Family {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
         std::vector<double> buckets);

  // Counters: add a non-negative amount. Gauges: set or add any amount.
  void Add(const LabelValues& labels, double amount = 1);
  void Set(const LabelValues& labels, double value);
  // Histograms: record one observation.
  void Observe(const LabelValues& labels, double value);
  // Drops one series (e.g. the phase gauge of a deleted policy).
  void Remove(const LabelValues& labels);

  // The value of a counter or gauge series; 0 when it does not exist (for tests and readiness).
  double Value(const LabelValues& labels) const;
  // The observation count of a histogram series.
  uint64_t Count(const LabelValues& labels) const;

  const std::string& name() const { return name_; }
  void Render(std::string& out) const;

 private:
  struct Series {
    double value = 0;                   // counter or gauge value; histogram sum
    uint64_t count = 0;                 // histogram observations
    std::vector<uint64_t> bucket_hits;  // non-cumulative per bucket
  };
  Series& SeriesFor(const LabelValues& labels);  // requires mu_
  std::string LabelText(const LabelValues& labels, const std::string& extra_name = {},
                        const std::string& extra_value = {}) const;

  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;
};

// All families of the process, rendered together for /metrics. Families live as long as the
// registry; the references it hands out stay valid.
class Registry {
 public:
  Family& Counter(const std::string& name, const std::string& help,
                  std::vector<std::string> label_names = {});
  Family& Gauge(const std::string& name, const std::string& help,
                std::vector<std::string> label_names = {});
  Family& Histogram(const std::string& name, const std::string& help,
                    std::vector<std::string> label_names, std::vector<double> buckets);

  std::string Render() const;

  static std::vector<double> DefaultSecondsBuckets();

 private:
  Family& Add(const std::string& name, const std::string& help, Family::Type type,
              std::vector<std::string> label_names, std::vector<double> buckets);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

// Escapes a label value or help text as the exposition format wants (\\, \", \n).
std::string EscapeLabelValue(const std::string& value);
// Formats a sample value: integers without a fraction, +Inf/-Inf/NaN by name.
std::string FormatValue(double value);

}  // namespace gearbox::telemetry
