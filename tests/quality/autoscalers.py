"""The two autoscalers of a trace's copies, as their users would write them, in simulated time.

Every duration below is a real-world one (the storefront's 15 s interval, the HPA's 5-minute
scale-down stabilization); `Timing` divides them all by the harness's factor, so both autoscalers
run the same compressed clock. The cluster's own HPA timings (sync period, readiness delay, CPU
initialization period) are scaled the same way by hack/quality.sh.
"""
from dataclasses import dataclass

import service

APP_MIN, APP_MAX = 2, 20
WORKER_MIN, WORKER_MAX = 2, 30
HPA_CPU_TARGET = 70   # % of requests: the issue's "closest equivalent target"
# Square-root staffing: a busy request workers (load x service time) need a + BETA * sqrt(a)
# workers for a waiting probability that stays the same at every scale (Halfin-Whitt).
BETA = 0.8


@dataclass
class Timing:
    factor: float

    def duration(self, sim_seconds):
        """A Gearbox duration string for a simulated duration (milliseconds when not whole)."""
        ms = round(sim_seconds * 1000 / self.factor)
        return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"

    def seconds(self, sim_seconds):
        """Whole seconds (the HPA's fields are integers), at least 1."""
        return max(1, round(sim_seconds / self.factor))


def web_policy(ns, timing, prometheus_url):
    """The storefront's app rules, with the demand as the first signal: pods needed per replica up
    or latency up; pods needed per replica down; a roadmap by load for the floors.

    Why not CPU, as the HPA: a saturated pod reports 100% of its CPU whatever the queue behind it,
    so a CPU rule sees at most 100/target of the need per step; the offered load (read from
    Prometheus, which the HPA cannot read without an adapter) gives the count in one step,
    ceil(pods needed), as the HPA computes it for a per-pod metric. The pods needed follow
    square-root staffing (BETA), so small counts keep more headroom than large ones.
    """
    d = timing.duration
    load = f'sum(quality_load_rps{{copy="{ns}"}})'
    busy = f"({load} * {service.SERVICE_S})"          # request workers busy on average
    servers = service.SERVERS_PER_POD
    p95 = ("histogram_quantile(0.95, sum(rate(quality_request_duration_seconds_bucket"
           f'{{copy="{ns}"}}[{d(30)}])) by (le))')
    # Evaluated every 5 s: an evaluation costs the controller under a millisecond, and at 15 s the
    # step at 2 or 3 pods came half a minute after the HPA's (the queue policy keeps 15 s).
    return _policy(ns, d(5), {"prometheus": {"url": prometheus_url}}, [
        {"name": "load", "prometheus": {"query": load}},
        {"name": "pods", "prometheus": {"query": f"({busy} + {BETA} * sqrt({busy})) / {servers}"}},
        {"name": "p95", "prometheus": {"query": p95}},
    ], [{
        "name": "app",
        "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"},
        "replicas": {"min": APP_MIN, "max": APP_MAX},
        "scaleUp": {"anyOf": [{"metric": "pods", "above": 1, "perReplica": True},
                              {"metric": "p95", "above": 0.5, "for": d(120)}]},
        # No latency condition here: in a scale-down the engine sizes the step by the rule that
        # asks for the smallest reduction, and a latency below its threshold asks for a fixed
        # fraction of the current count at every evaluation, whatever the load.
        "scaleDown": {"allOf": [{"metric": "pods", "below": 0.8, "perReplica": True, "for": d(120)}]},
        "behavior": {"scaleUp": {"maxPods": 10, "maxPercent": 300, "period": d(15),
                                 "stabilizationWindow": d(300)},
                     "scaleDown": {"maxPods": 1, "maxPercent": 50, "period": d(60),
                                   "stabilizationWindow": d(300)}},
    }], {
        "metric": "load", "hold": d(60),
        "list": [{"name": "Small", "upTo": 300, "components": {"app": {"min": 2, "max": 20}}},
                 {"name": "Medium", "upTo": 800, "components": {"app": {"min": 4, "max": 20}}},
                 {"name": "Large", "components": {"app": {"min": 12, "max": 20}}}],
    })


def queue_policy(ns, timing, redis_url):
    """The storefront's worker rules: backlog per worker or the oldest job's wait up, backlog down."""
    d = timing.duration
    queue = {"flavor": "bull", "name": ns}
    return _policy(ns, d(15), {"redis": {"url": redis_url}}, [
        {"name": "backlog", "queue": queue},
        {"name": "jobWait", "queue": dict(queue, measure="oldestWaitSeconds")},
    ], [{
        "name": "worker",
        "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
        "replicas": {"min": WORKER_MIN, "max": WORKER_MAX},
        # 250 jobs per worker is 50 s of its work: the count that drains the backlog within the
        # SLO's minute; the wait threshold is real time (Gearbox reads the job's timestamp), so
        # it is scaled as a duration is. Down at once when the queue is all but empty: a worker
        # with nothing to do is pure cost.
        "scaleUp": {"anyOf": [{"metric": "backlog", "above": 250, "perReplica": True},
                              {"metric": "jobWait", "above": 40 / timing.factor}]},
        "scaleDown": {"allOf": [{"metric": "backlog", "below": 5, "perReplica": True,
                                 "for": d(30)}]},
        "behavior": {"scaleUp": {"maxPods": 10, "maxPercent": 200, "period": d(15),
                                 "stabilizationWindow": d(300)},
                     "scaleDown": {"maxPods": 2, "maxPercent": 100, "period": d(30),
                                   "stabilizationWindow": d(300)}},
    }], None)


def _policy(ns, interval, sources, metrics, components, phases):
    spec = {"interval": interval, "mode": "Enforce", "sources": sources, "metrics": metrics,
            "components": components}
    if phases:
        spec["phases"] = phases
    return {"apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
            "metadata": {"name": "quality", "namespace": ns}, "spec": spec}


def hpa(ns, target, lo, hi, timing):
    """An autoscaling/v2 HPA on CPU 70%, its behavior written out as a careful user would: the
    defaults (immediate scale-up by 100% or 4 pods per 15 s, scale-down after a 5-minute window)."""
    s = timing.seconds
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "quality", "namespace": ns},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": lo, "maxReplicas": hi,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": HPA_CPU_TARGET}}}],
            "behavior": {
                "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                    {"type": "Percent", "value": 100, "periodSeconds": s(15)},
                    {"type": "Pods", "value": 4, "periodSeconds": s(15)}]},
                "scaleDown": {"stabilizationWindowSeconds": s(300), "selectPolicy": "Max",
                              "policies": [{"type": "Percent", "value": 100, "periodSeconds": s(15)}]},
            },
        },
    }
