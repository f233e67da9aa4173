"""One copy of the service in the cluster: a namespace, its Deployment, its autoscaler, its model.

Each tick the harness calls `Copy.tick(minute, load, dt)`: the copy lists its pods (a pod serves
once KWOK has made it Ready, hack/quality.sh delays that by the start-up time), runs the model of
service.py on the load, sets each ready pod's CPU usage through KWOK's annotation (only when it
changed), mirrors the job queue into Redis (Bull's layout, for Gearbox's queue source), and keeps
a row of what happened (the `Record`).
"""
import time
from dataclasses import dataclass, field

import service

PODS = "/api/v1/namespaces/{ns}/pods"
DEPLOYMENT = "/apis/apps/v1/namespaces/{ns}/deployments/{name}"


def deployment(name, replicas):
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {
            "replicas": replicas, "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels,
                             "annotations": {"kwok.x-k8s.io/usage-cpu": f"{service.STARTING_CPU_M}m"}},
                "spec": {"containers": [{
                    "name": name, "image": "example.invalid/quality:1",
                    "resources": {"requests": {"cpu": f"{service.CPU_REQUEST_M}m"}}}]},
            },
        },
    }


@dataclass
class Row:
    """What one tick saw and did (simulated minutes)."""
    minute: float
    load: float
    pods: int              # pods that exist (what is paid for)
    ready: int
    replicas: int          # the Deployment's spec.replicas (what the autoscaler decided)
    cpu_percent: float
    p95: float             # this tick's p95 latency (web) or the oldest job's wait (queue), s
    waiting: float = 0.0   # jobs waiting (queue)


@dataclass
class Record:
    rows: list = field(default_factory=list)
    # per simulated minute: [(LatencyShape, requests)] of its ticks, for the minute's p95
    minute_shapes: dict = field(default_factory=dict)


def is_ready(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return False
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


class Copy:
    """The copy of a trace's service that one autoscaler ("gearbox" or "hpa") scales."""

    def __init__(self, kube, trace, autoscaler, exposition, redis=None):
        self.kube, self.trace, self.autoscaler = kube, trace, autoscaler
        self.ns = f"q-{trace.name}-{autoscaler}"
        self.target = "worker" if trace.kind == "queue" else "app"
        self.exposition = exposition        # metrics.Exposition: what Prometheus scrapes
        self.redis = redis                  # the queue copy's Redis mirror (gearbox reads it)
        self.web = service.WebService()
        self.queue = service.JobQueue()
        self.cpu_set = {}                   # pod name -> the usage last written
        self.record = Record()

    def create(self, initial_replicas, autoscaler_object):
        self.kube.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": self.ns}})
        self.kube.create(f"/apis/apps/v1/namespaces/{self.ns}/deployments",
                         deployment(self.target, initial_replicas))
        group = "apis/autoscaling/v2" if self.autoscaler == "hpa" else "apis/gearbox.dev/v1alpha1"
        plural = "horizontalpodautoscalers" if self.autoscaler == "hpa" else "scalingpolicies"
        self.kube.create(f"/{group}/namespaces/{self.ns}/{plural}", autoscaler_object)

    def tick(self, minute, load, dt):
        pods = self.kube.call("GET", PODS.format(ns=self.ns) + f"?labelSelector=app%3D{self.target}")
        live = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
        ready = [p for p in live if is_ready(p)]
        replicas = self.kube.call("GET", DEPLOYMENT.format(ns=self.ns, name=self.target))["spec"]["replicas"]
        if self.trace.kind == "queue":
            busy, p95, waiting = self._queue_tick(minute, load, len(ready), dt)
        else:
            busy, p95, waiting = self._web_tick(minute, load, len(ready), dt), None, 0.0
        self._set_cpu(live, busy)
        self.record.rows.append(Row(minute, load, len(live), len(ready), replicas,
                                    100 * min(busy, 1.0) if ready else 0.0, p95, waiting))

    def _web_tick(self, minute, load, ready, dt):
        shape, busy = self.web.tick(load, ready, dt)
        self.record.minute_shapes.setdefault(int(minute), []).append((shape, load * dt))
        self.exposition.observe(self.ns, load, shape, load * dt)
        return busy

    def _queue_tick(self, minute, jobs_per_s, ready, dt):
        waiting, busy = self.queue.tick(minute * 60, jobs_per_s, ready, dt)
        oldest = self.queue.oldest_wait(minute * 60)
        if self.redis:
            self.redis.mirror(round(waiting))
        self.exposition.queue(self.ns, jobs_per_s, waiting, oldest)
        return busy, oldest, waiting

    def _set_cpu(self, pods, busy):
        """Each pod's CPU usage (KWOK annotation), written only when it changed."""
        for p in pods:
            name = p["metadata"]["name"]
            value = f"{service.pod_cpu_millicores(busy, is_ready(p))}m"
            if self.cpu_set.get(name) == value:
                continue
            status, body = self.kube.raw(
                "PATCH", f"{PODS.format(ns=self.ns)}/{name}",
                {"metadata": {"annotations": {"kwok.x-k8s.io/usage-cpu": value}}},
                content_type="application/merge-patch+json")
            if status == 404:
                continue            # deleted since the list: nothing to set
            if status != 200:
                raise RuntimeError(f"PATCH pod {self.ns}/{name}: HTTP {status}: {body[:200]}")
            self.cpu_set[name] = value


class RedisQueueMirror:
    """The queue copy's jobs as Bull keeps them (bull:NAME:wait, a hash per job with its
    timestamp), so that Gearbox's queue source reads the model's queue through a real Redis.
    Jobs enter at the left and leave from the right, oldest first, as Bull's workers take them."""

    def __init__(self, client, name):
        self.redis, self.base = client, f"bull:{name}:"
        self.length, self.next_id = 0, 1
        self.redis.delete(self.base + "wait")

    def mirror(self, waiting):
        pipe = self.redis.pipeline(transaction=False)
        now_ms = int(time.time() * 1000)
        if waiting > self.length:
            ids = list(range(self.next_id, self.next_id + waiting - self.length))
            self.next_id += len(ids)
            for i in ids:
                pipe.hset(self.base + str(i), mapping={"timestamp": now_ms, "delay": 0})
            pipe.lpush(self.base + "wait", *ids)
            pipe.execute()
        elif waiting < self.length:
            taken = self.redis.rpop(self.base + "wait", self.length - waiting) or []
            if taken:
                pipe.delete(*[self.base + i.decode() for i in taken])
                pipe.execute()
        self.length = waiting
