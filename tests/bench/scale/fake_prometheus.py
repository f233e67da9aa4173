"""A fake Prometheus HTTP API for the scale benchmark.

It answers `GET /api/v1/query?query=...` in constant time with a one-sample instant vector (what
controller/metrics/prometheus.cpp accepts), so that at 10,000 policies evaluated every 15 s (~670
queries/s) the controller is what is measured, not the metric server. The value of a query is
chosen by its `policy="NS/NAME"` label matcher: DEFAULT_VALUE unless the benchmark set another.

It runs an asyncio loop (raw protocol, HTTP/1.1 keep-alive, stdlib only) in a thread of the
benchmark's process, and records for the benchmark:
  - per policy, the first time a query for it was served since reset_first_queries();
  - per policy whose value was changed, the first time the new value was served;
  - its own CPU time (the thread's clock), to show it stays cheap.
"""
import asyncio
import json
import re
import threading
import time
import urllib.parse

DEFAULT_VALUE = 0.1
_POLICY = re.compile(r'policy="([^"]*)"')
_MAX_HEAD = 64 * 1024


class Change:
    def __init__(self, value, set_at):
        self.value = value
        self.set_at = set_at
        self.served_at = None  # when the controller first read the new value


class FakePrometheus:
    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.queries = 0
        self._lock = threading.Lock()
        self._values = {}       # policy -> value; absent: DEFAULT_VALUE
        self._changes = {}      # policy -> the last Change
        self._first_query = {}  # policy -> time.monotonic() of its first query
        self._loop = None
        self._thread = None
        self._started = threading.Event()
        self._start_error = None

    # ---- control interface, for the benchmark's threads ----

    def set_value(self, policy, value):
        """Serve value for policy from now on; returns the Change, which records when the value
        was set and when it was first served (times of time.monotonic())."""
        change = Change(value, time.monotonic())
        with self._lock:
            self._changes[policy] = change
            self._values[policy] = value
        return change

    def restore(self, policy):
        """Serve DEFAULT_VALUE for policy again (its last Change stays as it was)."""
        with self._lock:
            self._values.pop(policy, None)

    def reset_first_queries(self):
        with self._lock:
            self._first_query = {}

    def first_queries(self):
        with self._lock:
            return dict(self._first_query)

    def first_query_count(self):
        with self._lock:
            return len(self._first_query)

    def cpu_seconds(self):
        """CPU time the fake's thread has used (user + system)."""
        return time.clock_gettime(time.pthread_getcpuclockid(self._thread.ident))

    # ---- serving ----

    def answer(self, method, target):
        """(HTTP status, JSON body) for one request."""
        path, _, query_string = target.partition("?")
        if method != "GET" or path != "/api/v1/query":
            return 404, {"status": "error", "errorType": "not_found",
                         "error": f"the fake serves GET /api/v1/query only, not {method} {path}"}
        query = urllib.parse.parse_qs(query_string).get("query", [""])[0]
        match = _POLICY.search(query)
        policy = match.group(1) if match else None
        now = time.monotonic()
        with self._lock:
            self.queries += 1
            value = self._values.get(policy, DEFAULT_VALUE)
            if policy is not None:
                self._first_query.setdefault(policy, now)
                change = self._changes.get(policy)
                if change is not None and change.served_at is None and change.value == value:
                    change.served_at = now
        return 200, {"status": "success",
                     "data": {"resultType": "vector",
                              "result": [{"metric": {}, "value": [time.time(), repr(value)]}]}}

    def start(self):
        self._thread = threading.Thread(target=self._run, name="fake-prometheus", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._start_error:
            raise RuntimeError(f"fake Prometheus on {self.host}:{self.port}: {self._start_error}")
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def _run(self):
        self._loop = asyncio.new_event_loop()
        try:
            server = self._loop.run_until_complete(self._loop.create_server(
                lambda: _HttpConnection(self), self.host, self.port, reuse_address=True))
        except OSError as e:
            self._start_error = str(e)
            self._started.set()
            return
        self._started.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()


class _HttpConnection(asyncio.Protocol):
    """One client connection: requests parsed from the byte stream, answered in order."""

    def __init__(self, fake):
        self.fake = fake
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > _MAX_HEAD:
                    self.transport.close()
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body_length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + body_length:
                return  # the body has not all arrived yet (GETs have none)
            self.buffer = self.buffer[end + 4 + body_length:]
            self._respond(lines[0], headers)

    def _respond(self, request_line, headers):
        parts = request_line.split(" ")
        if len(parts) != 3:
            self._write(400, {"status": "error", "error": "bad request line"}, keep_alive=False)
            return
        method, target, version = parts
        connection = headers.get("connection", "").lower()
        keep_alive = connection == "keep-alive" or (version == "HTTP/1.1" and connection != "close")
        status, doc = self.fake.answer(method, target)
        self._write(status, doc, keep_alive)

    def _write(self, status, doc, keep_alive):
        body = json.dumps(doc, separators=(",", ":")).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n")
        self.transport.write(head.encode() + body)
        if not keep_alive:
            self.transport.close()
