"""The figures of a copy's run, from its Record (all in simulated minutes).

- SLO minutes: the whole minutes whose p95 latency (of all the minute's requests: the mixture of
  its ticks' distributions, weighted by their requests) is above 500 ms; for a queue, the minutes
  in which the oldest waiting job had waited more than 60 s.
- worst: the worst minute's p95 (queue: the longest wait). p99, two of them: `p99_worst_s` the
  worst whole minute's p99 (queue: the longest wait, as `worst`), and `p99_s` the p99 of every
  request of the run (queue: of the oldest job's wait sampled at every tick).
- replica-minutes: the pods that existed (ready or starting: what is paid for), integrated;
  `oracle_ratio` is that over the offline oracle's (oracle.py: the fewest pods that meet the SLO,
  provisioned ahead by the start-up time), and `under_minutes` the whole minutes whose ready pods
  (the minute's mean) were fewer than the oracle's.
- scale events: changes of the Deployment's spec.replicas; reversals (the first harness's): a
  change in the other direction than the one before it, less than 5 minutes after it.
- direction changes: at any interval, the turns of spec.replicas from one direction to the other
  (up then down, or down then up), the changes within MERGE_S of each other taken as one step
  (their net). A load that rises and falls once costs one; a limit cycle 3 -> 2 -> 3 every 5
  minutes costs about 24 an hour. `direction_changes_per_hour` divides by the run's length.
- recovery: from the trace's event (the flash crowd, the burst) to the start of the first run of
  5 minutes within the SLO.
"""
import statistics
from dataclasses import dataclass

import oracle
import service
from oracle import SLO_JOB_WAIT_S, SLO_P95_S  # noqa: F401  (the SLO: figures.SLO_* for callers)

REVERSAL_WINDOW_MIN = 5.0
RECOVERED_FOR_MIN = 5
MERGE_S = 10.0              # changes of spec.replicas this close (simulated) are one step


@dataclass
class Figures:
    slo_minutes: int
    minutes: int
    replica_minutes: float
    scale_events: int
    reversals: int
    recovery_min: float      # None: no event in the trace, or never recovered
    worst: float             # the worst minute's p95 (web) or oldest wait (queue), s
    p99_worst_s: float = 0.0         # the worst whole minute's p99 (queue: the longest wait)
    p99_s: float = 0.0               # the p99 of the whole run's requests (queue: of tick waits)
    oracle_replica_minutes: float = 0.0
    oracle_ratio: float = None       # replica_minutes / the oracle's (None: no oracle)
    under_minutes: int = 0           # whole minutes with fewer ready pods than the oracle's
    direction_changes: int = 0       # turns of spec.replicas from one direction to the other
    direction_changes_per_hour: float = 0.0


def minute_values(record, kind, q=0.95):
    """{minute: the minute's q-quantile latency (web) or its longest job wait (queue)}, in s."""
    if kind == "queue":
        worst = {}
        for r in record.rows:
            worst[int(r.minute)] = max(worst.get(int(r.minute), 0.0), r.p95 or 0.0)
        return worst
    return {m: service.quantile(ticks, q) for m, ticks in record.minute_shapes.items()}


def whole_minutes(record):
    """The minutes the record covers whole (its last one may be partial)."""
    if not record.rows:
        return []
    last = int(record.rows[-1].minute)
    return sorted({int(r.minute) for r in record.rows if int(r.minute) < last})


def overall_p99(record, kind, minutes):
    """The p99 of the run: of all the requests of the given minutes (web), of the oldest job's
    wait at every tick of them (queue: a job's own wait is not recorded)."""
    chosen = set(minutes)
    if kind == "queue":
        waits = sorted(r.p95 or 0.0 for r in record.rows if int(r.minute) in chosen)
        return waits[min(len(waits) - 1, int(0.99 * len(waits)))] if waits else 0.0
    ticks = [t for m, shapes in record.minute_shapes.items() if m in chosen for t in shapes]
    return service.quantile(ticks, 0.99)


def changes(rows):
    """[(minute, +1 | -1)] for every change of spec.replicas."""
    out = []
    for before, after in zip(rows, rows[1:]):
        if after.replicas != before.replicas:
            out.append((after.minute, 1 if after.replicas > before.replicas else -1))
    return out


