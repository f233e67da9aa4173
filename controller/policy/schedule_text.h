// The words about schedule windows: Event notes, the bounds' "schedule <name>", status.schedules
// and the summary's lines. Internal to policy/.
#pragma once

#include <string>
#include <vector>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

// "sale opened until 20:00:00Z (0 9 * * 1-5 for 9h, Europe/Berlin): app min 3"
std::string ScheduleNote(const Compiled& c, const Evaluation& e, const EventRecord& r);
// ", schedule sale" (and why it is capped), appended to where a component's bounds come from.
std::string ScheduleBoundsText(const Compiled& c, int component, const ComponentOutcome& d);
std::vector<OpenSchedule> OpenScheduleList(const Compiled& c, const Evaluation& e);
// "Schedule sale open until 20:00:00Z: app min 3", one per window open.
std::vector<std::string> ScheduleLines(const Compiled& c, const Evaluation& e);

}  // namespace gearbox::policy::internal
