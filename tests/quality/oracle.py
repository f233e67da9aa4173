"""The offline oracle: the fewest pods each minute that meet the SLO, knowing the whole trace.

Why: "fewer replica-minutes than the HPA" says nothing when both are far above what was needed;
the oracle is the floor no autoscaler can beat without breaking the SLO, so replica-minutes over
the oracle's say how much an autoscaler pays for not knowing the future, and the minutes it has
fewer ready pods than the oracle say where it was short.

How: minute by minute, the fewest ready pods (web) or workers (queue) within the bounds whose
minute meets the SLO in the same model the harness runs (service.py, at the trace's speed, ticked
every TICK_S like the harness at its default factor): web, the p95 of the minute's requests at
most SLO_P95_S; queue, the oldest waiting job at most SLO_JOB_WAIT_S old at every tick. The
search is a bisection (more pods never make a minute worse) and greedy: each minute starts from
the backlog the chosen count left, so a count one lower breaks that minute's SLO. If even the
upper bound does not meet it, the minute gets the upper bound.

The start-up lead: pods become ready START_MIN after they are created, so the oracle creates the
pods minute m needs at m - START_MIN (it knows the future) and removes the ones it no longer needs
at the minute's end: the pods that exist (what is paid for) over the last START_MIN of minute m are
max(ready[m], ready[m + 1]).
"""
import dataclasses
import math
from dataclasses import dataclass

import autoscalers
import service

SLO_P95_S = 0.5             # web: a minute's p95 latency
SLO_JOB_WAIT_S = 60.0       # queue: the oldest waiting job's age
TICK_S = 5.0                # the harness ticks every real second at factor 5: 5 simulated seconds
START_MIN = 0.5             # a new pod is ready 30 s (simulated) after it is created
_CACHE = {}                 # solve()'s results by trace content: figures and plot ask per autoscaler


@dataclass
class Oracle:
    ready: list             # per minute from 0: the fewest ready pods meeting that minute's SLO
    replica_minutes: float  # pods that exist (starting ones included), integrated over the trace
    length_min: float

    def pods(self, minute):
        """The pods that exist at a minute: that minute's ready ones, and in its last START_MIN
        also the next minute's, starting."""
        m = min(int(minute), len(self.ready) - 1)
        nxt = self.ready[min(m + 1, len(self.ready) - 1)]
        return max(self.ready[m], nxt) if minute - m >= 1 - START_MIN else self.ready[m]


def bounds(kind):
    """The autoscalers' bounds for the trace's kind (autoscalers.py): the oracle gets the same."""
    if kind == "queue":
        return autoscalers.WORKER_MIN, autoscalers.WORKER_MAX
    return autoscalers.APP_MIN, autoscalers.APP_MAX


def tick_loads(trace, minute):
    """[(tick end in seconds, load)] of the ticks that the harness files under `minute`."""
    per_minute = round(60 / TICK_S)
    return [(minute * 60 + k * TICK_S, trace.at(minute + k * TICK_S / 60)) for k in range(per_minute)]


def _web_minute(web, pods, loads):
    """Serves one minute with `pods` ready pods from the state `web` (not changed); returns
    (meets the SLO, the state after it)."""
    web = dataclasses.replace(web)
    shapes = []
    for _, load in loads:
        shape, _ = web.tick(load, pods, TICK_S)
        shapes.append((shape, load * TICK_S))
    return service.quantile(shapes, 0.95) <= SLO_P95_S, web


def _queue_minute(queue, workers, loads):
    """The same for the job queue: every tick's oldest job at most SLO_JOB_WAIT_S old."""
    queue = queue.copy()
    worst = 0.0
    for t, jobs in loads:
        queue.tick(t, jobs, workers, TICK_S)
        worst = max(worst, queue.oldest_wait(t))
    return worst <= SLO_JOB_WAIT_S, queue


def _fewest(lo, hi, serve):
    """The smallest n in lo..hi for which serve(n) meets the SLO (hi if none does), with the
    state it leaves; bisection, since more pods never serve a minute worse."""
    ok, state = serve(hi)
    if not ok:
        return hi, state
    best, best_state = hi, state
    while lo < best:
        mid = (lo + best) // 2
        ok, state = serve(mid)
        if ok:
            best, best_state = mid, state
        else:
            lo = mid + 1
    return best, best_state


def minute_counts(trace):
    """Per minute of the trace (the last one may be partial), the fewest ready pods that meet its
    SLO, each minute starting where the previous minute's count left the service."""
    lo, hi = bounds(trace.kind)
    if trace.kind == "queue":
        state, serve_minute = service.JobQueue(trace.speed), _queue_minute
    else:
        state, serve_minute = service.WebService(trace.speed), _web_minute
    counts = []
    for minute in range(math.ceil(trace.length_min)):
        loads = tick_loads(trace, minute)
        n, state = _fewest(lo, hi, lambda pods: serve_minute(state, pods, loads))
        counts.append(n)
    return counts


def replica_minutes(ready, length_min):
    """What the oracle pays: ready[m] through minute m, and from START_MIN before its end the
    next minute's pods too, when there are more of them (they are starting)."""
    total = 0.0
    for m, n in enumerate(ready):
        width = min(1.0, length_min - m)
        nxt = ready[m + 1] if m + 1 < len(ready) else n
        early = min(width, 1 - START_MIN)
        total += n * early + max(n, nxt) * (width - early)
    return total


def solve(trace):
    """The oracle of a trace (at its speed); cached by the trace's content."""
    key = (trace.kind, trace.speed, tuple(trace.minutes), tuple(trace.values))
    if key not in _CACHE:
        ready = minute_counts(trace)
        _CACHE[key] = Oracle(ready, replica_minutes(ready, trace.length_min), trace.length_min)
    return _CACHE[key]
