"""What Prometheus scrapes from the harness (prometheus_client), per copy (label `namespace`), as
a real service and its queue's exporter would expose it:

- `quality_requests_total`: a counter of the requests received (the request rate is its rate());
- `quality_request_duration_seconds`: the requests' latency histogram (the counts the model's
  distribution puts in each bucket);
- `quality_jobs_total`: a counter of the jobs enqueued; `quality_jobs_waiting` and
  `quality_oldest_job_wait_seconds`: the queue's backlog and its oldest job's age (gauges).

Counters count on the compressed clock: each tick adds its simulated requests divided by the time
factor, so that rate() over real seconds is the simulated requests (jobs) per simulated second,
and a policy's PromQL means what it would mean in production. The wait gauge is in simulated
seconds. Nothing here is the offered load itself: a policy sees it only through a counter's rate()
(a scrape and a range behind), as it would in production.
"""
import threading

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10]
LABELS = ["namespace"]


def mean_latency(shape):
    """The mean of a tick's response time (for the histogram's _sum)."""
    return shape.delay + 1 / shape.mu + (shape.wait_prob / shape.theta if shape.wait_prob else 0)


class Exposition:
    def __init__(self, factor):
        self._lock = threading.Lock()
        self._per_real = 1.0 / factor   # a simulated event counts this much on the real clock
        self._hist = {}                 # ns -> ([cumulative counts per bucket..., +Inf], sum)
        self._counters = {}             # (name, ns) -> value
        self._gauges = {}               # (name, ns) -> value

    def web(self, ns, shape, requests):
        """Adds a tick's requests: to the counter, and spread over the histogram's buckets as
        the tick's latency distribution says."""
        n = requests * self._per_real
        with self._lock:
            counts, total = self._hist.get(ns, ([0.0] * (len(BUCKETS) + 1), 0.0))
            for i, bound in enumerate(BUCKETS):
                counts[i] += n * (1 - shape.survival(bound))
            counts[-1] += n
            self._hist[ns] = (counts, total + n * mean_latency(shape))
            self._add("quality_requests_total", ns, n)

    def queue(self, ns, jobs, waiting, oldest_wait_s):
        """A tick of the job queue: the jobs enqueued in it, the backlog and the oldest's age."""
        with self._lock:
            self._add("quality_jobs_total", ns, jobs * self._per_real)
            self._gauges[("quality_jobs_waiting", ns)] = waiting
            self._gauges[("quality_oldest_job_wait_seconds", ns)] = oldest_wait_s

    def forget(self, ns):
        """Drops a copy's series (its run is over)."""
        with self._lock:
            self._hist.pop(ns, None)
            for store in (self._counters, self._gauges):
                for key in [k for k in store if k[1] == ns]:
                    del store[key]

    def _add(self, name, ns, amount):
        self._counters[(name, ns)] = self._counters.get((name, ns), 0.0) + amount

    def collect(self):
        with self._lock:
            hist = HistogramMetricFamily("quality_request_duration_seconds",
                                         "Request latency of the simulated service.", labels=LABELS)
            for ns, (counts, total) in self._hist.items():
                buckets = [(str(b), c) for b, c in zip(BUCKETS, counts)] + [("+Inf", counts[-1])]
                hist.add_metric([ns], buckets, total)
            yield hist
            yield from _families(self._counters, CounterMetricFamily)
            yield from _families(self._gauges, GaugeMetricFamily)

    def serve(self, port):
        registry = CollectorRegistry()
        registry.register(self)
        start_http_server(port, addr="127.0.0.1", registry=registry)


def _families(values, family_type):
    """One metric family per name of {(name, ns): value}."""
    families = {}
    for (name, ns), value in values.items():
        if name not in families:
            # CounterMetricFamily appends _total itself: it is given the name without it.
            base = name[:-len("_total")] if family_type is CounterMetricFamily else name
            families[name] = family_type(base, name.replace("_", " "), labels=LABELS)
        families[name].add_metric([ns], value)
    return families.values()
