"""The harness's metrics adapter: one HTTPS server (a self-signed certificate, 127.0.0.1 only)
behind two APIServices of the quality cluster, in the harness's process.

- `metrics.k8s.io/v1beta1` (PodMetrics), instead of metrics-server: each pod's CPU from the model,
  as metrics-server reports it (its usage averaged over a window, the window's end as the
  timestamp, the window's length; a pod that does not yet have a whole window of samples is not
  listed, and a pod that is not ready reports the start-up CPU the harness records for it), at a
  resolution of RESOLUTION_SIM_S simulated seconds. metrics-server cannot scrape more often than
  every 10 s (50 simulated s at factor 5); this one runs on the compressed clock like everything
  else, and the harness no longer patches KWOK's CPU annotation on every pod (what made many
  copies expensive). Both the HPA and Gearbox's resource metrics read it (through kube-apiserver's
  aggregator).
- `external.metrics.k8s.io/v1beta1`, as prometheus-adapter serves it: each rule of
  policies/external-metrics.yaml is a name and a PromQL query; a GET for a namespace evaluates the
  query (its $NAMESPACE filled in) against the harness's Prometheus and answers its one value.

`Adapter.handle(path, query)` is the whole API, (status, JSON body): test_adapter.py calls it
without a server or a cluster.
"""
import http.server
import json
import math
import os
import re
import ssl
import string
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

RESOLUTION_SIM_S = 15.0     # metrics-server's resolution in the published manifest, simulated
MEMORY_KI = 65536           # every pod's memory usage (the HPAs here do not read it)
METRICS = "metrics.k8s.io"
EXTERNAL = "external.metrics.k8s.io"
VERSION = "v1beta1"
SERVICE = "quality-metrics-adapter"


# ------------------------------------------------------------------------------ selectors ----
_SET = re.compile(r"([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)")


def _requirement(text):
    """One requirement of a label selector as a predicate over a labels dict."""
    text = text.strip()
    m = _SET.fullmatch(text)
    if m:
        key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
        return (lambda l: l.get(key) in values) if op == "in" else (lambda l: l.get(key) not in values)
    for op in ("!=", "==", "="):
        if op in text:
            key, value = (s.strip() for s in text.split(op, 1))
            return (lambda l: l.get(key) != value) if op == "!=" else (lambda l: l.get(key) == value)
    if text.startswith("!"):
        return lambda l: text[1:] not in l
    return lambda l: text in l


