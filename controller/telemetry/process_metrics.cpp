// See process_metrics.h. Linux only: everything comes from procfs (proc(5)).
#include "telemetry/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace gearbox::telemetry {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces), from field 3.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> fields;
  auto close = line.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// proc(5) numbers the fields from 1; StatFields() starts at field 3.
double StatField(const std::vector<std::string>& fields, size_t number) {
  size_t i = number - 3;
  return i < fields.size() ? std::stod(fields[i]) : 0;
}

double BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

double StartTime() {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return BootTime() + StatField(StatFields(), 22) / ticks;
}

double ResidentBytes() {
  std::ifstream in("/proc/self/statm");
  double size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double OpenFds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

prometheus::Gauge& ProcessGauge(prometheus::Registry& r, const std::string& name,
                                const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

ProcessMetrics::ProcessMetrics(prometheus::Registry& r)
    : cpu_seconds_(prometheus::BuildCounter()
                       .Name("process_cpu_seconds_total")
                       .Help("Total user and system CPU time spent in seconds.")
                       .Register(r)
                       .Add({})),
      resident_bytes_(
          ProcessGauge(r, "process_resident_memory_bytes", "Resident memory size in bytes.")),
      start_time_(ProcessGauge(r, "process_start_time_seconds",
                               "Start time of the process since unix epoch in seconds.")),
      open_fds_(ProcessGauge(r, "process_open_fds", "Number of open file descriptors.")) {
  start_time_.Set(StartTime());
  Refresh();
}

void ProcessMetrics::Refresh() {
  const auto fields = StatFields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double cpu = (StatField(fields, 14) + StatField(fields, 15)) / ticks;
  if (cpu > cpu_seconds_seen_) {
    cpu_seconds_.Increment(cpu - cpu_seconds_seen_);
    cpu_seconds_seen_ = cpu;
  }
  resident_bytes_.Set(ResidentBytes());
  open_fds_.Set(OpenFds());
}

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& version,
                       const std::string& revision) {
  prometheus::BuildGauge()
      .Name("gearbox_build_info")
      .Help(
          "Always 1; its labels are the version and the git revision the controller was built "
          "from.")
      .Register(registry)
      .Add({{"version", version}, {"revision", revision}})
      .Set(1);
}

}  // namespace gearbox::telemetry
