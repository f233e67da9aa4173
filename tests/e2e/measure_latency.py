#!/usr/bin/env python3
"""Measures the time from the moment a rule's condition has held for its `for` to the target's
new replica count in the API server.

The latency-probe policy (storefront-fast.yaml) scales Deployment latency-probe when the Redis list
latency-jobs holds more than 5 items for 3 s. This script pushes 10 items, then
  - watches the Deployment through the API server (a watch stream; each event is stamped when it
    arrives), and
  - polls the policy's status every 100 ms for its durable timer of that rule (status.timers:
    the moment the condition was first seen to hold, as the controller recorded it).
For every change of spec.replicas at time W, the rule could act at F = since + 3 s, where since is
the timer's value just before the change; the list's length is a gate (a total that the count does
not divide), which steps again only once its `for` has run since the last scale-up (docs/engine.md),
so from the second step on F = max(since, lastScaleUp) + 3 s, lastScaleUp as the controller
recorded it (status.timers). It prints W - F for each step and exits
non-zero if a step took longer than the limit (2 s) or if fewer than 3 steps (1 -> 2 -> 3 -> 5: a gate's step is +50%, at least one) were seen.

usage: measure_latency.py NAMESPACE REDIS_PORT
"""
import json
import subprocess
import sys
import threading
import time
from datetime import datetime

ns, redis_port = sys.argv[1], sys.argv[2]
FOR_SECONDS = 3.0
LIMIT = 2.0
KEY = "probe/scaleUp/0/jobs"
LAST_UP = "probe/lastScaleUp"


def rfc3339(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


changes = []  # (arrival time, new replicas)
stop = False


def watch():
    start = json.loads(subprocess.check_output(
        ["kubectl", "-n", ns, "get", "deploy", "latency-probe", "-o", "json"]))
    rv = start["metadata"]["resourceVersion"]
    proc = subprocess.Popen(
        ["kubectl", "get", "--raw",
         f"/apis/apps/v1/namespaces/{ns}/deployments?watch=1&fieldSelector=metadata.name%3Dlatency-probe"
         f"&resourceVersion={rv}&timeoutSeconds=90"],
        stdout=subprocess.PIPE, text=True)
    last = start["spec"]["replicas"]  # a watch from rv sends only what changes after it
    for line in proc.stdout:
        t = time.time()
        obj = json.loads(line)["object"]
        replicas = obj["spec"]["replicas"]
        if replicas != last:
            changes.append((t, replicas))
            last = replicas
        if stop:
            break
    proc.kill()


def since_of_timer():
    """The moment the rule may act from: its timer's start, or the last scale-up if later."""
    out = subprocess.run(["kubectl", "-n", ns, "get", "sp", "latency-probe", "-o", "json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None
    timers = {t["key"]: rfc3339(t["since"])
              for t in json.loads(out.stdout).get("status", {}).get("timers", [])}
    if KEY not in timers:
        return None
    return max(timers[KEY], timers.get(LAST_UP, timers[KEY]))


threading.Thread(target=watch, daemon=True).start()
time.sleep(1.0)
subprocess.check_call(["redis-cli", "-p", redis_port, "del", "latency-jobs"], stdout=subprocess.DEVNULL)
subprocess.check_call(["redis-cli", "-p", redis_port, "rpush", "latency-jobs"] + [f"j{i}" for i in range(10)],
                      stdout=subprocess.DEVNULL)
timers = []  # (poll time, since)
deadline = time.time() + 60
while time.time() < deadline:
    s = since_of_timer()
    if s is not None and (not timers or timers[-1][1] != s):
        timers.append((time.time(), s))
    if changes and changes[-1][1] >= 5:
        break
    time.sleep(0.1)
stop = True

results = []
for w, replicas in changes:
    before = [s for (_, s) in timers if s + FOR_SECONDS <= w + 0.5]
    if not before:
        continue
    fired = before[-1] + FOR_SECONDS
    results.append((replicas, w - fired))
for replicas, lat in results:
    print(f"latency-probe -> {replicas} replicas: {lat * 1000:.0f} ms after the rule held for its for")
if len(results) < 3:
    print(f"FAIL: only {len(results)} scale steps measured (changes={changes}, timers={timers})")
    sys.exit(1)
worst = max(lat for _, lat in results)
print(f"decision latency: max {worst * 1000:.0f} ms over {len(results)} steps (aim: under {LIMIT:.0f} s)")
sys.exit(0 if worst < LIMIT else 1)
