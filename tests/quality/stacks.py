"""One copy of the service in the cluster: a namespace, its Deployment, its autoscaler, its model.

The pods and Deployments of every copy are kept by two watches (`ClusterView`), so a tick makes
no API request: each tick the harness calls `Copy.tick(minute, load, dt)`, and the copy takes its
pods from the view (a pod serves once KWOK has made it Ready; hack/quality.sh delays that by the
start-up time), runs the model of service.py at the trace's speed, records each pod's CPU for the
metrics adapter (metrics_adapter.PodUsage: what metrics.k8s.io serves to both autoscalers), hands
the requests and the queue to the exposition (what Prometheus scrapes), mirrors the job queue
into Redis when its autoscaler reads it there (Bull's layout), and keeps a row of what happened
(the `Record`).
"""
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import service

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kube import Watch  # noqa: E402

NAMESPACE_PREFIX = "q-"


def deployment(name, replicas):
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas, "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{
                    "name": "main", "image": "example.invalid/quality:1",
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


class ClusterView:
    """The copies' pods and Deployments (namespaces q-*), listed once and then kept by watches."""

    PATHS = ("/api/v1/pods", "/apis/apps/v1/deployments")

    def __init__(self, kube):
        self.kube = kube
        self._lock = threading.Lock()
        self._objects = {path: {} for path in self.PATHS}   # path -> {ns: {name: object}}
        self._watches = []

    def start(self):
        for path in self.PATHS:
            items, rv = self.kube.list_all(path)
            for item in items:
                self._put(path, "ADDED", item)
            self._watches.append(Watch(self.kube, path, rv,
                                       lambda t, o, _a, p=path: self._put(p, t, o)).start())
        return self

    def stop(self):
        for w in self._watches:
            w.stop()

    def _put(self, path, event, obj):
        meta = obj["metadata"]
        if not meta["namespace"].startswith(NAMESPACE_PREFIX):
            return
        with self._lock:
            space = self._objects[path].setdefault(meta["namespace"], {})
            if event == "DELETED":
                space.pop(meta["name"], None)
            else:
                space[meta["name"]] = obj

    def pods(self, ns, app):
        """The pods of a copy's Deployment that exist (not being deleted)."""
        with self._lock:
            return [p for p in self._objects[self.PATHS[0]].get(ns, {}).values()
                    if p["metadata"].get("labels", {}).get("app") == app
                    and not p["metadata"].get("deletionTimestamp")]

    def pods_in(self, ns):
        """How many pods the namespace still has (being deleted included)."""
        with self._lock:
            return len(self._objects[self.PATHS[0]].get(ns, {}))

    def replicas(self, ns, name):
        with self._lock:
            d = self._objects[self.PATHS[1]].get(ns, {}).get(name)
        return d["spec"]["replicas"] if d else 0

    def healthy(self):
        """Raises when a watch has stopped for good (the view would go stale unnoticed)."""
        for w in self._watches:
            if not w._thread.is_alive():
                raise RuntimeError(f"the watch of {w.path} ended: {w.error}")


def namespace(trace, variant):
    return f"{NAMESPACE_PREFIX}{trace.name}-{variant}"


class Copy:
    """The copy of a trace's service that one autoscaler variant scales."""

    def __init__(self, kube, view, trace, variant, exposition, usage, mirror=None):
        self.kube, self.view, self.trace, self.variant = kube, view, trace, variant
        self.ns = namespace(trace, variant)
        self.target = "worker" if trace.kind == "queue" else "app"
        self.exposition = exposition        # exposition.Exposition: what Prometheus scrapes
        self.usage = usage                  # metrics_adapter.PodUsage: what metrics.k8s.io serves
        self.redis = mirror                 # RedisQueueMirror when the autoscaler reads Redis
        self.web = service.WebService(trace.speed)
        self.queue = service.JobQueue(trace.speed)
        self.record = Record()

    def create(self, initial_replicas, autoscaler_object, collection):
        self.kube.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": self.ns}})
        self.kube.create(f"/apis/apps/v1/namespaces/{self.ns}/deployments",
                         deployment(self.target, initial_replicas))
        self.kube.create(collection, autoscaler_object)

    def ready_pods(self):
        return sum(is_ready(p) for p in self.view.pods(self.ns, self.target))

    def tick(self, minute, load, dt):
        live = self.view.pods(self.ns, self.target)
        ready = [p for p in live if is_ready(p)]
        replicas = self.view.replicas(self.ns, self.target)
        if self.trace.kind == "queue":
            busy, p95, waiting = self._queue_tick(minute, load, len(ready), dt)
        else:
            busy, p95, waiting = self._web_tick(minute, load, len(ready), dt), None, 0.0
        self.usage.record(self.ns, [(p["metadata"]["name"], p["metadata"].get("labels", {}),
                                     service.pod_cpu_millicores(busy, is_ready(p))) for p in live])
        self.record.rows.append(Row(minute, load, len(live), len(ready), replicas,
                                    100 * min(busy, 1.0) if ready else 0.0, p95, waiting))

    def _web_tick(self, minute, load, ready, dt):
        shape, busy = self.web.tick(load, ready, dt)
        self.record.minute_shapes.setdefault(int(minute), []).append((shape, load * dt))
        self.exposition.web(self.ns, shape, load * dt)
        return busy

    def _queue_tick(self, minute, jobs_per_s, ready, dt):
        waiting, busy = self.queue.tick(minute * 60, jobs_per_s, ready, dt)
        oldest = self.queue.oldest_wait(minute * 60)
        if self.redis:
            self.redis.mirror(round(waiting))
        self.exposition.queue(self.ns, jobs_per_s * dt, waiting, oldest)
        return busy, oldest, waiting

    def delete(self):
        """Removes the copy from the cluster, the exposition and the adapter (its run is over)."""
        self.kube.raw("DELETE", f"/api/v1/namespaces/{self.ns}")
        self.exposition.forget(self.ns)
        self.usage.forget(self.ns)


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