def _split(selector):
    """The requirements of a selector: commas separate them, except inside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p for p in parts + [cur] if p.strip()]




def matches(selector, labels):
    """Whether labels satisfy a Kubernetes label selector (equality and set-based)."""
    return all(_requirement(r)(labels) for r in _split(selector or ""))


# ------------------------------------------------------------------------------ pod usage ----
def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def go_duration(seconds):
    return f"{seconds:g}s"


class PodUsage:
    """The CPU the harness records for every pod at each tick, and what metrics-server would
    report from it: the mean over the last whole window of `resolution_s` real seconds."""

    def __init__(self, resolution_s, clock=time.time):
        self.resolution_s, self.clock = resolution_s, clock
        self._lock = threading.Lock()
        self._pods = {}     # ns -> {name: {"labels", "first", "samples": [(t, millicores)]}}

    def record(self, ns, pods, now=None):
        """pods: [(name, labels, millicores)], every pod of the copy that exists now (the ones
        left out are gone)."""
        now = self.clock() if now is None else now
        with self._lock:
            old = self._pods.get(ns, {})
            fresh = {}
            for name, labels, millicores in pods:
                pod = old.get(name) or {"labels": labels, "first": now, "samples": []}
                pod["samples"] = [s for s in pod["samples"] if s[0] > now - 2 * self.resolution_s]
                pod["samples"].append((now, millicores))
                fresh[name] = pod
            self._pods[ns] = fresh

    def forget(self, ns):
        with self._lock:
            self._pods.pop(ns, None)

    def window(self, now=None):
        """(start, end) of the last whole window."""
        now = self.clock() if now is None else now
        end = math.floor(now / self.resolution_s) * self.resolution_s
        return end - self.resolution_s, end

    def items(self, ns, selector, now=None):
        """PodMetrics of the namespace's pods (every namespace's when ns is None)."""
        start, end = self.window(now)
        out = []
        with self._lock:
            spaces = self._pods.items() if ns is None else [(ns, self._pods.get(ns, {}))]
            for space, pods in spaces:
                for name, pod in sorted(pods.items()):
                    samples = [m for t, m in pod["samples"] if start <= t < end]
                    if pod["first"] > start or not samples or not matches(selector, pod["labels"]):
                        continue
                    out.append(pod_metrics(space, name, pod["labels"], sum(samples) / len(samples),
                                           end, self.resolution_s))
        return out


def pod_metrics(ns, name, labels, millicores, end, window_s):
    """A PodMetrics object as metrics-server writes it (one container, CPU in nanocores)."""
    return {
        "metadata": {"name": name, "namespace": ns, "labels": labels,
                     "creationTimestamp": rfc3339(end)},
        "timestamp": rfc3339(end), "window": go_duration(window_s),
        "containers": [{"name": "main", "usage": {"cpu": f"{round(millicores * 1e6)}n",
                                                  "memory": f"{MEMORY_KI}Ki"}}],
    }


# ------------------------------------------------------------------------- external values ----
class Prometheus:
    """An instant query's one value (None when there is none)."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def __call__(self, promql):
        q = urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(f"{self.url}/api/v1/query?{q}", timeout=5) as r:
            data = json.load(r)["data"]
        if data["resultType"] == "scalar":
            value = float(data["result"][1])
        elif data["resultType"] == "vector" and len(data["result"]) == 1:
            value = float(data["result"][0]["value"][1])
        else:
            return None
        return None if math.isnan(value) or math.isinf(value) else value


def quantity(value):
    """A Kubernetes quantity string in milli-units (60.5 -> "60500m")."""
    return f"{round(value * 1000)}m"


def external_value_list(name, value, now):
    return {"kind": "ExternalMetricValueList", "apiVersion": f"{EXTERNAL}/{VERSION}",
            "metadata": {},
            "items": [] if value is None else [{"metricName": name, "metricLabels": {},
                                                "timestamp": rfc3339(now),
                                                "value": quantity(value)}]}


# ------------------------------------------------------------------------------ the API ----
def status(code, reason, message):
    return code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": message, "reason": reason, "code": code}


def resource_list(group, resources):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{VERSION}",
            "resources": resources}


def _resource(name, kind, namespaced, verbs):
    return {"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
            "verbs": verbs}


class Adapter:
    """The two APIs over a PodUsage and the external rules ({name: PromQL with $NAMESPACE})."""

    def __init__(self, usage, rules, query, clock=time.time):
        self.usage, self.rules, self.query, self.clock = usage, rules, query, clock

    def handle(self, path, query=""):
        """(HTTP status, JSON body) of a GET."""
        selector = urllib.parse.parse_qs(query).get("labelSelector", [""])[0]
        parts = [p for p in path.split("/") if p]
        if parts in (["healthz"], ["readyz"], ["livez"]):
            return 200, "ok"
        if parts[:3] == ["apis", METRICS, VERSION]:
            return self._metrics(parts[3:], selector)
        if parts[:3] == ["apis", EXTERNAL, VERSION]:
            return self._external(parts[3:])
        return status(404, "NotFound", f"{path}: not served here")

    def _metrics(self, rest, selector):
        if not rest:
            return 200, resource_list(METRICS, [_resource("nodes", "NodeMetrics", False, ["get", "list"]),
                                                _resource("pods", "PodMetrics", True, ["get", "list"])])
        if rest == ["nodes"]:
            return 200, _list("NodeMetricsList", [])
        if rest == ["pods"]:
            return 200, _list("PodMetricsList", self.usage.items(None, selector, self.clock()))
        if len(rest) in (3, 4) and rest[0] == "namespaces" and rest[2] == "pods":
            items = self.usage.items(rest[1], selector, self.clock())
            if len(rest) == 3:
                return 200, _list("PodMetricsList", items)
            one = [i for i in items if i["metadata"]["name"] == rest[3]]
            if one:
                return 200, dict(one[0], kind="PodMetrics", apiVersion=f"{METRICS}/{VERSION}")
            return status(404, "NotFound", f'podmetrics.metrics.k8s.io "{rest[3]}" not found')
        return status(404, "NotFound", "/".join(rest) + ": not served here")

    def _external(self, rest):
        if not rest:
            return 200, resource_list(EXTERNAL, [_resource(n, "ExternalMetricValueList", True, ["get"])
                                                 for n in sorted(self.rules)])
        if len(rest) != 3 or rest[0] != "namespaces":
            return status(404, "NotFound", "/".join(rest) + ": not served here")
        ns, name = rest[1], rest[2]
        if name not in self.rules:
            return status(404, "NotFound", f"external metric {name!r}: no rule for it")
        promql = string.Template(self.rules[name]).safe_substitute(NAMESPACE=ns)
        try:
            value = self.query(promql)
        except OSError as e:
            return status(503, "ServiceUnavailable", f"{name}: Prometheus: {e}")
        return 200, external_value_list(name, value, self.clock())


