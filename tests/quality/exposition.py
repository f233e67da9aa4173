"""What Prometheus scrapes from the harness (prometheus_client): per copy, the requests' latency
histogram (the counts the model's distribution puts in each bucket), the offered load, and the
queue's state. Gearbox's latency and phase metrics are PromQL over these; the HPA reads none."""
import threading

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10]


class Exposition:
    def __init__(self):
        self._lock = threading.Lock()
        self._hist = {}     # copy -> [cumulative counts per bucket..., +Inf], sum
        self._gauges = {}   # (name, copy) -> value

    def observe(self, copy, load, shape, requests):
        """Adds a tick's requests, spread over the buckets as the tick's distribution says."""
        with self._lock:
            counts, total = self._hist.get(copy, ([0.0] * (len(BUCKETS) + 1), 0.0))
            for i, bound in enumerate(BUCKETS):
                counts[i] += requests * (1 - shape.survival(bound))
            counts[-1] += requests
            mean = shape.delay + 1 / shape.mu + (shape.wait_prob / shape.theta if shape.wait_prob else 0)
            self._hist[copy] = (counts, total + requests * mean)
            self._gauges[("quality_load_rps", copy)] = load

    def queue(self, copy, jobs_per_s, waiting, oldest_wait_s):
        with self._lock:
            self._gauges[("quality_jobs_per_second", copy)] = jobs_per_s
            self._gauges[("quality_jobs_waiting", copy)] = waiting
            self._gauges[("quality_oldest_job_wait_seconds", copy)] = oldest_wait_s

    def collect(self):
        with self._lock:
            hist = HistogramMetricFamily("quality_request_duration_seconds",
                                         "Request latency of the simulated service.", labels=["copy"])
            for copy, (counts, total) in self._hist.items():
                buckets = [(str(b), c) for b, c in zip(BUCKETS, counts)] + [("+Inf", counts[-1])]
                hist.add_metric([copy], buckets, total)
            yield hist
            families = {}
            for (name, copy), value in self._gauges.items():
                if name not in families:
                    families[name] = GaugeMetricFamily(name, name.replace("_", " "), labels=["copy"])
                families[name].add_metric([copy], value)
            yield from families.values()

    def serve(self, port):
        registry = CollectorRegistry()
        registry.register(self)
        start_http_server(port, addr="127.0.0.1", registry=registry)
