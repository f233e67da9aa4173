#!/usr/bin/env python3
"""The scale benchmark of issue 15: one gearbox-controller against N ScalingPolicies on the real
local control plane, N ascending (objects are cumulative), with metrics from a fake Prometheus in
this process and a real Redis, both answering in constant time so that the controller is what is
measured. See README.md beside this file for what each figure means.

usage: bench_scale.py --kubeconfig K --controller BIN [options] N [N...]
(hack/bench-scale.sh brings up the control plane and Redis and runs this.)
"""
import argparse
import concurrent.futures
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import report  # noqa: E402
from fake_prometheus import FakePrometheus  # noqa: E402
from kube import Kube, Watch  # noqa: E402
from promtext import Scrape, delta, histogram_delta, histogram_max, quantile

NAMESPACES = 50
INTERVAL_S = 15.0
TRIGGER_VALUE = 5.0  # above the scale-up threshold (0.5); the fake's default lies between the two
CREATE_THREADS = 8
CLK_TCK = os.sysconf("SC_CLK_TCK")
# What the controller (and, among the control plane's own clients, only it) reads and writes:
# the API server's request counts for these stand in for the controller's own counter.
# deployments/status is left out: kube-controller-manager writes it.
# Events are left out too: kube-controller-manager and the scheduler write Events about the
# Deployments the triggers scale.
CONTROLLER_RESOURCES = {"scalingpolicies", "deployments", "statefulsets",
                        "horizontalpodautoscalers", "secrets"}
WRITE_VERBS = {"POST", "PUT", "PATCH", "APPLY", "CREATE", "UPDATE"}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ objects ----

def namespace_of(i):
    return f"bench-{i % NAMESPACES:02d}"


# The CPU mix (--mix cpu): every other policy scales on the CPU utilization of its Deployment's
# one pod, a KWOK pod whose usage is set by annotation: 50m of 100m requested, 50 %, between the
# thresholds, so nothing changes. The others read Prometheus and Redis as in the default mix.
CPU_REQUEST, CPU_USAGE = "100m", "50m"


def reads_cpu(i, mix):
    return mix == "cpu" and i % 2 == 0


def deployment(i, mix):
    labels = {"app": f"d-{i}"}
    container = {"name": "app", "image": "example.invalid/app:1"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [container]}}
    if reads_cpu(i, mix):
        container["resources"] = {"requests": {"cpu": CPU_REQUEST}}
        template["metadata"]["annotations"] = {"kwok.x-k8s.io/usage-cpu": CPU_USAGE}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"d-{i}", "namespace": namespace_of(i), "labels": labels},
        "spec": {"replicas": 1 if reads_cpu(i, mix) else 0, "selector": {"matchLabels": labels},
                 "template": template},
    }


def cpu_policy(i):
    return {
        "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
        "metadata": {"name": f"p-{i}", "namespace": namespace_of(i)},
        "spec": {
            "interval": f"{INTERVAL_S:g}s",
            "metrics": [{"name": "cpu", "resource": {"name": "cpu", "component": "app"}}],
            "components": [{
                "name": "app",
                "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"d-{i}"},
                "replicas": {"min": 1, "max": 10},
                "scaleUp": {"anyOf": [{"metric": "cpu", "above": 90}]},
                "scaleDown": {"allOf": [{"metric": "cpu", "below": 10}]},
            }],
        },
    }


def policy(i, prometheus_url, redis_url, mix):
    if reads_cpu(i, mix):
        return cpu_policy(i)
    ns, name = namespace_of(i), f"p-{i}"
    return {
        "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "interval": f"{INTERVAL_S:g}s",
            "sources": {"prometheus": {"url": prometheus_url, "timeout": "2s"},
                        "redis": {"url": redis_url, "timeout": "2s"}},
            "metrics": [
                {"name": "latency",
                 "prometheus": {"query": f'bench_latency{{policy="{ns}/{name}"}}'}},
                {"name": "jobs", "queue": {"flavor": "list", "name": f"bench:{ns}:{name}"}},
            ],
            "components": [{
                "name": "app",
                "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"d-{i}"},
                "replicas": {"min": 0, "max": 10},
                "scaleUp": {"anyOf": [{"metric": "latency", "above": 0.5},
                                      {"metric": "jobs", "above": 1000}]},
                "scaleDown": {"allOf": [{"metric": "latency", "below": 0.01}]},
            }],
        },
    }


