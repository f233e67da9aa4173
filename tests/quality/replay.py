"""A trace replayed through the service model without a cluster, for a given spec.replicas over
time: the Record stacks.Copy would keep (pods ready START_MIN after they are created, the newest
removed first, ticks as the oracle's).

Why: the figures, the oracle and the report must be checked on runs whose right answer is known
(the oracle's own counts, a count that flips every few minutes), in a unit test, in seconds.
"""
import math

import oracle
import service
import stacks


class Pods:
    """A Deployment's pods by creation time: ready once START_MIN old, the newest go first."""

    def __init__(self, count, now_s):
        self.created = [now_s - oracle.START_MIN * 60] * count     # the initial pods are ready

    def scale(self, replicas, now_s):
        while len(self.created) < replicas:
            self.created.append(now_s)
        del self.created[replicas:]

    def ready(self, now_s):
        return sum(1 for c in self.created if now_s - c >= oracle.START_MIN * 60 - 1e-9)


def run(trace, replicas):
    """The Record of `trace` (at its speed) when spec.replicas is replicas(minute)."""
    web, queue = service.WebService(trace.speed), service.JobQueue(trace.speed)
    record = stacks.Record()
    ticks = [tick for m in range(math.ceil(trace.length_min)) for tick in oracle.tick_loads(trace, m)]
    ticks.append((trace.length_min * 60, trace.at(trace.length_min)))
    pods = Pods(replicas(0.0), 0.0)
    for t, load in ticks:
        minute = t / 60
        want = replicas(minute)
        pods.scale(want, t)
        ready = pods.ready(t)
        if trace.kind == "queue":
            waiting, busy = queue.tick(t, load, ready, oracle.TICK_S)
            p95 = queue.oldest_wait(t)
        else:
            shape, busy = web.tick(load, ready, oracle.TICK_S)
            record.minute_shapes.setdefault(int(minute), []).append((shape, load * oracle.TICK_S))
            p95, waiting = None, 0.0
        record.rows.append(stacks.Row(minute, load, len(pods.created), ready, want,
                                      100 * min(busy, 1.0) if ready else 0.0, p95, waiting))
    return record
