"""A small Kubernetes API client for the scale benchmark and the quality harness (stdlib only).

It authenticates with the kubeconfig's client certificate, keeps one HTTPS connection per thread
(keep-alive, so creating 20,000 objects does not pay a TLS handshake each), and offers what the
benchmark needs: JSON requests, paged lists, plain-text GETs (/metrics) and watch streams.
"""
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse


class ApiError(Exception):
    def __init__(self, method, path, status, body):
        super().__init__(f"{method} {path}: HTTP {status}: {body[:300]}")
        self.status = status


def _named(entries, name):
    for e in entries:
        if e["name"] == name:
            return e
    raise ValueError(f"kubeconfig has no entry named {name!r}")


def _pem(section, key, workdir, file_name):
    """The path of a PEM file for key (embedded `KEY-data`, or the file the kubeconfig names)."""
    data = section.get(key + "-data")
    if data is None:
        return section[key]
    path = os.path.join(workdir, file_name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(base64.b64decode(data))
    return path


class Kube:
    def __init__(self, kubeconfig):
        # kubectl resolves the kubeconfig (contexts, relative paths) exactly as every other client.
        cfg = json.loads(subprocess.check_output(
            ["kubectl", "config", "view", "--raw", "-o", "json", "--kubeconfig", kubeconfig]))
        ctx = _named(cfg["contexts"], cfg["current-context"])["context"]
        cluster = _named(cfg["clusters"], ctx["cluster"])["cluster"]
        user = _named(cfg["users"], ctx["user"])["user"]
        server = urllib.parse.urlsplit(cluster["server"])
        self.host, self.port = server.hostname, server.port or 443
        # ssl reads certificates from files only; they are not needed once loaded.
        with tempfile.TemporaryDirectory(prefix="gearbox-bench-") as tmp:
            self.ssl = ssl.create_default_context(
                cafile=_pem(cluster, "certificate-authority", tmp, "ca.crt"))
            self.ssl.load_cert_chain(_pem(user, "client-certificate", tmp, "client.crt"),
                                     _pem(user, "client-key", tmp, "client.key"))
        self._local = threading.local()

    def _connection(self, timeout=60):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ssl, timeout=timeout)

    def raw(self, method, path, body=None, accept="application/json",
            content_type="application/json"):
        """(status, body bytes). Retries a dropped keep-alive connection once and waits out 429s."""
        headers = {"Accept": accept}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        for attempt in range(20):
            conn = getattr(self._local, "conn", None) or self._connection()
            self._local.conn = conn
            try:
                conn.request(method, path, body=payload, headers=headers)
                res = conn.getresponse()
                data = res.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt >= 1:
                    raise
                continue
            if res.status == 429:
                time.sleep(float(res.getheader("Retry-After") or 1))
                continue
            return res.status, data
        raise ApiError(method, path, 429, b"still throttled after 20 attempts")

    def call(self, method, path, body=None, ok=(200, 201), content_type="application/json"):
        status, data = self.raw(method, path, body, content_type=content_type)
        if status not in ok:
            raise ApiError(method, path, status, data.decode(errors="replace"))
        return json.loads(data) if data else None

    def create(self, path, body):
        """True if created, False if it existed already (benchmark objects are cumulative)."""
        status, data = self.raw("POST", path, body)
        if status in (200, 201):
            return True
        if status == 409:
            return False
        raise ApiError("POST", path, status, data.decode(errors="replace"))

    def text(self, path):
        status, data = self.raw("GET", path, accept="text/plain")
        if status != 200:
            raise ApiError("GET", path, status, data.decode(errors="replace"))
        return data.decode()

    def list_all(self, path, page=500):
        """(every item of a collection, the resourceVersion of that snapshot), page by page (a
        10,000-item list in one answer is slow). Every page is of the first page's snapshot."""
        items, cont, rv = [], "", None
        while True:
            q = {"limit": page}
            if cont:
                q["continue"] = cont
            doc = self.call("GET", f"{path}?{urllib.parse.urlencode(q)}")
            items.extend(doc["items"])
            rv = rv or doc["metadata"]["resourceVersion"]
            cont = doc["metadata"].get("continue")
            if not cont:
                return items, rv

    def resource_version(self, path):
        """The collection's current resourceVersion: where a watch of changes from now on starts."""
        return self.call("GET", f"{path}?limit=1")["metadata"]["resourceVersion"]


class WatchFailed(Exception):
    """An ERROR event (410 Gone, typically): reported, not retried."""


class Watch:
    """A watch of a collection from a resourceVersion on, in a thread of its own. Every event is
    handed to on_event(type, object, arrival time.monotonic()); a watch the server ends is resumed
    from the last resourceVersion seen (bookmarks included)."""

    def __init__(self, kube, path, resource_version, on_event):
        self.kube, self.path, self.rv, self.on_event = kube, path, resource_version, on_event
        self.error = None
        self._stop = threading.Event()
        self._conn = None
        self._thread = threading.Thread(target=self._run, name=f"watch {path}", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:  # unblocks the thread's read
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=10)

    def _run(self):
        while not self._stop.is_set():
            try:
                self._stream()
            except WatchFailed as e:
                self.error = str(e)
                return
            except (http.client.HTTPException, OSError, ValueError) as e:
                if self._stop.is_set():
                    return
                self.error = str(e)
                time.sleep(1)

    def _stream(self):
        q = urllib.parse.urlencode({"watch": "true", "resourceVersion": self.rv,
                                    "allowWatchBookmarks": "true", "timeoutSeconds": 1800})
        conn = self._conn = self.kube._connection(timeout=None)
        try:
            conn.request("GET", f"{self.path}?{q}", headers={"Accept": "application/json"})
            res = conn.getresponse()
            if res.status != 200:
                raise ValueError(f"watch {self.path}: HTTP {res.status}: {res.read()[:200]!r}")
            for line in res:
                arrived = time.monotonic()
                event = json.loads(line)
                obj = event["object"]
                if event["type"] == "ERROR":
                    # 410 Gone: the benchmark's windows are minutes long, far within etcd's
                    # history, so this is a failure to report, not a case to relist for.
                    raise WatchFailed(f"watch {self.path}: {obj.get('message')}")
                self.rv = obj["metadata"]["resourceVersion"]
                if event["type"] != "BOOKMARK":
                    self.on_event(event["type"], obj, arrived)
        finally:
            conn.close()