def policy_key(i):
    return f"{namespace_of(i)}/p-{i}"


def deployment_key(i):
    return f"{namespace_of(i)}/d-{i}"


def index_of(name):
    """p-17 / d-17 -> 17; None for objects that are not the benchmark's."""
    prefix, _, number = name.partition("-")
    return int(number) if prefix in ("p", "d") and number.isdigit() else None


def ensure_namespaces(kube):
    for i in range(NAMESPACES):
        kube.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                           "metadata": {"name": namespace_of(i)}})


def create_objects(kube, first, end, prometheus_url, redis_url, mix):
    """Deployments and policies first..end-1, in parallel over keep-alive connections."""
    jobs = [(f"/apis/apps/v1/namespaces/{namespace_of(i)}/deployments", deployment(i, mix))
            for i in range(first, end)]
    jobs += [(f"/apis/gearbox.dev/v1alpha1/namespaces/{namespace_of(i)}/scalingpolicies",
              policy(i, prometheus_url, redis_url, mix)) for i in range(first, end)]
    if not jobs:
        return 0
    # One policy alone first: a spec the CRD rejects fails here, once, with the server's reason.
    kube.create(*jobs[len(jobs) // 2])
    with concurrent.futures.ThreadPoolExecutor(CREATE_THREADS) as pool:
        return sum(pool.map(lambda job: kube.create(*job), jobs))


def wait_deployments_observed(kube, n, timeout):
    """Waits until kube-controller-manager has handled every Deployment (a ReplicaSet made,
    status.observedGeneration caught up), so that its work on new objects does not load the API
    server while the controller is measured. True if it did within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items, _ = kube.list_all("/apis/apps/v1/deployments")
        done = sum(1 for d in items if d.get("status", {}).get("observedGeneration", 0)
                   >= d["metadata"]["generation"])
        if done >= n:
            return True
        time.sleep(5)
    return False


def wait_pods_ready(kube, want, timeout):
    """Waits until `want` pods are Ready (the CPU mix's, one per CPU policy) and metrics-server
    has a sample of each, so that the scheduler, KWOK and the first scrapes are over before the
    controller is measured. True if they were within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items, _ = kube.list_all("/api/v1/pods")
        ready = sum(1 for p in items if any(c.get("type") == "Ready" and c.get("status") == "True"
                                            for c in p.get("status", {}).get("conditions", [])))
        measured = len(kube.call("GET", "/apis/metrics.k8s.io/v1beta1/pods").get("items", []))
        if ready >= want and measured >= want:
            return True
        time.sleep(5)
    return False


# ---------------------------------------------------------------------------- processes ----

def proc_cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the name in (...) may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status(pid):
    """(VmRSS KiB, VmHWM KiB, threads) of a process."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0), values.get("Threads", 0)


def pid_from_file(path):
    try:
        with open(path) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def other_controllers(kubeconfig, own_pids):
    """Pids of gearbox-controllers other than ours that use this cluster's kubeconfig: their reads
    and writes would be counted as ours by the API server, and their scaling as our triggers'."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (*own_pids, os.getpid()):
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        # The binary itself, or run by a wrapper (valgrind, timeout): not a mere --controller PATH.
        runs_it = any(a.endswith(b"gearbox-controller")
                      and (k == 0 or argv[k - 1] != b"--controller") for k, a in enumerate(argv))
        if runs_it and kubeconfig.encode() in argv:
            found.append(int(entry))
    return found


class CpuMeter:
    """CPU of a few processes over a window, in cores (CPU seconds per second)."""

    def __init__(self, pids):
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.start = {name: proc_cpu_seconds(pid) for name, pid in self.pids.items()}
        self.t0 = time.monotonic()

    def cores(self):
        elapsed = time.monotonic() - self.t0
        out = {}
        for name, pid in self.pids.items():
            try:
                out[name] = (proc_cpu_seconds(pid) - self.start[name]) / elapsed
            except OSError:
                out[name] = None
        return out


class Controller:
    """One run of gearbox-controller, out of cluster, with its log in a file; with --shards K,
    the replica serving shard `shard` of K (its ports two above the previous shard's)."""

    def __init__(self, args, log_path, shard=0):
        self.args, self.log_path, self.shard = args, log_path, shard
        self.metrics_port = args.metrics_port + 2 * shard
        self.probe_port = args.probe_port + 2 * shard
        self.proc = None
        self.started = None

    def start(self):
        cmd = [self.args.controller, "--kubeconfig", self.args.kubeconfig,
               "--metrics-bind-address", f"127.0.0.1:{self.metrics_port}",
               "--health-probe-bind-address", f"127.0.0.1:{self.probe_port}",
               "--source-allow", "127.0.0.0/8",  # the fake Prometheus and Redis
               "--metrics-secure=false",  # scraped over plain HTTP
               "--log-level", "warn"]
        if self.args.shards > 1:
            cmd += ["--shard-count", str(self.args.shards), "--shard-index", str(self.shard)]
        if self.args.concurrency:
            cmd += ["--concurrency", str(self.args.concurrency)]
        log_file = open(self.log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log_file.close()
        return self

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def check_running(self):
        if not self.running():
            raise RuntimeError(f"the controller exited with {self.proc.returncode}; "
                               f"see {self.log_path}")

    def wait_ready(self, timeout=120):
        """Seconds from start to /readyz answering 200 (caches synced)."""
        url = f"http://127.0.0.1:{self.probe_port}/readyz"
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            self.check_running()
            try:
                with urllib.request.urlopen(url, timeout=1) as res:
                    if res.status == 200:
                        return time.monotonic() - self.started
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.01)
        raise RuntimeError(f"the controller was not ready {timeout} s after its start")

    def metrics(self):
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=30) as res:
            return Scrape(res.read().decode(), ("gearbox_", "controller_runtime_"))

    def stop(self):
        """SIGTERM, then SIGKILL after 30 s; returns how long it took to exit."""
        if self.proc is None or not self.running():
            return 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            log("the controller ignored SIGTERM for 30 s: SIGKILL")
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - t0


class Fleet:
    """The controllers of one run: one, or one per shard (--shards K). Seen from outside as one
    controller: its /metrics are the replicas' summed, ready when all are."""

    def __init__(self, args, log_path):
        base, ext = os.path.splitext(log_path)
        self.members = [Controller(args, log_path if args.shards == 1 else
                                   f"{base}-shard{i}{ext}", i) for i in range(args.shards)]
        self.log_paths = [m.log_path for m in self.members]

    def start(self):
        for m in self.members:
            m.start()
        return self

    @property
    def started(self):
        return min(m.started for m in self.members)

    @property
    def pids(self):
        return [m.pid for m in self.members]

    def check_running(self):
        for m in self.members:
            m.check_running()

    def wait_ready(self, timeout=120):
        return max(m.wait_ready(timeout) + m.started - self.started for m in self.members)

    def metrics(self):
        merged = Scrape("", ())
        for m in self.members:
            merged.samples += m.metrics().samples
        return merged

    def stop(self):
        return max(m.stop() for m in self.members)


def log_entry(line):
    """(level, message with its error or reason) of one JSON log line."""
    try:
        entry = json.loads(line)
    except ValueError:
        return "raw", line.strip()[:200]
    text = entry.get("msg", "")
    detail = entry.get("error") or entry.get("reason") or ""
    return entry.get("level", "?"), text + (f": {detail[:160]}" if detail else "")


def log_summary(paths):
    """({level: lines}, [(count, message)] most frequent first) of JSON logs (a file per shard)."""
    levels, messages = {}, {}
    for path in paths:
        with open(path, errors="replace") as f:
            for line in f:
                level, text = log_entry(line)
                levels[level] = levels.get(level, 0) + 1
                messages[text] = messages.get(text, 0) + 1
    top = sorted(((c, m) for m, c in messages.items()), reverse=True)[:5]
    return levels, top


# -------------------------------------------------------------------- API request counts ----

def api_requests_from_controller(m0, m1):
    """{(VERB, resource[/subresource], code): count} from the controller's own counter, or None
    when this build of the controller does not export it."""
    name = "gearbox_api_requests_total"
    if not m1.has(name):
        return None
    out = {}
    keys = ("verb", "resource", "subresource", "code")
    for (verb, resource, sub, code), v in delta(m0, m1, name, keys).items():
        key = (verb.upper(), resource + (f"/{sub}" if sub else ""), code)
        out[key] = out.get(key, 0) + v
    return out


def api_requests_from_apiserver(a0, a1):
    """The same, from the API server's apiserver_request_total, for the resources only the
    controller uses here (the control plane's other clients touch none of them in a window)."""
    def controller_side(labels):
        if labels.get("resource") not in CONTROLLER_RESOURCES:
            return False
        return not (labels["resource"] == "deployments" and labels.get("subresource") == "status")

    out = {}
    keys = ("verb", "resource", "subresource", "code")
    for (verb, resource, sub, code), v in delta(a0, a1, "apiserver_request_total", keys,
                                                controller_side).items():
        key = (verb.upper(), resource + (f"/{sub}" if sub else ""), code)
        out[key] = out.get(key, 0) + v
    return out


def summarize_requests(requests, evaluations):
    """Per-evaluation figures from {(VERB, resource, code): count}."""
    per_pair = {}
    for (verb, resource, _), v in requests.items():
        per_pair[(verb, resource)] = per_pair.get((verb, resource), 0) + v
    evals = max(evaluations, 1)
    top = sorted(per_pair.items(), key=lambda kv: -kv[1])

    def writes(codes):
        return sum(v for (verb, resource, code), v in requests.items()
                   if verb in WRITE_VERBS and not resource.startswith("events") and codes(code))
    return {
        "req_per_eval": sum(per_pair.values()) / evals,
        "top_pairs": [[verb, resource, count / evals] for (verb, resource), count in top[:8]],
        "get_deploy_per_eval": per_pair.get(("GET", "deployments"), 0) / evals,
        "get_scale_per_eval": per_pair.get(("GET", "deployments/scale"), 0) / evals,
        # Accepted writes only: a write refused (409 Conflict, say) changes nothing; counted apart.
        "writes": writes(lambda code: code.startswith("2")),
        "writes_refused": writes(lambda code: not code.startswith("2")),
        "client_429": sum(v for (_, _, code), v in requests.items() if code == "429"),
    }


# ------------------------------------------------------------------------- observations ----

class Observer:
    """Watches Deployments and ScalingPolicies during a window: replica changes (which resolve
    threshold triggers) and every write the controller's objects see."""

    def __init__(self, kube, fake, triggered):
        self.kube, self.fake = kube, fake
        self.triggered = triggered          # indices of policies ever triggered (all Ns)
        self.pending = {}                   # deployment key -> trigger record, until it moves
        self.replicas = {}                  # deployment key -> spec.replicas last seen
        self.replica_changes = []           # (time, index)
        self.policy_writes = []             # (time, index)
        self.watches = []

    def start(self):
        items, rv = self.kube.list_all("/apis/apps/v1/deployments")
        for d in items:
            key = f"{d['metadata']['namespace']}/{d['metadata']['name']}"
            self.replicas[key] = d["spec"].get("replicas", 1)
        policies_rv = self.kube.resource_version("/apis/gearbox.dev/v1alpha1/scalingpolicies")
        self.watches = [
            Watch(self.kube, "/apis/apps/v1/deployments", rv, self._on_deployment).start(),
            Watch(self.kube, "/apis/gearbox.dev/v1alpha1/scalingpolicies", policies_rv,
                  self._on_policy).start(),
        ]

    def stop(self):
        for w in self.watches:
            w.stop()
        return [w.error for w in self.watches if w.error]

    def trigger(self, i):
        """A Prometheus policy's latency above its threshold (a CPU policy has no trigger)."""
        record = {"index": i, "change": self.fake.set_value(policy_key(i), TRIGGER_VALUE),
                  "changed_at": None}
        self.triggered.add(i)
        self.pending[deployment_key(i)] = record
        return record

    def _on_deployment(self, kind, obj, arrived):
        meta = obj["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        replicas = obj["spec"].get("replicas", 1)
        if kind == "MODIFIED" and replicas != self.replicas.get(key, 0):
            index = index_of(meta["name"])
            self.replica_changes.append((arrived, index))
            record = self.pending.pop(key, None)
            if record is not None:
                record["changed_at"] = arrived
                # Back between the thresholds: the Deployment rests at its new count instead of
                # climbing to 10 and filling the KWOK nodes with Pods that would load the API
                # server while later policies are measured.
                self.fake.restore(policy_key(index))
        self.replicas[key] = replicas

    def _on_policy(self, kind, obj, arrived):
        if kind == "MODIFIED":
            self.policy_writes.append((arrived, index_of(obj["metadata"]["name"])))

    def writes_between(self, t0, t1):
        """(writes on triggered objects, writes on the others) seen by the watches in [t0, t1]:
        a replica change or a policy change each stand for one write."""
        mine = [i for t, i in self.replica_changes + self.policy_writes if t0 <= t <= t1]
        on_triggered = sum(1 for i in mine if i in self.triggered)
        return on_triggered, len(mine) - on_triggered


def percentiles(values):
    """(p50, p99, max) of a list, by nearest rank; Nones when empty."""
    if not values:
        return None, None, None
    s = sorted(values)

    def rank(q):
        return s[max(0, math.ceil(q * len(s)) - 1)]
    return rank(0.50), rank(0.99), s[-1]


# --------------------------------------------------------------------------------- runs ----

def measure_idle(args, log_dir):
    """The controller with no policies at all: start -> ready, RSS and CPU after 10 s."""
    log("idle: the controller with no policies")
    c = Controller(args, os.path.join(log_dir, "controller-idle.log")).start()
    try:
        ready = c.wait_ready()
        meter = CpuMeter({"controller": c.pid})
        time.sleep(10)
        c.check_running()
        rss, hwm, threads = proc_status(c.pid)
        cores = meter.cores()["controller"]
    finally:
        c.stop()
    log(f"idle: ready in {ready:.2f} s, RSS {rss / 1024:.1f} MiB (peak {hwm / 1024:.1f}), "
        f"{threads} threads, {cores:.4f} cores")
    return {"ready_s": ready, "rss_mib": rss / 1024, "hwm_mib": hwm / 1024, "threads": threads,
            "cores": cores}


def wait_all_evaluated(c, fake, n, timeout, mix):
    """Seconds from the controller's start until the fake served a query for each of the n
    policies that query it (their first evaluation), and how many it saw by then."""
    wanted = {policy_key(i) for i in range(n) if not reads_cpu(i, mix)}
    n = len(wanted)
    deadline = time.monotonic() + timeout
    while True:
        c.check_running()
        seen = fake.first_queries()
        got = wanted.intersection(seen)
        if len(got) == n:
            return max(seen[k] for k in wanted) - c.started, n
        if time.monotonic() > deadline:
            return None, len(got)
        time.sleep(0.2)


APISERVER_FAMILIES = ("apiserver_request_total", "apiserver_flowcontrol_rejected_requests_total")


def trigger_until(args):
    """Seconds into the window after which no trigger is set: a trigger's writes (the scale, the
    status of that evaluation and of the next one) then all fall inside the window, so that
    counting them off the write counts leaves exactly the writes nothing asked for."""
    return args.seconds - (2 * INTERVAL_S + 2)


def run_window(args, kube, fake, c, observer, rng, n):
    """The measurement window, with the observer's watches running throughout."""
    observer.start()
    try:
        return observe_window(args, kube, fake, c, observer, rng, n)
    except BaseException:
        observer.stop()
        raise


def observe_window(args, kube, fake, c, observer, rng, n):
    """The window's raw observations. The watches' span [t0, t1] holds the counters' [m0, m1]
    (and the API server's [a0, a1])."""
    pids = {**{f"controller-{i}": pid for i, pid in enumerate(c.pids)},
            "kube-apiserver": pid_from_file(os.path.join(args.cluster_dir, "kube-apiserver.pid")),
            "etcd": pid_from_file(os.path.join(args.cluster_dir, "etcd.pid")),
            "redis": pid_from_file(os.path.join(args.services_dir, "redis-server.pid"))}
    t0 = time.monotonic()
    a0 = Scrape(kube.text("/metrics"), APISERVER_FAMILIES)
    m0, tm0 = c.metrics(), time.monotonic()
    fake_cpu0, fake_q0 = fake.cpu_seconds(), fake.queries
    meter = CpuMeter(pids)
    intruders = set(other_controllers(args.kubeconfig, c.pids))
    fresh = [i for i in range(n) if i not in observer.triggered and not reads_cpu(i, args.mix)]
    rng.shuffle(fresh)
    records = []
    next_trigger = tm0 + args.trigger_every / 2
    end = tm0 + args.seconds
    while time.monotonic() < end:
        c.check_running()
        if time.monotonic() >= next_trigger and next_trigger <= tm0 + trigger_until(args) and fresh:
            records.append(observer.trigger(fresh.pop()))
            next_trigger += args.trigger_every
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
    cores = meter.cores()
    replicas = [cores.pop(f"controller-{i}") for i in range(len(c.pids))]
    cores["controller"], cores["replica_max"] = sum(replicas), max(replicas)
    fake_cpu, fake_q = fake.cpu_seconds() - fake_cpu0, fake.queries - fake_q0
    each = [proc_status(pid) for pid in c.pids]  # (rss, hwm, threads) of each replica
    rss, hwm, threads = (sum(e[k] for e in each) for k in range(3))
    m1, tm1 = c.metrics(), time.monotonic()
    a1 = Scrape(kube.text("/metrics"), APISERVER_FAMILIES)
    t1 = time.monotonic()
    # A short window may end before its last trigger resolved: give it an interval and some.
    grace = t1 + INTERVAL_S + 10
    while observer.pending and time.monotonic() < grace:
        time.sleep(0.2)
    watch_errors = observer.stop()
    intruders = sorted(set(other_controllers(args.kubeconfig, c.pids)) | intruders)
    return {"t0": t0, "t1": t1, "window": tm1 - tm0, "m0": m0, "m1": m1, "a0": a0, "a1": a1,
            "cores": cores, "fake_cpu": fake_cpu, "fake_queries": fake_q, "rss": rss, "hwm": hwm,
            "rss_replica_max": max(e[0] for e in each), "replicas": len(each),
            "threads": threads, "records": records, "watch_errors": watch_errors,
            "other_controllers": intruders}


def figures(n, w, observer, idle):
    """The row of the table for one N, from a window's observations."""
    window = w["window"]
    row = {"window_s": window}
    evals = delta(w["m0"], w["m1"], "controller_runtime_reconcile_total", ()).get((), 0)
    row["evaluations"] = evals
    row["evals_per_s"] = evals / window
    row["needed_per_s"] = n / INTERVAL_S
    lag = histogram_delta(w["m0"], w["m1"], "gearbox_evaluation_lag_seconds")
    row["lag_p50"], row["lag_p99"] = quantile(lag, 0.50), quantile(lag, 0.99)
    row["lag_max"], row["lag_max_beyond"] = histogram_max(lag)

    resolved = [r for r in w["records"] if r["changed_at"] is not None]
    row["triggers"], row["triggers_missed"] = len(w["records"]), len(w["records"]) - len(resolved)
    row["read_p50"], row["read_p99"], row["read_max"] = percentiles(
        [r["changed_at"] - r["change"].served_at for r in resolved
         if r["change"].served_at is not None])
    row["cross_p50"], row["cross_p99"], row["cross_max"] = percentiles(
        [r["changed_at"] - r["change"].set_at for r in resolved])

    cores = w["cores"]
    row["cores"] = cores["controller"]  # every replica's, summed
    row["replicas"], row["cores_replica_max"] = w["replicas"], cores["replica_max"]
    row["rss_replica_max_mib"] = w["rss_replica_max"] / 1024
    row["apiserver_cores"], row["etcd_cores"] = cores.get("kube-apiserver"), cores.get("etcd")
    row["redis_cores"] = cores.get("redis")
    row["rss_mib"], row["hwm_mib"] = w["rss"] / 1024, w["hwm"] / 1024
    row["threads"] = w["threads"]
    row["kib_per_policy"] = (w["rss"] - idle["rss_mib"] * 1024) / n if idle else None
    row["cpu_ms_per_eval"] = cores["controller"] * window * 1000 / evals if evals else None

    own_raw = api_requests_from_controller(w["m0"], w["m1"])
    server_raw = api_requests_from_apiserver(w["a0"], w["a1"])
    # Every count, for the JSON file: [verb, resource, code, requests in the window].
    row["requests_controller"] = (None if own_raw is None
                                  else [[*k, v] for k, v in sorted(own_raw.items())])
    row["requests_apiserver"] = [[*k, v] for k, v in sorted(server_raw.items())]
    own = summarize_requests(own_raw, evals) if own_raw is not None else None
    server = summarize_requests(server_raw, evals)
    on_triggered, on_others = observer.writes_between(w["t0"], w["t1"])
    row["trigger_writes"], row["unexpected_changes"] = on_triggered, on_others
    row["api_source"] = "gearbox_api_requests_total" if own else "apiserver_request_total"
    for key in ("req_per_eval", "top_pairs", "get_deploy_per_eval", "get_scale_per_eval"):
        row[key] = (own or server)[key]
    row["writes_idle"] = own["writes"] - on_triggered if own else None
    row["writes_idle_apiserver"] = server["writes"] - on_triggered
    row["writes_refused"] = (own or server)["writes_refused"]
    row["throttled_client"] = own["client_429"] if own else None
    row["throttled_apiserver"] = delta(w["a0"], w["a1"], "apiserver_request_total", (),
                                       lambda l: l.get("code") == "429").get((), 0)
    row["apf_rejected"] = delta(w["a0"], w["a1"],
                                "apiserver_flowcontrol_rejected_requests_total", ()).get((), 0)

    row["fake_cores"] = w["fake_cpu"] / window
    row["fake_queries_per_eval"] = w["fake_queries"] / evals if evals else None
    row["reconcile_errors"] = delta(w["m0"], w["m1"],
                                    "controller_runtime_reconcile_errors_total", ()).get((), 0)
    row["source_errors"] = {"/".join(k): v for k, v in delta(
        w["m0"], w["m1"], "gearbox_metric_source_errors_total", ("source", "error")).items()}
    row["watch_errors"] = w["watch_errors"]
    row["other_controllers"] = w["other_controllers"]
    if w["other_controllers"]:
        log(f"N={n}: other gearbox-controllers ran against this cluster (pids "
            f"{w['other_controllers']}): the API server's counts may include theirs")
    return row


def run_n(args, kube, fake, observer_triggered, rng, n, created_before, idle):
    row = {"n": n}
    log(f"N={n}: creating objects {created_before}..{n - 1}")
    t = time.monotonic()
    created = create_objects(kube, created_before, n, args.prometheus_url, args.redis_url,
                             args.mix)
    row["create_s"] = time.monotonic() - t
    log(f"N={n}: {created} objects created in {row['create_s']:.1f} s; waiting for "
        f"kube-controller-manager to handle the Deployments")
    t = time.monotonic()
    settled = wait_deployments_observed(kube, n, timeout=600)
    if not settled:
        log(f"N={n}: kube-controller-manager had not handled every Deployment after 600 s")
    cpu_policies = sum(1 for i in range(n) if reads_cpu(i, args.mix))
    if cpu_policies and not wait_pods_ready(kube, cpu_policies, timeout=900):
        log(f"N={n}: fewer than {cpu_policies} pods Ready and measured after 900 s")
    row["kcm_settle_s"] = time.monotonic() - t

    fake.reset_first_queries()
    log_path = os.path.join(args.out, f"controller-{n}.log")
    c = Fleet(args, log_path).start()
    try:
        row["ready_s"] = c.wait_ready()
        log(f"N={n}: ready in {row['ready_s']:.2f} s; waiting for the first evaluation of all")
        row["all_evaluated_s"], row["evaluated_at_start"] = wait_all_evaluated(
            c, fake, n, timeout=120 + n * 0.1, mix=args.mix)
        if row["all_evaluated_s"] is None:
            log(f"N={n}: only {row['evaluated_at_start']} of {n} policies evaluated in time")
        else:
            log(f"N={n}: all evaluated {row['all_evaluated_s']:.1f} s after the start")
        time.sleep(args.settle)
        log(f"N={n}: measuring for {args.seconds:g} s")
        observer = Observer(kube, fake, observer_triggered)
        w = run_window(args, kube, fake, c, observer, rng, n)
        row.update(figures(n, w, observer, idle))
        log(f"N={n}: {row['evaluations']:.0f} evaluations, {row['cores']:.3f} cores")
    except RuntimeError as e:  # the controller died or never got ready: report it, go on
        row["error"] = str(e)
        log(f"N={n}: {e}")
    finally:
        row["stop_s"] = c.stop()
    row["log_levels"], row["log_top"] = log_summary(c.log_paths)
    row["log"] = ", ".join(c.log_paths)
    return row


# --------------------------------------------------------------------------------- main ----

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ns", metavar="N", type=int, nargs="*", default=[100, 1000, 10000])
    p.add_argument("--kubeconfig", default=os.environ.get("KUBECONFIG"))
    p.add_argument("--controller", required=True, help="path of gearbox-controller")
    p.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 300)),
                   help="measurement window per N (default $BENCH_SECONDS or 300)")
    p.add_argument("--settle", type=float, default=20,
                   help="seconds to wait after the first evaluation of all")
    p.add_argument("--trigger-every", type=float, default=5)
    p.add_argument("--mix", choices=("prometheus", "cpu"),
                   default=os.environ.get("BENCH_MIX") or "prometheus",
                   help="every policy on Prometheus and Redis, or half of them on CPU (KWOK pods)")
    p.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY") or 0))
    p.add_argument("--shards", type=int, default=int(os.environ.get("BENCH_SHARDS") or 1),
                   help="controllers splitting the policies by namespace (--shard-count)")
    p.add_argument("--fake-port", type=int, default=18091, help="the fake Prometheus' port")
    p.add_argument("--redis-url", default="redis://127.0.0.1:18379/0")
    p.add_argument("--metrics-port", type=int, default=18080)
    p.add_argument("--probe-port", type=int, default=18081)
    p.add_argument("--cluster-dir", default="/tmp/gearbox-bench-cluster",
                   help="hack/cluster.sh's run directory (pid files: API server and etcd CPU)")
    p.add_argument("--services-dir", default="/tmp/gearbox-bench-services")
    p.add_argument("--out", default="/tmp/gearbox-bench")
    args = p.parse_args()
    if not args.kubeconfig:
        p.error("no --kubeconfig and no $KUBECONFIG")
    args.ns = sorted(set(args.ns))
    args.prometheus_url = f"http://127.0.0.1:{args.fake_port}"
    return args


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    kube = Kube(args.kubeconfig)
    fake = FakePrometheus(args.fake_port).start()
    log(f"fake Prometheus on {args.prometheus_url}; controller {args.controller}")
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "controller": args.controller,
            "window_s": args.seconds, "interval_s": INTERVAL_S,
            "concurrency": args.concurrency or "default", "cpus": os.cpu_count(), "mix": args.mix,
            "shards": args.shards}

    existing, _ = kube.list_all("/apis/gearbox.dev/v1alpha1/scalingpolicies")
    idle = None
    if existing:
        log(f"{len(existing)} ScalingPolicies exist already: no idle measurement")
    else:
        idle = measure_idle(args, args.out)
    ensure_namespaces(kube)

    rows, triggered, rng = [], set(), random.Random(15)
    created = 0
    try:
        for n in args.ns:
            if n < len(existing):  # the controller would evaluate them all: not N policies
                log(f"N={n} skipped: the cluster holds {len(existing)} policies already")
                continue
            rows.append(run_n(args, kube, fake, triggered, rng, n, created, idle))
            created = n
            report.save(args.out, meta, idle, rows)
    finally:
        fake.stop()
    report.print_all(meta, idle, rows)
    json_path, tsv_path = report.save(args.out, meta, idle, rows)
    print(f"\nfigures: {json_path}, {tsv_path}; controller logs in {args.out}")


if __name__ == "__main__":
    main()