def steps(rows, merge_s=MERGE_S):
    """[(minute, net change)] of spec.replicas, changes within merge_s of the previous one merged
    into one step (an autoscaler's step may show as two writes, or a read between two ticks); a
    merged step with no net change (up and back within merge_s) is left out."""
    groups = []                 # [first minute, last minute, replicas before, replicas after]
    for before, after in zip(rows, rows[1:]):
        if after.replicas == before.replicas:
            continue
        if groups and (after.minute - groups[-1][1]) * 60 <= merge_s + 1e-6:
            groups[-1][1], groups[-1][3] = after.minute, after.replicas
        else:
            groups.append([after.minute, after.minute, before.replicas, after.replicas])
    return [(first, end - start) for first, _, start, end in groups if end != start]


def direction_changes(step_list):
    """The turns from one direction to the other between consecutive steps (both ways count)."""
    return sum(1 for (_, a), (_, b) in zip(step_list, step_list[1:]) if (a < 0) != (b < 0))


def per_hour(count, rows):
    span = rows[-1].minute - rows[0].minute if len(rows) > 1 else 0.0
    return count * 60 / span if span > 0 else 0.0


def reversals(events):
    return sum(1 for (m0, d0), (m1, d1) in zip(events, events[1:])
               if d1 != d0 and m1 - m0 < REVERSAL_WINDOW_MIN)


def recovery(values, slo, event_minute):
    if event_minute is None:
        return None
    minutes = sorted(m for m in values if m >= event_minute)
    for i, m in enumerate(minutes):
        run = minutes[i:i + RECOVERED_FOR_MIN]
        if len(run) == RECOVERED_FOR_MIN and all(values[x] <= slo for x in run):
            return m - event_minute
    return None


def under_provisioned(rows, ready_needed, minutes):
    """Whole minutes whose mean ready pods were fewer than the oracle's count for them."""
    by_minute = {}
    for r in rows:
        by_minute.setdefault(int(r.minute), []).append(r.ready)
    return sum(1 for m in minutes if m < len(ready_needed) and m in by_minute
               and statistics.fmean(by_minute[m]) < ready_needed[m])


def integrate_pods(rows):
    return sum(b.pods * (a.minute - b.minute) for b, a in zip(rows, rows[1:]))


def compute(record, trace, best=None):
    """The Figures of one copy's run of `trace`; `best` is the trace's oracle.Oracle (solved
    here, once per trace and cached, when not given)."""
    best = best or oracle.solve(trace)
    values = minute_values(record, trace.kind)
    whole = [m for m in whole_minutes(record) if m in values]
    slo = SLO_JOB_WAIT_S if trace.kind == "queue" else SLO_P95_S
    rows = record.rows
    replica_minutes = integrate_pods(rows)
    events = changes(rows)
    turns = direction_changes(steps(rows))
    p99s = values if trace.kind == "queue" else minute_values(record, trace.kind, 0.99)
    return Figures(
        slo_minutes=sum(1 for m in whole if values[m] > slo),
        minutes=len(whole),
        replica_minutes=replica_minutes,
        scale_events=len(events),
        reversals=reversals(events),
        recovery_min=recovery(values, slo, trace.event_minute),
        worst=max((values[m] for m in whole), default=0.0),
        p99_worst_s=max((p99s[m] for m in whole if m in p99s), default=0.0),
        p99_s=overall_p99(record, trace.kind, whole),
        oracle_replica_minutes=best.replica_minutes,
        oracle_ratio=replica_minutes / best.replica_minutes if best.replica_minutes else None,
        under_minutes=under_provisioned(rows, best.ready, whole),
        direction_changes=turns,
        direction_changes_per_hour=per_hour(turns, rows),
    )


def meets_goal(gearbox, hpa):
    """The first harness's goal: SLO minutes <= 0.5x the HPA's, replica-minutes <= 1.0x, no
    reversal (the fair harness's goals are in report.py)."""
    return (gearbox.slo_minutes <= 0.5 * hpa.slo_minutes
            and gearbox.replica_minutes <= hpa.replica_minutes
            and gearbox.reversals == 0)
