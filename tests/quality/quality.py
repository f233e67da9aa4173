#!/usr/bin/python3
"""The decision-quality harness (issue 16): each trace's load replayed at once against two copies
of the same service in two namespaces of one cluster, one scaled by a ScalingPolicy (Gearbox),
one by an autoscaling/v2 HPA (the real one, in kube-controller-manager, reading metrics-server).
Run by hack/quality.sh, which starts the cluster with the HPA's timings scaled by --factor, Redis,
Prometheus (scraping this program) and the controller.

Prints a table per trace and autoscaler, writes a PNG per trace and the figures as JSON to --out;
with --assert, exits 1 unless Gearbox meets the goal on every trace run.
"""
import argparse
import dataclasses
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import redis  # noqa: E402

import autoscalers  # noqa: E402
import figures  # noqa: E402
import plot  # noqa: E402
import service  # noqa: E402
import stacks  # noqa: E402
import traces  # noqa: E402
from exposition import Exposition  # noqa: E402
from kube import Kube  # noqa: E402

TICK_S = 1.0        # real seconds between ticks


def log(msg):
    print(f"[quality] {time.strftime('%H:%M:%S')} {msg}", flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--factor", type=float, default=5.0, help="simulated seconds per real second")
    p.add_argument("--traces", default=",".join(traces.names()))
    p.add_argument("--minutes", type=float, help="cut every trace at this simulated minute")
    p.add_argument("--prometheus-url", required=True)
    p.add_argument("--redis-url", required=True)
    p.add_argument("--port", type=int, required=True, help="where Prometheus scrapes this program")
    p.add_argument("--out", required=True)
    p.add_argument("--assert-goal", action="store_true")
    return p.parse_args()


def initial_replicas(trace):
    """Both copies start where the HPA would settle for the trace's first load (70% CPU)."""
    if trace.kind == "queue":
        need = trace.at(0) / (service.JOBS_PER_WORKER_S * 0.7)
        return max(autoscalers.WORKER_MIN, math.ceil(need))
    return max(autoscalers.APP_MIN, math.ceil(trace.at(0) / (service.POD_CAPACITY_RPS * 0.7)))


def make_copies(args, trace, kube, exposition, timing):
    copies = {}
    for name in ("gearbox", "hpa"):
        mirror = None
        ns = f"q-{trace.name}-{name}"
        if trace.kind == "queue" and name == "gearbox":
            mirror = stacks.RedisQueueMirror(redis.Redis.from_url(args.redis_url), ns)
        copy = stacks.Copy(kube, trace, name, exposition, mirror)
        if name == "hpa":
            lo, hi = ((autoscalers.WORKER_MIN, autoscalers.WORKER_MAX) if trace.kind == "queue"
                      else (autoscalers.APP_MIN, autoscalers.APP_MAX))
            scaler = autoscalers.hpa(ns, copy.target, lo, hi, timing)
        elif trace.kind == "queue":
            scaler = autoscalers.queue_policy(ns, timing, args.redis_url)
        else:
            scaler = autoscalers.web_policy(ns, timing, args.prometheus_url)
        copy.create(initial_replicas(trace), scaler)
        copies[name] = copy
    return copies


def wait_ready(copies, expected, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = [sum(stacks.is_ready(p) for p in c.kube.call(
            "GET", stacks.PODS.format(ns=c.ns))["items"]) for c in copies]
        if all(r >= e for r, e in zip(ready, expected)):
            return
        time.sleep(1)
    raise SystemExit("[quality] the copies' first pods did not become ready")


def run(runs, factor):
    """Ticks every copy of every trace until each trace has ended (real time x factor)."""
    start = last = time.monotonic()
    last_log = start
    while True:
        now = time.monotonic()
        minute = (now - start) * factor / 60
        dt = (now - last) * factor
        last = now
        active = [(t, c) for t, cs in runs for c in cs.values() if minute <= t.length_min]
        if not active:
            return
        for trace, copy in active:
            copy.tick(minute, trace.at(minute), dt)
        if now - last_log >= 30:
            last_log = now
            log(f"minute {minute:.1f}: " + ", ".join(
                f"{c.ns} {c.record.rows[-1].pods}" for _, c in active))
        time.sleep(max(0.0, TICK_S - (time.monotonic() - now)))


def print_table(results, factor):
    print(f"\nDecision quality, Gearbox against the HPA (time compressed {factor:g}x; figures in "
          "simulated minutes)\n")
    head = (f"{'trace':<9}{'autoscaler':<11}{'SLO min':>9}{'worst s':>9}{'replica-min':>13}"
            f"{'scale ev':>10}{'reversals':>11}{'recovery min':>14}  goal")
    print(head)
    print("-" * len(head))
    for trace, by in results:
        g, h = by["gearbox"], by["hpa"]
        for name, f in by.items():
            rec = "-" if f.recovery_min is None else f"{f.recovery_min:.0f}"
            goal = ""
            if name == "gearbox":
                goal = "met" if figures.meets_goal(g, h) else "NOT met"
            print(f"{trace.name:<9}{name:<11}{f.slo_minutes:>5} /{f.minutes:<3}{f.worst:>9.2f}"
                  f"{f.replica_minutes:>13.1f}{f.scale_events:>10}{f.reversals:>11}{rec:>14}  {goal}")
        ratio_slo = "-" if h.slo_minutes == 0 else f"{g.slo_minutes / h.slo_minutes:.2f}"
        ratio_cost = "-" if h.replica_minutes == 0 else f"{g.replica_minutes / h.replica_minutes:.2f}"
        print(f"{'':<9}{'ratio':<11}{ratio_slo:>9}{'':>9}{ratio_cost:>13}")


def save(args, trace, copies, by):
    os.makedirs(args.out, exist_ok=True)
    records = {n: c.record for n, c in copies.items()}
    plot.draw(trace, records, by, args.factor, os.path.join(args.out, f"{trace.name}.png"))
    with open(os.path.join(args.out, f"{trace.name}.tsv"), "w") as f:
        f.write("autoscaler\tminute\tload\tpods\tready\treplicas\tcpu_percent\tp95_or_wait\twaiting\n")
        for name, record in records.items():
            for r in record.rows:
                f.write(f"{name}\t{r.minute:.3f}\t{r.load:.1f}\t{r.pods}\t{r.ready}\t{r.replicas}\t"
                        f"{r.cpu_percent:.0f}\t{'' if r.p95 is None else f'{r.p95:.3f}'}\t{r.waiting:.0f}\n")


def main():
    args = parse_args()
    kube = Kube(args.kubeconfig)
    timing = autoscalers.Timing(args.factor)
    exposition = Exposition()
    exposition.serve(args.port)
    chosen = [traces.load(n, args.minutes) for n in args.traces.split(",")]
    runs = [(t, make_copies(args, t, kube, exposition, timing)) for t in chosen]
    log(f"{len(runs)} trace(s), {2 * len(runs)} copies created; waiting for their first pods")
    wait_ready([c for _, cs in runs for c in cs.values()],
               [initial_replicas(t) for t, cs in runs for _ in cs])
    longest = max(t.length_min for t in chosen)
    log(f"running: {longest:g} simulated minutes = {longest * 60 / args.factor:.0f} s")
    run(runs, args.factor)
    results = []
    for trace, copies in runs:
        by = {n: figures.compute(c.record, trace) for n, c in copies.items()}
        results.append((trace, by))
        save(args, trace, copies, by)
    print_table(results, args.factor)
    with open(os.path.join(args.out, "figures.json"), "w") as f:
        json.dump({"factor": args.factor, "traces": {
            t.name: {n: dataclasses.asdict(x) for n, x in by.items()} for t, by in results}}, f, indent=1)
    log(f"PNGs, TSVs and figures.json in {args.out}")
    if args.assert_goal and not all(figures.meets_goal(by["gearbox"], by["hpa"]) for _, by in results):
        log("FAIL: Gearbox does not meet the goal on every trace")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