def _list(kind, items):
    return {"kind": kind, "apiVersion": f"{METRICS}/{VERSION}", "metadata": {}, "items": items}


# ------------------------------------------------------------------------------ serving ----
def self_signed(directory):
    """(certificate, key) files of a self-signed certificate for 127.0.0.1."""
    crt, key = os.path.join(directory, "adapter.crt"), os.path.join(directory, "adapter.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", f"/CN={SERVICE}", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return crt, key


def serve(adapter, port):
    """Serves the adapter over HTTPS on 127.0.0.1:port in a thread; returns the server."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path, _, query = self.path.partition("?")
            code, body = adapter.handle(path, query)
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    with tempfile.TemporaryDirectory(prefix="quality-adapter-") as tmp:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*self_signed(tmp))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, name="metrics adapter", daemon=True).start()
    return server


# ------------------------------------------------------------------------- registration ----
def _put(kube, path, name, obj):
    """Creates or replaces an object."""
    status_code, data = kube.raw("GET", f"{path}/{name}")
    if status_code == 404:
        kube.call("POST", path, obj)
        return
    obj["metadata"]["resourceVersion"] = json.loads(data)["metadata"]["resourceVersion"]
    kube.call("PUT", f"{path}/{name}", obj)


def api_service(group, port):
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": f"{VERSION}.{group}"},
            "spec": {"group": group, "version": VERSION, "groupPriorityMinimum": 100,
                     "versionPriority": 100, "insecureSkipTLSVerify": True,
                     "service": {"name": SERVICE, "namespace": "kube-system", "port": port}}}


def register(kube, port, timeout_s=60):
    """Points both APIServices at the adapter (metrics.k8s.io replaces metrics-server's, in this
    cluster only) and waits until kube-apiserver finds them Available."""
    _put(kube, "/api/v1/namespaces/kube-system/services", SERVICE, {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": SERVICE, "namespace": "kube-system"},
        "spec": {"type": "ExternalName", "externalName": "127.0.0.1"}})
    path = "/apis/apiregistration.k8s.io/v1/apiservices"
    names = []
    for group in (METRICS, EXTERNAL):
        obj = api_service(group, port)
        _put(kube, path, obj["metadata"]["name"], obj)
        names.append(obj["metadata"]["name"])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(_available(kube.call("GET", f"{path}/{n}")) for n in names) and _ours(kube):
            return
        time.sleep(0.5)
    raise RuntimeError(f"APIServices {', '.join(names)} not Available within {timeout_s} s")


def _available(obj):
    conditions = obj.get("status", {}).get("conditions", [])
    return any(c["type"] == "Available" and c["status"] == "True" for c in conditions)


def _ours(kube):
    """metrics.k8s.io answers from the adapter, not metrics-server (the adapter lists no node)."""
    code, data = kube.raw("GET", f"/apis/{METRICS}/{VERSION}/nodes")
    return code == 200 and json.loads(data)["items"] == []
