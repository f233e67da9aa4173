"""The figures of a copy's run, from its Record (all in simulated minutes).

- SLO minutes: the minutes whose p95 latency (of all the minute's requests: the mixture of its
  ticks' distributions, weighted by their requests) is above 500 ms; for a queue, the minutes in
  which the oldest waiting job had waited more than 60 s.
- replica-minutes: the pods that existed (ready or starting: what is paid for), integrated.
- scale events: changes of the Deployment's spec.replicas; reversals: a change in the other
  direction than the one before it, less than 5 minutes after it.
- recovery: from the trace's event (the flash crowd, the burst) to the start of the first run of
  5 minutes within the SLO.
"""
from dataclasses import dataclass

import service

SLO_P95_S = 0.5
SLO_JOB_WAIT_S = 60.0
REVERSAL_WINDOW_MIN = 5.0
RECOVERED_FOR_MIN = 5


@dataclass
class Figures:
    slo_minutes: int
    minutes: int
    replica_minutes: float
    scale_events: int
    reversals: int
    recovery_min: float      # None: no event in the trace, or never recovered
    worst: float             # the worst minute's p95 (web) or oldest wait (queue), s


def minute_values(record, kind):
    """{minute: the minute's p95 latency (web) or its longest job wait (queue)}, in seconds."""
    if kind == "queue":
        worst = {}
        for r in record.rows:
            worst[int(r.minute)] = max(worst.get(int(r.minute), 0.0), r.p95 or 0.0)
        return worst
    return {m: service.quantile(ticks, 0.95) for m, ticks in record.minute_shapes.items()}


def changes(rows):
    """[(minute, +1 | -1)] for every change of spec.replicas."""
    out = []
    for before, after in zip(rows, rows[1:]):
        if after.replicas != before.replicas:
            out.append((after.minute, 1 if after.replicas > before.replicas else -1))
    return out


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


def compute(record, trace):
    values = minute_values(record, trace.kind)
    # The last minute may be partial: count whole minutes only.
    whole = [m for m in values if m < int(record.rows[-1].minute)] if record.rows else []
    slo = SLO_JOB_WAIT_S if trace.kind == "queue" else SLO_P95_S
    rows = record.rows
    replica_minutes = sum(b.pods * (a.minute - b.minute) for b, a in zip(rows, rows[1:]))
    events = changes(rows)
    return Figures(
        slo_minutes=sum(1 for m in whole if values[m] > slo),
        minutes=len(whole),
        replica_minutes=replica_minutes,
        scale_events=len(events),
        reversals=reversals(events),
        recovery_min=recovery(values, slo, trace.event_minute),
        worst=max((values[m] for m in whole), default=0.0),
    )


def meets_goal(gearbox, hpa):
    """The issue's goal: SLO minutes <= 0.5x the HPA's, replica-minutes <= 1.0x, no reversal."""
    return (gearbox.slo_minutes <= 0.5 * hpa.slo_minutes
            and gearbox.replica_minutes <= hpa.replica_minutes
            and gearbox.reversals == 0)
