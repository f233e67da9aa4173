// See schedule_text.h.
#include "policy/schedule_text.h"

#include "base/time_format.h"
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

const Schedule& SpecOf(const Compiled& c, int schedule) {
  return *c.schedules[Pass::Ix(schedule)].spec;
}

// "app min 3, worker min 2": the minimums the window gives, in spec order.
std::string MinsText(const Compiled& c, int schedule) {
  std::vector<std::string> parts;
  const CompiledSchedule& cs = c.schedules[Pass::Ix(schedule)];
  for (size_t k = 0; k < cs.mins.size(); ++k)
    if (cs.mins[k] >= 0)
      parts.push_back(c.components[k].spec->name + " min " + std::to_string(cs.mins[k]));
  return Join(parts, ", ");
}

std::string At(Time t) { return FormatRfc3339(t, TimePrecision::kSeconds); }

}  // namespace

std::string ScheduleNote(const Compiled& c, const Evaluation&, const EventRecord& r) {
  const Schedule& s = SpecOf(c, r.schedule);
  if (r.kind == EventKind::kScheduleClosed)
    return s.name + " closed at " + At(r.since + s.duration) + " (opened at " + At(r.since) +
           " for " + FormatDuration(s.duration) + ")";
  return s.name + " opened until " + At(r.since + s.duration) + " (" + s.start + " for " +
         FormatDuration(s.duration) + ", " + s.time_zone + "): " + MinsText(c, r.schedule);
}

std::string ScheduleBoundsText(const Compiled& c, int component, const ComponentOutcome& d) {
  if (d.bounds_schedule < 0) return "";
  std::string text = ", schedule " + SpecOf(c, d.bounds_schedule).name;
  if (d.schedule_capped)
    text += " (its min " +
            std::to_string(c.schedules[Pass::Ix(d.bounds_schedule)].mins[Pass::Ix(component)]) +
            " capped at the maximum)";
  return text;
}

std::vector<OpenSchedule> OpenScheduleList(const Compiled& c, const Evaluation& e) {
  std::vector<OpenSchedule> out;
  for (const ScheduleOutcome& o : e.schedules)
    out.push_back({SpecOf(c, o.schedule).name, o.window.opened, o.window.closes});
  return out;
}

std::vector<std::string> ScheduleLines(const Compiled& c, const Evaluation& e) {
  std::vector<std::string> lines;
  for (const ScheduleOutcome& o : e.schedules)
    lines.push_back("Schedule " + SpecOf(c, o.schedule).name + " open until " +
                    At(o.window.closes) + ": " + MinsText(c, o.schedule));
  return lines;
}

}  // namespace gearbox::policy::internal
