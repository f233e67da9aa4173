"""The load traces: data files in traces/, one per scenario, in simulated minutes.

A trace file is CSV `minute,value` (piecewise linear between rows), with `# key: value` lines
before it: `kind` (web: value = requests/s to the app; queue: value = jobs/s into the queue),
`title`, and `event` (the minute the flash crowd or burst starts: recovery is measured from it).
"""
import bisect
import os
from dataclasses import dataclass

TRACE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "traces")


@dataclass
class Trace:
    name: str
    kind: str              # "web" or "queue"
    title: str
    minutes: list
    values: list
    event_minute: float = None

    @property
    def length_min(self):
        return self.minutes[-1]

    def at(self, minute):
        """The load at a simulated minute (linear between the file's rows, flat outside)."""
        if minute <= self.minutes[0]:
            return self.values[0]
        if minute >= self.minutes[-1]:
            return self.values[-1]
        i = bisect.bisect_right(self.minutes, minute)
        m0, m1 = self.minutes[i - 1], self.minutes[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (minute - m0) / (m1 - m0)


def load(name, length_min=None):
    """The trace traces/NAME.csv; length_min cuts it short (the CI's short run)."""
    meta, minutes, values = {}, [], []
    with open(os.path.join(TRACE_DIR, name + ".csv")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                meta[key.strip()] = value.strip()
            elif line and not line.startswith("minute"):
                m, v = line.split(",")
                minutes.append(float(m))
                values.append(float(v))
    event = meta.get("event")
    trace = Trace(name, meta.get("kind", "web"), meta.get("title", name), minutes, values,
                  float(event) if event else None)
    if length_min is not None and length_min < trace.length_min:
        end = trace.at(length_min)
        kept = [i for i, m in enumerate(minutes) if m < length_min]
        trace.minutes = [minutes[i] for i in kept] + [length_min]
        trace.values = [values[i] for i in kept] + [end]
    return trace


def names():
    return sorted(f[:-4] for f in os.listdir(TRACE_DIR) if f.endswith(".csv"))
